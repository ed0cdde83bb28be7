// The public API. Importing it loads only this file and the error class: each probe family's
// module, and the native addon, are loaded by the first call that needs them.
import type * as Compat from './probes/compat/index.js';
import type * as Elf from './probes/elf/index.js';
import type * as Env from './probes/env/index.js';
import type * as Libc from './probes/libc/index.js';
import type * as Limits from './probes/limits/index.js';
import type * as Loader from './backends/loader.js';
import type * as Reparse from './probes/reparse/index.js';
import type * as ReparseExplain from './probes/reparse/explain.js';

export { SysprobeError } from './errors.js';
export type { SysprobeErrorInit } from './errors.js';
export type { BackendChoice, BackendInfo, ConfigureOptions, LoadAttempt } from './backends/loader.js';
export type { LibcDisagreement, LibcEvidence, LibcFamily, LibcInfo, ProbeGlibcOptions } from './probes/libc/index.js';
export type {
  GetRlimitsOptions, InotifyInfo, InotifyProcessUse, Limit, ResourceLimit, RlimitSource, RlimitUnit, RlimitsInfo,
  SetRlimitOptions, SetRlimitValues,
} from './probes/limits/index.js';
export { RLIMIT_NAMES } from './util/rlimit-names.js';
export type { RlimitName } from './util/rlimit-names.js';
export type { PathInput } from './util/paths.js';
export type { EnvDiff, EnvEntry, EnvLike, ProcessEnv } from './probes/env/index.js';
export type {
  AppExecLinkInfo, ReparseInfo, ReparseKind, ReparseTarget, ScanProgress, ScanReparseOptions, ScanReparseResult,
} from './probes/reparse/index.js';
export type { PathComponent, PathExplanation, PathFinding, RuntimeName, RuntimeView, RuntimeViews } from './probes/reparse/explain.js';
export type {
  ElfFlags, ElfInfo, ElfScanEntry, ElfScanProgress, ElfSymbol, ElfVersionDef, ElfVersionNeed, ElfVersionNeedFile,
  ReadElfOptions, ScanElfOptions,
} from './probes/elf/index.js';
export type {
  CompatReport, CompatTarget, DepsCandidate, DepsResult, DepsTreeNode, FoundVia, LdSoCache, LdSoCacheEntry, MissingLibrary,
  MissingVersion, ResolveDepsOptions, ResolvedLibrary,
} from './probes/compat/index.js';

let loaderModule: typeof Loader | undefined;
let elfModule: typeof Elf | undefined;
let compatModule: typeof Compat | undefined;
let libcModule: typeof Libc | undefined;
let reparseModule: typeof Reparse | undefined;
let explainModule: typeof ReparseExplain | undefined;
const loader = (): typeof Loader => (loaderModule ??= require('./backends/loader.js') as typeof Loader);
const elf = (): typeof Elf => (elfModule ??= require('./probes/elf/index.js') as typeof Elf);
const compat = (): typeof Compat => (compatModule ??= require('./probes/compat/index.js') as typeof Compat);
const libc = (): typeof Libc => (libcModule ??= require('./probes/libc/index.js') as typeof Libc);
let limitsModule: typeof Limits | undefined;
let envModule: typeof Env | undefined;
const limits = (): typeof Limits => (limitsModule ??= require('./probes/limits/index.js') as typeof Limits);
const env = (): typeof Env => (envModule ??= require('./probes/env/index.js') as typeof Env);
const reparse = (): typeof Reparse => (reparseModule ??= require('./probes/reparse/index.js') as typeof Reparse);
const explain = (): typeof ReparseExplain => (explainModule ??= require('./probes/reparse/explain.js') as typeof ReparseExplain);

/** Which backend answers probes, and why the others were not used. Never throws. */
export const backend: typeof Loader.backend = () => loader().backend();
/** Sets how the addon is found (`nativeBinding`: a path or a loaded module) and which backend answers (`backend`: 'auto', 'addon', 'koffi'). */
export const configure: typeof Loader.configure = (options) => loader().configure(options);

