import { availableParallelism } from 'node:os';
import { SysprobeError, fromFsError, invalidArgument } from './errors.js';
import { binding } from './loader.js';
import { shapeElf, shapeElfAsync, shapeNow } from './elf-shape.js';

export { shapeElf };
import { walk, type Planned } from './elf-walk.js';
import type { ElfSymbolsWanted } from './native.js';
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
  /** The name as stored (mangled, for C++). */
  name: string;
  /** With `demangle: true`: the C++ name demangled as `c++filt` prints it, `null` for a name that is not a mangled C++ name (or longer than 4096 bytes). */
  demangled?: string | null;
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
  /** With `symbols`: add `demangled` (the C++ name as `c++filt` prints it, or null) to each symbol. Default false. */
  demangle?: boolean;
}

/** One file of a scan: its facts, or the typed error that stopped it. */
/**
 * One file of a scan. `path` is text; for a file found by walking a directory whose path is not valid
 * UTF-8, `path` shows each invalid byte as U+FFFD and `pathBytes` holds the path's exact bytes (a Buffer,
 * usable with node:fs); `pathBytes` is absent for every other path.
 */
export type ElfScanEntry =
  | { path: string; pathBytes?: Buffer; ok: true; info: ElfInfo }
  | { path: string; pathBytes?: Buffer; ok: false; error: SysprobeError };

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

function checkOptions(name: string, options: unknown, extra: readonly string[] = []): { symbols: ElfSymbolsWanted; crossCheck: boolean } {
  if (options === undefined) return { symbols: false, crossCheck: true };
  if (typeof options !== 'object' || options === null) throw invalidArgument(`${name}(): options must be an object`);
  const record = options as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== 'symbols' && key !== 'crossCheck' && key !== 'demangle' && !extra.includes(key)) throw invalidArgument(`${name}(): unknown option '${key}'`);
  }
  for (const key of ['symbols', 'crossCheck', 'demangle', 'includeNonElf']) {
    if (record[key] !== undefined && typeof record[key] !== 'boolean') throw invalidArgument(`${name}(): ${key} must be a boolean`);
  }
  if (record['demangle'] === true && record['symbols'] !== true) throw invalidArgument(`${name}(): demangle needs symbols: true`);
  const symbols = record['symbols'] === true ? (record['demangle'] === true ? 'demangled' : true) : false;
  return { symbols, crossCheck: record['crossCheck'] !== false };
}

/** A path (a string or a file: URL; a Buffer is the file's bytes here, scanElf takes Buffer paths). */
function target(name: string, pathOrBytes: unknown): string | Bytes {
  if (typeof pathOrBytes === 'string' || pathOrBytes instanceof URL) return pathArg(name, pathOrBytes) as string;
  if (pathOrBytes instanceof Uint8Array) return pathOrBytes;
  if (pathOrBytes instanceof ArrayBuffer) return new Uint8Array(pathOrBytes);
  throw invalidArgument(`${name}(): expected a path or a Buffer/Uint8Array/ArrayBuffer`);
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
  return shapeElfAsync(raw, typeof input === 'string' ? input : null);
}

/** readElfSync of a path given as a string or its bytes (a Buffer here is a path, never the file's contents). */
export function readElfPathSync(path: PathArg, options?: ReadElfOptions): ElfInfo {
  const { symbols, crossCheck } = checkOptions('readElfSync', options);
  return shapeElf(binding().readElfSync(path, symbols, crossCheck, true), pathText(path));
}

export async function readElfPath(path: PathArg, options?: ReadElfOptions): Promise<ElfInfo> {
  const { symbols, crossCheck } = checkOptions('readElf', options);
  return shapeElfAsync(await binding().readElf(path, symbols, crossCheck, true), pathText(path));
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
      results[i] = { path: pathText(item.path), ...(notUtf8(item.path) ? { pathBytes: item.path as Buffer } : {}), ok: false, error: item.error };
      done += 1;
      onProgress?.({ done, total, path: pathText(item.path) });
    });
    const batchSize = Math.max(1, Math.min(64, Math.ceil(todo.length / (concurrency * 8))));
    let next = 0;
    const take = (): Promise<{ indexes: number[]; raws: Array<string | Uint8Array | Error> }> | null => {
      if (next >= todo.length) return null;
      const indexes = todo.slice(next, next + batchSize);
      next += indexes.length;
      return native.readElfBatch(indexes.map((i) => planned[i]!.path), symbols, crossCheck).then((raws) => ({ indexes, raws }));
    };
    const lane = async (): Promise<void> => {
      for (let pending = take(); pending !== null;) {
        const { indexes, raws } = await pending;
        // The lane's next batch is read while this one is turned into objects (which may wait for
        // later turns of the event loop); shaped together, many small results fit one turn's budget.
        pending = take();
        const shaped: Array<ElfInfo | Promise<ElfInfo> | null> = new Array(raws.length);
        let waiting = false;
        for (let k = 0; k < raws.length; k += 1) {
          const raw = raws[k]!;
          if (raw instanceof Error) {
            shaped[k] = null;
            continue;
          }
          const path = pathText(planned[indexes[k]!]!.path);
          shaped[k] = shapeNow(raw, path) ?? shapeElfAsync(raw, path);
          if (shaped[k] instanceof Promise) waiting = true;
        }
        const infos = waiting ? await Promise.all(shaped) : (shaped as Array<ElfInfo | null>);
        for (let k = 0; k < indexes.length; k += 1) {
          const index = indexes[k]!;
          const item = planned[index]!;
          const path = pathText(item.path);
          const raw = raws[k]!;
          const info = infos[k];
          const entry: ElfScanEntry = raw instanceof Error || !info
            ? { path, ok: false, error: raw instanceof SysprobeError ? raw : fromFsError(raw, path) }
            : { path, ok: true, info };
          if (notUtf8(item.path)) entry.pathBytes = item.path as Buffer;
          results[index] = entry;
          // A directory named in the list is reported when it is walked, not here.
          if (!isDirectoryEntry(entry, item)) {
            done += 1;
            onProgress?.({ done, total, path });
          }
        }
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

/** A path's bytes that do not survive UTF-8 decoding (what `pathBytes` is for). */
function notUtf8(path: PathArg): boolean {
  return typeof path !== 'string' && !Buffer.from(path.toString('utf8'), 'utf8').equals(path);
}

function isDirectoryEntry(entry: ElfScanEntry, planned: Planned): boolean {
  return !planned.walked && !entry.ok && entry.error.code === 'EISDIR';
}
