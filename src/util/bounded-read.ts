// Reads of files whose size cannot be trusted: /proc and /sys files report st_size 0 (or 4096) whatever they
// hold, and a log file may be gigabytes. Each read stops at a byte cap, and a tail read takes only the end.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { SysprobeError } from '../errors.js';
import { open } from 'node:fs/promises';

const CHUNK = 16 * 1024;

/** At most `max` bytes from the start of `path` (read until EOF or the cap). Throws the fs error as it is. */
export function readBoundedSync(path: string | Buffer, max: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    while (total < max) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, max - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** As {@link readBoundedSync}, with the reads on the libuv thread pool. */
export async function readBounded(path: string | Buffer, max: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    while (total < max) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, max - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead));
      total += bytesRead;
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

/** A file read as text with a cap, or null when it cannot be read (absent, vanished, refused). */
export function readTextOrNullSync(path: string, max: number): string | null {
  try {
    return readBoundedSync(path, max).toString('utf8');
  } catch {
    return null;
  }
}

/** As {@link readTextOrNullSync}, on the thread pool. */
export async function readTextOrNull(path: string, max: number): Promise<string | null> {
  try {
    return (await readBounded(path, max)).toString('utf8');
  } catch {
    return null;
  }
}

export interface FileTail {
  /** The last bytes of the file (all of it when it is no larger than the cap). */
  bytes: Buffer;
  /** The file's size when it was read. */
  size: number;
  /** Whether bytes before the tail were left unread. */
  truncated: boolean;
}

// O_NONBLOCK: opening a FIFO must not wait for a writer; it is then refused as not a regular file.
const TAIL_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function notRegular(path: string): SysprobeError {
  return new SysprobeError({ code: 'ERR_SYSPROBE_NOT_REGULAR', path, message: `not a regular file: ${path}` });
}

/** The last `max` bytes of a regular file (its size from fstat); throws the fs error as it is, ERR_SYSPROBE_NOT_REGULAR. */
export function readTailSync(path: string, max: number): FileTail {
  const fd = openSync(path, TAIL_FLAGS);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw notRegular(path);
    const size = stats.size;
    const start = Math.max(0, size - max);
    const bytes = Buffer.allocUnsafe(Math.min(size, max));
    let got = 0;
    while (got < bytes.length) {
      const n = readSync(fd, bytes, got, bytes.length - got, start + got);
      if (n === 0) break;
      got += n;
    }
    return { bytes: bytes.subarray(0, got), size, truncated: start > 0 };
  } finally {
    closeSync(fd);
  }
}

/** As {@link readTailSync}, on the thread pool. */
export async function readTail(path: string, max: number): Promise<FileTail> {
  const handle = await open(path, TAIL_FLAGS);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw notRegular(path);
    const size = stats.size;
    const start = Math.max(0, size - max);
    const bytes = Buffer.allocUnsafe(Math.min(size, max));
    let got = 0;
    while (got < bytes.length) {
      const { bytesRead } = await handle.read(bytes, got, bytes.length - got, start + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return { bytes: bytes.subarray(0, got), size, truncated: start > 0 };
  } finally {
    await handle.close();
  }
}
