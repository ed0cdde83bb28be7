// The C library as koffi binds it: the functions the backend calls, bound once, and their errors.
import { constants } from 'node:os';
import { SysprobeError } from '../../errors.js';
import { capabilitySummary } from './capabilities.js';
import { WASM_PATH, wasmAvailable } from '../wasm/index.js';

// The koffi API surface used here (koffi 3), typed loosely: koffi is an optional dependency, so its
// types cannot be imported at compile time of a build that lacks it.
/* eslint-disable @typescript-eslint/no-explicit-any */
export type Koffi = any;
export type KoffiFunction = (...args: any[]) => any;

/** What a probe needs that only the C++ core has; thrown by the koffi backend. */
export function needsAddon(what: string, why: string, details: Record<string, unknown> = {}, path?: string): SysprobeError {
  return new SysprobeError({
    code: 'ERR_SYSPROBE_NEEDS_ADDON',
    ...(path !== undefined ? { path } : {}),
    message:
      `${what} needs the sysprobe addon: ${why}; the koffi backend answers ${capabilitySummary().koffi} through koffi, ` +
      `and ${capabilitySummary().core} with the WebAssembly core (docs/backends.md)`,
    details: { backend: 'koffi', ...details },
  });
}

export const E = constants.errno;

export interface Calls {
  koffi: Koffi;
  dlsym: KoffiFunction | null;
  confstr: KoffiFunction | null;
  getauxval: KoffiFunction | null;
  dlIteratePhdr: KoffiFunction | null;
  dladdr: KoffiFunction | null;
  phdrInfo: unknown;
  phdr: unknown;
  stringFn: unknown;
  realpath: KoffiFunction | null;
  getrlimit: KoffiFunction | null;
  setrlimit: KoffiFunction | null;
  prlimit: KoffiFunction | null;
  lgetxattr: KoffiFunction | null;
  syscall: KoffiFunction | null;
}

/** A function of the C library, or null when this C library does not have it. */
export function optionalFunc(lib: any, ...definitions: string[]): KoffiFunction | null {
  for (const definition of definitions) {
    try {
      return lib.func(definition) as KoffiFunction;
    } catch {
      // not exported by this C library: try the next name
    }
  }
  return null;
}

