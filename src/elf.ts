import { opendir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { SysprobeError, invalidArgument } from './errors.js';
import { binding } from './loader.js';
import type { RawElf } from './native.js';
import { maxVersionsOf } from './versions.js';
import { pathArg, pathText } from './paths.js';
import type { PathArg, PathInput } from './paths.js';

/** One version a file needs from a library (a Vernaux entry). */
export interface ElfVersionNeed {
  /** `'GLIBC_2.34'`. */
  name: string;
  /** The ELF hash of the name (`vna_hash`). */
  hash: number;
  /** `VER_FLG_WEAK`: the loader only warns when the version is missing. */
  weak: boolean;
  /** `vna_flags` as stored. */
  flags: number;
  /** `vna_other`: the index `.gnu.version` entries use for this version. */
  index: number;
}

/** The versions needed from one library (a Verneed entry). */
export interface ElfVersionNeedFile {
  /** The library file name (`vn_file`), as in DT_NEEDED: `'libc.so.6'`. */
  file: string;
  /** `vn_version` (1). */
  version: number;
  versions: ElfVersionNeed[];
}

/** A version the file defines (a Verdef entry); the base entry (flag BASE) names the file itself. */
export interface ElfVersionDef {
  index: number;
  name: string;
  hash: number;
  /** `vd_flags` as stored (`VER_FLG_BASE` 1, `VER_FLG_WEAK` 2). */
  flags: number;
  base: boolean;
  weak: boolean;
  /** Further Verdaux names: the versions this one inherits from. */
  parents: string[];
}

/** One dynamic symbol with its version. */
export interface ElfSymbol {
  /** Index in `.dynsym` (0, the null symbol, is left out). */
  index: number;
  name: string;
  /** The version name from `.gnu.version` (Verneed for references, Verdef for definitions), or `null`. */
  version: string | null;
  /** `.gnu.version` entry without the hidden bit: 0 local, 1 global (unversioned), ≥ 2 a version; `null` without `.gnu.version`. */
  versionIndex: number | null;
  /** The hidden bit (0x8000): a non-default version of a definition (`name@VER`, not `name@@VER`). */
  hidden: boolean;
  /** For undefined symbols: the library the version is needed from (`vn_file`). */
  file: string | null;
  /** The needed version is weak (`VER_FLG_WEAK`). */
  weakVersion: boolean;
  defined: boolean;
  /** `'global' | 'weak' | 'local' | 'gnu_unique'`, or `'stb_N'`. */
  binding: string;
  /** `'func' | 'object' | 'tls' | 'gnu_ifunc' | 'notype' | …`, or `'stt_N'`. */
  type: string;
  visibility: 'default' | 'internal' | 'hidden' | 'protected';
  size: number;
  value: bigint;
  /** Section index (`st_shndx`); 0 for undefined symbols. */
  shndx: number;
}

/** DT_FLAGS and DT_FLAGS_1. */
export interface ElfFlags {
  /** DT_FLAGS value, `null` when absent. */
  flags: number | null;
  /** DT_FLAGS_1 value, `null` when absent. */
  flags1: number | null;
  /** The set bits by name: `'DF_BIND_NOW'`, `'DF_1_NOW'`, `'DF_1_PIE'`, `'DF_1_NODEFLIB'`, … */
  names: string[];
}

/** What `readElf` reads from one ELF file. */
export interface ElfInfo {
  /** The file read, or `null` for bytes. */
  path: string | null;
  class: 32 | 64;
  endian: 'little' | 'big';
  /** `'x86_64' | 'i386' | 'aarch64' | 'arm' | 's390x' | 'ppc64le' | 'riscv64' | …`, or `'em_N'` for others. */
  machine: string;
  /** `e_machine`. */
  machineId: number;
  /** `'sysv' | 'gnu' | 'freebsd' | …`, or `'osabi_N'`. */
  osabi: string;
  osabiId: number;
  abiVersion: number;
  /** `e_flags`: processor-specific (ARM float ABI, MIPS ABI, RISC-V float ABI, …). */
  eflags: number;
  /** `'exec' | 'dyn' | 'rel' | 'core' | 'none'`, or `'et_N'`. */
  type: string;
  typeId: number;
  /** ET_DYN with DF_1_PIE: a position-independent executable. */
  pie: boolean;
  /** PT_INTERP: the program interpreter (dynamic loader). */
  interpreter: string | null;
  soname: string | null;
  /** DT_NEEDED, in order. */
  needed: string[];
  /** DT_RPATH as stored (`$ORIGIN` not expanded; several tags joined with `:`), or `null`. */
  rpath: string | null;
  /** DT_RUNPATH as stored, or `null`. */
  runpath: string | null;
  flags: ElfFlags;
  versionNeeds: ElfVersionNeedFile[];
  versionDefs: ElfVersionDef[];
  /** The newest needed version per prefix, compared numerically: `{ GLIBC: '2.34', GLIBCXX: '3.4.30' }`. */
  maxVersions: Record<string, string>;
  /** Dynamic symbols with versions; present when `symbols: true` was asked. */
  symbols?: ElfSymbol[];
  /** Where the dynamic facts came from: the program headers (normal), the section headers (fallback), or none (no dynamic table). */
  dynamicSource: 'program-headers' | 'section-headers' | 'none';
  /** Disagreements between program and section headers, unreadable section headers. Empty for a sound file. */
  diagnostics: string[];
}

export interface ReadElfOptions {
  /** Read every dynamic symbol with its version (`symbols` in the result). Default false. */
  symbols?: boolean;
  /** Read the section headers to cross-check the program headers (they remain the fallback). Default true. */
  crossCheck?: boolean;
}

/** One file of a scan: its facts, or the typed error that stopped it. */
export type ElfScanEntry =
  | { path: string; ok: true; info: ElfInfo }
  | { path: string; ok: false; error: SysprobeError };

export interface ElfScanProgress {
  /** Files finished so far, and the total. */
  done: number;
  total: number;
  /** The file just finished. */
  path: string;
}

export interface ScanElfOptions extends ReadElfOptions {
  /** Files read at the same time on the libuv thread pool. Default: min(4, available parallelism). */
  concurrency?: number;
  /** Called after each file. */
  onProgress?: (progress: ElfScanProgress) => void;
  /** Keep entries for files of walked directories that are not ELF (default false: only ELF files and broken ELF files). Paths given explicitly always get an entry. */
  includeNonElf?: boolean;
}

type Bytes = Uint8Array;

function checkOptions(name: string, options: unknown, extra: readonly string[] = []): { symbols: boolean; crossCheck: boolean } {
  if (options === undefined) return { symbols: false, crossCheck: true };
  if (typeof options !== 'object' || options === null) throw invalidArgument(`${name}(): options must be an object`);
  const record = options as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== 'symbols' && key !== 'crossCheck' && !extra.includes(key)) throw invalidArgument(`${name}(): unknown option '${key}'`);
  }
  for (const key of ['symbols', 'crossCheck', 'includeNonElf']) {
    if (record[key] !== undefined && typeof record[key] !== 'boolean') throw invalidArgument(`${name}(): ${key} must be a boolean`);
  }
  return { symbols: record['symbols'] === true, crossCheck: record['crossCheck'] !== false };
}

