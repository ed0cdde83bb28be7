// The memory files of one cgroup level, v2 and v1, read into one shape (v2 names). A generator asks for each
// file by path and gets its text (or null) back, so the sync and async probes share every decision.

export type CgroupBytes = bigint | 'max';

export interface CgroupMemoryLevel {
  /** The cgroup's path in the hierarchy, as /proc/PID/cgroup names it (`/` is the root of the hierarchy). */
  path: string;
  /** The directory of this cgroup where it is mounted. */
  dir: string;
  /** v2 `memory.max`; v1 `memory.limit_in_bytes`. `null`: no such file (the v2 root cgroup has none). */
  max: CgroupBytes | null;
  /** v2 `memory.high`; v1 `memory.soft_limit_in_bytes` (enforced only under memory pressure). */
  high: CgroupBytes | null;
  /** v2 `memory.swap.max`; v1 `memory.memsw.limit_in_bytes` minus the memory limit (`null` without swap accounting). */
  swapMax: CgroupBytes | null;
  /** v2 `memory.current`; v1 `memory.usage_in_bytes`. */
  current: bigint | null;
  /** v2 `memory.peak` (Linux 5.19+); v1 `memory.max_usage_in_bytes`. */
  peak?: bigint | null;
  /**
   * v2 `memory.events` (`low`, `high`, `max`, `oom`, `oom_kill`, `oom_group_kill`); v1 `failcnt`, `memsw_failcnt`
   * and `memory.oom_control`'s `oom_kill`, `under_oom`, `oom_kill_disable`. Counts since the cgroup was made.
   */
  events?: Record<string, bigint>;
  /** v1 only: `memory.use_hierarchy` (0: this cgroup's limits do not bind its children). */
  useHierarchy?: boolean | null;
}

/** A request for one file's text; the driver answers with the text, or null when it cannot be read. */
export type FileRequest = string;
export type LevelReader = Generator<FileRequest, CgroupMemoryLevel, string | null>;

/** Small control files: a number, `max`, or a few `key value` lines. */
export const MAX_CGROUP_FILE_BYTES = 4096;

/**
 * v1 stores "no limit" as PAGE_COUNTER_MAX pages: LONG_MAX rounded down to the page size (9223372036854771712 with
 * 4 KiB pages). Anything from 2^63 - 64 KiB up is that value for pages up to 64 KiB.
 */
const V1_UNLIMITED_FROM = 2n ** 63n - 65536n;

function parseBytes(text: string | null, version: 1 | 2): CgroupBytes | null {
  if (text === null) return null;
  const value = text.trim();
  if (value === 'max') return 'max';
  if (!/^[0-9]{1,20}$/.test(value)) return null;
  const bytes = BigInt(value);
  return version === 1 && bytes >= V1_UNLIMITED_FROM ? 'max' : bytes;
}

function parseCount(text: string | null): bigint | null {
  const value = text?.trim();
  return value !== undefined && /^[0-9]{1,20}$/.test(value) ? BigInt(value) : null;
}

/** `key value` lines (memory.events, memory.oom_control), at most 32 keys. */
function parseKeyed(text: string | null, into: Record<string, bigint>): void {
  if (text === null) return;
  for (const line of text.split('\n', 32)) {
    const match = /^([a-z_]{1,32}) ([0-9]{1,20})$/.exec(line.trim());
    if (match) into[match[1]!] = BigInt(match[2]!);
  }
}

export function* readV2Level(path: string, dir: string): LevelReader {
  const max = parseBytes(yield `${dir}/memory.max`, 2);
  const high = parseBytes(yield `${dir}/memory.high`, 2);
  const swapMax = parseBytes(yield `${dir}/memory.swap.max`, 2);
  const current = parseCount(yield `${dir}/memory.current`);
  const peak = parseCount(yield `${dir}/memory.peak`);
  const eventsText = yield `${dir}/memory.events`;
  const level: CgroupMemoryLevel = { path, dir, max, high, swapMax, current, peak };
  if (eventsText !== null) {
    const events = Object.create(null) as Record<string, bigint>;
    parseKeyed(eventsText, events);
    level.events = events;
  }
  return level;
}

export function* readV1Level(path: string, dir: string): LevelReader {
  const max = parseBytes(yield `${dir}/memory.limit_in_bytes`, 1);
  const high = parseBytes(yield `${dir}/memory.soft_limit_in_bytes`, 1);
  const memsw = parseBytes(yield `${dir}/memory.memsw.limit_in_bytes`, 1);
  const current = parseCount(yield `${dir}/memory.usage_in_bytes`);
  const peak = parseCount(yield `${dir}/memory.max_usage_in_bytes`);
  const failcnt = parseCount(yield `${dir}/memory.failcnt`);
  const memswFailcnt = parseCount(yield `${dir}/memory.memsw.failcnt`);
  const oomControl = yield `${dir}/memory.oom_control`;
  const hierarchy = parseCount(yield `${dir}/memory.use_hierarchy`);
  // memsw limits memory + swap together and is never below the memory limit.
  const swapMax: CgroupBytes | null = memsw === null ? null : memsw === 'max' ? 'max' : max === null || max === 'max' ? memsw : memsw - max;
  const events = Object.create(null) as Record<string, bigint>;
  if (failcnt !== null) events.failcnt = failcnt;
  if (memswFailcnt !== null) events.memsw_failcnt = memswFailcnt;
  parseKeyed(oomControl, events);
  const level: CgroupMemoryLevel = { path, dir, max, high, swapMax, current, peak, events };
  level.useHierarchy = hierarchy === null ? null : hierarchy !== 0n;
  return level;
}

/** `a` tighter than `b` ('max' is no limit; null counts as 'max'). */
export function tighter(a: CgroupBytes | null, b: CgroupBytes): boolean {
  return a !== null && a !== 'max' && (b === 'max' || a < b);
}
