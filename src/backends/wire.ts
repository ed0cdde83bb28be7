// What crosses the native boundary, written and read once for both backends: every answer of the core
// is its JSON text (native/core/*_json.h, the same bytes from the addon and from the WebAssembly core),
// turned into the Raw objects of binding.ts here; resolveDeps' request is JSON text built here and read
// by native/core/resolve_request.h. JSON has no 64-bit integers and no bytes, so the core writes 64-bit
// values as decimal strings (BigInt here) and bytes as latin1 text, one U+0000..U+00FF character per byte
// (Buffer here). The ELF, ld.so.cache and resolve texts are decoded by their probes (src/probes/elf/shape.ts,
// src/probes/compat/deps.ts), which also shape them.
import type { SysprobeError } from '../errors.js';
import { pathBytes, type PathArg } from '../util/paths.js';
import type {
  RawInotify,
  RawProcessEnv,
  RawReparseData,
  RawReparseProbe,
  RawResolveOptions,
  RawRlimitEntry,
  RawRlimitSet,
  RawSelfLibc,
} from './binding.js';
import type { RawGoBuildInfo } from './binding-go.js';

/** The pid that means "this process", from the probe to the core and back in RawRlimitSet.pid. */
export const THIS_PROCESS = -1;

/** A path's bytes as latin1 text (native/core/json_read.h Latin1Bytes reads them back). */
const pathLatin1 = (path: PathArg): string => pathBytes(path).toString('latin1');

/** resolveDeps' request (native/core/resolve_request.h): an absent key is unset. */
export function resolveRequest(program: PathArg, options: RawResolveOptions): string {
  const request: Record<string, string | string[] | boolean> = { program: pathLatin1(program) };
  if (options.root !== undefined) request.root = pathLatin1(options.root);
  if (options.cwd !== undefined) request.cwd = pathLatin1(options.cwd);
  if (options.ldLibraryPath !== undefined) request.ldLibraryPath = pathLatin1(options.ldLibraryPath);
  if (options.platform !== undefined) request.platform = options.platform;
  if (options.hwcaps !== undefined) request.hwcaps = options.hwcaps;
  if (options.useCache !== undefined) request.useCache = options.useCache;
  if (options.versions !== undefined) request.versions = options.versions;
  return JSON.stringify(request);
}

type Limit = RawRlimitEntry['soft'];
const exactLimit = (value: Limit | string): Limit =>
  value === null || value === 'unlimited' || typeof value === 'bigint' ? value : BigInt(value);

function exactEntry(entry: RawRlimitEntry): RawRlimitEntry {
  entry.soft = exactLimit(entry.soft);
  entry.hard = exactLimit(entry.hard);
  return entry;
}

/** native/core/limits_json.h RlimitEntryToJson. */
export function decodeRlimitEntry(json: string): RawRlimitEntry {
  return exactEntry(JSON.parse(json) as RawRlimitEntry);
}

/** native/core/limits_json.h RlimitSetToJson. */
export function decodeRlimitSet(json: string): RawRlimitSet {
  const set = JSON.parse(json) as RawRlimitSet;
  for (const entry of set.entries) exactEntry(entry);
  return set;
}

/** native/core/inotify_json.h. */
export function decodeInotify(json: string): RawInotify {
  return JSON.parse(json) as RawInotify;
}

/** native/core/procenv_json.h. */
export function decodeProcessEnv(json: string): RawProcessEnv {
  const env = JSON.parse(json) as { pid: number; source: string; entries: Array<string | Buffer> };
  env.entries = env.entries.map((entry) => Buffer.from(entry as string, 'latin1'));
  return env as RawProcessEnv;
}

/** native/core/reparse_json.h ReparseToJson. */
export function decodeReparseData(json: string): RawReparseData {
  const data = JSON.parse(json) as RawReparseData & { nfs: { type: string | bigint } | null };
  if (data.nfs !== null) data.nfs.type = BigInt(data.nfs.type);
  return data as RawReparseData;
}

/**
 * native/core/reparse_json.h ReparseProbeToJson ("null": not a reparse point), its bytes decoded by
 * `decode` (the backend's decodeReparseBuffer) as withDecodedReparse does.
 */
export function decodeReparseProbe(json: string, decode: (bytes: Buffer) => RawReparseData): RawReparseProbe | null {
  const probe = JSON.parse(json) as (Omit<RawReparseProbe, 'raw'> & { raw: string | Buffer }) | null;
  if (probe === null) return null;
  probe.raw = Buffer.from(probe.raw as string, 'latin1');
  probe.decoded = null;
  probe.decodeError = null;
  return withDecodedReparse(probe as RawReparseProbe, decode);
}

/** The probe with its bytes decoded; malformed bytes on disk are its decodeError, not a failure of the probe. */
export function withDecodedReparse(probe: RawReparseProbe, decode: (bytes: Buffer) => RawReparseData): RawReparseProbe {
  try {
    probe.decoded = decode(probe.raw);
  } catch (error) {
    if ((error as SysprobeError).code === 'ERR_SYSPROBE_NEEDS_ADDON') throw error;
    probe.decodeError = error as Error;
  }
  return probe;
}

/** native/core/libc_self_json.h. */
export function decodeSelfLibc(json: string): RawSelfLibc {
  const facts = JSON.parse(json) as Omit<RawSelfLibc, 'atBase'> & { atBase: string | bigint };
  facts.atBase = BigInt(facts.atBase);
  return facts as RawSelfLibc;
}

/** native/core/go_buildinfo_json.h. */
export function decodeGoBuildInfo(json: string): RawGoBuildInfo {
  return JSON.parse(json) as RawGoBuildInfo;
}
