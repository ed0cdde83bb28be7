// Processes found by name, executable or argv[0], from /proc (as pgrep does, without running it): the doctor
// looks for gopls, dlv or an editor's server when it is not given a pid.
import { readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { readdir, readlink, realpath } from 'node:fs/promises';
import { SysprobeError, invalidArgument } from '../../errors.js';
import { readBounded, readBoundedSync } from '../../util/bounded-read.js';
import { MAX_CMDLINE_BYTES, MAX_STAT_BYTES, nodeFromProc, type ProcessNode } from './processes.js';

export interface ProcessQuery {
  /** The executable's basename, or the kernel's name (`comm`, cut at 15 bytes: a longer `name` matches by its first 15 bytes). */
  name?: string;
  /** The executable's path: matched against /proc/PID/exe exactly, after resolving the query's own symlinks. */
  exe?: string;
  /** `argv[0]` exactly; a query without `/` also matches the basename of `argv[0]`. */
  argv0?: string;
}

export interface FindProcessesOptions {
  /** At most this many processes, the lowest pids first (default 256, at most 4096). */
  limit?: number;
}

export const DEFAULT_FIND_LIMIT = 256;
export const MAX_FIND_LIMIT = 4096;
/** /proc/PID/comm is at most 16 bytes with its newline (TASK_COMM_LEN). */
const COMM_BYTES = 15;
const MAX_COMM_READ = 64;

interface Criteria {
  name: Buffer | null;
  exe: string | null;
  argv0: string | null;
  limit: number;
}

function checkQuery(query: ProcessQuery, options: FindProcessesOptions | undefined): Criteria {
  if (typeof query !== 'object' || query === null) throw invalidArgument('findProcesses(): query must be an object');
  for (const key of Object.keys(query)) {
    if (key !== 'name' && key !== 'exe' && key !== 'argv0') throw invalidArgument(`findProcesses(): unknown query field ${key}`);
  }
  const field = (key: 'name' | 'exe' | 'argv0'): string | null => {
    const value = query[key];
    if (value === undefined) return null;
    if (typeof value !== 'string' || value === '' || value.includes('\0'))
      throw invalidArgument(`findProcesses(): ${key} must be a non-empty string`);
    return value;
  };
  const name = field('name');
  const exe = field('exe');
  const argv0 = field('argv0');
  if (name === null && exe === null && argv0 === null) throw invalidArgument('findProcesses(): give name, exe or argv0');
  if (exe !== null && !exe.startsWith('/')) throw invalidArgument('findProcesses(): exe must be an absolute path');
  const limit = options?.limit ?? DEFAULT_FIND_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1) throw invalidArgument('findProcesses(): limit must be a positive integer');
  return { name: name === null ? null : Buffer.from(name, 'utf8'), exe, argv0, limit: Math.min(limit, MAX_FIND_LIMIT) };
}

function pidsOf(entries: string[]): number[] {
  return entries
    .filter((entry) => /^[1-9][0-9]{0,9}$/.test(entry))
    .map(Number)
    .sort((a, b) => a - b);
}

const basename = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
const withoutDeleted = (link: string): string => (link.endsWith(' (deleted)') ? link.slice(0, -' (deleted)'.length) : link);

function nameMatches(name: Buffer, comm: Buffer, exeLink: string | null): boolean {
  if (exeLink !== null && basename(withoutDeleted(exeLink)) === name.toString('utf8')) return true;
  return comm.equals(name.length > COMM_BYTES ? name.subarray(0, COMM_BYTES) : name);
}

function argv0Matches(argv0: string, cmdline: Buffer): boolean {
  const end = cmdline.indexOf(0);
  const first = (end < 0 ? cmdline : cmdline.subarray(0, end)).toString('utf8');
  return first === argv0 || (!argv0.includes('/') && basename(first) === argv0);
}

/** The comm bytes without the kernel's newline. */
const trimComm = (bytes: Buffer): Buffer => (bytes.at(-1) === 0x0a ? bytes.subarray(0, -1) : bytes);

