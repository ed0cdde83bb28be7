// The raw interface of both backends (NativeBinding: the addon through addon.ts, the koffi backend) and what
// the addon itself exports (AddonExports: the core's JSON text, decoded by wire.ts). Nothing outside src/
// sees these shapes. A path parameter (PathArg) is a string (UTF-8-encoded, as Node's fs does) or a Buffer of
// its exact bytes. A pid of -1 (wire.ts THIS_PROCESS) means this process, in requests and in results.
import type { PathArg } from '../util/paths.js';
import type { GoAddonExports, GoNativeBinding } from './binding-go.js';

export interface RawNamedFile {
  name: string;
  realPath: string | null;
  /** errno of the failed realpath(), 0 when it succeeded. */
  realPathErrno: number;
}

export interface RawSelfLibc {
  platform: string;
  gnuVersion: string | null;
  gnuRelease: string | null;
  gnuVersionProvider: RawNamedFile | null;
  confstrVersion: string | null;
  interpreter: string | null;
  mainProgramSeen: boolean;
  atBase: bigint;
  loader: RawNamedFile | null;
  libcObject: RawNamedFile | null;
  loadedObjects: string[];
  compiledFamily: string;
  compiledVersion: string | null;
}

/** No symbols, symbols, or symbols with a `demangled` name each. */
export type ElfSymbolsWanted = boolean | 'demangled';
export interface RawRlimitEntry {
  name: string;
  supported: boolean;
  resource: number | null;
  soft: bigint | 'unlimited' | null;
  hard: bigint | 'unlimited' | null;
  source: string | null;
}

export interface RawRlimitSet {
  /** -1: this process. */
  pid: number;
  source: string;
  /** Set when prlimit(2) was refused and /proc/PID/limits was read instead. */
  fallback: { errno: number; syscall: string } | null;
  entries: RawRlimitEntry[];
}

export interface RawInotifyProcess {
  pid: number;
  comm: string;
  fds: number;
  instances: number;
  watches: number;
}

export interface RawInotify {
  maxUserWatches: number | null;
  maxUserInstances: number | null;
  maxQueuedEvents: number | null;
  nsMaxWatches: number | null;
  nsMaxInstances: number | null;
  uid: number;
  fds: number;
  instances: number;
  watches: number;
  processesScanned: number;
  processesUnreadable: number;
  dedup: boolean;
  processes: RawInotifyProcess[];
}

export interface RawProcessEnv {
  pid: number;
  source: string;
  /** Each entry's exact bytes ("NAME=value"). */
  entries: Buffer[];
}

export type RawLimitArg = bigint | 'unlimited';

export interface RawReparseNames {
  substituteName: string;
  printName: string;
  substituteNameOffset: number;
  substituteNameLength: number;
  printNameOffset: number;
  printNameLength: number;
  flags: number | null;
  relative: boolean;
}

export interface RawReparseData {
  tag: number;
  dataLength: number;
  reserved: number;
  tagName: string | null;
  kind: string;
  isMicrosoft: boolean;
  highLatency: boolean;
  isNameSurrogate: boolean;
  isDirectory: boolean;
  cloudSubtype: number | null;
  guid: string | null;
  dataOffset: number;
  trailingBytes: number;
  names: RawReparseNames | null;
  appExecLink: { version: number; strings: string[] } | null;
  lxVersion: number | null;
  lxTarget: string | null;
  nfs: { type: bigint; symlinkTarget: string | null; major: number | null; minor: number | null } | null;
  wof: { version: number; provider: number; fileVersion: number | null; algorithm: number | null } | null;
}

export interface RawReparseProbe {
  source: 'win32' | 'ntfs-3g';
  raw: Buffer;
  attributes: number | null;
  tagFromAttributes: number | null;
  placeholderMode: 'exposed' | 'default' | null;
  decoded: RawReparseData | null;
  /** The decoder's SysprobeError (ERR_SYSPROBE_BAD_REPARSE) when the bytes on disk are malformed. */
  decodeError: Error | null;
}

