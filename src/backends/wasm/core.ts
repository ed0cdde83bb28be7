// The C++ core compiled to WebAssembly (native/wasm/exports.cc, built by `npm run prebuild -- wasm32`
// into prebuilds/wasm32/sysprobe.wasm), for the koffi backend: the same parsers and loader model as the
// addon, so the fallback gives the same answers without a second implementation. Its file access is
// WASI (host.ts). Loaded on the first call that needs it; never at import time.
import { readFileSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { SysprobeError } from '../../errors.js';
import type { ElfSymbolsWanted, RawResolveOptions, RawRootReadKind } from '../binding.js';
import { absoluteBytes, pathBytes } from '../../util/paths.js';
import { resolveRequest } from '../wire.js';
import { Instance } from './host.js';
import { WASI_ERRNO, WASM_PATH, type Exports } from './wasi-abi.js';

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
      throw new SysprobeError({
        code: 'ERR_SYSPROBE_WASM',
        path: WASM_PATH,
        message: `the WebAssembly core could not be loaded: ${message}${hint}`,
        details: { backend: 'koffi' },
      });
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
      if (pointer === 0)
        throw new SysprobeError({ code: 'ERR_SYSPROBE_TOO_LARGE', message: `the WebAssembly core could not take ${input.length} bytes` });
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
    throw new SysprobeError({
      code: 'ERR_SYSPROBE_WASM',
      message: `the WebAssembly core failed: ${(error as Error).message}`,
      details: { backend: 'koffi' },
    });
  } finally {
    if (current === target) for (const pointer of pointers) exports.sysprobe_free(pointer);
  }
}

/** A path's bytes for the core, unchanged (a string UTF-8-encoded); a relative one joined to the working directory as bytes. */
const pathIn = (path: string | Buffer): Buffer => absoluteBytes(path);

/** `target`: a path (string or Buffer), or with `bytes` the ELF file's contents. */
export function wasmReadElf(
  target: string | Uint8Array,
  symbols: ElfSymbolsWanted,
  crossCheck: boolean,
  bytes = typeof target !== 'string',
): string {
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

/** The request as the addon takes it (src/backends/wire.ts resolveRequest). */
export function wasmResolveDeps(program: string | Buffer, options: RawResolveOptions): string {
  // Every path as bytes, unchanged (src/probes/compat/deps.ts always sets cwd: the core resolves a relative program against it).
  const request = Buffer.from(resolveRequest(program, options));
  return call((e, [p]) => e.sysprobe_resolve_deps(p!, request.length), request);
}

/** One file inside a root, opened through the core's race-free walk (native/core/root_read.h). */
export function wasmReadInRoot(
  root: string | Buffer,
  path: string,
  what: RawRootReadKind,
  flags: number,
  offset: number,
  length: number,
): string | Buffer {
  const fields = Buffer.concat([pathBytes(root), Buffer.from(`\0${path}\0${what}`)]);
  return callRaw((e, [p]) => e.sysprobe_read_in_root(p!, fields.length, flags, offset, length), what === 'bytes', fields);
}

/** One outcome per path, as the addon's readElfBatch: a file's error is its entry; a broken core fails them all. */
export function wasmReadElfBatch(
  paths: Array<string | Buffer>,
  symbols: ElfSymbolsWanted,
  crossCheck: boolean,
): Array<string | SysprobeError> {
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

/** probeGlibc({ root }) in one call (native/core/libc_root.h): the core's JSON text. */
export function wasmProbeLibcRoot(root: string | Buffer, cwd: string | Buffer): string {
  const rootBytes = pathBytes(root);
  const cwdBytes = pathBytes(cwd);
  return call((e, [r, c]) => e.sysprobe_probe_libc_root(r!, rootBytes.length, c!, cwdBytes.length), rootBytes, cwdBytes);
}

/** One C library file's banner and version definitions (probeGlibc({ pid })). */
export function wasmScanLibcFile(path: string | Buffer): string {
  const bytes = pathIn(path);
  return call((e, [p]) => e.sysprobe_scan_libc_file(p!, bytes.length), bytes);
}

/** A Go executable's build info: `target` a path (string or Buffer), or with `bytes` the file's contents. */
export function wasmReadGoBuildInfo(target: string | Uint8Array, bytes: boolean): string {
  if (!bytes) {
    const path = pathIn(target as string | Buffer);
    return call((e, [p]) => e.sysprobe_read_go_buildinfo_path(p!, path.length), path);
  }
  return call((e, [p]) => e.sysprobe_read_go_buildinfo_bytes(p!, target.length), target as Uint8Array);
}