/** Whether process `pid` matches, from what was read of it so far; each reader returns null for a vanished process. */
function matches(criteria: Criteria, comm: Buffer, exeLink: string | null, cmdline: Buffer | null): boolean {
  if (criteria.name !== null && !nameMatches(criteria.name, comm, exeLink)) return false;
  if (criteria.exe !== null && (exeLink === null || withoutDeleted(exeLink) !== criteria.exe)) return false;
  if (criteria.argv0 !== null && (cmdline === null || !argv0Matches(criteria.argv0, cmdline))) return false;
  return true;
}

function tryRealpathSync(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path; // a deleted executable: compared as given
  }
}

function orNull<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}

async function orNullAsync<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch {
    return null;
  }
}

/**
 * The running processes that match every field given in `query`, lowest pid first, read from /proc (Linux).
 * Processes that exit during the scan are left out; one whose executable cannot be read (another user's, a
 * kernel thread) is matched by `comm` only, never by `exe`. Throws ERR_SYSPROBE_INVALID_ARG for a bad query,
 * ENOTSUP elsewhere than Linux.
 */
export function findProcessesSync(query: ProcessQuery, options?: FindProcessesOptions): ProcessNode[] {
  const checked = checkQuery(query, options);
  const criteria: Criteria = { ...checked, exe: checked.exe === null ? null : tryRealpathSync(checked.exe) };
  const found: ProcessNode[] = [];
  for (const pid of pidsOf(readProcSync())) {
    if (found.length >= criteria.limit) break;
    const dir = `/proc/${pid}`;
    const comm = orNull(() => trimComm(readBoundedSync(`${dir}/comm`, MAX_COMM_READ)));
    if (comm === null) continue;
    const exeLink = orNull(() => readlinkSync(`${dir}/exe`));
    const cmdline = orNull(() => readBoundedSync(`${dir}/cmdline`, MAX_CMDLINE_BYTES));
    if (!matches(criteria, comm, exeLink, cmdline)) continue;
    const stat = orNull(() => readBoundedSync(`${dir}/stat`, MAX_STAT_BYTES).toString('latin1'));
    if (stat === null) continue;
    found.push(nodeFromProc(pid, stat, exeLink, cmdline));
  }
  return found;
}

/** As {@link findProcessesSync}, with the reads on the libuv thread pool, a few processes at a time. */
export async function findProcesses(query: ProcessQuery, options?: FindProcessesOptions): Promise<ProcessNode[]> {
  const checked = checkQuery(query, options);
  const exe = checked.exe === null ? null : ((await orNullAsync(() => realpath(checked.exe!))) ?? checked.exe);
  const criteria: Criteria = { ...checked, exe };
  const pids = pidsOf(await readProc());
  const found: ProcessNode[] = [];
  const batch = 16;
  for (let i = 0; i < pids.length && found.length < criteria.limit; i += batch) {
    const nodes = await Promise.all(pids.slice(i, i + batch).map((pid) => candidate(criteria, pid)));
    for (const node of nodes) if (node !== null && found.length < criteria.limit) found.push(node);
  }
  return found;
}

async function candidate(criteria: Criteria, pid: number): Promise<ProcessNode | null> {
  const dir = `/proc/${pid}`;
  const comm = await orNullAsync(async () => trimComm(await readBounded(`${dir}/comm`, MAX_COMM_READ)));
  if (comm === null) return null;
  const [exeLink, cmdline] = await Promise.all([
    orNullAsync(() => readlink(`${dir}/exe`)),
    orNullAsync(() => readBounded(`${dir}/cmdline`, MAX_CMDLINE_BYTES)),
  ]);
  if (!matches(criteria, comm, exeLink, cmdline)) return null;
  const stat = await orNullAsync(async () => (await readBounded(`${dir}/stat`, MAX_STAT_BYTES)).toString('latin1'));
  return stat === null ? null : nodeFromProc(pid, stat, exeLink, cmdline);
}

function notLinux(): never {
  throw new SysprobeError({ code: 'ENOTSUP', syscall: 'opendir', path: '/proc', message: 'findProcesses() reads /proc (Linux only)' });
}

function readProcSync(): string[] {
  if (process.platform !== 'linux') notLinux();
  return readdirSync('/proc');
}

async function readProc(): Promise<string[]> {
  if (process.platform !== 'linux') notLinux();
  return readdir('/proc');
}