export interface NativeBinding extends CompatNativeBinding, LibcFilesNativeBinding, GoNativeBinding {
  version: string;
  napiVersion: number;
  init(errorClass: Function): void;
  selfLibcSync(): RawSelfLibc;
  selfLibc(): Promise<RawSelfLibc>;
  /** pid -1: this process (also for setRlimit). */
  rlimitsSync(pid: number, mode: 'auto' | 'syscall' | 'procfs'): RawRlimitSet;
  rlimits(pid: number, mode: 'auto' | 'syscall' | 'procfs'): Promise<RawRlimitSet>;
  setRlimitSync(pid: number, name: string, soft: RawLimitArg, hard: RawLimitArg | undefined): RawRlimitEntry;
  setRlimit(pid: number, name: string, soft: RawLimitArg, hard: RawLimitArg | undefined): Promise<RawRlimitEntry>;
  inotifySync(): RawInotify;
  inotify(): Promise<RawInotify>;
  processEnvSync(pid: number): RawProcessEnv;
  processEnv(pid: number): Promise<RawProcessEnv>;
  decodeReparseBuffer(bytes: Uint8Array): RawReparseData;
  probeReparsePointSync(path: PathArg): RawReparseProbe | null;
  probeReparsePoint(path: PathArg): Promise<RawReparseProbe | null>;
  /**
   * The facts as the core's ELF text (native/core/elf_json.h: a RawElf with symbol values as decimal
   * strings, its symbols in '\n'-separated slices), as a string or its UTF-8 bytes. `target`: a path,
   * or the file's bytes — a Uint8Array is bytes unless `isPath` says it holds a path's bytes.
   */
  readElfSync(target: PathArg | Uint8Array, symbols: ElfSymbolsWanted, crossCheck: boolean, isPath?: boolean): string | Uint8Array;
  readElf(target: PathArg | Uint8Array, symbols: ElfSymbolsWanted, crossCheck: boolean, isPath?: boolean): Promise<string | Uint8Array>;
  /** One element per path: the facts as the core's ELF text, or the SysprobeError of that file. */
  readElfBatch(paths: PathArg[], symbols: ElfSymbolsWanted, crossCheck: boolean): Promise<Array<string | Uint8Array | Error>>;
}

/**
 * What the addon (native/binding/addon.cc) exports: NativeBinding with every answer as the core's JSON
 * text (wire.ts decodes it) and resolveDeps' request as JSON text (wire.ts resolveRequest).
 */
export interface AddonExports
  extends Omit<NativeBinding, TextFacts | keyof GoNativeBinding | 'resolveDepsSync' | 'resolveDeps'>,
    GoAddonExports {
  selfLibcSync(): string;
  selfLibc(): Promise<string>;
  rlimitsSync(pid: number, mode: 'auto' | 'syscall' | 'procfs'): string;
  rlimits(pid: number, mode: 'auto' | 'syscall' | 'procfs'): Promise<string>;
  setRlimitSync(pid: number, name: string, soft: RawLimitArg, hard: RawLimitArg | undefined): string;
  setRlimit(pid: number, name: string, soft: RawLimitArg, hard: RawLimitArg | undefined): Promise<string>;
  inotifySync(): string;
  inotify(): Promise<string>;
  processEnvSync(pid: number): string;
  processEnv(pid: number): Promise<string>;
  decodeReparseBuffer(bytes: Uint8Array): string;
  /** The probe without its bytes decoded ("null": not a reparse point). */
  probeReparsePointSync(path: PathArg): string;
  probeReparsePoint(path: PathArg): Promise<string>;
  resolveDepsSync(request: string): string;
  resolveDeps(request: string): Promise<string>;
}

type TextFacts =
  | 'selfLibcSync'
  | 'selfLibc'
  | 'rlimitsSync'
  | 'rlimits'
  | 'setRlimitSync'
  | 'setRlimit'
  | 'inotifySync'
  | 'inotify'
  | 'processEnvSync'
  | 'processEnv'
  | 'decodeReparseBuffer'
  | 'probeReparsePointSync'
  | 'probeReparsePoint';

export interface RawCacheEntry {
  key: string;
  value: string;
  flags: number;
  osVersion: number;
  /** Decimal string (64-bit). */
  hwcap: string;
  hwcapExtension: boolean;
  hwcapName: string | null;
  isaLevel: number;
}

export interface RawCache {
  format: 'old' | 'new' | 'compat';
  endian: 'little' | 'big';
  endianFlag: number;
  entries: RawCacheEntry[];
  oldEntries: RawCacheEntry[];
  generator: string | null;
  hwcapNames: string[];
  diagnostics: string[];
}

export interface RawResolveOptions {
  root?: PathArg;
  ldLibraryPath?: string;
  cwd?: PathArg;
  hwcaps?: string[];
  platform?: string;
  useCache?: boolean;
  /** Send each object's version needs and definitions (checkCompat). */
  versions?: boolean;
}

