// The WASI preview 1 surface the core is built against and the core's own exports: numbers, names and
// shapes only (no state), shared by the host (host.ts) and the module's lifecycle (core.ts).
import { join } from 'node:path';

// @types/node 20 does not declare the WebAssembly global (lib.dom does); the part used here.
declare global {
  namespace WebAssembly {
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
}

/** Where the module is looked for: the package's prebuilds/ (dist/ is next to it). */
export const WASM_PATH = join(__dirname, '..', '..', '..', 'prebuilds', 'wasm32', 'sysprobe.wasm');

// WASI preview 1 errno names in their numbering order (wasi/api.h), without the leading E.
export const WASI_ERRNO = (
  'SUCCESS 2BIG ACCES ADDRINUSE ADDRNOTAVAIL AFNOSUPPORT AGAIN ALREADY BADF BADMSG BUSY CANCELED CHILD ' +
  'CONNABORTED CONNREFUSED CONNRESET DEADLK DESTADDRREQ DOM DQUOT EXIST FAULT FBIG HOSTUNREACH IDRM ILSEQ INPROGRESS INTR ' +
  'INVAL IO ISCONN ISDIR LOOP MFILE MLINK MSGSIZE MULTIHOP NAMETOOLONG NETDOWN NETRESET NETUNREACH NFILE NOBUFS NODEV NOENT ' +
  'NOEXEC NOLCK NOLINK NOMEM NOMSG NOPROTOOPT NOSPC NOSYS NOTCONN NOTDIR NOTEMPTY NOTRECOVERABLE NOTSOCK NOTSUP NOTTY NXIO ' +
  'OVERFLOW OWNERDEAD PERM PIPE PROTO PROTONOSUPPORT PROTOTYPE RANGE ROFS SPIPE SRCH STALE TIMEDOUT TXTBSY XDEV NOTCAPABLE'
).split(' ');
export const WASI_NUMBER = new Map(WASI_ERRNO.map((name, index) => [`E${name}`, index]));
export const E = { BADF: 8, INVAL: 28, IO: 29, NOENT: 44, NOTDIR: 54, NOSYS: 52 };

export const PREOPEN_FD = 3;
export const PREOPEN_NAME = Buffer.from('/');
// __wasi_filetype_t
export const FILETYPE = { unknown: 0, block: 1, char: 2, directory: 3, regular: 4, socket: 6, symlink: 7 };

export interface Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  sysprobe_alloc(size: number): number;
  sysprobe_free(pointer: number): void;
  sysprobe_result_data(): number;
  sysprobe_result_size(): number;
  sysprobe_read_elf_path(path: number, size: number, flags: number): number;
  sysprobe_read_elf_bytes(data: number, size: number, flags: number): number;
  sysprobe_read_ld_so_cache(path: number, size: number): number;
  sysprobe_resolve_deps(request: number, size: number): number;
  sysprobe_read_in_root(fields: number, size: number, flags: number, offset: number, length: number): number;
  sysprobe_decode_reparse(data: number, size: number): number;
  sysprobe_process_env(pid: number): number;
  sysprobe_set_host(machine: number, windows: number): void;
  sysprobe_inotify(): number;
  sysprobe_proc_limits(pid: number): number;
  sysprobe_probe_libc_root(root: number, rootSize: number, cwd: number, cwdSize: number): number;
  sysprobe_scan_libc_file(path: number, size: number): number;
  sysprobe_read_go_buildinfo_path(path: number, size: number): number;
  sysprobe_read_go_buildinfo_bytes(data: number, size: number): number;
}