/** A path (a string or a file: URL; a Buffer is the file's bytes here, scanElf takes Buffer paths). */
function target(name: string, pathOrBytes: unknown): string | Bytes {
  if (typeof pathOrBytes === 'string' || pathOrBytes instanceof URL) return pathArg(name, pathOrBytes) as string;
  if (pathOrBytes instanceof Uint8Array) return pathOrBytes;
  if (pathOrBytes instanceof ArrayBuffer) return new Uint8Array(pathOrBytes);
  throw invalidArgument(`${name}(): expected a path or a Buffer/Uint8Array/ArrayBuffer`);
}

/**
 * The addon's JSON text (an ElfInfo but for maxVersions) as an ElfInfo. `path` replaces the addon's copy
 * of it, which went through UTF-8 (a name that is not valid UTF-8 would not survive that).
 */
export function shapeElf(json: string, path: string | null): ElfInfo {
  const raw = JSON.parse(json) as RawElf;
  raw.path = path;
  if (raw.symbols !== undefined) for (const symbol of raw.symbols) symbol.value = BigInt(symbol.value as unknown as string);
  const names: string[] = [];
  for (const need of raw.versionNeeds) for (const v of need.versions) names.push(v.name);
  raw.maxVersions = maxVersionsOf(names);
  return raw as ElfInfo;
}

