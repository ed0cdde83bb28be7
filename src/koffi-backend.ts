// The koffi backend: the same raw facts as the addon (src/native.ts), gathered by calling the C
// library through koffi instead of compiled C++. Only OS calls live here; every rule that interprets
// the facts (libc.ts, limits.ts, reparse.ts) is shared with the addon. The byte parsers and the loader
// model are the C++ core's, run as WebAssembly (src/wasm.ts): readElf/scanElf, readLdSoCache,
// resolveDeps/checkCompat/probeGlibc({ root }), the reparse decoder, /proc/PID/environ and the inotify scan
// of /proc (kcmp(2) through koffi), and /proc/PID/limits (source: 'procfs', and the fallback when
// prlimit(2) is refused).
// This module is required only when the koffi backend is chosen (loader.ts), never at import time.
import { constants } from 'node:os';
import { closeSync, lstatSync, openSync } from 'node:fs';
import { SysprobeError } from './errors.js';
import type {
  NativeBinding, RawInotify, RawLimitArg, RawNamedFile, RawProcessEnv, RawReparseProbe, RawRlimitEntry, RawRlimitSet, RawSelfLibc,
} from './native.js';
import { RLIMIT_NAMES } from './rlimit-names.js';
import { absoluteBytes, isAbsolutePath, pathBytes, pathText } from './paths.js';
import type { PathArg } from './paths.js';
import type { RawReparseData } from './native.js';
import type { WasmErrorFacts, WasmRequest } from './wasm.js';
import { WASM_PATH, errorFromFacts, setWasmHostCalls, wasmOnWorker, wasmAvailable, wasmDecodeReparse, wasmInotify, wasmProcLimits, wasmProcessEnv, wasmReadElf, wasmReadElfBatch, wasmReadInRoot, wasmReadLdSoCache, wasmResolveDeps } from './wasm.js';

// The koffi API surface used here (koffi 3), typed loosely: koffi is an optional dependency, so its
// types cannot be imported at compile time of a build that lacks it.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Koffi = any;
type KoffiFunction = ((...args: any[]) => any);

/** What a probe needs that only the C++ core has; thrown by the koffi backend. */
export function needsAddon(what: string, why: string, details: Record<string, unknown> = {}, path?: string): SysprobeError {
  return new SysprobeError({
    code: 'ERR_SYSPROBE_NEEDS_ADDON',
    ...(path !== undefined ? { path } : {}),
    message: `${what} needs the sysprobe addon: ${why}; the koffi backend answers probeGlibc, getRlimits (this process and, ` +
      'by prlimit(2), another), setRlimit, probeReparsePoint, and with the WebAssembly core readElf, scanElf, resolveDeps, ' +
      'checkCompat, readLdSoCache, decodeReparseBuffer, probeProcessEnv and probeInotify (Linux)',
    details: { backend: 'koffi', ...details },
  });
}

const E = constants.errno;

// RLIMIT_* numbers by platform: C headers are not available to koffi, so they are listed here (the
// addon takes them from <sys/resource.h> at compile time). Linux: asm-generic/resource.h, the same on
// x64, arm64, arm, ia32, riscv64, ppc64, s390x and loong64 (MIPS, SPARC and Alpha differ: not listed,
// so those throw ERR_SYSPROBE_NEEDS_ADDON). macOS: <sys/resource.h> (RLIMIT_RSS is RLIMIT_AS there).
const LINUX_GENERIC: Record<string, number> = {
  cpu: 0, fsize: 1, data: 2, stack: 3, core: 4, rss: 5, nproc: 6, nofile: 7, memlock: 8, as: 9, locks: 10,
  sigpending: 11, msgqueue: 12, nice: 13, rtprio: 14, rttime: 15,
};
const DARWIN: Record<string, number> = { cpu: 0, fsize: 1, data: 2, stack: 3, core: 4, as: 5, rss: 5, memlock: 6, nproc: 7, nofile: 8 };
const LINUX_GENERIC_ARCHES = new Set(['x64', 'arm64', 'arm', 'ia32', 'riscv64', 'ppc64', 's390x', 'loong64']);

function resourceTable(): Record<string, number> | null {
  if (process.platform === 'linux' && LINUX_GENERIC_ARCHES.has(process.arch)) return LINUX_GENERIC;
  if (process.platform === 'darwin') return DARWIN;
  return null;
}

/** Infinity for 64-bit rlim_t: all ones on Linux, 2^63 - 1 on macOS. */
const RLIM_INFINITY = process.platform === 'darwin' ? (1n << 63n) - 1n : (1n << 64n) - 1n;

function toBig(value: number | bigint): bigint {
  return typeof value === 'bigint' ? value : BigInt(value);
}

function limitValue(raw: bigint): bigint | 'unlimited' {
  return raw === RLIM_INFINITY ? 'unlimited' : raw;
}

function rlimFrom(value: RawLimitArg): bigint {
  return value === 'unlimited' ? RLIM_INFINITY : value;
}

