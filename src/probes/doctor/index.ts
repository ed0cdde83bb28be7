// doctor(): the facts gathered once (gather.ts), every check a pure function of them (checks/).
import { invalidArgument } from '../../errors.js';
import { checkPid } from '../../util/validate.js';
import { deepFreeze } from '../../util/freeze.js';
import { runAsync, runSync } from './drive.js';
import type { Facts } from './facts.js';
import { gather, type Request } from './gather.js';
import { checkBinVersion, checkLibcCompat } from './checks/binaries.js';
import { checkEnvFile, checkSettings } from './checks/env-file.js';
import { checkEnvGoroot, checkEnvPath } from './checks/env-path.js';
import { checkMemAs, checkMemCgroup, checkMemData } from './checks/memory.js';
import { checkCache, checkReparse } from './checks/paths.js';
import { checkServer } from './checks/server.js';
import { signaturesFor, skipped } from './verdict.js';
import type { DoctorCheck, DoctorCheckId, DoctorFix, DoctorOptions, DoctorProfile, DoctorReport, DoctorStatus } from './types.js';

export * from './types.js';

const OPTION_KEYS = new Set([
  'pid',
  'shellPid',
  'root',
  'workspace',
  'log',
  'logText',
  'for',
  'binaries',
  'home',
  'timeoutMs',
  'cacheSizeLimit',
]);
const DEFAULT_CACHE_LIMIT = 20n << 30n;

/** Which checks each profile runs, in the order they are reported. */
const PROFILE_CHECKS: Record<DoctorProfile, readonly DoctorCheckId[]> = {
  go: [
    'go-env-path',
    'go-env-goroot',
    'go-env-file',
    'go-settings',
    'go-bin-version',
    'libc-compat',
    'mem-as',
    'mem-data',
    'mem-cgroup',
    'fs-reparse',
    'go-cache',
  ],
  'vscode-server': ['vscode-server'],
};

const CHECKS: Record<DoctorCheckId, (facts: Facts) => DoctorCheck> = {
  'go-env-path': checkEnvPath,
  'go-env-goroot': checkEnvGoroot,
  'go-env-file': checkEnvFile,
  'go-settings': checkSettings,
  'go-bin-version': checkBinVersion,
  'libc-compat': checkLibcCompat,
  'mem-as': checkMemAs,
  'mem-data': checkMemData,
  'mem-cgroup': checkMemCgroup,
  'fs-reparse': checkReparse,
  'go-cache': checkCache,
  'vscode-server': checkServer,
};

function text(fn: string, name: string, value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value === '' || value.includes('\0'))
    throw invalidArgument(`${fn}(): ${name} must be a non-empty string`);
  return value;
}

function request(fn: string, options: DoctorOptions | undefined): { request: Request; timeoutMs: number } {
  const o = options ?? {};
  if (typeof o !== 'object' || o === null) throw invalidArgument(`${fn}(): options must be an object`);
  for (const key of Object.keys(o)) if (!OPTION_KEYS.has(key)) throw invalidArgument(`${fn}(): unknown option '${key}'`);
  const profiles = o.for === undefined ? (['go', 'vscode-server'] as DoctorProfile[]) : Array.isArray(o.for) ? o.for : [o.for];
  for (const profile of profiles)
    if (profile !== 'go' && profile !== 'vscode-server') throw invalidArgument(`${fn}(): for must be 'go' or 'vscode-server'`);
  if (o.binaries !== undefined && (!Array.isArray(o.binaries) || o.binaries.some((b) => typeof b !== 'string' || b === '')))
    throw invalidArgument(`${fn}(): binaries must be an array of paths`);
  if (o.binaries !== undefined && o.binaries.length > 64) throw invalidArgument(`${fn}(): at most 64 binaries`);
  if (o.logText !== undefined && typeof o.logText !== 'string') throw invalidArgument(`${fn}(): logText must be a string`);
  if (o.log !== undefined && o.logText !== undefined) throw invalidArgument(`${fn}(): log and logText cannot both be given`);
  const timeoutMs = o.timeoutMs ?? 5000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 600_000)
    throw invalidArgument(`${fn}(): timeoutMs must be an integer from 1 to 600000`);
  let cacheSizeLimit = DEFAULT_CACHE_LIMIT;
  if (o.cacheSizeLimit !== undefined) {
    if (typeof o.cacheSizeLimit === 'bigint' && o.cacheSizeLimit > 0n) cacheSizeLimit = o.cacheSizeLimit;
    else if (typeof o.cacheSizeLimit === 'number' && Number.isSafeInteger(o.cacheSizeLimit) && o.cacheSizeLimit > 0)
      cacheSizeLimit = BigInt(o.cacheSizeLimit);
    else throw invalidArgument(`${fn}(): cacheSizeLimit must be a positive integer (bytes)`);
  }
  return {
    timeoutMs,
    request: {
      pid: o.pid === undefined ? null : checkPid(fn, o.pid),
      shellPid: o.shellPid === undefined ? null : checkPid(fn, o.shellPid),
      root: text(fn, 'root', o.root),
      workspace: text(fn, 'workspace', o.workspace),
      log: text(fn, 'log', o.log),
      logText: o.logText ?? null,
      profiles: [...new Set(profiles)],
      binaries: o.binaries ?? [],
      home: text(fn, 'home', o.home),
      cacheSizeLimit,
    },
  };
}

