// Directory-relative file calls for the WASI host (src/wasm.ts): openat(2) and readlinkat(2) through koffi,
// so that the core's walk of a root one component at a time from a directory fd (native/core/rootfs.cc)
// asks the kernel the same questions on the koffi backend as in the addon (node:fs has no openat).
// Paths go to the kernel as the bytes the core gave: no decoding, no text handling of ".." or "/".
import { constants as fsConstants } from 'node:fs';
import { constants } from 'node:os';

/* eslint-disable @typescript-eslint/no-explicit-any */
type KoffiFunction = (...args: any[]) => any;

/** The calls, on hosts where they are bound (Linux with koffi); elsewhere the host falls back to paths. */
export interface DirCalls {
  /** openat(dirFd, path, flags | O_CLOEXEC): the fd, or throws an error with `code` set to the errno name. */
  openat(dirFd: number, path: Buffer, flags: number): number;
  /** openat(…, O_PATH | flags): an fd for fstat only (a symlink itself with O_NOFOLLOW). */
  openPath(dirFd: number, path: Buffer, noFollow: boolean): number;
  readlinkat(dirFd: number, path: Buffer): Buffer;
  /** fstatat(dirFd, path) (lstat with !follow), as statx(2) reports it: one call, no fd. */
  stat(dirFd: number, path: Buffer, follow: boolean): Filestat | null;
  /** close(2) of an fd these calls opened (fs.closeSync warns about fds Node did not open). */
  close(fd: number): void;
  /** A path that names the open directory `fd` (for readdir). */
  fdPath(fd: number): string;
}

/** What WASI's filestat holds; `type` is the S_IFMT bits of st_mode. */
export interface Filestat {
  dev: bigint;
  ino: bigint;
  mode: number;
  nlink: bigint;
  size: bigint;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

// <asm-generic/fcntl.h>, the same on x64, arm64, arm, ia32, riscv64, s390x, ppc64 and loong64 (O_CLOEXEC,
// O_PATH); O_NOFOLLOW and O_DIRECTORY differ between them and come from Node.
const O_CLOEXEC = 0o2000000;
const O_PATH = 0o10000000;
const AT_SYMLINK_NOFOLLOW = 0x100;
const STATX_BASIC_STATS = 0x7ff;
const GENERIC_ARCHES = new Set(['x64', 'arm64', 'arm', 'ia32', 'riscv64', 's390x', 'ppc64', 'loong64']);

const ERRNO_NAMES = new Map(Object.entries(constants.errno as Record<string, number>).map(([name, number]) => [number, name]));

function fail(errno: number, syscall: string): never {
  const error = new Error(`${syscall} failed`) as NodeJS.ErrnoException;
  error.code = ERRNO_NAMES.get(errno) ?? 'EIO';
  error.syscall = syscall;
  throw error;
}

/** The path as a C string: its bytes and a NUL. A NUL inside cannot be passed to the kernel. */
function cString(path: Buffer): Buffer {
  if (path.includes(0)) fail(constants.errno.EINVAL, 'open');
  const out = Buffer.alloc(path.length + 1);
  path.copy(out);
  return out;
}

/** glibc's makedev(), as libuv (and so fs.fstat) turns statx's major/minor into st_dev. */
function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major >>> 0);
  const mi = BigInt(minor >>> 0);
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) | (mi & 0xffn);
}

/** struct statx (<linux/stat.h>): the same layout on every architecture. */
function fromStatx(b: Buffer): Filestat {
  const ns = (at: number) => b.readBigInt64LE(at) * 1_000_000_000n + BigInt(b.readUInt32LE(at + 8));
  return {
    dev: makedev(b.readUInt32LE(136), b.readUInt32LE(140)), ino: b.readBigUInt64LE(32), mode: b.readUInt16LE(28),
    nlink: BigInt(b.readUInt32LE(16)), size: b.readBigUInt64LE(40), atimeNs: ns(64), mtimeNs: ns(112), ctimeNs: ns(96),
  };
}

let bound: DirCalls | null | undefined;

/** The calls, bound on first use; null when this host has no koffi or no openat (then the host uses paths). */
export function dirCalls(): DirCalls | null {
  if (bound !== undefined) return bound;
  bound = null;
  if (process.platform !== 'linux' || !GENERIC_ARCHES.has(process.arch)) return bound;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const koffi = require('koffi') as any;
    const lib = koffi.load(null);
    const openat = lib.func('int openat(int dirfd, const uint8_t *path, int flags, ...)') as KoffiFunction;
    const close = lib.func('int close(int fd)') as KoffiFunction;
    const readlinkat = lib.func('intptr_t readlinkat(int dirfd, const uint8_t *path, _Out_ uint8_t *buf, size_t size)') as KoffiFunction;
    let statx: KoffiFunction | null = null;
    try {
      statx = lib.func('int statx(int dirfd, const uint8_t *path, int flags, unsigned int mask, _Out_ uint8_t *buf)') as KoffiFunction;
    } catch { /* glibc < 2.28: stat() answers null and the host opens an O_PATH fd */ }
    const errno = (): number => koffi.errno() as number;
    const open = (dirFd: number, path: Buffer, flags: number): number => {
      const fd = Number(openat(dirFd, cString(path), flags | O_CLOEXEC, 'int', 0));
      return fd >= 0 ? fd : fail(errno(), 'open');
    };
    bound = {
      openat: open,
      openPath: (dirFd, path, noFollow) => open(dirFd, path, O_PATH | (noFollow ? fsConstants.O_NOFOLLOW : 0)),
      readlinkat: (dirFd, path) => {
        const buffer = Buffer.alloc(4097);
        const n = Number(readlinkat(dirFd, cString(path), buffer, buffer.length));
        if (n < 0) fail(errno(), 'readlink');
        return buffer.subarray(0, n);
      },
      stat: (dirFd, path, follow) => {
        if (statx === null) return null;
        const buffer = Buffer.alloc(256);
        if (Number(statx(dirFd, cString(path), follow ? 0 : AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buffer)) !== 0) fail(errno(), 'stat');
        return fromStatx(buffer);
      },
      close: (fd) => {
        close(fd);
      },
      fdPath: (fd) => `/proc/self/fd/${fd}`,
    };
  } catch {
    bound = null;
  }
  return bound;
}
