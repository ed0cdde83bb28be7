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

export interface NativeBinding {
  version: string;
  napiVersion: number;
  init(errorClass: Function): void;
  selfLibcSync(): RawSelfLibc;
  selfLibc(): Promise<RawSelfLibc>;
  /** The facts as JSON text (a RawElf, symbol values as decimal strings). */
  readElfSync(target: string | Uint8Array, symbols: boolean, crossCheck: boolean): string;
  readElf(target: string | Uint8Array, symbols: boolean, crossCheck: boolean): Promise<string>;
  /** One element per path: the facts as JSON text, or the SysprobeError of that file. */
  readElfBatch(paths: string[], symbols: boolean, crossCheck: boolean): Promise<Array<string | Error>>;
}
