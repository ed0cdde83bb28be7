import { goMemoryFloor } from '../go/memory-floors.js';
import { SysprobeError, invalidArgument } from '../../errors.js';
import { binding } from '../../backends/loader.js';
import { checkPid } from '../../util/validate.js';
import type { RawLimitArg, RawRlimitEntry, RawRlimitSet } from '../../backends/binding.js';
import { THIS_PROCESS } from '../../backends/wire.js';
import { RLIMIT_NAMES, type RlimitName } from '../../util/rlimit-names.js';

export { RLIMIT_NAMES, type RlimitName };

/**
 * A limit, exactly: a `bigint` in the resource's unit, or `'unlimited'` (`RLIM_INFINITY` of the platform,
 * `2^64-1` on Linux, `2^63-1` on macOS). Never a JavaScript number, so nothing above 2^53 is rounded.
 */
export type Limit = bigint | 'unlimited';

/** The unit of a resource's values. `nice` is a ceiling `20 - nice` (1..40); `rtprio` a priority. */
export type RlimitUnit = 'bytes' | 'seconds' | 'microseconds' | 'files' | 'processes' | 'locks' | 'signals' | 'nice-ceiling' | 'priority';

/** How a value was read. */
export type RlimitSource = 'getrlimit' | 'prlimit' | 'procfs' | 'crt' | 'jobObject';

export interface ResourceLimit {
  name: RlimitName;
  /** prlimit(1)'s description. */
  description: string;
  unit: RlimitUnit;
  /** The soft limit (what the kernel enforces), or `null` where the platform has no such resource. */
  soft: Limit | null;
  /** The hard limit (the ceiling an unprivileged process may raise its soft limit to), or `null`. */
  hard: Limit | null;
  /** The platform has this resource. */
  supported: boolean;
  /**
   * The kernel acts on it. `false` for `rss` on Linux (ignored since 2.6) and for `as`/`rss` on macOS
   * (accepted but not enforced).
   */
  enforced: boolean;
  /** This platform's `RLIMIT_*` number (informational: numbers differ by platform, MIPS included). */
  resource: number | null;
  source: RlimitSource | null;
}

export interface RlimitsInfo {
  /** Whose limits: this process (`self`), or the pid asked for. */
  pid: number;
  self: boolean;
  platform: NodeJS.Platform;
  /**
   * `'getrlimit'` (this process), `'prlimit'` (another process, prlimit(2)), `'procfs'` (`/proc/PID/limits`,
   * when prlimit(2) was refused or `source: 'procfs'` was asked for), `'crt'` (Windows).
   */
  source: RlimitSource;
  /** Why prlimit(2) was not used, when `source` is `'procfs'` by fallback. */
  fallback: { code: string; errno: number; syscall: string } | null;
  limits: Record<RlimitName, ResourceLimit>;
  /** Things worth knowing about these values (the Node and Go `nofile` adjustments, unenforced resources). */
  notes: string[];
}

export interface GetRlimitsOptions {
  /** Another process (Linux: prlimit(2), falling back to `/proc/PID/limits`). Default: this process. */
  pid?: number;
  /**
   * `'auto'` (default): the system call, then `/proc/PID/limits` if it is refused. `'syscall'`: the system
   * call only. `'procfs'`: `/proc/PID/limits` only (Linux; for this process `/proc/self/limits`).
   */
  source?: 'auto' | 'syscall' | 'procfs';
}

export interface SetRlimitValues {
  /** The new soft limit: a `bigint`, a non-negative safe integer `number`, or `'unlimited'`. */
  soft: Limit | number;
  /** The new hard limit; omitted, the current hard limit is kept. */
  hard?: Limit | number;
}

export interface SetRlimitOptions {
  /** Another process (Linux, prlimit(2)); default this process. */
  pid?: number;
}

