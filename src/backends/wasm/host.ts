// The WASI host of the core: its file calls answered with synchronous node:fs calls on the calling
// thread (a small host, not node:wasi, which is experimental and warns on Node 20).
import {
  closeSync,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  readlinkSync,
  realpathSync,
  statSync,
  constants as fsConstants,
} from 'node:fs';
import { resolve } from 'node:path';
import { dirCalls } from './dirfs.js';
import { listDirectory } from './dir-entries.js';
import type { DirEntry } from './dir-entries.js';
import { E, FILETYPE, PREOPEN_FD, PREOPEN_NAME, WASI_NUMBER, type Exports } from './wasi-abi.js';

class ProcExit extends Error {}

/** The WASI errno of a node:fs failure. */
function wasiErrno(error: unknown): number {
  const code = (error as { code?: string }).code;
  return (code !== undefined ? WASI_NUMBER.get(code) : undefined) ?? E.IO;
}

function filetype(stats: import('node:fs').BigIntStats): number {
  if (stats.isFile()) return FILETYPE.regular;
  if (stats.isDirectory()) return FILETYPE.directory;
  if (stats.isSymbolicLink()) return FILETYPE.symlink;
  if (stats.isCharacterDevice()) return FILETYPE.char;
  if (stats.isBlockDevice()) return FILETYPE.block;
  if (stats.isSocket()) return FILETYPE.socket;
  return FILETYPE.unknown;
}

function closeFile(file: OpenFile): void {
  closeSync(file.hostFd);
}

interface OpenFile {
  hostFd: number;
  position: bigint;
  /** A directory opened for fd_readdir: a path naming it, and its entries once listed. */
  directory?: string | Buffer;
  entries?: DirEntry[];
  /** Without openat (not Linux): the host path it was opened by, for calls relative to it. */
  path?: string | Buffer;
}

/** Where a WASI path call goes: the host directory fd and the path's bytes (openat), or a host path (no openat). */
type Target = { dir: number; path: Buffer } | { hostPath: string | Buffer };

/** What the core asks of the host beyond WASI (inotify.cc): kcmp(2) comes from the koffi backend. */
export interface WasmHostCalls {
  /** kcmp(pidA, pidB, KCMP_FILE, fdA, fdB): 0 same open file, 1 different, -1 not available. */
  kcmpFile(pidA: number, pidB: number, fdA: number, fdB: number): number;
  /** kcmp asked about a file this process holds: 0 when it works. */
  kcmpWorks(): number;
}

let hostCalls: WasmHostCalls | null = null;

export function setWasmHostCalls(calls: WasmHostCalls): void {
  hostCalls = calls;
}

/** One instance of the module with its open files. Discarded after a trap (its state is then unknown). */
export class Instance {
  readonly exports: Exports;
  private readonly files = new Map<number, OpenFile>();
  private nextFd = PREOPEN_FD + 1;

  constructor(module: WebAssembly.Module) {
    const instance = new WebAssembly.Instance(module, {
      wasi_snapshot_preview1: this.wasi(),
      sysprobe: {
        realpath: this.realpath.bind(this),
        geteuid: () => (process.geteuid ? process.geteuid() : 0),
        kcmp_file: (pidA: number, pidB: number, fdA: number, fdB: number) => (hostCalls ? hostCalls.kcmpFile(pidA, pidB, fdA, fdB) : -1),
        kcmp_works: () => (hostCalls ? hostCalls.kcmpWorks() : -1),
      },
    });
    this.exports = instance.exports as unknown as Exports;
    this.exports._initialize();
    // x86-64 Linux: the core reads the CPU's ISA levels from /proc/cpuinfo (it cannot run cpuid). Windows:
    // resolveDeps refuses, as the addon built for Windows does.
    this.exports.sysprobe_set_host(process.platform === 'linux' && process.arch === 'x64' ? 62 : 0, process.platform === 'win32' ? 1 : 0);
  }

  private view(): DataView {
    return new DataView(this.exports.memory.buffer);
  }