/** The C library of this process, read in-process on the libuv thread pool. */
export const probeGlibc: typeof Libc.probeGlibc = (options) => libc().probeGlibc(options);
/** The C library of this process, read in-process. Cached; `{ refresh: true }` asks again. */
export const probeGlibcSync: typeof Libc.probeGlibcSync = (options) => libc().probeGlibcSync(options);

/** Every resource limit of this process, or `options.pid`, exactly (bigint or `'unlimited'`), on the thread pool. */
export const getRlimits: typeof Limits.getRlimits = (options) => limits().getRlimits(options);
/** Every resource limit of this process, or `options.pid`, exactly. */
export const getRlimitsSync: typeof Limits.getRlimitsSync = (options) => limits().getRlimitsSync(options);
/** Sets one limit (of this process or `options.pid`); `EINVAL` soft > hard, `EPERM` raising hard unprivileged. */
export const setRlimit: typeof Limits.setRlimit = (name, values, options) => limits().setRlimit(name, values, options);
/** As {@link setRlimit}, synchronously. */
export const setRlimitSync: typeof Limits.setRlimitSync = (name, values, options) => limits().setRlimitSync(name, values, options);
/** The inotify limits and this user's current use (Linux), on the thread pool. */
export const probeInotify: typeof Limits.probeInotify = () => limits().probeInotify();
/** The inotify limits and this user's current use (Linux). */
export const probeInotifySync: typeof Limits.probeInotifySync = () => limits().probeInotifySync();

/** The environment process `pid` was started with, exactly; on the thread pool. */
export const probeProcessEnv: typeof Env.probeProcessEnv = (pid) => env().probeProcessEnv(pid);
/** The environment process `pid` was started with, exactly. */
export const probeProcessEnvSync: typeof Env.probeProcessEnvSync = (pid) => env().probeProcessEnvSync(pid);
/** Differences between two environments (probed ones or records such as `process.env`), byte for byte. */
export const diffEnv: typeof Env.diffEnv = (a, b) => env().diffEnv(a, b);

/** Decodes a raw REPARSE_DATA_BUFFER (any platform); malformed input throws ERR_SYSPROBE_BAD_REPARSE with the offset. */
export const decodeReparseBuffer: typeof Reparse.decodeReparseBuffer = (bytes) => reparse().decodeReparseBuffer(bytes);
/** The reparse point at a path (never followed), or null; Windows FSCTL_GET_REPARSE_POINT, Linux ntfs-3g. On the thread pool. */
export const probeReparsePoint: typeof Reparse.probeReparsePoint = (path) => reparse().probeReparsePoint(path);
/** As probeReparsePoint, on the calling thread. */
export const probeReparsePointSync: typeof Reparse.probeReparsePointSync = (path) => reparse().probeReparsePointSync(path);
/** The reparse points under a directory: bounded depth, progress, errors per entry. */
export const scanReparsePoints: typeof Reparse.scanReparsePoints = (dir, options) => reparse().scanReparsePoints(dir, options);
/** Every component of a path, its reparse point, and how Node, Go, Rust and Python classify it. */
export const explainPath: typeof ReparseExplain.explainPath = (path) => explain().explainPath(path);
/** How libuv/Node, Go <= 1.22, Go >= 1.23, Rust std and Python classify one reparse point. */
export const reparseRuntimeViews: typeof ReparseExplain.reparseRuntimeViews = (info, isDirectory) =>
  explain().reparseRuntimeViews(info, isDirectory);

/** The dynamic facts of one ELF file (a path read by ranges, or bytes parsed in place), on the thread pool. */
export const readElf: typeof Elf.readElf = (pathOrBytes, options) => elf().readElf(pathOrBytes, options);
/** As readElf, on the calling thread. */
export const readElfSync: typeof Elf.readElfSync = (pathOrBytes, options) => elf().readElfSync(pathOrBytes, options);
/** Many ELF files (or directories, walked) on the thread pool: one entry per file, in order, errors per entry. */
export const scanElf: typeof Elf.scanElf = (pathsOrDir, options) => elf().scanElf(pathsOrDir, options);

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
