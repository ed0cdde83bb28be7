// Gathering for the Go checks: the tools on each PATH and what they were built with, the paths Go will
// walk, the binaries that must load, and the caches gopls and go write to.
import { delimiter, isAbsolute, join } from 'node:path';
import { expandSettingPath } from '../editor/vscode.js';
import { envGetter, userCacheDir } from '../go/goenv-file.js';
import { probe, answer, type Gathering } from './drive.js';
import type { CacheFacts, Facts, ToolFacts } from './facts.js';
import type { Request } from './gather.js';

/** The tools gopls and its editor need, looked up on the tool's PATH and the shell's. */
export const GO_TOOLS = ['go', 'gopls', 'dlv'] as const;

function* addTool(facts: Facts, seen: Set<string>, name: string, foundBy: ToolFacts['foundBy'], path: string): Gathering<void> {
  if (seen.has(path)) return;
  seen.add(path);
  facts.tools.push({ name, foundBy, path, buildInfo: yield* probe('goBuildInfo', path) });
}

function* gatherTools(facts: Facts, request: Request): Gathering<void> {
  for (const name of GO_TOOLS) {
    const tool = yield* probe('lookPath', name, facts.toolEnv.PATH);
    const shell = facts.shellEnv === null ? null : yield* probe('lookPath', name, facts.shellEnv.PATH);
    facts.lookups.push({ name, tool, shell });
  }
  const seen = new Set<string>();
  const exe = facts.tool === null ? null : facts.subject.exe;
  if (exe !== null) yield* addTool(facts, seen, facts.subject.name ?? 'subject', 'subject', exe);
  for (const lookup of facts.lookups) {
    if (lookup.name === 'go') continue;
    const onTool = answer(lookup.tool)?.path ?? null;
    const onShell = answer(lookup.shell)?.path ?? null;
    if (onTool !== null) yield* addTool(facts, seen, lookup.name, 'tool-path', onTool);
    else if (onShell !== null) yield* addTool(facts, seen, lookup.name, 'shell-path', onShell);
  }
  const alternates = answer(facts.settings)?.effective['go.alternateTools']?.value;
  if (typeof alternates === 'object' && alternates !== null) {
    for (const [name, value] of Object.entries(alternates as Record<string, unknown>)) {
      if (name === 'go' || typeof value !== 'string' || value === '') continue;
      const expanded = expandSettingPath(value, {
        home: facts.subject.home,
        ...(facts.subject.workspace === null ? {} : { workspace: facts.subject.workspace }),
        env: facts.toolEnv,
      });
      if (isAbsolute(expanded)) yield* addTool(facts, seen, name, 'setting', expanded);
    }
  }
  for (const binary of request.binaries) yield* addTool(facts, seen, binary.slice(binary.lastIndexOf('/') + 1), 'option', binary);
}

function* gatherPaths(facts: Facts): Gathering<void> {
  const toolchain = answer(facts.toolchain);
  const wanted: { label: string; path: string }[] = [];
  if (toolchain?.goroot.path) wanted.push({ label: 'GOROOT', path: toolchain.goroot.path });
  for (const entry of (toolchain?.values.GOPATH?.value ?? '').split(delimiter))
    if (isAbsolute(entry)) wanted.push({ label: 'GOPATH', path: entry });
  const modcache = toolchain?.values.GOMODCACHE?.value;
  if (modcache !== undefined && isAbsolute(modcache)) wanted.push({ label: 'GOMODCACHE', path: modcache });
  if (facts.subject.workspace !== null) wanted.push({ label: 'workspace', path: facts.subject.workspace });
  for (const tool of facts.tools) wanted.push({ label: tool.name, path: tool.path });
  const go = answer(facts.lookups.find((l) => l.name === 'go')?.tool)?.path;
  if (go) wanted.push({ label: 'go', path: go });
  const seen = new Set<string>();
  for (const { label, path } of wanted) {
    if (seen.has(path)) continue;
    seen.add(path);
    facts.paths.push({ label, path, explanation: yield* probe('explainPath', path) });
  }
}

function* gatherCompat(facts: Facts, request: Request): Gathering<void> {
  const target = request.root === null ? 'host' : { root: request.root };
  for (const tool of facts.tools)
    facts.compat.push({ label: tool.name, path: tool.path, report: yield* probe('checkCompat', tool.path, target) });
}

function* gatherCaches(facts: Facts): Gathering<void> {
  const toolchain = answer(facts.toolchain);
  const wanted: { label: CacheFacts['label']; path: string; source: string }[] = [];
  const cacheDir = userCacheDir(envGetter(facts.toolEnv, process.platform), process.platform, facts.subject.home);
  const goplsCache = cacheDir === null ? null : join(cacheDir, 'gopls');
  if (goplsCache !== null) wanted.push({ label: 'gopls cache', path: goplsCache, source: "gopls's default: os.UserCacheDir()/gopls" });
  for (const label of ['GOCACHE', 'GOMODCACHE'] as const) {
    const value = toolchain?.values[label];
    if (value !== undefined && isAbsolute(value.value))
      wanted.push({ label, path: value.value, source: value.source === 'env' ? 'the environment' : (value.file ?? value.source) });
  }
  for (const { label, path, source } of wanted) {
    const space = yield* probe('fsSpace', path);
    const size = answer(space)?.exists === true ? yield* probe('dirSize', path, { timeBudgetMs: 1000, maxEntries: 200_000 }) : null;
    facts.caches.push({ label, path, source, space, size });
  }
}

/** The folders and files the Go settings name, stat'ed (go.goroot, go.gopath, go.alternateTools). */
function* gatherSettingPaths(facts: Facts): Gathering<void> {
  const effective = answer(facts.settings)?.effective ?? {};
  const values: unknown[] = [effective['go.goroot']?.value, effective['go.gopath']?.value];
  const alternates = effective['go.alternateTools']?.value;
  if (typeof alternates === 'object' && alternates !== null) values.push(...Object.values(alternates));
  for (const value of values) {
    if (typeof value !== 'string' || value === '') continue;
    const path = expandSettingPath(value, {
      home: facts.subject.home,
      ...(facts.subject.workspace === null ? {} : { workspace: facts.subject.workspace }),
      env: facts.toolEnv,
    });
    if (isAbsolute(path)) facts.exists[path] = (yield* probe('stat', path)).ok;
  }
}

export function* gatherGo(facts: Facts, request: Request): Gathering<void> {
  yield* gatherSettingPaths(facts);
  yield* gatherTools(facts, request);
  yield* gatherPaths(facts);
  yield* gatherCompat(facts, request);
  yield* gatherCaches(facts);
  if (request.pid === null) {
    for (const name of ['gopls', 'dlv']) facts.running.push(...(answer(yield* probe('findProcesses', { name }, { limit: 16 })) ?? []));
  }
}
