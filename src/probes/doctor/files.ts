// The few plain file facts the doctor reads itself (a listing, a stat, a link, an ELF file in a root), bounded so
// that a hostile or huge folder cannot stall it.
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { readdir, readlink, stat } from 'node:fs/promises';
import { fromFsError } from '../../errors.js';
import { binding } from '../../backends/loader.js';
import { shapeElf } from '../elf/shape.js';
import type { ElfInfo } from '../elf/types.js';

/** Entries looked at in one folder: more than any real extensions or servers folder holds. */
export const MAX_LISTED = 1024;

export interface PathStat {
  path: string;
  kind: 'file' | 'directory' | 'other';
  mode: number;
  size: number;
}

function shapeStat(path: string, stats: import('node:fs').Stats): PathStat {
  return { path, kind: stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other', mode: stats.mode, size: stats.size };
}

export function statPathSync(path: string): PathStat {
  try {
    return shapeStat(path, statSync(path));
  } catch (error) {
    throw fromFsError(error, path);
  }
}

export async function statPath(path: string): Promise<PathStat> {
  try {
    return shapeStat(path, await stat(path));
  } catch (error) {
    throw fromFsError(error, path);
  }
}

export function listDirSync(path: string): string[] {
  try {
    return readdirSync(path).sort().slice(0, MAX_LISTED);
  } catch (error) {
    throw fromFsError(error, path);
  }
}

export async function listDir(path: string): Promise<string[]> {
  try {
    return (await readdir(path)).sort().slice(0, MAX_LISTED);
  } catch (error) {
    throw fromFsError(error, path);
  }
}

/** Where a symbolic link points (a process's `/proc/PID/cwd`), unresolved further. */
export function readLinkSync(path: string): string {
  try {
    return readlinkSync(path);
  } catch (error) {
    throw fromFsError(error, path);
  }
}

export async function readLink(path: string): Promise<string> {
  try {
    return await readlink(path);
  } catch (error) {
    throw fromFsError(error, path);
  }
}

/** readElf of a file inside `root`, opened race-free by the root walk (no symlink leaves the root). */
export function readElfInRootSync(root: string, path: string): ElfInfo {
  return shapeElf(binding().readInRootSync(root, path, 'elf', 0, 0, 0) as string, path);
}

export async function readElfInRoot(root: string, path: string): Promise<ElfInfo> {
  return shapeElf((await binding().readInRoot(root, path, 'elf', 0, 0, 0)) as string, path);
}