const META: Record<RlimitName, { description: string; unit: RlimitUnit }> = {
  as: { description: 'address space limit', unit: 'bytes' },
  core: { description: 'max core file size', unit: 'bytes' },
  cpu: { description: 'CPU time', unit: 'seconds' },
  data: { description: 'max data size', unit: 'bytes' },
  fsize: { description: 'max file size', unit: 'bytes' },
  locks: { description: 'max number of file locks held', unit: 'locks' },
  memlock: { description: 'max locked-in-memory address space', unit: 'bytes' },
  msgqueue: { description: 'max bytes in POSIX mqueues', unit: 'bytes' },
  nice: { description: 'max nice prio allowed to raise', unit: 'nice-ceiling' },
  nofile: { description: 'max number of open files', unit: 'files' },
  nproc: { description: 'max number of processes', unit: 'processes' },
  rss: { description: 'max resident set size', unit: 'bytes' },
  rtprio: { description: 'max real-time priority', unit: 'priority' },
  rttime: { description: 'timeout for real-time tasks', unit: 'microseconds' },
  sigpending: { description: 'max number of pending signals', unit: 'signals' },
  stack: { description: 'max stack size', unit: 'bytes' },
};

/**
 * Below this `as`, a current Go runtime (>= 1.21) does not start: the highest of the floors measured for Debian's
 * Go packages (src/probes/go/memory-floors.ts; the doctor's mem-as check holds each tool to its own).
 */
export const GO_MIN_ADDRESS_SPACE: bigint = goMemoryFloor(null).addressSpace;

function checkGetOptions(options: GetRlimitsOptions | undefined): { pid: number; mode: 'auto' | 'syscall' | 'procfs' } {
  if (options === undefined) return { pid: THIS_PROCESS, mode: 'auto' };
  if (typeof options !== 'object' || options === null) throw invalidArgument('getRlimits(): options must be an object');
  for (const key of Object.keys(options)) {
    if (key !== 'pid' && key !== 'source') throw invalidArgument(`getRlimits(): unknown option '${key}'`);
  }
  const mode = options.source ?? 'auto';
  if (mode !== 'auto' && mode !== 'syscall' && mode !== 'procfs') {
    throw invalidArgument("getRlimits(): source must be 'auto', 'syscall' or 'procfs'");
  }
  return { pid: options.pid === undefined ? THIS_PROCESS : checkPid('getRlimits', options.pid), mode };
}

function enforced(name: RlimitName, supported: boolean): boolean {
  if (!supported) return false;
  if (name === 'rss') return false; // Linux ignores RLIMIT_RSS since 2.6; macOS aliases it to AS
  if (name === 'as' && process.platform === 'darwin') return false;
  return true;
}

function shapeEntry(raw: RawRlimitEntry): ResourceLimit {
  const name = raw.name as RlimitName;
  const meta = META[name];
  return {
    name,
    description: meta.description,
    unit: meta.unit,
    soft: raw.soft,
    hard: raw.hard,
    supported: raw.supported,
    enforced: enforced(name, raw.supported),
    resource: raw.resource,
    source: raw.source as RlimitSource | null,
  };
}

function errnoCode(errno: number): string {
  return new SysprobeError({ errno }).code;
}

/** Notes derived from the values: who may have adjusted `nofile`, what is not enforced. */
export function rlimitNotes(limits: Record<RlimitName, ResourceLimit>, self: boolean): string[] {
  const notes: string[] = [];
  const nofile = limits.nofile;
  if (self && process.platform !== 'win32') {
    notes.push(
      'Node raises its own nofile soft limit to the hard limit at start-up (and its children inherit that), ' +
        "so this process does not show the soft limit its shell set; getRlimits({ pid: process.ppid }) shows the parent's.",
    );
  }
  if (nofile.supported && typeof nofile.soft === 'bigint' && typeof nofile.hard === 'bigint') {
    // Measured: gopls (go1.19) started under nofile 1024:4096 runs with 4096:4096 (Go's os package raises it
    // since Go 1.19, golang/go#46279, and gives its children the original back).
    if (nofile.soft === nofile.hard && !self) {
      notes.push(
        'nofile soft == hard: what the Go runtime (>= 1.19) sets at start-up, as Node, Deno, Bun and Electron do (or a shell that set both); ' +
          'a Go program gives its children the original soft limit back.',
      );
    }
  }
  const as = limits.as;
  if (as.enforced && typeof as.soft === 'bigint' && as.soft < GO_MIN_ADDRESS_SPACE) {
    notes.push(
      `as (ulimit -v) is ${as.soft} bytes: Go programs (gopls) reserve more address space than that at start ` +
        "and die with 'failed to reserve page summary memory'.",
    );
  }
  if (limits.rss.supported) notes.push('rss is accepted but not enforced by the kernel.');
  if (process.platform === 'darwin') notes.push('as is accepted but not enforced on macOS.');
  return notes;
}

