// The C++ core compiled to WebAssembly (native/wasm/exports.cc, built by `npm run prebuild` (scripts/prebuild.mjs,
// target wasm32) into prebuilds/wasm32/sysprobe.wasm), for the koffi backend: the same ELF parser, ld.so.cache parser, loader
// model and reparse decoder as the addon, so the fallback gives the same answers without a second
// implementation. Its file access is WASI preview 1, answered here with synchronous node:fs calls on
// the calling thread (a small host, not node:wasi, which is experimental and warns on Node 20).
// Loaded on the first call that needs it; never at import time.
import { closeSync, fstatSync, lstatSync, openSync, readFileSync, readSync, readlinkSync, realpathSync, statSync, constants as fsConstants } from 'node:fs';
import { constants } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SysprobeError } from './errors.js';
import type { ElfSymbolsWanted, RawResolveOptions, RawRootReadKind } from './native.js';
import { dirCalls } from './wasi-dirfs.js';
import { absoluteBytes, pathBytes } from './paths.js';
import { listDirectory } from './wasm-dir.js';
import type { DirEntry } from './wasm-dir.js';

// @types/node 20 does not declare the WebAssembly global (lib.dom does); the part used here.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
  }
}

/** Where the module is looked for: the package's prebuilds/ (dist/ is next to it). */
export const WASM_PATH = join(__dirname, '..', 'prebuilds', 'wasm32', 'sysprobe.wasm');

// WASI preview 1 errno names in their numbering order (wasi/api.h), without the leading E.
const WASI_ERRNO = ('SUCCESS 2BIG ACCES ADDRINUSE ADDRNOTAVAIL AFNOSUPPORT AGAIN ALREADY BADF BADMSG BUSY CANCELED CHILD ' +
  'CONNABORTED CONNREFUSED CONNRESET DEADLK DESTADDRREQ DOM DQUOT EXIST FAULT FBIG HOSTUNREACH IDRM ILSEQ INPROGRESS INTR ' +
  'INVAL IO ISCONN ISDIR LOOP MFILE MLINK MSGSIZE MULTIHOP NAMETOOLONG NETDOWN NETRESET NETUNREACH NFILE NOBUFS NODEV NOENT ' +
  'NOEXEC NOLCK NOLINK NOMEM NOMSG NOPROTOOPT NOSPC NOSYS NOTCONN NOTDIR NOTEMPTY NOTRECOVERABLE NOTSOCK NOTSUP NOTTY NXIO ' +
  'OVERFLOW OWNERDEAD PERM PIPE PROTO PROTONOSUPPORT PROTOTYPE RANGE ROFS SPIPE SRCH STALE TIMEDOUT TXTBSY XDEV NOTCAPABLE').split(' ');
const WASI_NUMBER = new Map(WASI_ERRNO.map((name, index) => [`E${name}`, index]));
const E = { BADF: 8, INVAL: 28, IO: 29, NOENT: 44, NOTDIR: 54, NOSYS: 52 };

const PREOPEN_FD = 3;
const PREOPEN_NAME = Buffer.from('/');
// __wasi_filetype_t
const FILETYPE = { unknown: 0, block: 1, char: 2, directory: 3, regular: 4, socket: 6, symlink: 7 };

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

interface Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  sysprobe_alloc(size: number): number;
  sysprobe_free(pointer: number): void;
  sysprobe_result_data(): number;
  sysprobe_result_size(): number;
  sysprobe_read_elf_path(path: number, size: number, flags: number): number;
  sysprobe_read_elf_bytes(data: number, size: number, flags: number): number;
  sysprobe_read_ld_so_cache(path: number, size: number): number;
  sysprobe_resolve_deps(fields: number, size: number, flags: number): number;
  sysprobe_read_in_root(fields: number, size: number, flags: number, offset: number, length: number): number;
  sysprobe_decode_reparse(data: number, size: number): number;
  sysprobe_process_env(pid: number): number;
  sysprobe_set_host(machine: number, windows: number): void;
  sysprobe_inotify(): number;
  sysprobe_proc_limits(pid: number): number;
}