/**
 * Reads the dynamic facts of one ELF file (a path, read by ranges with pread; or bytes, parsed in place):
 * class, byte order, machine, interpreter, needed libraries, search paths, flags, version needs and
 * definitions, the newest needed version per prefix, and with `symbols` every dynamic symbol's version.
 * Fails with a SysprobeError: `ERR_SYSPROBE_NOT_ELF`, `ERR_SYSPROBE_TRUNCATED`, `ERR_SYSPROBE_BAD_ELF`
 * (with `offset`), or the OS error of opening the file.
 */
export function readElfSync(pathOrBytes: string | URL | Uint8Array | ArrayBuffer, options?: ReadElfOptions): ElfInfo {
  const input = target('readElfSync', pathOrBytes);
  const { symbols, crossCheck } = checkOptions('readElfSync', options);
  return shapeElf(binding().readElfSync(input, symbols, crossCheck), typeof input === 'string' ? input : null);
}

/** As {@link readElfSync}; the file is read on the libuv thread pool. */
export async function readElf(pathOrBytes: string | URL | Uint8Array | ArrayBuffer, options?: ReadElfOptions): Promise<ElfInfo> {
  const input = target('readElf', pathOrBytes);
  const { symbols, crossCheck } = checkOptions('readElf', options);
  const raw = await binding().readElf(input, symbols, crossCheck);
  return shapeElf(raw, typeof input === 'string' ? input : null);
}

/** readElfSync of a path given as a string or its bytes (a Buffer here is a path, never the file's contents). */
export function readElfPathSync(path: PathArg, options?: ReadElfOptions): ElfInfo {
  const { symbols, crossCheck } = checkOptions('readElfSync', options);
  return shapeElf(binding().readElfSync(path, symbols, crossCheck, true), pathText(path));
}

export async function readElfPath(path: PathArg, options?: ReadElfOptions): Promise<ElfInfo> {
  const { symbols, crossCheck } = checkOptions('readElf', options);
  return shapeElf(await binding().readElf(path, symbols, crossCheck, true), pathText(path));
}

/** `dir`/`name`: text while both are UTF-8, the bytes otherwise. */
function joinName(dir: PathArg, name: Buffer): PathArg {
  const text = name.toString('utf8');
  if (typeof dir === 'string' && Buffer.from(text, 'utf8').equals(name)) return join(dir, text);
  const base = typeof dir === 'string' ? Buffer.from(dir, 'utf8') : dir;
  return Buffer.concat([base, base[base.length - 1] === 0x2f ? Buffer.alloc(0) : Buffer.from('/'), name]);
}

function fsError(error: unknown, path: string): SysprobeError {
  if (error instanceof SysprobeError) return error;
  const e = error as NodeJS.ErrnoException;
  return new SysprobeError({
    ...(typeof e.errno === 'number' ? { errno: Math.abs(e.errno) } : { code: e.code ?? 'ERR_SYSPROBE' }),
    ...(e.syscall !== undefined ? { syscall: e.syscall } : {}),
    path,
  });
}

interface Planned {
  path: PathArg;
  /** Found by walking a directory (non-ELF files are dropped unless includeNonElf). */
  walked: boolean;
  /** An error found while planning (an unreadable directory). */
  error?: SysprobeError;
}

/** Regular files under `dir`, sorted per directory; symlinks are never followed (neither to files nor to directories). */
async function walk(dir: PathArg, into: Planned[]): Promise<void> {
  let handle;
  try {
    // Names as bytes: one that is not UTF-8 is opened as it is, not as its U+FFFD spelling.
    handle = await opendir(dir as string, { encoding: 'buffer' as BufferEncoding });
  } catch (error) {
    into.push({ path: dir, walked: true, error: fsError(error, pathText(dir)) });
    return;
  }
  const entries: Array<{ name: Buffer; dir: boolean }> = [];
  try {
    for await (const entry of handle) {
      const name = entry.name as unknown as Buffer;
      if (entry.isDirectory()) entries.push({ name, dir: true });
      else if (entry.isFile()) entries.push({ name, dir: false });
    }
  } catch (error) {
    into.push({ path: dir, walked: true, error: fsError(error, pathText(dir)) });
  }
  entries.sort((a, b) => Buffer.compare(a.name, b.name));
  for (const entry of entries) {
    const path = joinName(dir, entry.name);
    if (entry.dir) await walk(path, into);
    else into.push({ path, walked: true });
  }
}

