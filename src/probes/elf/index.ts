import { availableParallelism } from 'node:os';
import { SysprobeError, fromFsError, invalidArgument } from '../../errors.js';
import { binding } from '../../backends/loader.js';
import { shapeElf, shapeElfAsync, shapeNow } from './shape.js';

export { shapeElf };
import { walk, type Planned } from './walk.js';
import type { ElfSymbolsWanted } from '../../backends/binding.js';
import { pathArg, pathText } from '../../util/paths.js';
import type { PathArg, PathInput } from '../../util/paths.js';
import type { ElfInfo, ElfScanEntry, ReadElfOptions, ScanElfOptions } from './types.js';
export type * from './types.js';

type Bytes = Uint8Array;

function checkOptions(name: string, options: unknown, extra: readonly string[] = []): { symbols: ElfSymbolsWanted; crossCheck: boolean } {
  if (options === undefined) return { symbols: false, crossCheck: true };
  if (typeof options !== 'object' || options === null) throw invalidArgument(`${name}(): options must be an object`);
  const record = options as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== 'symbols' && key !== 'crossCheck' && key !== 'demangle' && !extra.includes(key))
      throw invalidArgument(`${name}(): unknown option '${key}'`);
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
  const given = Array.isArray(pathsOrDir) ? (pathsOrDir as readonly PathInput[]) : [pathsOrDir as PathInput];
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
      results[i] = {
        path: pathText(item.path),
        ...(notUtf8(item.path) ? { pathBytes: item.path as Buffer } : {}),
        ok: false,
        error: item.error,
      };
      done += 1;
      onProgress?.({ done, total, path: pathText(item.path) });
    });
    const batchSize = Math.max(1, Math.min(64, Math.ceil(todo.length / (concurrency * 8))));
    let next = 0;
    const take = (): Promise<{ indexes: number[]; raws: Array<string | Uint8Array | Error> }> | null => {
      if (next >= todo.length) return null;
      const indexes = todo.slice(next, next + batchSize);
      next += indexes.length;
      return native
        .readElfBatch(
          indexes.map((i) => planned[i]!.path),
          symbols,
          crossCheck,
        )
        .then((raws) => ({ indexes, raws }));
    };
    const lane = async (): Promise<void> => {
      for (let pending = take(); pending !== null; ) {
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
          const entry: ElfScanEntry =
            raw instanceof Error || !info
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
