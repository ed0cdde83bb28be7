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

export interface RawElfSymbol {
  name: string;
  value: bigint;
  size: number;
  type: number;
  typeName: string | null;
  binding: number;
  bindingName: string | null;
  visibility: 'default' | 'internal' | 'hidden' | 'protected';
  shndx: number;
  versionIndex: number | null;
  hidden: boolean;
  version: string | null;
  versionFile: string | null;
  versionWeak: boolean;
}

export interface RawElf {
  class: number;
  bigEndian: boolean;
  osabi: number;
  osabiName: string | null;
  abiVersion: number;
  type: number;
  typeName: string | null;
  machine: number;
  machineName: string | null;
  eflags: number;
  entry: bigint;
  pie: boolean;
  interpreter: string | null;
  soname: string | null;
  needed: string[];
  rpath: string[];
  runpath: string[];
  hasDynamic: boolean;
  flags: number | null;
  flags1: number | null;
  flagNames: string[];
  versionNeeds: Array<{ file: string; version: number; versions: Array<{ name: string; hash: number; flags: number; index: number }> }>;
  versionDefs: Array<{ name: string; index: number; flags: number; hash: number; version: number; parents: string[] }>;
  symbols: RawElfSymbol[] | null;
  dynamicSource: string;
  diagnostics: string[];
}

export interface NativeBinding {
  version: string;
  napiVersion: number;
  init(errorClass: Function): void;
  selfLibcSync(): RawSelfLibc;
  selfLibc(): Promise<RawSelfLibc>;
  readElfSync(target: string | Uint8Array, symbols: boolean, crossCheck: boolean): RawElf;
  readElf(target: string | Uint8Array, symbols: boolean, crossCheck: boolean): Promise<RawElf>;
  /** One element per path: the facts, or the SysprobeError of that file. */
  readElfBatch(paths: string[], symbols: boolean, crossCheck: boolean): Promise<Array<RawElf | Error>>;
}