  private bytes(pointer: number, length: number): Buffer {
    return Buffer.from(this.exports.memory.buffer, pointer, length);
  }

  private rootFd = -1;

  /**
   * The directory a path call is relative to (wasi-libc hands paths relative to the preopened "/", or to
   * a directory fd the core opened) and the path as the core's bytes, unchanged; null for a bad fd.
   */
  private target(dirFd: number, pointer: number, length: number): Target | null {
    const bytes = Buffer.from(this.bytes(pointer, length));
    const file = dirFd === PREOPEN_FD ? undefined : this.files.get(dirFd);
    if (dirFd !== PREOPEN_FD && file === undefined) return null;
    if (dirCalls() !== null) {
      if (dirFd === PREOPEN_FD && this.rootFd < 0) this.rootFd = openSync('/', fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
      // Relative to the preopened "/": the same lookup as the absolute path, which is what the kernel is given.
      return file === undefined ? { dir: this.rootFd, path: Buffer.concat([Buffer.from('/'), bytes]) } : { dir: file.hostFd, path: bytes };
    }
    // No openat: by path. Windows: resolve() keeps drive paths; elsewhere the bytes are joined as they are.
    if (process.platform === 'win32') return file === undefined ? { hostPath: resolve('/', bytes.toString('utf8')) } : null;
    const base = file === undefined ? Buffer.from('/') : file.path === undefined ? null : Buffer.from(file.path);
    if (base === null) return null;
    if (bytes[0] === 0x2f) return { hostPath: bytes };
    return { hostPath: Buffer.concat([base, base[base.length - 1] === 0x2f ? Buffer.alloc(0) : Buffer.from('/'), bytes]) };
  }

  /** The iovec list as Buffers over wasm memory. */
  private iovecs(iovs: number, count: number): Buffer[] {
    const view = this.view();
    const out: Buffer[] = [];
    for (let i = 0; i < count; i++) out.push(this.bytes(view.getUint32(iovs + 8 * i, true), view.getUint32(iovs + 8 * i + 4, true)));
    return out;
  }

  private readInto(file: OpenFile, iovs: number, count: number, at: bigint | null, nread: number): number {
    let total = 0;
    let position = at ?? file.position;
    for (const buffer of this.iovecs(iovs, count)) {
      let done = 0;
      while (done < buffer.length) {
        const n = readSync(file.hostFd, buffer, done, buffer.length - done, position);
        if (n === 0) break;
        done += n;
        position += BigInt(n);
      }
      total += done;
      if (done < buffer.length) break;
    }
    if (at === null) file.position = position;
    this.view().setUint32(nread, total, true);
    return 0;
  }

  private writeFilestat(pointer: number, stats: import('node:fs').BigIntStats): void {
    const view = this.view();
    view.setBigUint64(pointer, stats.dev, true);
    view.setBigUint64(pointer + 8, stats.ino, true);
    view.setUint8(pointer + 16, filetype(stats));
    view.setBigUint64(pointer + 24, stats.nlink, true);
    view.setBigUint64(pointer + 32, stats.size, true);
    view.setBigUint64(pointer + 40, stats.atimeNs, true);
    view.setBigUint64(pointer + 48, stats.mtimeNs, true);
    view.setBigUint64(pointer + 56, stats.ctimeNs, true);
  }

  private realpath(pointer: number, length: number, out: number, capacity: number): number {
    try {
      const real = realpathSync.native(Buffer.from(this.bytes(pointer, length)), { encoding: 'buffer' });
      if (real.length > capacity) return -37; // ENAMETOOLONG
      real.copy(this.bytes(out, capacity));
      return real.length;
    } catch (error) {
      return -wasiErrno(error);
    }
  }

  private wasi(): Record<string, (...args: never[]) => number | void> {
    const guard = (work: () => number): number => {
      try {
        return work();
      } catch (error) {
        return wasiErrno(error);
      }
    };
    return {
      fd_prestat_get: (fd: number, out: number) => {
        if (fd !== PREOPEN_FD) return E.BADF;
        const view = this.view();
        view.setUint8(out, 0); // __WASI_PREOPENTYPE_DIR
        view.setUint32(out + 4, PREOPEN_NAME.length, true);
        return 0;
      },
      fd_prestat_dir_name: (fd: number, pointer: number, length: number) => {
        if (fd !== PREOPEN_FD) return E.BADF;
        PREOPEN_NAME.copy(this.bytes(pointer, length));
        return 0;
      },
      path_open: (
        dirFd: number,
        lookupFlags: number,
        pointer: number,
        length: number,
        openFlags: number,
        _rightsBase: bigint,
        _rightsInheriting: bigint,
        fdFlags: number,
        fdOut: number,
      ) =>
        guard(() => {
          const target = this.target(dirFd, pointer, length);
          if (target === null) return E.BADF;
          if ((openFlags & ~2) !== 0) return E.INVAL; // only O_DIRECTORY: this host opens for reading
          const noFollow = (lookupFlags & 1) === 0 && fsConstants.O_NOFOLLOW !== undefined ? fsConstants.O_NOFOLLOW : 0;
          const directory = (openFlags & 2) !== 0;
          // O_NONBLOCK (fdflags 4) as the core asks: opening a FIFO must not wait for a writer.
          const nonBlock = (fdFlags & 4) !== 0 && fsConstants.O_NONBLOCK !== undefined ? fsConstants.O_NONBLOCK : 0;
          let hostFd: number;
          let file: OpenFile;
          if ('dir' in target) {
            hostFd = dirCalls()!.openat(
              target.dir,
              target.path,
              fsConstants.O_RDONLY | noFollow | nonBlock | (directory ? fsConstants.O_DIRECTORY : 0),
            );
            file = { hostFd, position: 0n, ...(directory ? { directory: dirCalls()!.fdPath(hostFd) } : {}) };
          } else {
            if (directory && !statSync(target.hostPath).isDirectory()) return E.NOTDIR;
            hostFd = openSync(target.hostPath, fsConstants.O_RDONLY | noFollow | nonBlock);
            file = { hostFd, position: 0n, path: target.hostPath, ...(directory ? { directory: target.hostPath } : {}) };
          }
          const fd = this.nextFd++;
          this.files.set(fd, file);
          this.view().setUint32(fdOut, fd, true);
          return 0;
        }),
      fd_close: (fd: number) =>
        guard(() => {
          const file = this.files.get(fd);
          if (file === undefined) return E.BADF;
          this.files.delete(fd);
          closeFile(file);
          return 0;
        }),
      fd_read: (fd: number, iovs: number, count: number, nread: number) =>
        guard(() => {
          const file = this.files.get(fd);
          return file === undefined ? E.BADF : this.readInto(file, iovs, count, null, nread);
        }),
      fd_pread: (fd: number, iovs: number, count: number, offset: bigint, nread: number) =>
        guard(() => {
          const file = this.files.get(fd);
          return file === undefined ? E.BADF : this.readInto(file, iovs, count, offset, nread);
        }),
      fd_seek: (fd: number, offset: bigint, whence: number, out: number) =>
        guard(() => {
          const file = this.files.get(fd);
          if (file === undefined) return E.BADF;
          const base = whence === 0 ? 0n : whence === 1 ? file.position : fstatSync(file.hostFd, { bigint: true }).size;
          if (base + offset < 0n) return E.INVAL;
          file.position = base + offset;
          this.view().setBigUint64(out, file.position, true);
          return 0;
        }),
      fd_fdstat_get: (fd: number, out: number) =>
        guard(() => {
          const view = this.view();
          let type: number = FILETYPE.directory;
          if (fd !== PREOPEN_FD) {
            const file = this.files.get(fd);
            if (file === undefined) return fd <= 2 ? (view.setUint8(out, FILETYPE.char), 0) : E.BADF;
            type = filetype(fstatSync(file.hostFd, { bigint: true }));
          }
          view.setUint8(out, type);
          view.setUint16(out + 2, 0, true);
          view.setBigUint64(out + 8, 0xffffffffffffffffn, true);
          view.setBigUint64(out + 16, 0xffffffffffffffffn, true);
          return 0;
        }),
      fd_filestat_get: (fd: number, out: number) =>
        guard(() => {
          const file = this.files.get(fd);
          if (file === undefined) return E.BADF;
          this.writeFilestat(out, fstatSync(file.hostFd, { bigint: true }));
          return 0;
        }),
      path_filestat_get: (dirFd: number, lookupFlags: number, pointer: number, length: number, out: number) =>
        guard(() => {
          const target = this.target(dirFd, pointer, length);
          if (target === null) return E.BADF;
          const follow = (lookupFlags & 1) !== 0;
          if ('dir' in target) {
            this.writeFilestat(out, dirCalls()!.stat(target.dir, target.path, follow));
            return 0;
          }
          this.writeFilestat(out, follow ? statSync(target.hostPath, { bigint: true }) : lstatSync(target.hostPath, { bigint: true }));
          return 0;
        }),
      // __wasi_dirent_t records (d_next, d_ino, d_namlen, d_type, then the name), cut off where the buffer ends:
      // wasi-libc asks again with a larger buffer for an entry that did not fit.
      fd_readdir: (fd: number, buffer: number, length: number, cookie: bigint, used: number) =>
        guard(() => {
          const file = this.files.get(fd);
          if (file === undefined || file.directory === undefined) return E.BADF;
          file.entries ??= listDirectory(file.directory);
          const memory = this.bytes(buffer, length);
          let offset = 0;
          for (let i = Number(cookie); i < file.entries.length && offset < length; i++) {
            const entry = file.entries[i]!;
            const name = entry.name;
            const record = Buffer.alloc(24 + name.length);
            record.writeBigUInt64LE(BigInt(i + 1), 0);
            record.writeBigUInt64LE(BigInt(i + 1), 8); // no inode from readdir: nonzero, so wasi-libc does not stat
            record.writeUInt32LE(name.length, 16);
            record.writeUInt8(
              entry.isDirectory()
                ? FILETYPE.directory
                : entry.isFile()
                  ? FILETYPE.regular
                  : entry.isSymbolicLink()
                    ? FILETYPE.symlink
                    : FILETYPE.unknown,
              20,
            );
            name.copy(record, 24);
            offset += record.copy(memory, offset, 0, Math.min(record.length, length - offset));
          }
          this.view().setUint32(used, offset, true);
          return 0;
        }),
      path_readlink: (dirFd: number, pointer: number, length: number, buffer: number, capacity: number, used: number) =>
        guard(() => {
          const at = this.target(dirFd, pointer, length);
          if (at === null) return E.BADF;
          const target = 'dir' in at ? dirCalls()!.readlinkat(at.dir, at.path) : readlinkSync(at.hostPath, { encoding: 'buffer' });
          const n = Math.min(target.length, capacity);
          target.copy(this.bytes(buffer, capacity), 0, 0, n);
          this.view().setUint32(used, n, true);
          return 0;
        }),
      // stdout/stderr: the core never writes there; anything that does is dropped, not shown to the host.
      fd_write: (fd: number, iovs: number, count: number, written: number) => {
        if (fd !== 1 && fd !== 2) return E.BADF;
        const total = this.iovecs(iovs, count).reduce((sum, b) => sum + b.length, 0);
        this.view().setUint32(written, total, true);
        return 0;
      },
      proc_exit: (code: number) => {
        throw new ProcExit(`the WebAssembly core exited (${code})`);
      },
    };
  }

  /** Closes every file the module left open (after a trap). */
  dispose(): void {
    for (const file of this.files.values()) {
      try {
        closeFile(file);
      } catch {
        /* already gone */
      }
    }
    this.files.clear();
    if (this.rootFd >= 0) {
      try {
        closeSync(this.rootFd);
      } catch {
        /* already gone */
      }
      this.rootFd = -1;
    }
  }
}
