// The raw interface of the addon (native/binding/addon.cc). Nothing outside src/ sees these shapes.

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

/** An ElfInfo without `maxVersions`: the addon builds the final shape (src/elf.ts). */
export type RawElf = Omit<import('./elf.js').ElfInfo, 'maxVersions'> & { maxVersions?: Record<string, string> };

export interface RawRlimitEntry {
  name: string;
  supported: boolean;
  resource: number | null;
  soft: bigint | 'unlimited' | null;
  hard: bigint | 'unlimited' | null;
  source: string | null;
}

export interface RawRlimitSet {
  pid: number | null;
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

export interface NativeBinding {
  version: string;
  napiVersion: number;
  init(errorClass: Function): void;
  selfLibcSync(): RawSelfLibc;
  selfLibc(): Promise<RawSelfLibc>;
  /** pid -1: this process. */
  rlimitsSync(pid: number, mode: 'auto' | 'syscall' | 'procfs'): RawRlimitSet;
  rlimits(pid: number, mode: 'auto' | 'syscall' | 'procfs'): Promise<RawRlimitSet>;
  setRlimitSync(pid: number, name: string, soft: RawLimitArg, hard: RawLimitArg | undefined): RawRlimitEntry;
  setRlimit(pid: number, name: string, soft: RawLimitArg, hard: RawLimitArg | undefined): Promise<RawRlimitEntry>;
  inotifySync(): RawInotify;
  inotify(): Promise<RawInotify>;
  processEnvSync(pid: number): RawProcessEnv;
  processEnv(pid: number): Promise<RawProcessEnv>;
  decodeReparseBuffer(bytes: Uint8Array): RawReparseData;
  probeReparsePointSync(path: string): RawReparseProbe | null;
  probeReparsePoint(path: string): Promise<RawReparseProbe | null>;
  /** The facts as JSON text (a RawElf, symbol values as decimal strings). */
  readElfSync(target: string | Uint8Array, symbols: boolean, crossCheck: boolean): string;
  readElf(target: string | Uint8Array, symbols: boolean, crossCheck: boolean): Promise<string>;
  /** One element per path: the facts as JSON text, or the SysprobeError of that file. */
  readElfBatch(paths: string[], symbols: boolean, crossCheck: boolean): Promise<Array<string | Error>>;
}
