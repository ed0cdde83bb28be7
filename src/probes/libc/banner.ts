// The version text a C library file carries (glibc's banner, musl's version string), found by reading
// the file in bounded windows: never the whole file in memory, whatever size it claims.
import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { SysprobeError, fromFsError } from '../../errors.js';

/** The glibc banner: "GNU C Library (Debian GLIBC 2.36-9) stable release version 2.36." (older: "…version 2.17, by …"). */
export const BANNER = /GNU C Library ([^\n\0]*?) ?(?:\b(stable|development|pre-release))? release version (\d+\.\d+(?:\.\d+)?)[.,]/;

/** The largest C library file read (glibc's libc.so.6 is ~2 MiB, musl's ~1 MiB); beyond it ERR_SYSPROBE_TOO_LARGE. */
export const LIBC_MAX_BYTES = 64 * 1024 * 1024;
const WINDOW = 64 * 1024;
/** Windows overlap by more than the longest text looked for, so none is cut at a window's edge. */
const OVERLAP = 512;

const MUSL_MARKER = 'musl libc (';
const MUSL_VERSION = /\0(\d+\.\d+\.\d+(?:[_+~-][0-9A-Za-z.]+)?)\0/g;

export interface MuslVersion { version: string | null; candidates: string[]; marker: boolean }
export interface LibcText { banner: RegExpExecArray | null; musl: MuslVersion; bytesRead: number }

class Scanner {
  banner: RegExpExecArray | null = null;
  marker = false;
  readonly candidates = new Set<string>();
  feed(window: Buffer): void {
    const text = window.toString('latin1');
    this.banner ??= BANNER.exec(text);
    this.marker ||= text.includes(MUSL_MARKER);
    for (const m of text.matchAll(MUSL_VERSION)) this.candidates.add(m[1]!);
  }
  result(bytesRead: number): LibcText {
    const candidates = [...this.candidates];
    return { banner: this.banner, musl: { version: this.marker && candidates.length === 1 ? candidates[0]! : null, candidates, marker: this.marker }, bytesRead };
  }
}

/** The version string musl keeps in its file: the only NUL-bounded "X.Y.Z" string beside the loader's "musl libc (" usage text. */
export function muslVersionFromBytes(bytes: Uint8Array): MuslVersion {
  const scanner = new Scanner();
  scanner.feed(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return scanner.result(bytes.byteLength).musl;
}

function checkSize(size: number, path: string): void {
  if (size > LIBC_MAX_BYTES) {
    throw new SysprobeError({ code: 'ERR_SYSPROBE_TOO_LARGE', message: `${path}: ${size} bytes, more than a C library can be (limit ${LIBC_MAX_BYTES})`, path, details: { size, limit: LIBC_MAX_BYTES } });
  }
}


/** Reads up to `length` bytes at `position` (fewer only at the end of the file). */
export type WindowReader = (position: number, length: number) => Uint8Array;

/**
 * The scan as steps: yields the window it wants next ([position, length]) and takes its bytes; windows
 * overlap by OVERLAP bytes so that a text across two windows is seen whole. One loop for both drivers.
 */
function* scanSteps(size: number, path: string): Generator<[number, number], LibcText, Uint8Array> {
  checkSize(size, path);
  const scanner = new Scanner();
  let position = 0;
  while (position < size) {
    const window = yield [position, Math.min(WINDOW, size - position)];
    const n = window.byteLength;
    if (n === 0) break;
    scanner.feed(Buffer.from(window.buffer, window.byteOffset, n));
    if (position + n >= size) { position += n; break; }
    position += n > OVERLAP ? n - OVERLAP : n;
  }
  return scanner.result(Math.min(position, size));
}

/** Scans a file of `size` bytes window by window, each window from `read` (an fd, or a file inside a root). */
export function scanLibcTextWith(read: WindowReader, size: number, path: string): LibcText {
  const steps = scanSteps(size, path);
  try {
    let step = steps.next();
    while (!step.done) step = steps.next(read(...step.value));
    return step.value;
  } catch (error) {
    throw fromFsError(error, path, 'read');
  }
}

/** As {@link scanLibcTextWith}, each window read asynchronously. */
export async function scanLibcTextWithAsync(read: (position: number, length: number) => Promise<Uint8Array>, size: number, path: string): Promise<LibcText> {
  const steps = scanSteps(size, path);
  try {
    let step = steps.next();
    while (!step.done) step = steps.next(await read(...step.value));
    return step.value;
  } catch (error) {
    throw fromFsError(error, path, 'read');
  }
}

/** Scans an open file (its size from fstat) window by window. */
export function scanLibcTextSync(fd: number, size: number, path: string): LibcText {
  const buffer = Buffer.alloc(WINDOW);
  return scanLibcTextWith((position, length) => buffer.subarray(0, readSync(fd, buffer, 0, length, position)), size, path);
}

/** As {@link scanLibcTextSync}, each window read on the libuv pool. */
export async function scanLibcText(handle: FileHandle, size: number, path: string): Promise<LibcText> {
  const buffer = Buffer.alloc(WINDOW);
  return scanLibcTextWithAsync(async (position, length) => buffer.subarray(0, (await handle.read(buffer, 0, length, position)).bytesRead), size, path);
}
