// The Go build info part of the backend contract (binding.ts): the core's answer (native/core/go_buildinfo_json.h)
// as wire.ts decodes it, and the calls that give it. A target is a path (a string, or with `isPath` a Buffer of a
// path's bytes) or the file's bytes.
import type { PathArg } from '../util/paths.js';

export interface RawGoModule {
  path: string;
  version: string;
  /** null: the line had no sum column. */
  sum: string | null;
  replace: RawGoModule | null;
}

export interface RawGoBuildInfo {
  format: 'elf' | 'pe' | 'macho';
  goVersion: string;
  path: string | null;
  main: RawGoModule | null;
  deps: RawGoModule[];
  settings: Array<{ key: string; value: string }>;
  ptrSize: 4 | 8;
  bigEndian: boolean;
  inlineStrings: boolean;
}

export interface GoNativeBinding {
  readGoBuildInfoSync(target: PathArg | Uint8Array, isPath: boolean): RawGoBuildInfo;
  readGoBuildInfo(target: PathArg | Uint8Array, isPath: boolean): Promise<RawGoBuildInfo>;
}

/** What the addon exports for it: the core's JSON text. */
export interface GoAddonExports {
  readGoBuildInfoSync(target: PathArg | Uint8Array, isPath: boolean): string;
  readGoBuildInfo(target: PathArg | Uint8Array, isPath: boolean): Promise<string>;
}
