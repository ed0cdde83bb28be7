// The memory limits of a process's cgroup and of every ancestor up to the root of the mounted hierarchy: a
// language server killed with "signal: killed" by the OOM killer of a container or a systemd slice shows here.
// Linux; cgroup v2 (unified) when its memory controller is on, else the v1 memory hierarchy.
import { SysprobeError } from '../../errors.js';
import { readBounded, readBoundedSync, readTextOrNull, readTextOrNullSync } from '../../util/bounded-read.js';
import { MAX_MOUNTINFO_BYTES, type MountEntry, isWithin, parseMountinfo } from '../../util/mountinfo.js';
import { checkPid } from '../../util/validate.js';
import { type CgroupBytes, type CgroupMemoryLevel, MAX_CGROUP_FILE_BYTES, readV1Level, readV2Level, tighter } from './cgroup-files.js';

export type { CgroupBytes, CgroupMemoryLevel } from './cgroup-files.js';

export interface CgroupMemory {
  pid: number;
  /** `null`: no memory controller was found for this process. */
  version: 1 | 2 | null;
  /** The process's cgroup first, then each ancestor up to the root of the mount (at most {@link MAX_CGROUP_LEVELS}). */
  levels: CgroupMemoryLevel[];
  /** The tightest limits over the levels; `from`/`highFrom` name the level's `path` that sets them (`null`: none does). */
  effective: { max: CgroupBytes; from: string | null; high: CgroupBytes; highFrom: string | null; swapMax: CgroupBytes };
  /** Where the hierarchy is mounted (from /proc/self/mountinfo: the directories are opened by this process). */
  mount: string | null;
  notes: string[];
}

export interface ProbeCgroupMemoryOptions {
  /** The process (default: this one). */
  pid?: number;
}

export const MAX_CGROUP_LEVELS = 64;
const MAX_PROC_CGROUP_BYTES = 64 * 1024;

interface Membership {
  hierarchy: string;
  controllers: string[];
  path: string;
}

/** /proc/PID/cgroup lines, `hierarchy-ID:controller-list:cgroup-path` (the path may hold ':'). */
function parseProcCgroup(text: string): Membership[] {
  const out: Membership[] = [];
  for (const line of text.split('\n', 256)) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    out.push({ hierarchy: line.slice(0, first), controllers: line.slice(first + 1, second).split(','), path: line.slice(second + 1) });
  }
  return out;
}

const parentOf = (path: string): string => (path.lastIndexOf('/') <= 0 ? '/' : path.slice(0, path.lastIndexOf('/')));
const dirOf = (mount: MountEntry, path: string): string =>
  mount.root === '/'
    ? path === '/'
      ? mount.mountPoint
      : `${mount.mountPoint.replace(/\/$/, '')}${path}`
    : `${mount.mountPoint}${path.slice(mount.root.length)}`;

/** The mount of `fits` whose root is the longest prefix of `path` (a container's cgroup mount shows only its subtree). */
function mountFor(mounts: MountEntry[], fits: (m: MountEntry) => boolean, path: string): MountEntry | null {
  let best: MountEntry | null = null;
  for (const mount of mounts) {
    if (!fits(mount) || !isWithin(path, mount.root)) continue;
    if (best === null || mount.root.length > best.root.length) best = mount;
  }
  return best;
}

type Probe = Generator<string, CgroupMemory, string | null>;

function* probe(pid: number, cgroupText: string, mountinfoText: string): Probe {
  const memberships = parseProcCgroup(cgroupText);
  const mounts = parseMountinfo(mountinfoText);
  const notes: string[] = [];
  const result = (version: 1 | 2 | null, mount: MountEntry | null, levels: CgroupMemoryLevel[]): CgroupMemory => ({
    pid,
    version,
    levels,
    effective: effectiveOf(levels),
    mount: mount?.mountPoint ?? null,
    notes,
  });

  const unified = memberships.find((m) => m.hierarchy === '0' && m.controllers.join(',') === '');
  if (unified !== undefined) {
    const mount = mountFor(mounts, (m) => m.fsType === 'cgroup2', unified.path);
    if (mount === null) notes.push(`the process is in cgroup2 ${unified.path}, but no cgroup2 mount shows that cgroup here`);
    else {
      // Controllers are enabled top-down: if the topmost visible cgroup has memory, the limits of every level
      // that enables it apply (a level that does not has no memory files, and its usage counts in its parent).
      const controllers = yield `${mount.mountPoint}/cgroup.controllers`;
      const list = controllers?.trim().split(/\s+/).filter(Boolean) ?? [];
      if (list.includes('memory')) return result(2, mount, yield* levelsOf(2, mount, unified.path, notes));
      notes.push(
        controllers === null
          ? `cannot read ${mount.mountPoint}/cgroup.controllers`
          : `cgroup2 at ${mount.mountPoint} has no memory controller (controllers: ${list.join(' ') || 'none'})`,
      );
    }
  }
  const v1 = memberships.find((m) => m.controllers.includes('memory'));
  if (v1 === undefined) {
    notes.push('no memory controller: the process is in no memory cgroup');
    return result(null, null, []);
  }
  const mount = mountFor(mounts, (m) => m.fsType === 'cgroup' && m.superOptions.includes('memory'), v1.path);
  if (mount === null) {
    notes.push(`the process is in memory cgroup ${v1.path} (v1), but no mount of the memory hierarchy shows it here`);
    return result(null, null, []);
  }
  const levels = yield* levelsOf(1, mount, v1.path, notes);
  const flat = levels.slice(1).find((level) => level.useHierarchy === false);
  if (flat !== undefined) notes.push(`memory.use_hierarchy is 0 at ${flat.path}: its limits do not bind the cgroups below it`);
  if (levels.some((level) => level.high !== 'max' && level.high !== null))
    notes.push('v1 has no memory.high: high is memory.soft_limit_in_bytes, reclaimed towards only under memory pressure');
  return result(1, mount, levels);
}

