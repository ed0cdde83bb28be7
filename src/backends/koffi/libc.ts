import type { RawNamedFile, RawSelfLibc } from '../binding.js';
import { PATH_MAX, decodeEach, toBig, type Calls } from './calls.js';

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
      file =
        resolved === null
          ? { name, realPath: null, realPathErrno: calls.koffi.errno() as number }
          : { name, realPath: resolved, realPathErrno: 0 };
      cache.set(name, file);
    }
    return { ...file };
  };
}

export function selfLibc(calls: Calls): RawSelfLibc {
  const { koffi } = calls;
  const facts: RawSelfLibc = {
    platform: process.platform === 'win32' ? 'win32' : process.platform,
    gnuVersion: null,
    gnuRelease: null,
    gnuVersionProvider: null,
    confstrVersion: null,
    interpreter: null,
    mainProgramSeen: false,
    atBase: 0n,
    loader: null,
    libcObject: null,
    loadedObjects: [],
    // No addon was built: nothing was compiled against any C library headers.
    compiledFamily: 'koffi',
    compiledVersion: null,
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
  const contains = (
    base: bigint,
    headers: Array<{ type: number; vaddr: number | bigint; memsz: number | bigint }>,
    address: bigint | null,
  ): boolean => {
    if (address === null) return false;
    return headers.some(
      (ph) => ph.type === PT_LOAD && address >= base + toBig(ph.vaddr) && address - (base + toBig(ph.vaddr)) < toBig(ph.memsz),
    );
  };
  calls.dlIteratePhdr((pointer: unknown) => {
    const info = koffi.decode(pointer, calls.phdrInfo) as { addr: number | bigint; name: string | null; phdr: unknown; phnum: number };
    const base = toBig(info.addr);
    const headers = decodeEach(koffi, info.phdr, calls.phdr, info.phnum) as Array<{
      type: number;
      vaddr: number | bigint;
      memsz: number | bigint;
    }>;
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
