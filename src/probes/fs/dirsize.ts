// How much a directory tree holds, as `du -s` counts it: lstat only (symlinks are never followed), each inode
// with several hard links counted once, directories' own blocks included. Bounded by entries, depth and time,
// so a GOMODCACHE of millions of files answers with what it saw and says where it stopped.
import { lstatSync, readdirSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fromFsError, invalidArgument } from '../../errors.js';

export interface DirSize {
  path: string;
  /** Allocated bytes (st_blocks × 512), as `du -sB1` counts. */
  bytes: bigint;
  /** Apparent bytes (st_size), as `du --apparent-size -sb` counts. */
  apparentBytes: bigint;
  /** Entries that are not directories (regular files, symlinks, sockets …), every name counted. */
  files: number;
  /** Directories, the top one included. */
  dirs: number;
  /** Names that are further hard links to an inode already counted: their bytes are not added again. */
  hardLinksSkipped: number;
  /** The whole tree was measured (no limit was reached and no directory was unreadable). */
  complete: boolean;
  /** The first limit reached: `'entries'` and `'time'` stop the walk, `'depth'` leaves deeper directories out. */
  stoppedAt?: 'entries' | 'depth' | 'time';
  /** Entries or directories that could not be read (EACCES, vanished during the walk). */
  errors: number;
}

export interface MeasureDirSizeOptions {
  /** Entries lstat'ed at most (default 200 000, at most 10 000 000). */
  maxEntries?: number;
  /** Directory levels descended below `path` (default 64, at most 4096). */
  maxDepth?: number;
  /** Milliseconds of walking (default 2000, at most 600 000); 0 stops after the top entry. */
  timeBudgetMs?: number;
}

type Request = { op: 'readdir'; path: Buffer } | { op: 'lstat'; paths: Buffer[] };
type Answer = Buffer[] | null | (BigIntStats | null)[];
type Walk = Generator<Request, DirSize, Answer>;

const SLASH = Buffer.from('/');

function limit(name: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0 || value > max)
    throw invalidArgument(`measureDirSize(): ${name} must be an integer from 0 to ${max}`);
  return value;
}

function checkArgs(path: unknown, options: MeasureDirSizeOptions | undefined) {
  if (typeof path !== 'string' || path === '' || path.includes('\0'))
    throw invalidArgument('measureDirSize(): path must be a non-empty string');
  return {
    path: resolve(path),
    maxEntries: Math.max(1, limit('maxEntries', options?.maxEntries, 200_000, 10_000_000)),
    maxDepth: limit('maxDepth', options?.maxDepth, 64, 4096),
    timeBudgetMs: limit('timeBudgetMs', options?.timeBudgetMs, 2000, 600_000),
  };
}

function* walk(top: string, stats: BigIntStats, opts: ReturnType<typeof checkArgs>): Walk {
  const started = performance.now();
  const result: DirSize = { path: top, bytes: 0n, apparentBytes: 0n, files: 0, dirs: 0, hardLinksSkipped: 0, complete: true, errors: 0 };
  const seen = new Set<string>();
  let entries = 0;
  const stop = (why: 'entries' | 'depth' | 'time'): void => {
    result.complete = false;
    result.stoppedAt ??= why;
  };
  const count = (st: BigIntStats): void => {
    entries += 1;
    if (st.isDirectory()) result.dirs += 1;
    else {
      result.files += 1;
      if (st.nlink > 1n) {
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) {
          result.hardLinksSkipped += 1;
          return;
        }
        seen.add(key);
      }
    }
    result.bytes += st.blocks * 512n;
    result.apparentBytes += st.size;
  };
  count(stats);
  if (!stats.isDirectory()) return result;
  const stack: { path: Buffer; depth: number }[] = [{ path: Buffer.from(top), depth: 0 }];
  while (stack.length > 0) {
    if (performance.now() - started >= opts.timeBudgetMs) {
      stop('time');
      break;
    }
    const dir = stack.pop()!;
    const names = (yield { op: 'readdir', path: dir.path }) as Buffer[] | null;
    if (names === null) {
      result.errors += 1;
      result.complete = false;
      continue;
    }
    const room = opts.maxEntries - entries;
    if (names.length > room) stop('entries');
    const base = dir.path.at(-1) === 0x2f ? dir.path : Buffer.concat([dir.path, SLASH]);
    const paths = names.slice(0, Math.max(0, room)).map((name) => Buffer.concat([base, name]));
    const stated = (yield { op: 'lstat', paths }) as (BigIntStats | null)[];
    for (let i = 0; i < paths.length; i++) {
      const st = stated[i];
      if (st === null || st === undefined) {
        result.errors += 1;
        result.complete = false;
        continue;
      }
      count(st);
      if (!st.isDirectory()) continue;
      if (dir.depth + 1 > opts.maxDepth) stop('depth');
      else stack.push({ path: paths[i]!, depth: dir.depth + 1 });
    }
    if (result.stoppedAt === 'entries') break;
  }
  return result;
}

/**
 * The allocated and apparent size of the tree at `path`, its file and directory counts, as `du -s` counts them
 * (hard links once, symlinks not followed), within `maxEntries`, `maxDepth` and `timeBudgetMs`. Throws the
 * fs error of `path` itself (ENOENT, EACCES) as a SysprobeError; unreadable entries below it are counted in `errors`.
 */
export function measureDirSizeSync(path: string, options?: MeasureDirSizeOptions): DirSize {
  const opts = checkArgs(path, options);
  let top: BigIntStats;
  try {
    top = lstatSync(opts.path, { bigint: true });
  } catch (error) {
    throw fromFsError(error, opts.path, 'lstat');
  }
  const run = walk(opts.path, top, opts);
  let step = run.next();
  while (!step.done) {
    const request = step.value;
    if (request.op === 'readdir') {
      let names: Buffer[] | null;
      try {
        names = readdirSync(request.path, { encoding: 'buffer' });
      } catch {
        names = null;
      }
      step = run.next(names);
    } else {
      step = run.next(
        request.paths.map((p) => {
          try {
            return lstatSync(p, { bigint: true });
          } catch {
            return null;
          }
        }),
      );
    }
  }
  return step.value;
}

/** As {@link measureDirSizeSync}, on the libuv thread pool (up to 32 lstat calls at a time). */
export async function measureDirSize(path: string, options?: MeasureDirSizeOptions): Promise<DirSize> {
  const opts = checkArgs(path, options);
  let top: BigIntStats;
  try {
    top = await lstat(opts.path, { bigint: true });
  } catch (error) {
    throw fromFsError(error, opts.path, 'lstat');
  }
  const run = walk(opts.path, top, opts);
  let step = run.next();
  while (!step.done) {
    const request = step.value;
    if (request.op === 'readdir') {
      step = run.next(await readdir(request.path, { encoding: 'buffer' }).catch(() => null));
    } else {
      const out: (BigIntStats | null)[] = [];
      for (let i = 0; i < request.paths.length; i += 32) {
        const batch = request.paths.slice(i, i + 32).map((p) => lstat(p, { bigint: true }).catch(() => null));
        out.push(...(await Promise.all(batch)));
      }
      step = run.next(out);
    }
  }
  return step.value;
}