interface Calls {
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
function optionalFunc(lib: any, ...definitions: string[]): KoffiFunction | null {
  for (const definition of definitions) {
    try {
      return lib.func(definition) as KoffiFunction;
    } catch {
      // not exported by this C library: try the next name
    }
  }
  return null;
}

function bindCalls(koffi: Koffi): Calls {
  if (process.platform === 'win32') {
    // No C library calls on Windows: probeGlibc needs none there, limits and environments are the addon's
    // (the CRT and job objects), reparse points go through kernel32 (bindWindows).
    return {
      koffi, dlsym: null, confstr: null, getauxval: null, dlIteratePhdr: null, dladdr: null, phdrInfo: null, phdr: null,
      stringFn: null, realpath: null, getrlimit: null, setrlimit: null, prlimit: null, lgetxattr: null, syscall: null,
    };
  }
  // load(null): the symbols of the running process, as dlsym(RTLD_DEFAULT, …) in the addon sees them.
  const lib = koffi.load(null);
  koffi.struct('sysprobe_rlimit64', { cur: 'uint64_t', max: 'uint64_t' });
  const pointerSize = koffi.sizeof('void *') as number;
  const phdrInfo = koffi.struct('sysprobe_dl_phdr_info', { addr: 'uintptr_t', name: 'const char *', phdr: 'void *', phnum: 'uint16_t' });
  // Elf32_Phdr and Elf64_Phdr order their fields differently.
  const phdr = pointerSize === 8
    ? koffi.struct('sysprobe_phdr', { type: 'uint32_t', flags: 'uint32_t', offset: 'uint64_t', vaddr: 'uint64_t', paddr: 'uint64_t', filesz: 'uint64_t', memsz: 'uint64_t', align: 'uint64_t' })
    : koffi.struct('sysprobe_phdr', { type: 'uint32_t', offset: 'uint32_t', vaddr: 'uint32_t', paddr: 'uint32_t', filesz: 'uint32_t', memsz: 'uint32_t', flags: 'uint32_t', align: 'uint32_t' });
  koffi.proto('int sysprobe_phdr_callback(void *info, size_t size, void *data)');
  return {
    koffi,
    dlsym: lib.func('void *dlsym(void *handle, const char *symbol)'),
    confstr: optionalFunc(lib, 'size_t confstr(int name, _Out_ uint8_t *buf, size_t len)'),
    getauxval: process.platform === 'linux' ? optionalFunc(lib, 'unsigned long getauxval(unsigned long type)') : null,
    dlIteratePhdr: process.platform === 'darwin' ? null : optionalFunc(lib, 'int dl_iterate_phdr(sysprobe_phdr_callback *callback, void *data)'),
    // Without dl_iterate_phdr (macOS), dladdr() names the image defining a function, as in the addon.
    dladdr: process.platform === 'darwin'
      ? (koffi.struct('sysprobe_dl_info', { fname: 'const char *', fbase: 'void *', sname: 'const char *', saddr: 'void *' }),
        optionalFunc(lib, 'int dladdr(void *address, _Out_ sysprobe_dl_info *info)'))
      : null,
    phdrInfo,
    phdr,
    stringFn: koffi.proto('const char *sysprobe_string_fn(void)'),
    realpath: lib.func('realpath', koffi.disposable('str'), ['str', 'void *']),
    // glibc: the *64 functions take a 64-bit rlim_t on every architecture; musl and macOS have a
    // 64-bit rlim_t in the plain ones.
    getrlimit: optionalFunc(lib, 'int getrlimit64(int resource, _Out_ sysprobe_rlimit64 *rlim)', 'int getrlimit(int resource, _Out_ sysprobe_rlimit64 *rlim)'),
    setrlimit: optionalFunc(lib, 'int setrlimit64(int resource, const sysprobe_rlimit64 *rlim)', 'int setrlimit(int resource, const sysprobe_rlimit64 *rlim)'),
    prlimit: process.platform === 'linux'
      ? optionalFunc(lib, 'int prlimit64(int pid, int resource, const sysprobe_rlimit64 *new_limit, _Out_ sysprobe_rlimit64 *old_limit)',
        'int prlimit(int pid, int resource, const sysprobe_rlimit64 *new_limit, _Out_ sysprobe_rlimit64 *old_limit)')
      : null,
    lgetxattr: process.platform === 'linux'
      ? optionalFunc(lib, 'intptr_t lgetxattr(const uint8_t *path, const char *name, _Out_ uint8_t *value, size_t size)')
      : null,
    syscall: process.platform === 'linux' ? optionalFunc(lib, 'long syscall(long number, ...)') : null,
  };
}

// _CS_GNU_LIBC_VERSION (glibc <bits/confname.h>); AT_BASE (<elf.h>); PT_INTERP, PT_LOAD.
const CS_GNU_LIBC_VERSION = 2;
const AT_BASE = 7;
const PT_LOAD = 1;
const PT_INTERP = 3;

function callString(calls: Calls, address: bigint | null): string | null {
  if (address === null) return null;
  // The function found by dlsym(RTLD_DEFAULT, …), called through its address, as the addon does.
  const text = calls.koffi.call(address, calls.stringFn) as string | null;
  return text ?? null;
}

// RTLD_DEFAULT: NULL in glibc and musl, (void *)-2 on macOS and the BSDs.
function rtldDefault(calls: Calls): bigint | null {
  if (process.platform === 'linux') return null;
  return (1n << BigInt(8 * (calls.koffi.sizeof('void *') as number))) - 2n;
}

function symbolAddress(calls: Calls, name: string): bigint | null {
  if (calls.dlsym === null) return null;
  const address = calls.dlsym(rtldDefault(calls), name) as bigint | null;
  return address === null || address === 0n ? null : toBig(address);
}

function resolver(calls: Calls): (name: string) => RawNamedFile {
  const cache = new Map<string, RawNamedFile>();
  return (name) => {
    let file = cache.get(name);
    if (file === undefined) {
      const resolved = calls.realpath!(name, null) as string | null;
      file = resolved === null ? { name, realPath: null, realPathErrno: calls.koffi.errno() as number } : { name, realPath: resolved, realPathErrno: 0 };
      cache.set(name, file);
    }
    return { ...file };
  };
}

function selfLibc(calls: Calls): RawSelfLibc {
  const { koffi } = calls;
  const facts: RawSelfLibc = {
    platform: process.platform === 'win32' ? 'win32' : process.platform,
    gnuVersion: null, gnuRelease: null, gnuVersionProvider: null, confstrVersion: null, interpreter: null,
    mainProgramSeen: false, atBase: 0n, loader: null, libcObject: null, loadedObjects: [],
    // No addon was built: nothing was compiled against any C library headers.
    compiledFamily: 'koffi', compiledVersion: null,
  };
  if (process.platform === 'win32') return facts;
  const versionAddress = symbolAddress(calls, 'gnu_get_libc_version');
  facts.gnuVersion = callString(calls, versionAddress);
  facts.gnuRelease = callString(calls, symbolAddress(calls, 'gnu_get_libc_release'));
  if (calls.confstr !== null && process.platform === 'linux') {
    const buffer = Buffer.alloc(128);
    const needed = Number(calls.confstr(CS_GNU_LIBC_VERSION, buffer, buffer.length));
    if (needed > 0 && needed <= buffer.length) facts.confstrVersion = buffer.toString('utf8', 0, buffer.indexOf(0));
  }
  const getpidAddress = symbolAddress(calls, 'getpid');
  if (calls.getauxval !== null) facts.atBase = toBig(calls.getauxval(AT_BASE));
  if (calls.dlIteratePhdr === null) {
    if (calls.dladdr !== null) {
      const resolve = resolver(calls);
      const image = (address: bigint | null): RawNamedFile | null => {
        if (address === null) return null;
        const info: { fname?: string | null } = {};
        return calls.dladdr!(address, info) !== 0 && info.fname ? resolve(info.fname) : null;
      };
      facts.gnuVersionProvider = image(versionAddress);
      facts.libcObject = image(getpidAddress);
    }
    return facts;
  }

  let first = true;
  let loaderName = '';
  let versionObject = '';
  let getpidObject = '';
  const contains = (base: bigint, headers: Array<{ type: number; vaddr: number | bigint; memsz: number | bigint }>, address: bigint | null): boolean => {
    if (address === null) return false;
    return headers.some((ph) => ph.type === PT_LOAD && address >= base + toBig(ph.vaddr) && address - (base + toBig(ph.vaddr)) < toBig(ph.memsz));
  };
  calls.dlIteratePhdr((pointer: unknown) => {
    const info = koffi.decode(pointer, calls.phdrInfo) as { addr: number | bigint; name: string | null; phdr: unknown; phnum: number };
    const base = toBig(info.addr);
    const headers = decodeEach(koffi, info.phdr, calls.phdr, info.phnum) as Array<{ type: number; vaddr: number | bigint; memsz: number | bigint }>;
    if (first) {
      first = false;
      facts.mainProgramSeen = true;
      for (const ph of headers) {
        if (ph.type !== PT_INTERP || toBig(ph.memsz) === 0n) continue;
        const bytes = Buffer.from(decodeEach(koffi, base + toBig(ph.vaddr), 'uint8_t', Math.min(Number(ph.memsz), PATH_MAX)) as number[]);
        const end = bytes.indexOf(0);
        facts.interpreter = bytes.toString('utf8', 0, end < 0 ? bytes.length : end);
      }
      return 0;
    }
    const name = info.name ?? '';
    if (name === '') return 0;
    if (facts.atBase !== 0n && base === facts.atBase) loaderName = name;
    if (versionObject === '' && contains(base, headers, versionAddress)) versionObject = name;
    if (getpidObject === '' && contains(base, headers, getpidAddress)) getpidObject = name;
    facts.loadedObjects.push(name);
    return 0;
  }, null);
  const resolve = resolver(calls);
  if (loaderName !== '') facts.loader = resolve(loaderName);
  if (versionObject !== '') facts.gnuVersionProvider = resolve(versionObject);
  if (getpidObject !== '') facts.libcObject = resolve(getpidObject);
  return facts;
}

const PATH_MAX = 4096;

/**
 * `count` values of `type` at `pointer`, one decode each: koffi.decode(pointer, type, count) makes a new
 * array type per call that koffi never frees (~300 bytes per probeGlibc({ refresh: true })).
 */
function decodeEach(koffi: Koffi, pointer: unknown, type: unknown, count: number): unknown[] {
  const size = koffi.sizeof(type) as number;
  const values: unknown[] = [];
  for (let i = 0; i < count; i++) values.push(koffi.decode(pointer, i * size, type));
  return values;
}

function sysError(errno: number, syscall: string, path?: string): SysprobeError {
  return new SysprobeError({ errno, syscall, ...(path !== undefined ? { path } : {}) });
}

function readOne(calls: Calls, pid: number, resource: number, out: { cur?: number | bigint; max?: number | bigint }): number {
  if (pid >= 0) return calls.prlimit!(pid, resource, null, out) as number;
  return calls.getrlimit!(resource, out) as number;
}

function rlimits(calls: Calls, pid: number, mode: 'auto' | 'syscall' | 'procfs'): RawRlimitSet {
  const table = resourceTable();
  if (table === null || calls.getrlimit === null) {
    throw needsAddon('getRlimits()', `the koffi backend knows the RLIMIT_* numbers of Linux (generic architectures) and macOS, not ${process.platform}-${process.arch}`);
  }
  if (mode === 'procfs') return procLimits(pid);
  if (pid >= 0 && calls.prlimit === null) {
    throw new SysprobeError({ code: 'ENOTSUP', syscall: 'prlimit', message: 'this platform cannot read the resource limits of another process' });
  }
  const source = pid < 0 ? 'getrlimit' : 'prlimit';
  const entries: RawRlimitEntry[] = [];
  for (const name of RLIMIT_NAMES) {
    const resource = table[name];
    const entry: RawRlimitEntry = { name, supported: false, resource: resource ?? null, soft: null, hard: null, source: null };
    if (resource !== undefined) {
      const out: { cur?: number | bigint; max?: number | bigint } = {};
      if (readOne(calls, pid, resource, out) !== 0) {
        const err = calls.koffi.errno() as number;
        // A resource the table knows but this kernel does not: unsupported, not a failure.
        if (err === E.EINVAL) {
          entries.push(entry);
          continue;
        }
        if (pid >= 0 && mode === 'auto' && (err === E.EPERM || err === E.EACCES || err === E.ENOSYS)) {
          // As the addon: prlimit(2) refused, /proc/PID/limits read instead (by the core, as WebAssembly).
          if (!wasmAvailable()) {
            throw needsAddon(`getRlimits({ pid: ${pid} })`, `prlimit(2) was refused and the /proc/PID/limits fallback needs the core's parser (the WebAssembly core ${WASM_PATH} is not there)`, {
              refused: { code: sysError(err, 'prlimit').code, errno: -err, syscall: 'prlimit' },
            });
          }
          return { ...procLimits(pid), fallback: { errno: err, syscall: 'prlimit' } };
        }
        throw sysError(err, source);
      }
      entry.supported = true;
      entry.source = source;
      entry.soft = limitValue(toBig(out.cur!));
      entry.hard = limitValue(toBig(out.max!));
    }
    entries.push(entry);
  }
  return { pid: pid < 0 ? null : pid, source, fallback: null, entries };
}

/** /proc/PID/limits (pid -1: this process) read and parsed by the core, as the addon's source: 'procfs'. */
function procLimits(pid: number): RawRlimitSet {
  if (process.platform !== 'linux') {
    throw new SysprobeError({ code: 'ENOTSUP', syscall: 'open', message: '/proc/PID/limits exists only on Linux' });
  }
  // soft and hard arrive as decimal strings (JSON has no 64-bit integers).
  const raw = JSON.parse(withCore("getRlimits({ source: 'procfs' })", () => wasmProcLimits(pid))) as RawRlimitSet;
  const exact = (value: unknown): bigint | 'unlimited' | null => (value === null || value === 'unlimited' ? value : BigInt(value as string));
  return { ...raw, entries: raw.entries.map((entry) => ({ ...entry, soft: exact(entry.soft), hard: exact(entry.hard) })) };
}

function setRlimit(calls: Calls, pid: number, name: string, soft: RawLimitArg, hard: RawLimitArg | undefined): RawRlimitEntry {
  if (!(RLIMIT_NAMES as readonly string[]).includes(name)) {
    throw new SysprobeError({ code: 'ERR_SYSPROBE_INVALID_ARG', message: `unknown resource '${name}'` });
  }
  const table = resourceTable();
  if (table === null || calls.getrlimit === null || calls.setrlimit === null) {
    throw needsAddon('setRlimit()', `the koffi backend knows the RLIMIT_* numbers of Linux (generic architectures) and macOS, not ${process.platform}-${process.arch}`);
  }
  const resource = table[name];
  if (resource === undefined) throw new SysprobeError({ code: 'ENOTSUP', syscall: 'setrlimit', message: `this platform has no resource '${name}'` });
  if (pid >= 0 && calls.prlimit === null) {
    throw new SysprobeError({ code: 'ENOTSUP', syscall: 'prlimit', message: 'this platform cannot set the resource limits of another process' });
  }
  const current: { cur?: number | bigint; max?: number | bigint } = {};
  if (hard === undefined && readOne(calls, pid, resource, current) !== 0) throw sysError(calls.koffi.errno(), pid < 0 ? 'getrlimit' : 'prlimit');
  const wanted = { cur: rlimFrom(soft), max: hard === undefined ? toBig(current.max!) : rlimFrom(hard) };
  const rc = pid >= 0 ? calls.prlimit!(pid, resource, wanted, null) : calls.setrlimit(resource, wanted);
  if (rc !== 0) throw sysError(calls.koffi.errno(), pid < 0 ? 'setrlimit' : 'prlimit');
  const after: { cur?: number | bigint; max?: number | bigint } = {};
  if (readOne(calls, pid, resource, after) !== 0) throw sysError(calls.koffi.errno(), pid < 0 ? 'getrlimit' : 'prlimit');
  const source = pid < 0 ? 'getrlimit' : 'prlimit';
  return { name, supported: true, resource, soft: limitValue(toBig(after.cur!)), hard: limitValue(toBig(after.max!)), source };
}

const REPARSE_XATTR = 'system.ntfs_reparse_data';
const ATTRIB_XATTR = 'system.ntfs_attrib';

/**
 * One attribute of the link itself, as the addon reads it (native/core/reparse_probe.cc): null for
 * ENODATA/ENOTSUP, a retry when it grew since its size was asked, at most 64 KiB. `quiet`: other
 * failures give null too (the attributes are a detail, not the answer).
 */
function readXattr(calls: Calls, cPath: Buffer, path: string, name: string, size: number, quiet = false): Buffer | null {
  for (let attempt = 0; attempt < 4; attempt++) {
    if (size > 65536) {
      if (quiet) return null;
      throw new SysprobeError({ code: 'ERR_SYSPROBE_BAD_REPARSE', path, message: `${name} is ${size} bytes, larger than any reparse buffer` });
    }
    const value = Buffer.alloc(size + 1);
    const got = Number(calls.lgetxattr!(cPath, name, value, value.length));
    if (got >= 0) return value.subarray(0, got);
    const err = calls.koffi.errno() as number;
    if (err === E.ENODATA || err === E.ENOTSUP) return null;
    if (err !== E.ERANGE) {
      if (quiet) return null;
      throw sysError(err, 'lgetxattr', path);
    }
    size = Number(calls.lgetxattr!(cPath, name, null, 0));
    if (size < 0) return null;
  }
  if (quiet) return null;
  throw sysError(E.ERANGE, 'lgetxattr', path);
}

/** Runs the WebAssembly core, or says why it cannot (its module is not built). */
function withCore<T>(what: string, work: () => T, path?: string): T {
  if (!wasmAvailable()) {
    throw needsAddon(what, `the WebAssembly core ${WASM_PATH} is not there (npm run prebuild -- wasm32 builds it)`, {}, path);
  }
  return work();
}

function decodeReparse(what: string, bytes: Uint8Array, path?: string): RawReparseData {
  const data = JSON.parse(withCore(what, () => wasmDecodeReparse(bytes), path)) as RawReparseData & { nfs: { type: string | bigint } | null };
  if (data.nfs !== null) data.nfs.type = BigInt(data.nfs.type);
  return data;
}

// kcmp(2) numbers (<asm/unistd.h>), for telling shared inotify instances apart as the addon does.
const SYS_KCMP: Record<string, number> = { x64: 312, arm64: 272, ia32: 349, arm: 378, riscv64: 272, s390x: 343, ppc64: 354, loong64: 272 };
const KCMP_FILE = 0;

function kcmpFile(calls: Calls | null, pidA: number, pidB: number, fdA: number, fdB: number): number {
  const number = SYS_KCMP[process.arch];
  if (calls === null || calls.syscall === null || number === undefined) return -1;
  const rc = Number(calls.syscall(number, 'int', pidA, 'int', pidB, 'int', KCMP_FILE, 'unsigned long', fdA, 'unsigned long', fdB));
  return rc === 0 ? 0 : rc > 0 ? 1 : -1;
}

function inotify(calls: Calls | null): RawInotify {
  if (process.platform !== 'linux') throw new SysprobeError({ code: 'ENOTSUP', syscall: 'probeInotify', message: 'inotify exists only on Linux' });
  setWasmHostCalls({
    kcmpFile: (pidA, pidB, fdA, fdB) => kcmpFile(calls, pidA, pidB, fdA, fdB),
    kcmpWorks: () => {
      const fd = openSync('/proc/self/stat', 'r');
      try {
        return kcmpFile(calls, process.pid, process.pid, fd, fd);
      } finally {
        closeSync(fd);
      }
    },
  });
  return JSON.parse(withCore('probeInotify()', () => wasmInotify())) as RawInotify;
}

/** The probe with its buffer decoded by the core; malformed bytes on disk are the probe's decodeError, as in the addon. */
function withDecoded(path: string, probe: RawReparseProbe): RawReparseProbe {
  try {
    probe.decoded = decodeReparse('probeReparsePoint()', probe.raw, path);
  } catch (error) {
    if ((error as SysprobeError).code === 'ERR_SYSPROBE_NEEDS_ADDON') throw error;
    probe.decodeError = error as Error;
  }
  return probe;
}

function envFromJson(json: string): RawProcessEnv {
  const raw = JSON.parse(json) as { pid: number; source: string; entries: string[] };
  return { pid: raw.pid, source: raw.source, entries: raw.entries.map((entry) => Buffer.from(entry, 'latin1')) };
}

function checkEnvPlatform(pid: number): void {
  if (process.platform !== 'linux') {
    throw needsAddon(`probeProcessEnv(${pid})`, 'outside Linux the environment comes from sysctl (KERN_PROCARGS2) through the addon');
  }
}

function processEnv(pid: number): RawProcessEnv {
  checkEnvPlatform(pid);
  return envFromJson(withCore(`probeProcessEnv(${pid})`, () => wasmProcessEnv(pid)));
}

/**
 * An async call of the core: on the worker thread (src/wasm-worker.ts) so the host's event loop stays free,
 * on this thread where no worker can start, refused as withCore when the module is not there.
 */
function coreAsync<T>(what: string, name: WasmRequest['name'], args: unknown[], onMainThread: () => T): Promise<T> {
  if (!wasmAvailable()) return later(() => withCore(what, onMainThread));
  return wasmOnWorker<T>(name, args) ?? later(onMainThread);
}

/** calls null: macOS off the main thread (lstat only). The path's bytes go to the kernel as they are. */
function probeReparsePoint(calls: Calls | null, given: PathArg): RawReparseProbe | null {
  const path = pathText(given);
  if (path === '') throw sysError(E.ENOENT, 'lstat', path);
  if (calls === null) return probeReparsePointLstat(given);
  if (process.platform === 'linux' && calls.lgetxattr !== null) {
    const cPath = Buffer.concat([pathBytes(given), Buffer.alloc(1)]);
    // As the addon: lgetxattr never follows a final symlink; ENODATA/ENOTSUP mean "not a reparse point".
    const size = Number(calls.lgetxattr(cPath, REPARSE_XATTR, null, 0));
    if (size < 0) {
      const err = calls.koffi.errno() as number;
      if (err === E.ENODATA || err === E.ENOTSUP) return null;
      throw sysError(err, 'lgetxattr', path);
    }
    const raw = readXattr(calls, cPath, path, REPARSE_XATTR, size);
    if (raw === null) return null;
    const attrib = readXattr(calls, cPath, path, ATTRIB_XATTR, 4, true);
    return withDecoded(path, {
      source: 'ntfs-3g', raw, attributes: attrib !== null && attrib.length === 4 ? attrib.readUInt32LE(0) : null,
      tagFromAttributes: null, placeholderMode: null, decoded: null, decodeError: null,
    });
  }
  if (process.platform === 'win32') return probeReparsePointWindows(calls, path);
  return probeReparsePointLstat(given);
}

/** macOS and others: no NTFS reparse data; a missing path is still ENOENT, as in the addon (lstat). */
function probeReparsePointLstat(path: PathArg): null {
  try {
    lstatSync(path);
  } catch (error) {
    const errno = -Number((error as { errno?: number }).errno ?? -E.EIO);
    throw sysError(errno, 'lstat', pathText(path));
  }
  return null;
}

// Windows (kernel32 and ntdll, as native/core/reparse_probe.cc does): open the entry itself on its \\?\ long
// path with placeholders exposed, ask FileAttributeTagInfo. Not a reparse point: null. A reparse point: its
// buffer is read with FSCTL_GET_REPARSE_POINT and decoded by the core (WebAssembly). Win32 errors other than
// "not found" need the core's table of names.
const FILE_READ_ATTRIBUTES = 0x80;
const FILE_SHARE_ALL = 0x1 | 0x2 | 0x4;
const OPEN_EXISTING = 3;
const FILE_FLAG_OPEN_REPARSE_POINT = 0x00200000;
const FILE_FLAG_BACKUP_SEMANTICS = 0x02000000;
const FILE_ATTRIBUTE_REPARSE_POINT = 0x400;
const FILE_ATTRIBUTE_TAG_INFO_CLASS = 9;
const PHCM_EXPOSE_PLACEHOLDERS = 2;
const FSCTL_GET_REPARSE_POINT = 0x000900a8;
const ERROR_NOT_A_REPARSE_POINT = 4390;
const NO_TAG_INFO = new Set([1, 50, 87]);  // ERROR_INVALID_FUNCTION, ERROR_NOT_SUPPORTED, ERROR_INVALID_PARAMETER: FAT and co.

interface WindowsCalls {
  getFullPathName: KoffiFunction;
  createFile: KoffiFunction;
  getInfo: KoffiFunction;
  closeHandle: KoffiFunction;
  getLastError: KoffiFunction;
  deviceIoControl: KoffiFunction;
  setPlaceholderMode: KoffiFunction | null;
}
let windowsCalls: WindowsCalls | null = null;

function bindWindows(koffi: Koffi): WindowsCalls {
  const kernel32 = koffi.load('kernel32.dll');
  const ntdll = koffi.load('ntdll.dll');
  return {
    getFullPathName: kernel32.func('uint32_t __stdcall GetFullPathNameW(const char16_t *name, uint32_t size, _Out_ uint16_t *buffer, void *filePart)'),
    createFile: kernel32.func('uintptr_t __stdcall CreateFileW(const char16_t *name, uint32_t access, uint32_t share, void *security, uint32_t disposition, uint32_t flags, void *template)'),
    getInfo: kernel32.func('int __stdcall GetFileInformationByHandleEx(uintptr_t handle, int infoClass, _Out_ uint8_t *buffer, uint32_t size)'),
    closeHandle: kernel32.func('int __stdcall CloseHandle(uintptr_t handle)'),
    getLastError: kernel32.func('uint32_t __stdcall GetLastError(void)'),
    deviceIoControl: kernel32.func('int __stdcall DeviceIoControl(uintptr_t handle, uint32_t code, void *inBuffer, uint32_t inSize, _Out_ uint8_t *outBuffer, uint32_t outSize, _Out_ uint8_t *returned, void *overlapped)'),
    setPlaceholderMode: optionalFunc(ntdll, 'int8_t __stdcall RtlSetThreadPlaceholderCompatibilityMode(int8_t mode)'),
  };
}

function winError(code: number, syscall: string, path: string): SysprobeError {
  if (code === 2 || code === 3) {
    // As the addon: a missing path is ENOENT on every platform, with the Win32 code kept.
    return new SysprobeError({ errno: E.ENOENT, code: 'ENOENT', winerror: code, syscall, path,
      message: `${code === 2 ? 'ERROR_FILE_NOT_FOUND' : 'ERROR_PATH_NOT_FOUND'} (${code})` });
  }
  return new SysprobeError({
    code: 'ERR_SYSPROBE_NEEDS_ADDON', winerror: code, syscall, path,
    message: `${syscall} failed with Win32 error ${code} for '${path}'; the names of Win32 errors are a table in the core (the addon names it)`,
    details: { backend: 'koffi' },
  });
}

function longPath(win: WindowsCalls, path: string): string | null {
  if (path.startsWith('\\\\?\\') || path.startsWith('\\\\.\\')) return path;
  const needed = win.getFullPathName(path, 0, null, null) as number;
  if (needed === 0) return null;
  const buffer = Buffer.alloc(needed * 2);
  const written = win.getFullPathName(path, needed, buffer, null) as number;
  if (written === 0 || written >= needed) return null;
  const full = buffer.toString('utf16le', 0, written * 2);
  return full.startsWith('\\\\') ? `\\\\?\\UNC\\${full.slice(2)}` : `\\\\?\\${full}`;
}

function probeReparsePointWindows(calls: Calls, path: string): RawReparseProbe | null {
  const win = (windowsCalls ??= bindWindows(calls.koffi));
  const full = longPath(win, path);
  if (full === null) throw winError(win.getLastError() as number, 'GetFullPathNameW', path);
  const previous = win.setPlaceholderMode === null ? -1 : (win.setPlaceholderMode(PHCM_EXPOSE_PLACEHOLDERS) as number);
  try {
    const handle = toBig(win.createFile(full, FILE_READ_ATTRIBUTES, FILE_SHARE_ALL, null, OPEN_EXISTING,
      FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS, null));
    if (handle === (1n << BigInt(8 * (calls.koffi.sizeof('void *') as number))) - 1n) throw winError(win.getLastError() as number, 'CreateFileW', path);
    try {
      const info = Buffer.alloc(8);  // FILE_ATTRIBUTE_TAG_INFO: FileAttributes, ReparseTag
      if (win.getInfo(handle, FILE_ATTRIBUTE_TAG_INFO_CLASS, info, info.length) === 0) {
        const code = win.getLastError() as number;
        if (NO_TAG_INFO.has(code)) return null;
        throw winError(code, 'GetFileInformationByHandleEx', path);
      }
      if ((info.readUInt32LE(0) & FILE_ATTRIBUTE_REPARSE_POINT) === 0) return null;
      // As native/core/reparse_probe.cc: the buffer itself, at most MAXIMUM_REPARSE_DATA_BUFFER_SIZE.
      const raw = Buffer.alloc(16 * 1024);
      const returned = Buffer.alloc(4);
      if (win.deviceIoControl(handle, FSCTL_GET_REPARSE_POINT, null, 0, raw, raw.length, returned, null) === 0) {
        const code = win.getLastError() as number;
        if (code === ERROR_NOT_A_REPARSE_POINT) return null;
        throw winError(code, 'DeviceIoControl(FSCTL_GET_REPARSE_POINT)', path);
      }
      const bytes = raw.subarray(0, returned.readUInt32LE(0));
      return withDecoded(path, {
        source: 'win32', raw: bytes, attributes: info.readUInt32LE(0), tagFromAttributes: info.readUInt32LE(4),
        placeholderMode: win.setPlaceholderMode !== null && previous >= 0 ? 'exposed' : 'default', decoded: null, decodeError: null,
      });
    } finally {
      win.closeHandle(handle);
    }
  } finally {
    if (win.setPlaceholderMode !== null && previous >= 0 && previous !== PHCM_EXPOSE_PLACEHOLDERS) win.setPlaceholderMode(previous);
  }
}

/**
 * The core gets a relative path joined to the working directory as bytes (src/paths.ts); its error names
 * the path as the caller gave it, as the addon's does.
 */
function asGiven(path: PathArg | Uint8Array, error: unknown): unknown {
  if (!(error instanceof SysprobeError) || typeof path !== 'string' && !Buffer.isBuffer(path) || isAbsolutePath(path)) return error;
  if (error.path !== pathText(absoluteBytes(path))) return error;
  return errorFromFacts({ ...error.toJSON(), path: pathText(path) });
}

function given<T>(path: PathArg | Uint8Array, isPath: boolean, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw isPath ? asGiven(path, error) : error;
  }
}

