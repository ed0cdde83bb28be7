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

export interface NativeBinding {
  version: string;
  napiVersion: number;
  init(errorClass: Function): void;
  selfLibcSync(): RawSelfLibc;
  selfLibc(): Promise<RawSelfLibc>;
}
