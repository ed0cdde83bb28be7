// The directory walk of scanElf: regular files in sorted order, symlinks never followed, names as bytes.
import { opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { SysprobeError } from './errors.js';

export function fsError(error: unknown, path: string): SysprobeError {
  if (error instanceof SysprobeError) return error;
  const e = error as NodeJS.ErrnoException;
  return new SysprobeError({
    ...(typeof e.errno === 'number' ? { errno: Math.abs(e.errno) } : { code: e.code ?? 'ERR_SYSPROBE' }),
    ...(e.syscall !== undefined ? { syscall: e.syscall } : {}),
    path,
  });
}

export interface Planned {
  path: string;
  /** The exact bytes of a path that is not valid UTF-8 (`path` is then its lossy decoding). */
  bytes?: Buffer;
  /** Found by walking a directory (non-ELF files are dropped unless includeNonElf). */
  walked: boolean;
  /** An error found while planning (an unreadable directory). */
  error?: SysprobeError;
}

/**
 * Regular files under `dir`, sorted per directory (by bytes); symlinks are never followed (neither to
 * files nor to directories). Names are read as bytes, so that one that is not valid UTF-8 is opened as
 * it is (`bytes`) instead of as its lossy decoding (which names another file, or none).
 */
export async function walk(dir: string, dirBytes: Buffer | undefined, into: Planned[]): Promise<void> {
  let handle;
  try {
    handle = await opendir(dirBytes ?? dir, { encoding: 'buffer' } as unknown as Parameters<typeof opendir>[1]);
  } catch (error) {
    into.push({ path: dir, ...(dirBytes ? { bytes: dirBytes } : {}), walked: true, error: fsError(error, dir) });
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
    into.push({ path: dir, ...(dirBytes ? { bytes: dirBytes } : {}), walked: true, error: fsError(error, dir) });
  }
  entries.sort((a, b) => Buffer.compare(a.name, b.name));
  for (const entry of entries) {
    const text = entry.name.toString('utf8');
    const path = join(dir, text);
    const exact = dirBytes === undefined && Buffer.from(text, 'utf8').equals(entry.name);
    const bytes = exact ? undefined : Buffer.concat([dirBytes ?? Buffer.from(dir, 'utf8'), Buffer.from('/'), entry.name]);
    if (entry.dir) await walk(path, bytes, into);
    else into.push({ path, ...(bytes ? { bytes } : {}), walked: true });
  }
}