export function bindCalls(koffi: Koffi): Calls {
  if (process.platform === 'win32') {
    // No C library calls on Windows: probeGlibc needs none there, limits and environments are the addon's
    // (the CRT and job objects), reparse points go through kernel32 (bindWindows).
    return {
      koffi,
      dlsym: null,
      confstr: null,
      getauxval: null,
      dlIteratePhdr: null,
      dladdr: null,
      phdrInfo: null,
      phdr: null,
      stringFn: null,
      realpath: null,
      getrlimit: null,
      setrlimit: null,
      prlimit: null,
      lgetxattr: null,
      syscall: null,
    };
  }
  // load(null): the symbols of the running process, as dlsym(RTLD_DEFAULT, …) in the addon sees them.
  const lib = koffi.load(null);
  koffi.struct('sysprobe_rlimit64', { cur: 'uint64_t', max: 'uint64_t' });
  const pointerSize = koffi.sizeof('void *') as number;
  const phdrInfo = koffi.struct('sysprobe_dl_phdr_info', { addr: 'uintptr_t', name: 'const char *', phdr: 'void *', phnum: 'uint16_t' });
  // Elf32_Phdr and Elf64_Phdr order their fields differently.
  const phdr =
    pointerSize === 8
      ? koffi.struct('sysprobe_phdr', {
          type: 'uint32_t',
          flags: 'uint32_t',
          offset: 'uint64_t',
          vaddr: 'uint64_t',
          paddr: 'uint64_t',
          filesz: 'uint64_t',
          memsz: 'uint64_t',
          align: 'uint64_t',
        })
      : koffi.struct('sysprobe_phdr', {
          type: 'uint32_t',
          offset: 'uint32_t',
          vaddr: 'uint32_t',
          paddr: 'uint32_t',
          filesz: 'uint32_t',
          memsz: 'uint32_t',
          flags: 'uint32_t',
          align: 'uint32_t',
        });
  koffi.proto('int sysprobe_phdr_callback(void *info, size_t size, void *data)');
  return {
    koffi,
    dlsym: lib.func('void *dlsym(void *handle, const char *symbol)'),
    confstr: optionalFunc(lib, 'size_t confstr(int name, _Out_ uint8_t *buf, size_t len)'),
    getauxval: process.platform === 'linux' ? optionalFunc(lib, 'unsigned long getauxval(unsigned long type)') : null,
    dlIteratePhdr:
      process.platform === 'darwin' ? null : optionalFunc(lib, 'int dl_iterate_phdr(sysprobe_phdr_callback *callback, void *data)'),
    // Without dl_iterate_phdr (macOS), dladdr() names the image defining a function, as in the addon.
    dladdr:
      process.platform === 'darwin'
        ? (koffi.struct('sysprobe_dl_info', { fname: 'const char *', fbase: 'void *', sname: 'const char *', saddr: 'void *' }),
          optionalFunc(lib, 'int dladdr(void *address, _Out_ sysprobe_dl_info *info)'))
        : null,
    phdrInfo,
    phdr,
    stringFn: koffi.proto('const char *sysprobe_string_fn(void)'),
    realpath: lib.func('realpath', koffi.disposable('str'), ['str', 'void *']),
    // glibc: the *64 functions take a 64-bit rlim_t on every architecture; musl and macOS have a
    // 64-bit rlim_t in the plain ones.
    getrlimit: optionalFunc(
      lib,
      'int getrlimit64(int resource, _Out_ sysprobe_rlimit64 *rlim)',
      'int getrlimit(int resource, _Out_ sysprobe_rlimit64 *rlim)',
    ),
    setrlimit: optionalFunc(
      lib,
      'int setrlimit64(int resource, const sysprobe_rlimit64 *rlim)',
      'int setrlimit(int resource, const sysprobe_rlimit64 *rlim)',
    ),
    prlimit:
      process.platform === 'linux'
        ? optionalFunc(
            lib,
            'int prlimit64(int pid, int resource, const sysprobe_rlimit64 *new_limit, _Out_ sysprobe_rlimit64 *old_limit)',
            'int prlimit(int pid, int resource, const sysprobe_rlimit64 *new_limit, _Out_ sysprobe_rlimit64 *old_limit)',
          )
        : null,
    lgetxattr:
      process.platform === 'linux'
        ? optionalFunc(lib, 'intptr_t lgetxattr(const uint8_t *path, const char *name, _Out_ uint8_t *value, size_t size)')
        : null,
    syscall: process.platform === 'linux' ? optionalFunc(lib, 'long syscall(long number, ...)') : null,
  };
}

export const PATH_MAX = 4096;

/**
 * `count` values of `type` at `pointer`, one decode each: koffi.decode(pointer, type, count) makes a new
 * array type per call that koffi never frees (~300 bytes per probeGlibc({ refresh: true })).
 */
export function decodeEach(koffi: Koffi, pointer: unknown, type: unknown, count: number): unknown[] {
  const size = koffi.sizeof(type) as number;
  const values: unknown[] = [];
  for (let i = 0; i < count; i++) values.push(koffi.decode(pointer, i * size, type));
  return values;
}

export function sysError(errno: number, syscall: string, path?: string): SysprobeError {
  return new SysprobeError({ errno, syscall, ...(path !== undefined ? { path } : {}) });
}

export function withCore<T>(what: string, work: () => T, path?: string): T {
  if (!wasmAvailable()) {
    throw needsAddon(what, `the WebAssembly core ${WASM_PATH} is not there (npm run prebuild -- wasm32 builds it)`, {}, path);
  }
  return work();
}

export function toBig(value: number | bigint): bigint {
  return typeof value === 'bigint' ? value : BigInt(value);
}
