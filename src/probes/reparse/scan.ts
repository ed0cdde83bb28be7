// The reparse points under a directory, walked breadth-first on the thread pool.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SysprobeError, fromFsError, invalidArgument } from '../../errors.js';
import { binding } from '../../backends/loader.js';
import { pathArg, pathText } from '../../util/paths.js';
import type { PathInput } from '../../util/paths.js';
import { fromProbe, reparseEntryIsDirectory, type ReparseInfo } from './point.js';

export interface ScanReparseOptions {
  /** Directory levels below the root to descend (0: the root's entries only). Default 32. */
  maxDepth?: number;
  /** Probes in flight at once. Default 8. */
  concurrency?: number;
  /** Called after each directory is read. */
  onProgress?: (progress: ScanProgress) => void;
  /** Stops the scan; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface ScanProgress {
  directories: number;
  entries: number;
  found: number;
  errors: number;
  current: string;
}

export interface ScanReparseResult {
  root: string;
  /** Every reparse point found (the entries themselves; they are never followed). */
  found: ReparseInfo[];
  /** Entries or directories that could not be read, each with its typed error; the scan goes on. */
  errors: Array<{ path: string; error: SysprobeError }>;
  directories: number;
  entries: number;
  /** Directories not descended into because of `maxDepth`. */
  depthLimited: string[];
}

/**
 * Finds the reparse points under a directory, on the thread pool. Reparse points and symbolic links
 * are never descended into; plain directories are, down to `maxDepth`. Errors on single entries are
 * collected, not thrown.
 */
export async function scanReparsePoints(dir: PathInput, options: ScanReparseOptions = {}): Promise<ScanReparseResult> {
  const given = pathArg('scanReparsePoints', dir);
  const root = pathText(given);
  // The walk joins names as text; a directory path that is not UTF-8 would name another directory.
  if (typeof given !== 'string' && !Buffer.from(root, 'utf8').equals(given)) {
    throw invalidArgument('scanReparsePoints(): the directory path is not valid UTF-8; the walk names entries as text');
  }
  if (typeof options !== 'object' || options === null) throw invalidArgument('scanReparsePoints(): options must be an object');
  for (const key of Object.keys(options)) {
    if (!['maxDepth', 'concurrency', 'onProgress', 'signal'].includes(key))
      throw invalidArgument(`scanReparsePoints(): unknown option '${key}'`);
  }
  const maxDepth = options.maxDepth ?? 32;
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(maxDepth) || maxDepth < 0) throw invalidArgument('scanReparsePoints(): maxDepth must be an integer >= 0');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)
    throw invalidArgument('scanReparsePoints(): concurrency must be an integer from 1 to 256');
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function')
    throw invalidArgument('scanReparsePoints(): onProgress must be a function');
  const signal = options.signal;
  const probe = binding(); // load failures surface before any work

  const rootStat = await lstat(root).catch((error: unknown) => {
    throw fromFsError(error, root);
  });
  if (!rootStat.isDirectory())
    throw new SysprobeError({ code: 'ENOTDIR', message: `ENOTDIR: not a directory, scandir '${root}'`, syscall: 'scandir', path: root });

  const result: ScanReparseResult = { root, found: [], errors: [], directories: 0, entries: 0, depthLimited: [] };
  const queue: Array<{ path: string; depth: number }> = [{ path: root, depth: 0 }];
  const isWindows = process.platform === 'win32';

  const probeEntry = async (path: string, dirent: { isDirectory(): boolean; isSymbolicLink(): boolean }, depth: number): Promise<void> => {
    result.entries += 1;
    let info: ReparseInfo | null = null;
    try {
      info = fromProbe(await probe.probeReparsePoint(path), path);
    } catch (error) {
      result.errors.push({ path, error: fromFsError(error, path) });
      return;
    }
    if (info !== null) result.found.push(info);
    // Descend into plain directories only; on Windows libuv reports every reparse point as a link,
    // so a non-surrogate reparse directory (a cloud folder) is descended too.
    const plainDirectory = dirent.isDirectory() && !dirent.isSymbolicLink() && info === null;
    const reparseDirectory = isWindows && info !== null && !info.isNameSurrogate && reparseEntryIsDirectory(info) === true;
    if (plainDirectory || reparseDirectory) {
      if (depth + 1 > maxDepth) result.depthLimited.push(path);
      else queue.push({ path, depth: depth + 1 });
    }
  };

  while (queue.length > 0) {
    signal?.throwIfAborted();
    const { path, depth } = queue.shift()!;
    let entries;
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch (error) {
      result.errors.push({ path, error: fromFsError(error, path) });
      continue;
    }
    result.directories += 1;
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (let i = 0; i < entries.length; i += concurrency) {
      signal?.throwIfAborted();
      await Promise.all(entries.slice(i, i + concurrency).map((entry) => probeEntry(join(path, entry.name), entry, depth)));
    }
    options.onProgress?.({
      directories: result.directories,
      entries: result.entries,
      found: result.found.length,
      errors: result.errors.length,
      current: path,
    });
  }
  result.found.sort((a, b) => (a.path! < b.path! ? -1 : a.path! > b.path! ? 1 : 0));
  return result;
}
