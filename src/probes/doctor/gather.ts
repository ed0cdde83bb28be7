// Gathering: the processes (tool, parent, shell), their environments and limits, the Go toolchain each
// environment sees, the workspace's modules, the editor's settings. Go tools, paths, binaries, caches and
// the VS Code server are gathered in gather-go.ts and gather-server.ts.
import { homedir } from 'node:os';
import { isAbsolute } from 'node:path';
import type { ProcessEnv } from '../env/index.js';
import { probe, answer, type Gathering, type Outcome } from './drive.js';
import type { Facts, ProcessFacts } from './facts.js';
import type { DoctorProfile, DoctorSubject } from './types.js';
import { gatherGo } from './gather-go.js';
import { gatherServer } from './gather-server.js';
import { matchCrashSignatures } from './signatures.js';

/** The options as the doctor uses them, checked by the caller (doctor/index.ts). */
export interface Request {
  pid: number | null;
  shellPid: number | null;
  root: string | null;
  workspace: string | null;
  log: string | null;
  logText: string | null;
  profiles: DoctorProfile[];
  binaries: string[];
  home: string | null;
  cacheSizeLimit: bigint;
}

function ownEnv(): Record<string, string> {
  const env = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  return env;
}

function* processFacts(pid: number): Gathering<ProcessFacts> {
  const node = yield* probe('processNode', pid);
  const raw = yield* probe('processEnv', pid);
  const env: Outcome<Record<string, string>> = raw.ok ? { ok: true, value: (raw.value as ProcessEnv).env } : raw;
  return { pid, node, env, envSource: `/proc/${pid}/environ` };
}

function* workspaceOf(
  request: Request,
  tool: ProcessFacts | null,
): Gathering<{ path: string | null; source: DoctorSubject['workspaceSource'] }> {
  if (request.workspace !== null) return { path: request.workspace, source: 'option' };
  if (tool === null) return { path: process.cwd(), source: 'cwd' };
  const cwd = yield* probe('readLink', `/proc/${tool.pid}/cwd`);
  return cwd.ok && isAbsolute(cwd.value) ? { path: cwd.value, source: 'process-cwd' } : { path: null, source: null };
}

export function* gather(request: Request): Gathering<Facts> {
  const tool = request.pid === null ? null : yield* processFacts(request.pid);
  const toolEnv = tool === null ? ownEnv() : (answer(tool.env) ?? Object.create(null));
  const toolNode = answer(tool?.node);

  // The parent starts the tool again after a crash, with its own limits and environment.
  const parentPid = toolNode !== null && toolNode.ppid > 1 ? toolNode.ppid : null;
  const parent =
    parentPid === null
      ? null
      : {
          pid: parentPid,
          node: yield* probe('processNode', parentPid),
          env: { ok: false, error: new Error('not read'), timedOut: false } as Outcome<Record<string, string>>,
          envSource: '',
        };

  let shell: ProcessFacts | null = null;
  let shellFoundBy: 'option' | 'ancestor' = 'option';
  if (request.shellPid !== null) {
    shell = yield* processFacts(request.shellPid);
  } else {
    const ancestor = answer(yield* probe('shellAncestor', process.pid));
    if (ancestor?.isShell && ancestor.shell.pid !== request.pid) {
      shell = yield* processFacts(ancestor.shell.pid);
      shellFoundBy = 'ancestor';
    }
  }
  const shellEnv = shell === null ? null : answer(shell.env);
  const shellNode = answer(shell?.node);

  const home = request.home ?? toolEnv.HOME ?? homedir();
  const workspace = yield* workspaceOf(request, tool);
  const subject: DoctorSubject = {
    pid: request.pid,
    name:
      toolNode === null
        ? tool === null
          ? 'sysprobe'
          : null
        : toolNode.exe === null
          ? toolNode.comm
          : toolNode.exe.slice(toolNode.exe.lastIndexOf('/') + 1),
    exe: toolNode?.exe ?? (tool === null ? process.execPath : null),
    argv: toolNode?.argv ?? (tool === null ? process.argv : []),
    shell:
      shell === null
        ? null
        : {
            pid: shell.pid,
            name: shellNode?.exe?.slice(shellNode.exe.lastIndexOf('/') + 1) ?? shellNode?.comm ?? '?',
            foundBy: shellFoundBy,
          },
    root: request.root,
    workspace: workspace.path,
    workspaceSource: workspace.source,
    home,
    platform: process.platform,
    arch: process.arch,
  };

  const toolchain = yield* probe('goToolchain', { env: toolEnv, home });
  const shellToolchain = shellEnv === null ? null : yield* probe('goToolchain', { env: shellEnv, home });
  const modules = workspace.path === null ? null : yield* probe('goModules', workspace.path, toolEnv);
  const rlimits = yield* probe('rlimits', request.pid === null ? undefined : { pid: request.pid });
  const parentRlimits = parentPid === null ? null : yield* probe('rlimits', { pid: parentPid });
  const cgroup = yield* probe('cgroup', request.pid === null ? undefined : { pid: request.pid });
  const settings = yield* probe('vscodeSettings', {
    home,
    env: toolEnv,
    ...(workspace.path === null ? {} : { workspace: workspace.path }),
  });

  let log: Facts['log'] = null;
  let logError: string | null = null;
  if (request.log !== null) {
    const read = yield* probe('crashLog', request.log);
    if (read.ok) log = { ...read.value, path: read.value.path };
    else logError = read.error.message;
  } else if (request.logText !== null) {
    log = { path: null, bytes: Buffer.byteLength(request.logText), truncated: false, signatures: matchCrashSignatures(request.logText) };
  }

  const facts: Facts = {
    profiles: request.profiles,
    subject,
    tool,
    parent,
    shell,
    toolEnv,
    shellEnv,
    toolchain,
    shellToolchain,
    lookups: [],
    tools: [],
    modules,
    rlimits,
    parentRlimits,
    cgroup,
    settings,
    paths: [],
    compat: [],
    server: null,
    caches: [],
    log,
    logError,
    running: [],
    cacheSizeLimit: request.cacheSizeLimit,
    exists: Object.create(null) as Record<string, boolean>,
  };
  // "Run the check each line points to": the binaries a log names are checked like the tools.
  const named = (log?.signatures ?? [])
    .flatMap((sig) => [sig.captures.requiredBy, sig.captures.path])
    .filter((p): p is string => p !== undefined && isAbsolute(p));
  const binaries = [...new Set([...request.binaries, ...named])].slice(0, 64);
  if (request.profiles.includes('go')) yield* gatherGo(facts, { ...request, binaries });
  if (request.profiles.includes('vscode-server')) facts.server = yield* gatherServer(request, home);
  return facts;
}