/** What to do when only the log shows a failure: look where the facts of the failed run still are. */
const FIX_FROM_LOG: Partial<Record<DoctorCheckId, DoctorFix>> = {
  'go-bin-version': {
    text: 'Rebuild gopls with a Go at least as new as the go line the log names.',
    command: 'go install golang.org/x/tools/gopls@latest',
  },
  'go-env-path': {
    text: 'Start the editor from a shell whose PATH has go (`code .`), or tell the Go extension where go is.',
    setting: 'go.alternateTools',
  },
};
const LOOK_AT_STARTER: DoctorFix = {
  text: "Check the process that starts the tool, whose limits and environment the failed run had: sysprobe doctor --pid <the editor's or shell's pid>.",
};

/** The log lines that point at a check go with it; an `ok` check the log contradicts becomes a warning. */
function withLogEvidence(check: DoctorCheck, facts: Facts): DoctorCheck {
  const lines = signaturesFor(facts, check.id);
  if (lines.length === 0 || check.signatures !== undefined) return check;
  const first = lines[0]!;
  if (check.status !== 'ok') return { ...check, signatures: lines };
  return {
    ...check,
    status: 'warning',
    message: `${check.message} But the log shows "${first.line.trim()}" (line ${first.lineNumber}), a failure this check covers: what failed ran with other facts than the ones checked now.`,
    fix: check.fix.length > 0 ? check.fix : [FIX_FROM_LOG[check.id] ?? LOOK_AT_STARTER],
    signatures: lines,
  };
}

function report(facts: Facts): DoctorReport {
  const ids = new Set(facts.profiles.flatMap((p) => PROFILE_CHECKS[p]));
  const checks: DoctorCheck[] = [];
  for (const id of [...PROFILE_CHECKS.go, ...PROFILE_CHECKS['vscode-server']]) {
    if (!ids.has(id)) continue;
    try {
      checks.push(withLogEvidence(CHECKS[id](facts), facts));
    } catch (error) {
      checks.push(skipped(id, `the check failed on its facts: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
  const summary: Record<DoctorStatus, number> = { ok: 0, warning: 0, error: 0, skipped: 0 };
  for (const check of checks) summary[check.status]++;
  return deepFreeze({ schemaVersion: 1, subject: facts.subject, profiles: facts.profiles, summary, checks, log: facts.log });
}

/**
 * Diagnoses why a Go language server (gopls, dlv) or a VS Code server fails here.
 * See src/index.ts for the contract.
 */
export async function doctor(options?: DoctorOptions): Promise<DoctorReport> {
  const { request: req, timeoutMs } = request('doctor', options);
  return report(await runAsync(gather(req), timeoutMs));
}

export function doctorSync(options?: DoctorOptions): DoctorReport {
  return report(runSync(gather(request('doctorSync', options).request)));
}