function* levelsOf(
  version: 1 | 2,
  mount: MountEntry,
  path: string,
  notes: string[],
): Generator<string, CgroupMemoryLevel[], string | null> {
  const levels: CgroupMemoryLevel[] = [];
  let current = path;
  for (;;) {
    const dir = dirOf(mount, current);
    const level = yield* version === 2 ? readV2Level(current, dir) : readV1Level(current, dir);
    levels.push(level);
    const kills = level.events?.oom_kill;
    if (kills !== undefined && kills > 0n) notes.push(`${kills} process(es) OOM-killed in ${current} (memory cgroup v${version})`);
    if (current === mount.root || current === '/') break;
    if (levels.length >= MAX_CGROUP_LEVELS) {
      notes.push(`stopped after ${MAX_CGROUP_LEVELS} levels below ${current}`);
      break;
    }
    current = parentOf(current);
  }
  if (path !== mount.root && levels[0] !== undefined && levels[0].max === null && levels[0].current === null)
    notes.push(`cannot read the memory files of ${levels[0].dir}`);
  return levels;
}

function effectiveOf(levels: CgroupMemoryLevel[]): CgroupMemory['effective'] {
  const effective: CgroupMemory['effective'] = { max: 'max', from: null, high: 'max', highFrom: null, swapMax: 'max' };
  for (const level of levels) {
    if (tighter(level.max, effective.max)) {
      effective.max = level.max as bigint;
      effective.from = level.path;
    }
    if (tighter(level.high, effective.high)) {
      effective.high = level.high as bigint;
      effective.highFrom = level.path;
    }
    if (tighter(level.swapMax, effective.swapMax)) effective.swapMax = level.swapMax as bigint;
  }
  return effective;
}

/**
 * The probe over given texts of /proc/PID/cgroup and mountinfo, with `read` answering for each cgroup file (null:
 * absent): how a container's mount (a root that is a subdirectory) maps paths, testable without one.
 */
export function cgroupMemoryFromTexts(
  pid: number,
  cgroupText: string,
  mountinfoText: string,
  read: (path: string) => string | null,
): CgroupMemory {
  const run = probe(pid, cgroupText, mountinfoText);
  let step = run.next();
  while (!step.done) step = run.next(read(step.value));
  return step.value;
}

function procError(pid: number, error: unknown): SysprobeError {
  const e = error as NodeJS.ErrnoException;
  const path = `/proc/${pid}/cgroup`;
  if (e.code === 'ENOENT') return new SysprobeError({ errno: 3, syscall: 'open', path, message: `no process ${pid}`, cause: error });
  return new SysprobeError({
    ...(typeof e.errno === 'number' ? { errno: Math.abs(e.errno) } : { code: 'ERR_SYSPROBE' }),
    syscall: 'open',
    path,
    cause: error,
  });
}

function start(options: ProbeCgroupMemoryOptions | undefined): number {
  if (process.platform !== 'linux') throw new SysprobeError({ code: 'ENOTSUP', message: 'probeCgroupMemory(): cgroups are Linux only' });
  return options?.pid === undefined ? process.pid : checkPid('probeCgroupMemory', options.pid);
}

/**
 * The memory limits of process `pid` (default: this one) from its cgroup and every ancestor, the tightest of
 * them, and the OOM-kill counts. Throws ESRCH (no such process), EACCES, ENOTSUP (not Linux), ERR_SYSPROBE_INVALID_ARG.
 */
export function probeCgroupMemorySync(options?: ProbeCgroupMemoryOptions): CgroupMemory {
  const pid = start(options);
  let cgroupText: string;
  try {
    cgroupText = readBoundedSync(`/proc/${pid}/cgroup`, MAX_PROC_CGROUP_BYTES).toString('utf8');
  } catch (error) {
    throw procError(pid, error);
  }
  const mountinfo = readTextOrNullSync('/proc/self/mountinfo', MAX_MOUNTINFO_BYTES) ?? '';
  return cgroupMemoryFromTexts(pid, cgroupText, mountinfo, (path) => readTextOrNullSync(path, MAX_CGROUP_FILE_BYTES));
}

/** As {@link probeCgroupMemorySync}, with the reads on the libuv thread pool. */
export async function probeCgroupMemory(options?: ProbeCgroupMemoryOptions): Promise<CgroupMemory> {
  const pid = start(options);
  let cgroupText: string;
  try {
    cgroupText = (await readBounded(`/proc/${pid}/cgroup`, MAX_PROC_CGROUP_BYTES)).toString('utf8');
  } catch (error) {
    throw procError(pid, error);
  }
  const mountinfo = (await readTextOrNull('/proc/self/mountinfo', MAX_MOUNTINFO_BYTES)) ?? '';
  const run = probe(pid, cgroupText, mountinfo);
  let step = run.next();
  while (!step.done) step = run.next(await readTextOrNull(step.value, MAX_CGROUP_FILE_BYTES));
  return step.value;
}
