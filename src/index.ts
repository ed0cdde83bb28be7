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
  GetRlimitsOptions,
  InotifyInfo,
  InotifyProcessUse,
  Limit,
  ResourceLimit,
  RlimitSource,
  RlimitUnit,
  RlimitsInfo,
  SetRlimitOptions,
  SetRlimitValues,
} from './probes/limits/index.js';
export { RLIMIT_NAMES } from './util/rlimit-names.js';
export type { RlimitName } from './util/rlimit-names.js';
export type { PathInput } from './util/paths.js';
export type { EnvDiff, EnvEntry, EnvLike, ProcessEnv } from './probes/env/index.js';
export type {
  AppExecLinkInfo,
  ReparseInfo,
  ReparseKind,
  ReparseTarget,
  ScanProgress,
  ScanReparseOptions,
  ScanReparseResult,
} from './probes/reparse/index.js';
export type { PathComponent, PathExplanation, PathFinding, RuntimeName, RuntimeView, RuntimeViews } from './probes/reparse/explain.js';
export type {
  ElfFlags,
  ElfInfo,
  ElfScanEntry,
  ElfScanProgress,
  ElfSymbol,
  ElfVersionDef,
  ElfVersionNeed,
  ElfVersionNeedFile,
  ReadElfOptions,
  ScanElfOptions,
} from './probes/elf/index.js';
export type {
  CompatReport,
  CompatTarget,
  DepsCandidate,
  DepsResult,
  DepsTreeNode,
  FoundVia,
  LdSoCache,
  LdSoCacheEntry,
  MissingLibrary,
  MissingVersion,
  ResolveDepsOptions,
  ResolvedLibrary,
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

/**
 * Which backend answers probes, and why the others were not used. Never throws.
 *
 * Returns `{ name: 'addon' | 'koffi' | 'none', requested, requestedBy, reason, path, version, napiVersion,
 * koffiVersion?, platform, arch, attempts, libc? }`: `reason` says in words why this backend answers, and
 * `attempts` lists every candidate tried (the prebuild, `build/Release`, `build/Debug`, then koffi) with its loader
 * error and what it means. Calling it loads the backend if no probe has yet.
 *
 * @example
 * const { name, reason } = backend();   // name: 'addon'; reason: why the addon answers
 */
export const backend: typeof Loader.backend = () => loader().backend();
/**
 * Sets how the addon is found and which backend answers; takes effect at the next probe (cached answers are dropped).
 *
 * - `nativeBinding`: the path of a `sysprobe.node`, or an already loaded addon module (bundled extensions, asar
 *   archives). It is the only candidate tried, whatever `SYSPROBE_BACKEND` says; if it does not load, probes throw
 *   `ERR_SYSPROBE_BINDING_LOAD` and the koffi fallback is not used.
 * - `backend`: `'auto'` (the addon, else koffi), `'addon'` (never falls back) or `'koffi'` (never tries the addon);
 *   overrides the `SYSPROBE_BACKEND` environment variable.
 * @throws {@link SysprobeError} `ERR_SYSPROBE_INVALID_ARG` for an unknown option or backend name.
 * @example
 * configure({ nativeBinding: '/path/to/sysprobe.node' });
 */
export const configure: typeof Loader.configure = (options) => loader().configure(options);

/**
 * The C library of this process, of a root filesystem, or of a running process, read directly (never by running
 * `ldd`); on the libuv thread pool.
 *
 * Returns a frozen `LibcInfo`: `family` (`'glibc' | 'musl' | 'unknown'`, never a silent default), `version` and
 * `release` (`'2.36'`, `'stable'`; `null` where they cannot be told), `loaderPath`, `libcPath`, `static`, `gcompat`,
 * `compiledAgainst` (the glibc the addon was built on), `evidence` (every fact with its source) and `disagreements`.
 *
 * - No options: this process, in-process (`gnu_get_libc_version`, `confstr`, `dl_iterate_phdr`). Cached for the life
 *   of the process; `{ refresh: true }` asks again.
 * - `{ root }`: the `libc.so.6` (or musl loader) the root's own loader would load, its banner cross-checked with its
 *   `GLIBC_x.y` definitions; nothing from the root is executed and no path leaves it.
 * - `{ pid }`: the libc the process mapped, read through `/proc/PID/map_files` (the version it runs, even after an
 *   upgrade), compared with the file now at the path.
 * @throws {@link SysprobeError} `ERR_SYSPROBE_INVALID_ARG` (a bad option; `root` and `pid` together),
 *   `ERR_SYSPROBE_NOT_FOUND` (no C library in the root, or none mapped by the process), `ERR_SYSPROBE_TOO_LARGE`
 *   (a libc file over 64 MiB), `ENOENT`/`ENOTDIR` (a missing root, or a deleted libc that cannot be read from the
 *   mapping), `ESRCH` (the process exited), `EACCES` (another user's process), `ERR_SYSPROBE_NEEDS_ADDON` (what the
 *   koffi backend cannot answer).
 * @example
 * const { family, version } = await probeGlibc();               // 'glibc', '2.36'
 * const image = await probeGlibc({ root: '/srv/rootfs' });
 */
export const probeGlibc: typeof Libc.probeGlibc = (options) => libc().probeGlibc(options);
/**
 * As {@link probeGlibc}, on the calling thread: the C library of this process (cached; `{ refresh: true }` asks
 * again), of a root filesystem (`{ root }`), or of a running process (`{ pid }`), as a frozen `LibcInfo`.
 * @throws {@link SysprobeError} as {@link probeGlibc}.
 * @example
 * const { family, version, loaderPath, libcPath, evidence } = probeGlibcSync();
 */
export const probeGlibcSync: typeof Libc.probeGlibcSync = (options) => libc().probeGlibcSync(options);

/**
 * Every resource limit of this process, or of `options.pid`, exactly; on the libuv thread pool.
 *
 * `limits` is keyed by the names prlimit(1) uses (`as`, `core`, `cpu`, `data`, `fsize`, `locks`, `memlock`,
 * `msgqueue`, `nice`, `nofile`, `nproc`, `rss`, `rtprio`, `rttime`, `sigpending`, `stack`: {@link RLIMIT_NAMES}). Each
 * `ResourceLimit` has `soft` and `hard` as a `bigint` or `'unlimited'` (never a rounded number; `null` with
 * `supported: false` where the platform lacks the resource), `unit`, `enforced`, `resource` (this platform's number)
 * and `source`. `notes` explains what Node, Go and the kernel do to these values (Node raises its own `nofile`).
 *
 * - `pid`: another process, by `prlimit(2)` (same uid or `CAP_SYS_RESOURCE`); where that is refused (`EPERM`),
 *   `/proc/PID/limits`, with `source: 'procfs'` and `fallback` saying so.
 * - `source`: `'auto'` (default), `'syscall'` (no fallback) or `'procfs'` (the file only, Linux).
 * @throws {@link SysprobeError} `ESRCH` (no such process), `EPERM` (`source: 'syscall'` refused),
 *   `ENOTSUP` (`pid` where there is no prlimit: Windows, macOS), `ERR_SYSPROBE_BAD_LIMITS` (a malformed
 *   `/proc/PID/limits`), `ERR_SYSPROBE_INVALID_ARG`, `ERR_SYSPROBE_NEEDS_ADDON` (koffi on a platform without its table).
 * @example
 * const shell = await getRlimits({ pid: process.ppid });
 * shell.limits.as.soft;   // 'unlimited', or e.g. 536870912n
 */
export const getRlimits: typeof Limits.getRlimits = (options) => limits().getRlimits(options);
/**
 * As {@link getRlimits}, on the calling thread: every resource limit of this process, or of `options.pid`
 * (`prlimit(2)`, falling back to `/proc/PID/limits`), with `soft`/`hard` as `bigint` or `'unlimited'`.
 * @throws {@link SysprobeError} as {@link getRlimits}.
 */
export const getRlimitsSync: typeof Limits.getRlimitsSync = (options) => limits().getRlimitsSync(options);
/**
 * Sets one limit of this process, or of `options.pid` (Linux, `prlimit(2)`), and returns it as read back; on the
 * libuv thread pool (the limits are process-wide either way).
 *
 * `values.soft` and `values.hard` are a `bigint`, a non-negative safe-integer `number`, or `'unlimited'`; without
 * `hard` the current hard limit is kept. The kernel decides; lowering the hard limit needs no privilege and cannot
 * be undone without it. On Windows only `nofile` can be set (`_setmaxstdio`).
 * @throws {@link SysprobeError} `EINVAL` (soft > hard; on macOS also `nofile` soft `'unlimited'`), `EPERM` (raising
 *   the hard limit without `CAP_SYS_RESOURCE`), `ESRCH` (no such process), `ENOTSUP`, `ERR_SYSPROBE_INVALID_ARG`
 *   (an unknown name or a value that is not a limit).
 * @example
 * await setRlimit('core', { soft: 0n });   // { name: 'core', soft: 0n, hard: 'unlimited', … }
 */
export const setRlimit: typeof Limits.setRlimit = (name, values, options) => limits().setRlimit(name, values, options);
/**
 * As {@link setRlimit}, on the calling thread: sets one limit of this process or of `options.pid`, returned as read back.
 * @throws {@link SysprobeError} `EINVAL` (soft > hard), `EPERM` (raising the hard limit unprivileged), `ESRCH`.
 */
export const setRlimitSync: typeof Limits.setRlimitSync = (name, values, options) => limits().setRlimitSync(name, values, options);
/**
 * The inotify limits and this user's current use (Linux); on the libuv thread pool.
 *
 * Returns `maxUserWatches`, `maxUserInstances`, `maxQueuedEvents` (`/proc/sys/fs/inotify/*`), `userNamespace` (the
 * caller's user namespace's limits; `userNamespaceDiffers`, `effective`: the tighter), and `usage`: what this
 * effective uid holds now, counted from `/proc/PID/fdinfo` with instances shared by several fds counted once
 * (`dedup: 'kcmp'`, or `'none'` where `kcmp(2)` is unavailable). `processes` lists the holders;
 * `processesUnreadable` > 0 means the counts are a lower bound. `notes` warns above 90 % use (VS Code's "Unable to
 * watch for file changes").
 * @throws {@link SysprobeError} `ENOTSUP` elsewhere than Linux.
 * @example
 * const { maxUserWatches, usage } = await probeInotify();
 */
export const probeInotify: typeof Limits.probeInotify = () => limits().probeInotify();
/**
 * As {@link probeInotify}, on the calling thread: the inotify limits and this user's current use (Linux).
 * @throws {@link SysprobeError} `ENOTSUP` elsewhere than Linux.
 */
export const probeInotifySync: typeof Limits.probeInotifySync = () => limits().probeInotifySync();

/**
 * The environment process `pid` was started with, exactly; on the libuv thread pool.
 *
 * It is the block handed to `execve()` (Linux `/proc/PID/environ`, macOS `KERN_PROCARGS2`): later `setenv()` calls
 * inside the process do not show. Returns `entries` (every entry in order: `name`, `value` — `''` for `NAME=`,
 * `null` without `=` — `raw` and `valueRaw` as Buffers of the exact bytes, `utf8: false` where they are not UTF-8),
 * `env` (the record getenv() would answer: first occurrence wins, null prototype) and `duplicates`.
 * @throws {@link SysprobeError} `ESRCH` (no such process), `EACCES` (another user's process, with `path`),
 *   `ENOTSUP` (Windows), `ERR_SYSPROBE_INVALID_ARG` (not a pid), `ERR_SYSPROBE_BAD_PROCARGS` (macOS, malformed).
 * @example
 * const server = await probeProcessEnv(goplsPid);
 * server.env.PATH;
 */
export const probeProcessEnv: typeof Env.probeProcessEnv = (pid) => env().probeProcessEnv(pid);
/**
 * As {@link probeProcessEnv}, on the calling thread: the environment process `pid` was started with, byte for byte.
 * @throws {@link SysprobeError} `ESRCH`, `EACCES`, `ENOTSUP`, `ERR_SYSPROBE_INVALID_ARG`, as {@link probeProcessEnv}.
 */
export const probeProcessEnvSync: typeof Env.probeProcessEnvSync = (pid) => env().probeProcessEnvSync(pid);
/**
 * Differences between two environments, compared byte for byte (values that are not UTF-8 are not confused): `a`
 * and `b` are `ProcessEnv`s or plain records such as `process.env`. Returns `added` (only in `b`), `removed` (only
 * in `a`), `changed` (`{ a, b }` per name) and `unchanged` (a count).
 *
 * @example
 * diffEnv(process.env, await probeProcessEnv(goplsPid));   // what gopls sees that my shell does not
 */
export const diffEnv: typeof Env.diffEnv = (a, b) => env().diffEnv(a, b);

/**
 * Decodes a raw `REPARSE_DATA_BUFFER` (or the `REPARSE_GUID_DATA_BUFFER` non-Microsoft tags use), e.g. the output
 * of `FSCTL_GET_REPARSE_POINT` or ntfs-3g's `system.ntfs_reparse_data`, on any platform.
 *
 * Returns a `ReparseInfo`: `tag`, `tagHex`, `tagName`, `kind` (`'junction'`, `'volume-mount'`, `'symlink'`,
 * `'app-exec-link'`, `'lx-symlink'`, `'cloud'`, …, `'unknown'`), the tag bits, `target` (`substituteName`,
 * `printName`, `relative`, `win32Path`), `appExecLink`, `guid`, `raw`. Names are read by their offsets and lengths
 * only.
 * @throws {@link SysprobeError} `ERR_SYSPROBE_BAD_REPARSE` with the `offset` of the field that is wrong (lengths past
 *   the end, odd UTF-16 offsets, an empty substitute name, an alias with fewer than three strings, an LX symlink
 *   without a target, a non-Microsoft tag without its GUID); `ERR_SYSPROBE_INVALID_ARG` for input that is not bytes.
 */
export const decodeReparseBuffer: typeof Reparse.decodeReparseBuffer = (bytes) => reparse().decodeReparseBuffer(bytes);
/**
 * The reparse point at `path` — the entry itself, never followed — or `null` when it is not one; on the libuv
 * thread pool.
 *
 * Windows: `FSCTL_GET_REPARSE_POINT` on the `\\?\` long form, cloud placeholders exposed (`source: 'win32'`).
 * Linux: NTFS volumes mounted with ntfs-3g (`system.ntfs_reparse_data`, `source: 'ntfs-3g'`); any other file
 * system gives `null`. macOS: `null`. The result is a `ReparseInfo` as {@link decodeReparseBuffer} gives, plus
 * `path`, `attributes` and `placeholderMode`.
 * @throws {@link SysprobeError} `ENOENT` (a missing path), `EACCES` and other OS errors; on Windows a Win32 failure
 *   keeps `winerror` and its name as `code` (e.g. `ERROR_CANT_ACCESS_FILE`, 1920); `ERR_SYSPROBE_BAD_REPARSE` for
 *   malformed data on disk; `ERR_SYSPROBE_NEEDS_ADDON` for what the koffi backend cannot answer.
 * @example
 * const info = await probeReparsePoint('C:\\Users\\me\\go');   // { kind: 'junction', target: { printName: 'D:\\go' }, … }
 */
export const probeReparsePoint: typeof Reparse.probeReparsePoint = (path) => reparse().probeReparsePoint(path);
/**
 * As {@link probeReparsePoint}, on the calling thread: the reparse point at `path` (never followed), or `null`.
 * @throws {@link SysprobeError} as {@link probeReparsePoint}: `ENOENT`, `EACCES`, Win32 errors with `winerror`.
 */
export const probeReparsePointSync: typeof Reparse.probeReparsePointSync = (path) => reparse().probeReparsePointSync(path);
/**
 * Every reparse point under a directory, probed on the thread pool. Reparse points and symbolic links are never
 * descended into (on Windows non-surrogate reparse directories such as cloud folders are); plain directories are,
 * down to `maxDepth` (32). Options: `maxDepth`, `concurrency` (8), `onProgress`, `signal` (an AbortSignal).
 *
 * Returns `{ root, found, errors, directories, entries, depthLimited }`: `found` the reparse points, `errors` the
 * entries that failed, each with its typed error (they do not reject the scan), `depthLimited` what `maxDepth` cut.
 * @throws {@link SysprobeError} `ERR_SYSPROBE_INVALID_ARG` (bad options, or a path that is not valid UTF-8), the OS
 *   error of the directory itself (`ENOENT`, `ENOTDIR`, …); rejects when `signal` aborts.
 */
export const scanReparsePoints: typeof Reparse.scanReparsePoints = (dir, options) => reparse().scanReparsePoints(dir, options);
/**
 * Every component of `path` with its reparse point (if any) and how libuv/Node, Go ≤ 1.22 (or `winsymlink=0`),
 * Go ≥ 1.23, Rust std and Python ≥ 3.8 classify it on Windows (`lstat`, `isLink`, `readlink`, `walk`), plus
 * `findings` worded for a bug report, with the fixes — e.g. why `go build` fails when GOPATH sits behind a
 * junction. Components are probed themselves, never followed; a missing component ends the walk
 * (`exists: false`). The classification follows the runtimes' sources; it is computed, not observed.
 * @throws {@link SysprobeError} `ENOENT` (the first missing component, where the walk cannot go on), other OS
 *   errors of a component, `ERR_SYSPROBE_INVALID_ARG` (a path that is not valid UTF-8).
 * @example
 * const { components, findings } = await explainPath('C:\\Users\\me\\go\\src\\app');
 */
export const explainPath: typeof ReparseExplain.explainPath = (path) => explain().explainPath(path);
/** As {@link explainPath}, on the calling thread. */
export const explainPathSync: typeof ReparseExplain.explainPathSync = (path) => explain().explainPathSync(path);
/**
 * How libuv/Node, Go ≤ 1.22, Go ≥ 1.23, Rust std and Python would classify one reparse point on Windows (the
 * per-component view {@link explainPath} gives). `isDirectory` is whether the entry is a directory, when known;
 * by default it is read from the reparse point's attributes.
 */
export const reparseRuntimeViews: typeof ReparseExplain.reparseRuntimeViews = (info, isDirectory) =>
  explain().reparseRuntimeViews(info, isDirectory);

/**
 * The dynamic facts of one ELF file — 32 or 64 bit, either byte order, any machine — on the libuv thread pool.
 *
 * `pathOrBytes` is a path (a string or a `file:` URL; the file is read by ranges with `pread`, never whole, never
 * mapped) or the file's bytes (`Buffer`, `Uint8Array`, `ArrayBuffer`: a copy is taken at the call, so the caller may
 * change, transfer or detach them at once). Returns an `ElfInfo`: `class`, `endian`, `machine`, `type`, `pie`,
 * `interpreter`, `soname`, `needed`, `rpath`, `runpath`, `flags`, `versionNeeds`, `versionDefs`, `maxVersions` (the
 * newest needed version per prefix, compared numerically), `dynamicSource` and `diagnostics`.
 *
 * Options: `symbols` (every dynamic symbol with its version, and for references the library it is needed from;
 * `value` a bigint), `demangle` (with `symbols`: each C++ name as `c++filt` prints it, or `null`), `crossCheck`
 * (default true: section headers checked against the program headers, disagreements in `diagnostics`). A large
 * result is turned into objects slice by slice, so it does not hold the event loop.
 * @throws {@link SysprobeError} `ERR_SYSPROBE_NOT_ELF` (empty, no `\x7fELF`), `ERR_SYSPROBE_TRUNCATED` (a structure
 *   runs past the end), `ERR_SYSPROBE_BAD_ELF` (a value that cannot be right) — each with `offset` —,
 *   `ERR_SYSPROBE_TOO_LARGE` (over 2^20 dynamic symbols, 2^16 dynamic entries, or a name over 1 MiB),
 *   `ERR_SYSPROBE_NOT_REGULAR` (a FIFO or device, never read), the OS error of opening (`ENOENT`, `EACCES`, `EISDIR`),
 *   `ERR_SYSPROBE_INVALID_ARG` (bad options; `demangle` without `symbols`).
 * @example
 * const info = await readElf('/usr/bin/node', { symbols: true });
 * info.maxVersions;   // { GLIBC: '2.28', GLIBCXX: '3.4.21', CXXABI: '1.3.9', GCC: '4.2.0' }
 * info.symbols?.filter((s) => s.version === 'GLIBC_2.28');   // which symbols need it, and from which file
 */
export const readElf: typeof Elf.readElf = (pathOrBytes, options) => elf().readElf(pathOrBytes, options);
/**
 * As {@link readElf}, on the calling thread: the dynamic facts of one ELF file, from a path (read by ranges) or from
 * bytes (parsed in place). Options `symbols`, `demangle`, `crossCheck`.
 * @throws {@link SysprobeError} `ERR_SYSPROBE_NOT_ELF`, `ERR_SYSPROBE_TRUNCATED`, `ERR_SYSPROBE_BAD_ELF` (each with
 *   `offset`), `ERR_SYSPROBE_TOO_LARGE`, `ERR_SYSPROBE_NOT_REGULAR`, the OS error of opening (`ENOENT`, `EACCES`,
 *   `EISDIR`), `ERR_SYSPROBE_INVALID_ARG`.
 * @example
 * const { machine, interpreter, needed } = readElfSync('/bin/ls');
 */
export const readElfSync: typeof Elf.readElfSync = (pathOrBytes, options) => elf().readElfSync(pathOrBytes, options);
/**
 * Many ELF files at once on the libuv thread pool: one entry per file, in input order, `{ path, ok: true, info }` or
 * `{ path, ok: false, error }` with a typed {@link SysprobeError} — nothing rejects because one file is broken.
 *
 * A directory (given alone or in the list) is walked in sorted order and its files take its place; symlinks inside
 * it are never followed, and its files that are not ELF at all are left out unless `includeNonElf: true` (paths
 * named explicitly always get an entry). A walked path that is not valid UTF-8 shows U+FFFD in `path` and keeps
 * its exact bytes in `pathBytes`. Options: `concurrency` (default min(4, available parallelism)), `onProgress({
 * done, total, path })` after each file, and `symbols`, `demangle`, `crossCheck` as {@link readElf}.
 * @throws {@link SysprobeError} `ERR_SYSPROBE_INVALID_ARG` (no paths, bad options); a directory that cannot be
 *   walked rejects with its OS error. Per-file errors are entries, with the codes {@link readElf} throws.
 * @example
 * for (const e of await scanElf('/usr/lib')) console.log(e.path, e.ok ? e.info.maxVersions : e.error.code);
 */
export const scanElf: typeof Elf.scanElf = (pathsOrDir, options) => elf().scanElf(pathsOrDir, options);

/**
 * Reads an `ld.so.cache` — the old `ld.so-1.7.0` format, the new `glibc-ld.so.cache1.1` format or the compat file,
 * either byte order — on the libuv thread pool. Returns `entries` (the table the loader searches: `key`, `value`,
 * `flags`, `flagsText` as `ldconfig -p` prints them, `hwcap`, `isaLevel`, …), `oldEntries`, `generator` and
 * `hwcapNames`.
 * @throws {@link SysprobeError} `ERR_SYSPROBE_BAD_LDCACHE` or `ERR_SYSPROBE_TRUNCATED` with the `offset`, the OS
 *   error of opening the file, `ERR_SYSPROBE_INVALID_ARG`.
 */
export const readLdSoCache: typeof Compat.readLdSoCache = (path) => compat().readLdSoCache(path);
/**
 * As {@link readLdSoCache}, on the calling thread: reads an `ld.so.cache` of any format and byte order.
 * @throws {@link SysprobeError} `ERR_SYSPROBE_BAD_LDCACHE` or `ERR_SYSPROBE_TRUNCATED` with the `offset`, OS errors.
 */
export const readLdSoCacheSync: typeof Compat.readLdSoCacheSync = (path) => compat().readLdSoCacheSync(path);
/**
 * The libraries `binary` would load, in load order, as glibc's loader decides (`elf/dl-load.c`, `elf/dl-deps.c`) —
 * or musl's, for a program whose interpreter is `ld-musl-*` — without executing anything; on the libuv thread pool.
 *
 * Returns a `DepsResult`: `libraries` (the flat list as `ld.so --list` prints it, each with `path`, `realPath`,
 * `foundVia` — `rpath`, `ld_library_path`, `runpath`, `cache`, `default`, `direct`, `interpreter` — `hwcaps`,
 * `requiredBy` and every `candidate` tried), `tree`, `missing` (each missing name once, with every path searched),
 * `interpreter`, `loaderVersion`, `systemDirs`, `cache` and `fatal`.
 *
 * Options: `root` (a root filesystem: every path, absolute symlinks included, resolves inside it, walked race-free),
 * `env.LD_LIBRARY_PATH`, `cwd`, `hwcaps`, `platform`, `useCache`. Parsed files are cached by device, inode, size
 * and mtime.
 * @throws {@link SysprobeError} the OS error of the program itself (`ENOENT`, … naming the path inside the root; a
 *   missing root is `ENOENT`/`ENOTDIR` for the root), `ERR_SYSPROBE_NOT_ELF`/`ERR_SYSPROBE_TRUNCATED`/
 *   `ERR_SYSPROBE_BAD_ELF` for the program, `ERR_SYSPROBE_UNSUPPORTED` on Windows, `ERR_SYSPROBE_INVALID_ARG`.
 *   Libraries that cannot be found or read are results (`missing`, `candidates`), not errors.
 * @example
 * const deps = await resolveDeps('/usr/bin/ls', { root: '/tmp/rootfs', env: { LD_LIBRARY_PATH: '/opt/lib' } });
 * deps.missing;   // [{ name, requiredBy, searched: [every path tried, in order], error }]
 */
export const resolveDeps: typeof Compat.resolveDeps = (binary, options) => compat().resolveDeps(binary, options);
/**
 * As {@link resolveDeps}, on the calling thread: the libraries `binary` would load (optionally inside `options.root`).
 * @throws {@link SysprobeError} as {@link resolveDeps}.
 */
export const resolveDepsSync: typeof Compat.resolveDepsSync = (binary, options) => compat().resolveDepsSync(binary, options);
/**
 * Will `binary` load? On this host (`'host'`, the default), in a root filesystem (`{ root }`), or on a glibc release
 * (`{ glibc: '2.31', arch? }`, checked against tables of the version names real glibc builds define; a release
 * older than every table is cut from the nearest newer one, and `warnings` says so).
 *
 * The libraries are resolved as {@link resolveDeps} does, then every version requirement of every loaded object is
 * checked as `elf/dl-version.c` does, by name and hash in the providing file's definitions. Returns a
 * `CompatReport`: `ok`, `missingLibraries`, `missingVersions` (with the `symbols` bound to each), `messages` (worded
 * as the loader words them, all at once), `warnings` (weak versions, providers without version information,
 * libraries outside glibc), `target` and `libraries`.
 * @throws {@link SysprobeError} as {@link resolveDeps} for the program and the root; `ERR_SYSPROBE_UNSUPPORTED` for a
 *   glibc release newer than every table (naming the tables there are); `ERR_SYSPROBE_INVALID_ARG`.
 * @example
 * const report = await checkCompat('./my-server', { glibc: '2.31' });
 * report.messages;   // ["/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found (required by ./my-server)"]
 */
export const checkCompat: typeof Compat.checkCompat = (binary, target) => compat().checkCompat(binary, target);
/**
 * As {@link checkCompat}, on the calling thread: will `binary` load here, in `{ root }`, or on `{ glibc, arch? }`?
 * @throws {@link SysprobeError} as {@link checkCompat}.
 */
export const checkCompatSync: typeof Compat.checkCompatSync = (binary, target) => compat().checkCompatSync(binary, target);

// The Go toolchain, Go build info and editor settings (src/api/go.ts), the doctor's other facts
// (src/api/system.ts) and the doctor (src/api/doctor.ts), lazy in the same way.
export * from './api/go.js';
export * from './api/system.js';
export * from './api/doctor.js';
