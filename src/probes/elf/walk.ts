// The directory walk of scanElf: regular files in sorted order (by bytes), symlinks never followed, names
// as bytes (a name that is not valid UTF-8 is opened as it is, not as its U+FFFD spelling).
import { opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { SysprobeError, fromFsError } from '../../errors.js';
import { pathText } from '../../util/paths.js';
import type { PathArg } from '../../util/paths.js';

/** `dir`/`name`: text while both are UTF-8, the bytes otherwise. */
export function joinName(dir: PathArg, name: Buffer): PathArg {
  const text = name.toString('utf8');
  if (typeof dir === 'string' && Buffer.from(text, 'utf8').equals(name)) return join(dir, text);
  const base = typeof dir === 'string' ? Buffer.from(dir, 'utf8') : dir;
  return Buffer.concat([base, base[base.length - 1] === 0x2f ? Buffer.alloc(0) : Buffer.from('/'), name]);
}

export interface Planned {
  path: PathArg;
  /** Found by walking a directory (non-ELF files are dropped unless includeNonElf). */
  walked: boolean;
  /** An error found while planning (an unreadable directory). */
  error?: SysprobeError;
}

/** Regular files under `dir`, sorted per directory; symlinks are never followed (neither to files nor to directories). */
export async function walk(dir: PathArg, into: Planned[]): Promise<void> {
  let handle;
  try {
    // Names as bytes: one that is not UTF-8 is opened as it is, not as its U+FFFD spelling.
    handle = await opendir(dir as string, { encoding: 'buffer' as BufferEncoding });
  } catch (error) {
    into.push({ path: dir, walked: true, error: fromFsError(error, pathText(dir)) });
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
    into.push({ path: dir, walked: true, error: fromFsError(error, pathText(dir)) });
  }
  entries.sort((a, b) => Buffer.compare(a.name, b.name));
  for (const entry of entries) {
    const path = joinName(dir, entry.name);
    if (entry.dir) await walk(path, into);
    else into.push({ path, walked: true });
  }
}
