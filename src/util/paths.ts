// Path arguments as Node's fs takes them: a string (UTF-8-encoded for the kernel, as fs does), a Buffer or
// Uint8Array (its exact bytes: a name that is not UTF-8 reaches the kernel unchanged), or a file: URL.
// Both backends hand these bytes to the kernel as they are; no `..` or trailing slash is resolved as text.
// In results and error facts a path is text: a Buffer's bytes decoded as UTF-8 with U+FFFD for invalid
// sequences, as Node's own fs errors show them.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalidArgument } from '../errors.js';

/** What the public functions take where a path is meant. */
export type PathInput = string | Buffer | Uint8Array | URL;

/** The path as the backends take it: a string, or a Buffer of the exact bytes. */
export type PathArg = string | Buffer;

/** A validated path: non-empty, no NUL; a URL must be file:. `what` names it in the message. */
export function pathArg(fn: string, value: unknown, what = 'path'): PathArg {
  let path: PathArg;
  if (typeof value === 'string') path = value;
  else if (value instanceof Uint8Array) path = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  else if (value instanceof URL) {
    if (value.protocol !== 'file:') throw invalidArgument(`${fn}(): only file: URLs are paths`);
    path = fileURLToPath(value);
  } else {
    throw invalidArgument(`${fn}(): ${what} must be a string, a Buffer or a file: URL`);
  }
  if (path.length === 0) throw invalidArgument(`${fn}(): ${what} is empty`);
  if (typeof path === 'string' ? path.includes('\0') : path.includes(0)) throw invalidArgument(`${fn}(): ${what} contains a NUL byte`);
  // A copy: the caller may change its Buffer while an async call is under way.
  return typeof path === 'string' ? path : Buffer.from(path);
}

/** The bytes the kernel gets. */
export function pathBytes(path: PathArg | Uint8Array): Buffer {
  if (typeof path === 'string') return Buffer.from(path, 'utf8');
  // A Buffer that crossed to a worker thread arrives as a plain Uint8Array.
  return Buffer.isBuffer(path) ? path : Buffer.from(path.buffer, path.byteOffset, path.byteLength);
}

/** The text form, for results and messages (U+FFFD where the bytes are not UTF-8). */
export function pathText(path: PathArg): string {
  return typeof path === 'string' ? path : path.toString('utf8');
}

export function isAbsolutePath(path: PathArg | Uint8Array): boolean {
  return typeof path === 'string' ? path.startsWith('/') : path[0] === 0x2f;
}

/**
 * A relative path made absolute against the working directory by joining bytes — `s/../x` keeps its `..`
 * for the kernel to walk (through the symlink `s`), unlike path.resolve(). Absolute paths are unchanged.
 */
export function absoluteBytes(path: PathArg | Uint8Array): Buffer {
  // Windows paths are text (drive letters, backslashes): resolved as Node's fs resolves them.
  if (process.platform === 'win32') return Buffer.from(resolve(pathBytes(path).toString('utf8')), 'utf8');
  const bytes = pathBytes(path);
  if (bytes[0] === 0x2f) return bytes;
  const cwd = process.cwd();
  return Buffer.concat([Buffer.from(cwd.endsWith('/') ? cwd : `${cwd}/`, 'utf8'), bytes]);
}
