// readGoBuildInfo: the build info a Go linker leaves in an executable (ELF, PE, Mach-O), as `go version -m`
// reads it. Found and parsed by the core (native/core/go_buildinfo.h), decoded by wire.ts; shaped here.
import { invalidArgument } from '../../errors.js';
import { binding } from '../../backends/loader.js';
import type { RawGoBuildInfo, RawGoModule } from '../../backends/binding-go.js';
import { deepFreeze } from '../../util/freeze.js';
import { pathArg, pathText, type PathArg } from '../../util/paths.js';

export interface GoModule {
  path: string;
  version: string;
  /** The go.sum hash; null when the line had none (the main module, a replacement by a directory). */
  sum: string | null;
  /** The module it was replaced by (a `=>` line), or null. */
  replace: GoModule | null;
}

export interface GoBuildSetting {
  key: string;
  /** Unquoted (strconv.Unquote) where the binary quotes it. */
  value: string;
}

export interface GoBuildInfo {
  /** The path read; null for bytes. */
  file: string | null;
  format: 'elf' | 'pe' | 'macho';
  /** Exactly as the binary says: `'go1.19.8'`, `'devel go1.23-abc… +0000'`. */
  goVersion: string;
  /** The main package's path (the `path` line), or null. */
  path: string | null;
  /** The main module (the `mod` line), or null. */
  main: GoModule | null;
  /** The `dep` lines, in order, each with its replacement. */
  deps: GoModule[];
  /** The `build` lines, in order. */
  settings: GoBuildSetting[];
  /** The blob's header: pointer size, byte order, and whether the strings are inline (Go ≥ 1.18). */
  ptrSize: 4 | 8;
  bigEndian: boolean;
  inlineStrings: boolean;
}

/** A path (a string or a file: URL), or the file's bytes (a Buffer, Uint8Array or ArrayBuffer), as readElf takes them. */
function target(name: string, pathOrBytes: unknown): { input: PathArg | Uint8Array; isPath: boolean } {
  if (typeof pathOrBytes === 'string' || pathOrBytes instanceof URL) return { input: pathArg(name, pathOrBytes), isPath: true };
  if (pathOrBytes instanceof Uint8Array) return { input: pathOrBytes, isPath: false };
  if (pathOrBytes instanceof ArrayBuffer) return { input: new Uint8Array(pathOrBytes), isPath: false };
  throw invalidArgument(`${name}(): expected a path or a Buffer/Uint8Array/ArrayBuffer`);
}

const shapeModule = (raw: RawGoModule): GoModule => ({
  path: raw.path,
  version: raw.version,
  sum: raw.sum,
  replace: raw.replace === null ? null : shapeModule(raw.replace),
});

function shape(raw: RawGoBuildInfo, file: string | null): GoBuildInfo {
  return deepFreeze({
    file,
    format: raw.format,
    goVersion: raw.goVersion,
    path: raw.path,
    main: raw.main === null ? null : shapeModule(raw.main),
    deps: raw.deps.map(shapeModule),
    settings: raw.settings.map(({ key, value }) => ({ key, value })),
    ptrSize: raw.ptrSize,
    bigEndian: raw.bigEndian,
    inlineStrings: raw.inlineStrings,
  });
}

export function readGoBuildInfoSync(pathOrBytes: string | URL | Uint8Array | ArrayBuffer): GoBuildInfo {
  const { input, isPath } = target('readGoBuildInfoSync', pathOrBytes);
  return shape(binding().readGoBuildInfoSync(input, isPath), isPath ? pathText(input as PathArg) : null);
}

export async function readGoBuildInfo(pathOrBytes: string | URL | Uint8Array | ArrayBuffer): Promise<GoBuildInfo> {
  const { input, isPath } = target('readGoBuildInfo', pathOrBytes);
  return shape(await binding().readGoBuildInfo(input, isPath), isPath ? pathText(input as PathArg) : null);
}

/** The value of the `build` setting named `key` (the first, should a binary repeat one), or undefined. */
export function goBuildSetting(info: GoBuildInfo, key: string): string | undefined {
  return info.settings.find((setting) => setting.key === key)?.value;
}