export interface RawResolveObject {
  name: string;
  path: string | null;
  /** null: the same as `path` (or `name`). */
  realPath: string | null;
  /** null: the same as `realPath`. */
  hostPath: string | null;
  foundVia: string;
  viaObject: number | null;
  hwcaps: string | null;
  loader: number;
  requiredBy: number[];
  deps: number[];
  candidates: Array<{ path: string; result: string }>;
  error: string | null;
  fatal: boolean;
  isInterpreter: boolean;
  alias: boolean;
  /** Only `soname` unless the versions were asked for. */
  elf: null | {
    class: number;
    machineId: number;
    soname: string | null;
    needed: string[];
    rpath: string;
    runpath: string;
    flags1: number | null;
    versionNeeds: Array<{ file: string; versions: Array<{ name: string; hash: number; weak: boolean }> }>;
    versionDefs: Array<{ name: string; hash: number; base: boolean }>;
  };
}

export interface RawResolve {
  interpreter: string | null;
  interpreterHostPath: string | null;
  loaderVersion: string | null;
  systemDirs: string[];
  hwcaps: string[];
  legacyHwcaps: string[];
  libc: 'glibc' | 'musl';
  platform: string;
  lib: string;
  cachePath: string;
  cacheHostPath: string | null;
  cacheUsed: boolean;
  cacheError: string | null;
  fatalError: string | null;
  order: number[];
  objects: RawResolveObject[];
}

export interface CompatNativeBinding {
  readLdSoCacheSync(path: PathArg): string;
  readLdSoCache(path: PathArg): Promise<string>;
  resolveDepsSync(program: PathArg, options: RawResolveOptions): string;
  resolveDeps(program: PathArg, options: RawResolveOptions): Promise<string>;
  /**
   * One file inside `root`, opened race-free as resolveDeps opens them: `what` 'elf' (flags 1 symbols, 2
   * crossCheck: readElf's JSON), 'ldcache' (readLdSoCache's JSON), 'size' (JSON { path, size }) or 'bytes'
   * (at most `length` bytes at `offset`, as a Uint8Array).
   */
  readInRootSync(root: PathArg, path: string, what: RawRootReadKind, flags: number, offset: number, length: number): string | Uint8Array;
  readInRoot(
    root: PathArg,
    path: string,
    what: RawRootReadKind,
    flags: number,
    offset: number,
    length: number,
  ): Promise<string | Uint8Array>;
}

export type RawRootReadKind = 'elf' | 'ldcache' | 'size' | 'bytes';

/** probeGlibc({ root }) and probeGlibc({ pid })'s file reads, one call each (native/core/libc_root.h). */
export interface LibcFilesNativeBinding {
  /** The root's C library as the core's JSON text (RawLibcRoot). `cwd`: for relative search paths. */
  probeLibcRootSync(root: PathArg, cwd: PathArg): string;
  probeLibcRoot(root: PathArg, cwd: PathArg): Promise<string>;
  /** One C library file's banner and version definitions as JSON text (RawLibcFile). */
  scanLibcFileSync(path: PathArg): string;
  scanLibcFile(path: PathArg): Promise<string>;
}

/** The version texts of a C library file (native/core/libc_banner.h). */
export interface RawLibcText {
  size: number;
  /** Above it nothing was scanned: ERR_SYSPROBE_TOO_LARGE. */
  limit: number;
  bytesRead: number;
  /** glibc's "GNU C Library (…) stable release version 2.36." (`text`: the whole match). */
  banner: { text: string; release: string | null; version: string } | null;
  /** musl's NUL-bounded version strings and whether its "musl libc (" usage text is there. */
  musl: { marker: boolean; candidates: string[]; version: string | null };
}

export interface RawLibcFile {
  text: RawLibcText;
  /** The names of its version definitions; null when it does not parse as ELF. */
  versionDefs: string[] | null;
}

export interface RawLibcRoot {
  /** The programs whose dependencies were looked at. */
  programs: string[];
  found:
    | null
    | (RawLibcFile & {
        family: 'glibc' | 'musl';
        /** needed: libc.so.6 as the loader resolves it for `program`; interpreter: its musl PT_INTERP; loader: `program` is an ld-musl that exists. */
        how: 'needed' | 'interpreter' | 'loader';
        program: string;
        libcPath: string;
        loaderPath: string | null;
        /** Canonical, inside the root. */
        realPath: string;
        /** The ld.so.cache generator string, when the resolver read the root's cache (glibc). */
        generator: string | null;
        generatorVersion: string | null;
      });
}
