// Directory-relative file calls for the WASI host (src/backends/wasm/host.ts), so that the core's walk of a root one
// component at a time from a directory fd (native/core/rootfs.cc) asks the kernel the same questions on
// the koffi backend as in the addon. node:fs has no openat(2); on Linux "/proc/self/fd/N/name" is the
// same lookup: the kernel jumps through the magic link to the open directory itself (not to a path that
// could be swapped), then looks up `name` with the flags given (O_NOFOLLOW for the last component).
// Only node:fs is called, never koffi: these calls run on sysprobe's wasm worker thread, and koffi must
// not run on a thread that can be terminated (src/backends/koffi/index.ts, OFF_MAIN_THREAD).
// Paths go to the kernel as the bytes the core gave: no decoding, no text handling of ".." or "/".
import { existsSync, lstatSync, openSync, readlinkSync, statSync } from 'node:fs';
import type { BigIntStats } from 'node:fs';

/** The calls where /proc/self/fd exists (Linux); elsewhere the host falls back to paths. */
export interface DirCalls {
  /** openat(dirFd, path, flags): the fd, or throws Node's error (`code` is the errno name). */
  openat(dirFd: number, path: Buffer, flags: number): number;
  readlinkat(dirFd: number, path: Buffer): Buffer;
  /** fstatat(dirFd, path) (lstat with !follow). */
  stat(dirFd: number, path: Buffer, follow: boolean): BigIntStats;
  /** A path that names the open directory `fd` (for readdir). */
  fdPath(fd: number): string;
}

const SLASH = 0x2f;

/** The path the kernel resolves as openat(dirFd, path) would: absolute paths as they are. */
function at(dirFd: number, path: Buffer): Buffer {
  if (path.includes(0)) {
    const error = new Error('a path with a NUL byte cannot be passed to the kernel') as NodeJS.ErrnoException;
    error.code = 'EINVAL';
    throw error;
  }
  if (path[0] === SLASH) return path;
  return Buffer.concat([Buffer.from(`/proc/self/fd/${dirFd}/`), path]);
}

let bound: DirCalls | null | undefined;

/** The calls, bound on first use; null where /proc/self/fd is absent (then the host uses paths). */
export function dirCalls(): DirCalls | null {
  if (bound !== undefined) return bound;
  bound = null;
  if (process.platform !== 'linux' || !existsSync('/proc/self/fd')) return bound;
  bound = {
    openat: (dirFd, path, flags) => openSync(at(dirFd, path), flags),
    readlinkat: (dirFd, path) => readlinkSync(at(dirFd, path), { encoding: 'buffer' }),
    stat: (dirFd, path, follow) => (follow ? statSync : lstatSync)(at(dirFd, path), { bigint: true }),
    fdPath: (fd) => `/proc/self/fd/${fd}`,
  };
  return bound;
}