export async function scanElf(pathsOrDir: PathInput | readonly PathInput[], options?: ScanElfOptions): Promise<ElfScanEntry[]> {
  const given = Array.isArray(pathsOrDir) ? pathsOrDir as readonly PathInput[] : [pathsOrDir as PathInput];
  if (!Array.isArray(pathsOrDir) && typeof pathsOrDir !== 'string' && !(pathsOrDir instanceof Uint8Array) && !(pathsOrDir instanceof URL)) {
    throw invalidArgument('scanElf(): expected a path or an array of non-empty paths');
  }
  const list = given.map((p) => pathArg('scanElf', p));
  const { symbols, crossCheck } = checkOptions('scanElf', options, ['concurrency', 'onProgress', 'includeNonElf']);
  const concurrencyOption = options?.concurrency;
  if (concurrencyOption !== undefined && (!Number.isInteger(concurrencyOption) || concurrencyOption < 1 || concurrencyOption > 1024)) {
    throw invalidArgument('scanElf(): concurrency must be an integer from 1 to 1024');
  }
  const onProgress = options?.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') throw invalidArgument('scanElf(): onProgress must be a function');
  const includeNonElf = options?.includeNonElf === true;
  const concurrency = concurrencyOption ?? Math.min(4, availableParallelism());
  const native = binding();
  let done = 0;
  let total = list.length;

  // Files in `planned` on the thread pool, `concurrency` batches in flight; results in plan order.
  const scan = async (planned: Planned[]): Promise<ElfScanEntry[]> => {
    const results: ElfScanEntry[] = new Array(planned.length);
    const todo: number[] = [];
    planned.forEach((item, i) => {
      if (item.error === undefined) {
        todo.push(i);
        return;
      }
      results[i] = { path: pathText(item.path), ok: false, error: item.error };
      done += 1;
      onProgress?.({ done, total, path: pathText(item.path) });
    });
    const batchSize = Math.max(1, Math.min(64, Math.ceil(todo.length / (concurrency * 8))));
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < todo.length) {
        const indexes = todo.slice(next, next + batchSize);
        next += indexes.length;
        const raws = await native.readElfBatch(indexes.map((i) => planned[i]!.path), symbols, crossCheck);
        indexes.forEach((index, k) => {
          const path = pathText(planned[index]!.path);
          const raw = raws[k];
          if (raw instanceof Error) {
            results[index] = { path, ok: false, error: raw instanceof SysprobeError ? raw : fsError(raw, path) };
          } else {
            results[index] = { path, ok: true, info: shapeElf(raw as string, path) };
          }
          // A directory named in the list is reported when it is walked, not here.
          if (!isDirectoryEntry(results[index]!, planned[index]!)) {
            done += 1;
            onProgress?.({ done, total, path });
          }
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, todo.length)) }, lane));
    return results;
  };

  // Every path is read as a file first (no stat per path: opening a directory fails with EISDIR);
  // directories are then walked and their files take the directory's place, in order.
  const entries = await scan(list.map((path) => ({ path, walked: false })));
  const out: ElfScanEntry[] = [];
  for (const [i, entry] of entries.entries()) {
    if (!isDirectoryEntry(entry, { path: list[i]!, walked: false })) {
      out.push(entry);
      continue;
    }
    const walked: Planned[] = [];
    await walk(list[i]!, walked);
    total += walked.length - 1;
    const found = await scan(walked);
    found.forEach((inner, i) => {
      if (includeNonElf || inner.ok || !walked[i]!.walked) out.push(inner);
      else if (inner.error.code !== 'ERR_SYSPROBE_NOT_ELF' && inner.error.code !== 'ERR_SYSPROBE_NOT_REGULAR') out.push(inner);
    });
  }
  return out;
}

function isDirectoryEntry(entry: ElfScanEntry, planned: Planned): boolean {
  return !planned.walked && !entry.ok && entry.error.code === 'EISDIR';
}