/** One instance of the module with its open files. Discarded after a trap (its state is then unknown). */
class Instance {
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
      if (real.length > capacity) return -37;  // ENAMETOOLONG
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
        view.setUint8(out, 0);  // __WASI_PREOPENTYPE_DIR
        view.setUint32(out + 4, PREOPEN_NAME.length, true);
        return 0;
      },
      fd_prestat_dir_name: (fd: number, pointer: number, length: number) => {
        if (fd !== PREOPEN_FD) return E.BADF;
        PREOPEN_NAME.copy(this.bytes(pointer, length));
        return 0;
      },
      path_open: (dirFd: number, lookupFlags: number, pointer: number, length: number, openFlags: number,
        _rightsBase: bigint, _rightsInheriting: bigint, fdFlags: number, fdOut: number) => guard(() => {
        const target = this.target(dirFd, pointer, length);
        if (target === null) return E.BADF;
        if ((openFlags & ~2) !== 0) return E.INVAL;  // only O_DIRECTORY: this host opens for reading
        const noFollow = (lookupFlags & 1) === 0 && fsConstants.O_NOFOLLOW !== undefined ? fsConstants.O_NOFOLLOW : 0;
        const directory = (openFlags & 2) !== 0;
        // O_NONBLOCK (fdflags 4) as the core asks: opening a FIFO must not wait for a writer.
        const nonBlock = (fdFlags & 4) !== 0 && fsConstants.O_NONBLOCK !== undefined ? fsConstants.O_NONBLOCK : 0;
        let hostFd: number;
        let file: OpenFile;
        if ('dir' in target) {
          hostFd = dirCalls()!.openat(target.dir, target.path, fsConstants.O_RDONLY | noFollow | nonBlock | (directory ? fsConstants.O_DIRECTORY : 0));
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
      fd_close: (fd: number) => guard(() => {
        const file = this.files.get(fd);
        if (file === undefined) return E.BADF;
        this.files.delete(fd);
        closeFile(file);
        return 0;
      }),
      fd_read: (fd: number, iovs: number, count: number, nread: number) => guard(() => {
        const file = this.files.get(fd);
        return file === undefined ? E.BADF : this.readInto(file, iovs, count, null, nread);
      }),
      fd_pread: (fd: number, iovs: number, count: number, offset: bigint, nread: number) => guard(() => {
        const file = this.files.get(fd);
        return file === undefined ? E.BADF : this.readInto(file, iovs, count, offset, nread);
      }),
      fd_seek: (fd: number, offset: bigint, whence: number, out: number) => guard(() => {
        const file = this.files.get(fd);
        if (file === undefined) return E.BADF;
        const base = whence === 0 ? 0n : whence === 1 ? file.position : fstatSync(file.hostFd, { bigint: true }).size;
        if (base + offset < 0n) return E.INVAL;
        file.position = base + offset;
        this.view().setBigUint64(out, file.position, true);
        return 0;
      }),
      fd_fdstat_get: (fd: number, out: number) => guard(() => {
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
      fd_filestat_get: (fd: number, out: number) => guard(() => {
        const file = this.files.get(fd);
        if (file === undefined) return E.BADF;
        this.writeFilestat(out, fstatSync(file.hostFd, { bigint: true }));
        return 0;
      }),
      path_filestat_get: (dirFd: number, lookupFlags: number, pointer: number, length: number, out: number) => guard(() => {
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
      fd_readdir: (fd: number, buffer: number, length: number, cookie: bigint, used: number) => guard(() => {
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
          record.writeBigUInt64LE(BigInt(i + 1), 8);  // no inode from readdir: nonzero, so wasi-libc does not stat
          record.writeUInt32LE(name.length, 16);
          record.writeUInt8(entry.isDirectory() ? FILETYPE.directory : entry.isFile() ? FILETYPE.regular
            : entry.isSymbolicLink() ? FILETYPE.symlink : FILETYPE.unknown, 20);
          name.copy(record, 24);
          offset += record.copy(memory, offset, 0, Math.min(record.length, length - offset));
        }
        this.view().setUint32(used, offset, true);
        return 0;
      }),
      path_readlink: (dirFd: number, pointer: number, length: number, buffer: number, capacity: number, used: number) => guard(() => {
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
      } catch { /* already gone */ }
    }
    this.files.clear();
    if (this.rootFd >= 0) {
      try {
        closeSync(this.rootFd);
      } catch { /* already gone */ }
      this.rootFd = -1;
    }
  }
}

let compiled: WebAssembly.Module | null = null;
let current: Instance | null = null;

/** Whether this thread has an instance of the module (the async calls use the worker's, not this one). */
export function wasmInstantiatedHere(): boolean {
  return current !== null;
}

/** Whether the module file is there (the koffi backend says why a probe is refused when it is not). */
export function wasmAvailable(): boolean {
  try {
    return statSync(WASM_PATH).isFile();
  } catch {
    return false;
  }
}

function instance(): Instance {
  if (current === null) {
    try {
      compiled ??= new WebAssembly.Module(readFileSync(WASM_PATH));
      current = new Instance(compiled);
    } catch (error) {
      const message = (error as Error).message;
      // V8 reserves about 10 GiB of address space per WebAssembly memory for its trap handler's guard
      // regions, which a limit on address space (ulimit -v, RLIMIT_AS) forbids.
      const hint = /memory/i.test(message)
        ? '; V8 reserves about 10 GiB of address space for a WebAssembly memory, which a limit on address space ' +
          '(ulimit -v, RLIMIT_AS) forbids: start Node with --disable-wasm-trap-handler (Node >= 20.15), or use the addon'
        : '';
      throw new SysprobeError({ code: 'ERR_SYSPROBE_WASM', path: WASM_PATH, message: `the WebAssembly core could not be loaded: ${message}${hint}`, details: { backend: 'koffi' } });
    }
  }
  return current;
}

/** A SysprobeError from the core's error JSON (errno in WASI numbering). */
function errorFrom(json: string): SysprobeError {
  const facts = JSON.parse(json) as { code?: string; errno?: number; syscall?: string; path?: string; message?: string; offset?: number };
  const name = facts.errno !== undefined ? `E${WASI_ERRNO[facts.errno] ?? 'IO'}` : undefined;
  const hostErrno = name !== undefined ? (constants.errno as Record<string, number>)[name] : undefined;
  return new SysprobeError({
    ...(facts.code !== undefined ? { code: facts.code } : hostErrno === undefined && name !== undefined ? { code: name } : {}),
    ...(hostErrno !== undefined ? { errno: hostErrno } : {}),
    ...(facts.syscall !== undefined ? { syscall: facts.syscall } : {}),
    ...(facts.path !== undefined ? { path: facts.path } : {}),
    ...(facts.message !== undefined ? { message: facts.message } : {}),
    ...(facts.offset !== undefined ? { offset: facts.offset } : {}),
  });
}

/** Runs one call with `inputs` copied into the module's memory; the result's JSON text, or its error thrown. */
function call(run: (exports: Exports, pointers: number[]) => number, ...inputs: Uint8Array[]): string {
  return callRaw(run, false, ...inputs) as string;
}

/** As call(); with `bytes`, a successful result is a copy of the result's bytes, not text. */
function callRaw(run: (exports: Exports, pointers: number[]) => number, bytes: boolean, ...inputs: Uint8Array[]): string | Buffer {
  const target = instance();
  const { exports } = target;
  const pointers: number[] = [];
  try {
    for (const input of inputs) {
      const pointer = exports.sysprobe_alloc(input.length);
      if (pointer === 0) throw new SysprobeError({ code: 'ERR_SYSPROBE_TOO_LARGE', message: `the WebAssembly core could not take ${input.length} bytes` });
      pointers.push(pointer);
      new Uint8Array(exports.memory.buffer, pointer, input.length).set(input);
    }
    const status = run(exports, pointers);
    const result = Buffer.from(exports.memory.buffer, exports.sysprobe_result_data(), exports.sysprobe_result_size());
    if (status !== 0) throw errorFrom(result.toString('utf8'));
    return bytes ? Buffer.from(result) : result.toString('utf8');
  } catch (error) {
    if (error instanceof SysprobeError) throw error;
    // A trap (out of memory, an abort) or exit: this instance is done; the next call starts a new one.
    target.dispose();
    current = null;
    throw new SysprobeError({ code: 'ERR_SYSPROBE_WASM', message: `the WebAssembly core failed: ${(error as Error).message}`, details: { backend: 'koffi' } });
  } finally {
    if (current === target) for (const pointer of pointers) exports.sysprobe_free(pointer);
  }
}

/** A path's bytes for the core, unchanged (a string UTF-8-encoded); a relative one joined to the working directory as bytes. */
const pathIn = (path: string | Buffer): Buffer => absoluteBytes(path);

/** `target`: a path (string or Buffer), or with `bytes` the ELF file's contents. */
export function wasmReadElf(target: string | Uint8Array, symbols: ElfSymbolsWanted, crossCheck: boolean, bytes = typeof target !== 'string'): string {
  const flags = (symbols ? 1 : 0) | (crossCheck ? 2 : 0) | (symbols === 'demangled' ? 4 : 0);
  if (!bytes) {
    const path = pathIn(target as string | Buffer);
    return call((e, [p]) => e.sysprobe_read_elf_path(p!, path.length, flags), path);
  }
  return call((e, [p]) => e.sysprobe_read_elf_bytes(p!, target.length, flags), target as Uint8Array);
}

export function wasmReadLdSoCache(path: string | Buffer): string {
  const bytes = pathIn(path);
  return call((e, [p]) => e.sysprobe_read_ld_so_cache(p!, bytes.length), bytes);
}


const UNSET = Buffer.from('\u0001');

export function wasmResolveDeps(program: string | Buffer, options: RawResolveOptions): string {
  const text = (value: string | Buffer | undefined, unset = Buffer.alloc(0)): Buffer => (value === undefined ? unset : pathBytes(value));
  // Every path as bytes, unchanged (src/compat.ts always sets cwd: the core resolves a relative program against it).
  const fields = [pathBytes(program), text(options.root), text(options.cwd),
    text(options.ldLibraryPath, UNSET), text(options.platform), options.hwcaps !== undefined ? Buffer.from(options.hwcaps.join(':')) : UNSET];
  const bytes = Buffer.concat(fields.flatMap((field, i) => (i === 0 ? [field] : [Buffer.from([0]), field])));
  const flags = (options.useCache === false ? 0 : 1) | (options.versions === true ? 2 : 0);
  return call((e, [p]) => e.sysprobe_resolve_deps(p!, bytes.length, flags), bytes);
}

/** One file inside a root, opened through the core's race-free walk (native/core/root_read.h). */
export function wasmReadInRoot(root: string | Buffer, path: string, what: RawRootReadKind, flags: number, offset: number, length: number): string | Buffer {
  const fields = Buffer.concat([pathBytes(root), Buffer.from(`\0${path}\0${what}`)]);
  return callRaw((e, [p]) => e.sysprobe_read_in_root(p!, fields.length, flags, offset, length), what === 'bytes', fields);
}

/** One outcome per path, as the addon's readElfBatch: a file's error is its entry; a broken core fails them all. */
export function wasmReadElfBatch(paths: Array<string | Buffer>, symbols: ElfSymbolsWanted, crossCheck: boolean): Array<string | SysprobeError> {
  return paths.map((path) => {
    try {
      return wasmReadElf(path, symbols, crossCheck, false);
    } catch (error) {
      if (!(error instanceof SysprobeError) || error.code === 'ERR_SYSPROBE_WASM') throw error;
      return error;
    }
  });
}

export function wasmDecodeReparse(bytes: Uint8Array): string {
  return call((e, [p]) => e.sysprobe_decode_reparse(p!, bytes.length), bytes);
}

export function wasmProcessEnv(pid: number): string {
  return call((e) => e.sysprobe_process_env(pid));
}

export function wasmInotify(): string {
  return call((e) => e.sysprobe_inotify());
}

/** pid -1: this process (/proc/self/limits). */
export function wasmProcLimits(pid: number): string {
  return call((e) => e.sysprobe_proc_limits(pid));
}

// ---- the same calls on a worker thread (the async functions of the koffi backend) ---------------------

export interface WasmRequest {
  id: number;
  name: 'readElf' | 'readElfBatch' | 'readLdSoCache' | 'resolveDeps' | 'readInRoot' | 'decodeReparse' | 'processEnv' | 'procLimits';
  args: unknown[];
}

/** A SysprobeError as it crosses threads: its toJSON(). */
export type WasmErrorFacts = ReturnType<SysprobeError['toJSON']>;

/** The error again: an errno error is worded from its facts (as it was), any other keeps its message. */
export function errorFromFacts(facts: WasmErrorFacts): SysprobeError {
  const { name: _name, message, ...rest } = facts as Record<string, unknown>;
  return new SysprobeError({ ...rest, ...(rest.errno === undefined ? { message } : {}) } as ConstructorParameters<typeof SysprobeError>[0]);
}

let worker: Worker | null = null;
let workerFailed = false;
let nextId = 1;
const pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();

function failAll(error: SysprobeError): void {
  for (const call of pending.values()) call.reject(error);
  pending.clear();
}

function startWorker(): Worker | null {
  if (worker !== null || workerFailed) return worker;
  try {
    const started = new Worker(join(__dirname, 'wasm-worker.js'));
    started.unref();  // an idle worker never keeps the host alive
    started.on('message', (reply: { id: number; ok?: unknown; error?: WasmErrorFacts }) => {
      const call = pending.get(reply.id);
      if (call === undefined) return;
      pending.delete(reply.id);
      if (pending.size === 0) started.unref();
      if (reply.error !== undefined) call.reject(errorFromFacts(reply.error));
      else call.resolve(reply.ok);
    });
    const gone = (why: string) => {
      if (worker === started) worker = null;
      failAll(new SysprobeError({ code: 'ERR_SYSPROBE_WASM', message: `the WebAssembly worker stopped: ${why}`, details: { backend: 'koffi' } }));
    };
    started.on('error', (error) => gone(error.message));
    started.on('exit', (code) => gone(`exit code ${code}`));
    worker = started;
  } catch {
    // Workers not allowed (the permission model without --allow-worker): the main thread runs the calls.
    workerFailed = true;
  }
  return worker;
}

/**
 * One call of the core on the worker thread; null when no worker can start (the caller runs it here).
 * Uint8Array inputs are copied to the worker (structured clone).
 */
export function wasmOnWorker<T>(name: WasmRequest['name'], args: unknown[]): Promise<T> | null {
  const target = startWorker();
  if (target === null) return null;
  return new Promise<T>((resolvePromise, reject) => {
    const id = nextId++;
    pending.set(id, { resolve: resolvePromise as (value: unknown) => void, reject });
    target.ref();
    target.postMessage({ id, name, args } satisfies WasmRequest);
  });
}