function givenAsync<T>(path: PathArg | Uint8Array, isPath: boolean, work: Promise<T>): Promise<T> {
  return isPath ? work.catch((error: unknown) => { throw asGiven(path, error); }) : work;
}

/** Turns a synchronous probe into the addon's Promise shape (koffi's callbacks must run on this thread). */
function later<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    setImmediate(() => {
      try {
        resolve(work());
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** The backend object, shaped like the addon's exports (NativeBinding). */
// Bound once per process: koffi's named types are process-wide, and configure() may pick koffi again.
let boundCalls: Calls | null = null;

/**
 * Why koffi's own code never runs on a worker thread: koffi (3.x) is built without
 * NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS, so when a Worker is terminated while any koffi function runs (its
 * module init above all: some 250 Node-API calls per thread), the first Node-API call refused by the stopping
 * thread becomes a Napi::Error whose napi_throw is refused as well, and node-addon-api aborts the process
 * ("FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw"). Nothing on the calling side can close that
 * window, so on a worker thread the koffi backend answers what the WebAssembly core and /proc can answer and
 * refuses the rest.
 */
export const OFF_MAIN_THREAD = 'koffi is not loaded on worker threads: a Worker terminated while a koffi call runs aborts the whole process ' +
  '(a defect of koffi, README "The koffi backend and worker threads"); call it from the main thread, or use the addon';

function offMainThread(what: string): SysprobeError {
  return needsAddon(what, OFF_MAIN_THREAD, { thread: 'worker' });
}

/** koffi null: a worker thread (loader.ts), where koffi is not loaded (OFF_MAIN_THREAD). */
export function createKoffiBackend(koffi: Koffi | null, version: string): NativeBinding {
  const bound = koffi === null ? null : (boundCalls ??= bindCalls(koffi));
  const ffi = (what: string): Calls => {
    if (bound === null) throw offMainThread(what);
    return bound;
  };
  // getRlimits off the main thread: /proc/PID/limits (the process's limits, shared by its threads), by the core.
  const limits = (pid: number, mode: 'auto' | 'syscall' | 'procfs'): RawRlimitSet =>
    (bound === null && mode !== 'syscall' ? procLimits(pid) : rlimits(ffi('getRlimits()'), pid, mode));
  // probeInotify: without kcmp(2) (no koffi) instances are not told apart (dedup: false), as where kcmp is refused.
  const inotifyCalls = (): Calls | null => bound;
  const reparse = (path: PathArg): RawReparseProbe | null =>
    probeReparsePoint(process.platform === 'darwin' && bound === null ? null : ffi('probeReparsePoint()'), path);
  return {
    version,
    napiVersion: 0,
    init() {},
    selfLibcSync: () => selfLibc(ffi('probeGlibc()')),
    selfLibc: () => later(() => selfLibc(ffi('probeGlibc()'))),
    rlimitsSync: (pid, mode) => limits(pid, mode),
    rlimits: (pid, mode) => later(() => limits(pid, mode)),
    setRlimitSync: (pid, name, soft, hard) => setRlimit(ffi('setRlimit()'), pid, name, soft, hard),
    setRlimit: (pid, name, soft, hard) => later(() => setRlimit(ffi('setRlimit()'), pid, name, soft, hard)),
    inotifySync: () => inotify(inotifyCalls()),
    inotify: () => later(() => inotify(inotifyCalls())),
    processEnvSync: (pid) => processEnv(pid),
    processEnv: async (pid) => {
      checkEnvPlatform(pid);
      return envFromJson(await coreAsync(`probeProcessEnv(${pid})`, 'processEnv', [pid], () => wasmProcessEnv(pid)));
    },
    decodeReparseBuffer: (bytes) => decodeReparse('decodeReparseBuffer()', bytes),
    probeReparsePointSync: (path) => reparse(path),
    probeReparsePoint: (path) => later(() => reparse(path)),
    // The ELF engine, the ld.so.cache parser and the loader model: the core, as WebAssembly.
    readElfSync: (target, symbols, crossCheck, isPath = typeof target === 'string') =>
      given(target, isPath, () => withCore('readElf()', () => wasmReadElf(target, symbols, crossCheck, !isPath))),
    readElf: (given, symbols, crossCheck, isPath = typeof given === 'string') => {
      // Bytes are copied now: the caller may detach or transfer its ArrayBuffer before the work runs.
      const target = typeof given === 'string' ? given : Buffer.from(given);
      return givenAsync(target, isPath,
        coreAsync('readElf()', 'readElf', [target, symbols, crossCheck, !isPath], () => wasmReadElf(target, symbols, crossCheck, !isPath)));
    },
    readElfBatch: async (paths, symbols, crossCheck) => {
      const outcomes = await coreAsync<Array<string | Error | { error: WasmErrorFacts }>>('scanElf()', 'readElfBatch', [paths, symbols, crossCheck],
        () => wasmReadElfBatch(paths, symbols, crossCheck));
      return outcomes.map((outcome, i) => (typeof outcome === 'string' ? outcome
        : asGiven(paths[i]!, outcome instanceof Error ? outcome : errorFromFacts(outcome.error)) as Error));
    },
    readLdSoCacheSync: (path) => given(path, true, () => withCore('readLdSoCache()', () => wasmReadLdSoCache(path))),
    readLdSoCache: (path) => givenAsync(path, true, coreAsync('readLdSoCache()', 'readLdSoCache', [path], () => wasmReadLdSoCache(path))),
    resolveDepsSync: (program, options) => withCore('resolveDeps()', () => wasmResolveDeps(program, options)),
    resolveDeps: (program, options) => coreAsync('resolveDeps()', 'resolveDeps', [program, options], () => wasmResolveDeps(program, options)),
    readInRootSync: (...args) => withCore('probeGlibc()', () => wasmReadInRoot(...args)),
    readInRoot: (...args) => coreAsync('probeGlibc()', 'readInRoot', args, () => wasmReadInRoot(...args)),
  };
}