function shapeSet(raw: RawRlimitSet): RlimitsInfo {
  const limits = {} as Record<RlimitName, ResourceLimit>;
  for (const entry of raw.entries) limits[entry.name as RlimitName] = shapeEntry(entry);
  const self = raw.pid === THIS_PROCESS;
  return {
    pid: self ? process.pid : raw.pid,
    self,
    platform: process.platform,
    source: raw.source as RlimitSource,
    fallback: raw.fallback === null ? null : { code: errnoCode(raw.fallback.errno), ...raw.fallback },
    limits,
    notes: rlimitNotes(limits, self),
  };
}

/** Every resource limit of this process (or `opts.pid`), exactly. */
export function getRlimitsSync(options?: GetRlimitsOptions): RlimitsInfo {
  const { pid, mode } = checkGetOptions(options);
  return shapeSet(binding().rlimitsSync(pid, mode));
}

/** As {@link getRlimitsSync}, read on the libuv thread pool. */
export async function getRlimits(options?: GetRlimitsOptions): Promise<RlimitsInfo> {
  const { pid, mode } = checkGetOptions(options);
  return shapeSet(await binding().rlimits(pid, mode));
}

function limitArg(what: string, value: unknown): RawLimitArg {
  if (value === 'unlimited') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0)
      throw invalidArgument(`setRlimit(): ${what} must be a non-negative integer, a bigint or 'unlimited'`);
    return BigInt(value);
  }
  if (typeof value === 'bigint') {
    if (value < 0n || value >= 1n << 64n) throw invalidArgument(`setRlimit(): ${what} must be between 0 and 2^64-1`);
    return value;
  }
  throw invalidArgument(`setRlimit(): ${what} must be a bigint, a non-negative integer or 'unlimited'`);
}

function checkSetArgs(name: unknown, values: unknown, options: unknown): [number, RlimitName, RawLimitArg, RawLimitArg | undefined] {
  if (typeof name !== 'string' || !(RLIMIT_NAMES as readonly string[]).includes(name)) {
    throw invalidArgument(`setRlimit(): unknown resource '${String(name)}' (one of ${RLIMIT_NAMES.join(', ')})`);
  }
  if (typeof values !== 'object' || values === null) throw invalidArgument('setRlimit(): values must be an object { soft, hard? }');
  for (const key of Object.keys(values)) {
    if (key !== 'soft' && key !== 'hard') throw invalidArgument(`setRlimit(): unknown value '${key}'`);
  }
  const { soft, hard } = values as SetRlimitValues;
  let pid = THIS_PROCESS;
  if (options !== undefined) {
    if (typeof options !== 'object' || options === null) throw invalidArgument('setRlimit(): options must be an object');
    for (const key of Object.keys(options)) {
      if (key !== 'pid') throw invalidArgument(`setRlimit(): unknown option '${key}'`);
    }
    const optionPid = (options as SetRlimitOptions).pid;
    if (optionPid !== undefined) pid = checkPid('setRlimit', optionPid);
  }
  return [pid, name as RlimitName, limitArg('soft', soft), hard === undefined ? undefined : limitArg('hard', hard)];
}

/**
 * Sets one limit of this process (or `opts.pid`, Linux) and returns it as read back. Without `hard` the
 * current hard limit is kept. The kernel decides: `EINVAL` when soft > hard, `EPERM` when raising the hard
 * limit without privilege (`CAP_SYS_RESOURCE`), both as a {@link SysprobeError}.
 */
export function setRlimitSync(name: RlimitName, values: SetRlimitValues, options?: SetRlimitOptions): ResourceLimit {
  const [pid, resource, soft, hard] = checkSetArgs(name, values, options);
  return shapeEntry(binding().setRlimitSync(pid, resource, soft, hard));
}

/** As {@link setRlimitSync}, on the libuv thread pool (the limits are process-wide either way). */
export async function setRlimit(name: RlimitName, values: SetRlimitValues, options?: SetRlimitOptions): Promise<ResourceLimit> {
  const [pid, resource, soft, hard] = checkSetArgs(name, values, options);
  return shapeEntry(await binding().setRlimit(pid, resource, soft, hard));
}
