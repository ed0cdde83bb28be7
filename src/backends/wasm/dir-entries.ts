// A directory's entries for the WASI host's fd_readdir (src/backends/wasm/host.ts), with names as bytes.
import { lstatSync, readdirSync } from 'node:fs';

export interface DirEntry {
  /** The name's exact bytes. */
  name: Buffer;
  isDirectory(): boolean;
  isFile(): boolean;
  isSymbolicLink(): boolean;
}

function joinBytes(dir: string | Buffer, name: Buffer): Buffer {
  const base = typeof dir === 'string' ? Buffer.from(dir, 'utf8') : dir;
  return Buffer.concat([base, base[base.length - 1] === 0x2f ? Buffer.alloc(0) : Buffer.from('/'), name]);
}

/**
 * The entries of `dir`. Where the kernel gives no type (DT_UNKNOWN: /proc does for a process that is
 * exiting while it is listed), readdirSync({ withFileTypes }) lstat()s the entry, and one that vanished
 * meanwhile fails the whole listing with ENOENT — a probeInotify under process churn threw "ENOENT opendir
 * /proc". Then the names are listed alone and typed one by one, and a vanished entry is skipped, as a
 * readdir(3) loop that never looked at it would have done.
 */
export function listDirectory(dir: string | Buffer): DirEntry[] {
  try {
    return readdirSync(dir, { withFileTypes: true, encoding: 'buffer' }) as unknown as DirEntry[];
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT' || (error as { syscall?: string }).syscall !== 'lstat') throw error;
  }
  const entries: DirEntry[] = [];
  for (const name of readdirSync(dir, { encoding: 'buffer' })) {
    const stats = lstatSync(joinBytes(dir, name), { throwIfNoEntry: false });
    if (stats === undefined) continue;
    entries.push({
      name,
      isDirectory: () => stats.isDirectory(),
      isFile: () => stats.isFile(),
      isSymbolicLink: () => stats.isSymbolicLink(),
    });
  }
  return entries;
}
