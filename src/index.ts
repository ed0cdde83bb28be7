// The public API. Importing it loads only this file and the error class: each probe family's
// module, and the native addon, are loaded by the first call that needs them.
import type * as Compat from './compat.js';
import type * as Elf from './elf.js';
import type * as Libc from './libc.js';
import type * as Loader from './loader.js';

export { SysprobeError } from './errors.js';
export type { SysprobeErrorInit } from './errors.js';
export type { BackendInfo, ConfigureOptions, LoadAttempt } from './loader.js';
export type { LibcDisagreement, LibcEvidence, LibcFamily, LibcInfo, ProbeGlibcOptions } from './libc.js';
export type {
  ElfFlags, ElfInfo, ElfScanEntry, ElfScanProgress, ElfSymbol, ElfVersionDef, ElfVersionNeed, ElfVersionNeedFile,
  ReadElfOptions, ScanElfOptions,
} from './elf.js';
export type {
  CompatReport, CompatTarget, DepsCandidate, DepsResult, DepsTreeNode, FoundVia, LdSoCache, LdSoCacheEntry, MissingLibrary,
  MissingVersion, ResolveDepsOptions, ResolvedLibrary,
} from './compat.js';

let loaderModule: typeof Loader | undefined;
let libcModule: typeof Libc | undefined;
let elfModule: typeof Elf | undefined;
let compatModule: typeof Compat | undefined;
const loader = (): typeof Loader => (loaderModule ??= require('./loader.js') as typeof Loader);
const libc = (): typeof Libc => (libcModule ??= require('./libc.js') as typeof Libc);
const elf = (): typeof Elf => (elfModule ??= require('./elf.js') as typeof Elf);
const compat = (): typeof Compat => (compatModule ??= require('./compat.js') as typeof Compat);

/** Which backend answers probes, and why the others were not used. Never throws. */
export const backend: typeof Loader.backend = () => loader().backend();
/** Sets how the addon is found (`nativeBinding`: a path or a loaded module). */
export const configure: typeof Loader.configure = (options) => loader().configure(options);

/** The C library of this process, read in-process on the libuv thread pool. */
export const probeGlibc: typeof Libc.probeGlibc = (options) => libc().probeGlibc(options);
/** The C library of this process, read in-process. Cached; `{ refresh: true }` asks again. */
export const probeGlibcSync: typeof Libc.probeGlibcSync = (options) => libc().probeGlibcSync(options);

/** The facts of one ELF file (a path or bytes), parsed on the libuv thread pool. */
export const readElf: typeof Elf.readElf = (target, options) => elf().readElf(target, options);
/** The facts of one ELF file (a path or bytes). */
export const readElfSync: typeof Elf.readElfSync = (target, options) => elf().readElfSync(target, options);
/** Many ELF files at once on the thread pool; broken files come back as entries with an error. */
export const scanElf: typeof Elf.scanElf = (targets, options) => elf().scanElf(targets, options);

/** Reads an ld.so.cache file (old, new or compat format, either byte order), on the thread pool. */
export const readLdSoCache: typeof Compat.readLdSoCache = (path) => compat().readLdSoCache(path);
/** Reads an ld.so.cache file (old, new or compat format, either byte order). */
export const readLdSoCacheSync: typeof Compat.readLdSoCacheSync = (path) => compat().readLdSoCacheSync(path);
/** The libraries a program would load, as glibc's loader finds them (optionally inside a root), on the thread pool. */
export const resolveDeps: typeof Compat.resolveDeps = (binary, options) => compat().resolveDeps(binary, options);
/** The libraries a program would load, as glibc's loader finds them (optionally inside a root). */
export const resolveDepsSync: typeof Compat.resolveDepsSync = (binary, options) => compat().resolveDepsSync(binary, options);
/** Will the program load on this host, in a root, or on a glibc release? Versions checked as dl-version.c does. */
export const checkCompat: typeof Compat.checkCompat = (binary, target) => compat().checkCompat(binary, target);
/** As checkCompat, synchronously. */
export const checkCompatSync: typeof Compat.checkCompatSync = (binary, target) => compat().checkCompatSync(binary, target);
