// Where the CLI writes (stdout and stderr, EPIPE-quiet), its exit codes and its JSON.
import { SysprobeError } from '../errors.js';

/**
 * Bumped whenever a field of the --json output changes meaning or disappears. 2: `report` has one
 * `findings` list (was a boolean beside `limitFindings`); `limits` and `report` compare with the user's
 * shell (`shell`, `shellProcess`; was `parent`).
 */
export const SCHEMA_VERSION = 2;

export const EXIT_OK = 0;
export const EXIT_FINDING = 1;
export const EXIT_USAGE = 2;

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

/**
 * stdout and stderr. A reader that closes the pipe early (`sysprobe elf … | head`) makes the write fail
 * with EPIPE (Node ignores SIGPIPE): the rest of the output is dropped quietly and the command still
 * ends with its own exit status; any other write error is reported once and exits 2.
 */
function streamIo(): Io {
  const closed = { out: false, err: false };
  const watch = (stream: NodeJS.WriteStream, which: 'out' | 'err'): void => {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (closed[which]) return;
      closed[which] = true;
      if (error.code === 'EPIPE') return;
      process.exitCode = EXIT_USAGE;
      if (which === 'out' && !closed.err) process.stderr.write(`sysprobe: cannot write the output: ${error.code ?? ''} ${error.message}\n`);
    });
  };
  watch(process.stdout, 'out');
  watch(process.stderr, 'err');
  return {
    out: (text) => {
      if (!closed.out) process.stdout.write(text);
    },
    err: (text) => {
      if (!closed.err) process.stderr.write(text);
    },
  };
}

let stdio: Io | undefined;
export const defaultIo: Io = {
  out: (text) => (stdio ??= streamIo()).out(text),
  err: (text) => (stdio ??= streamIo()).err(text),
};

export function toolInfo() {
  return {
    name: 'sysprobe',
    version: (require('../../package.json') as { version: string }).version,
  };
}

export function hostInfo() {
  return { platform: process.platform, arch: process.arch, node: process.version };
}

export function json(value: unknown): string {
  // bigints as decimal strings, raw bytes (reparse buffers) as hex, errors as their facts.
  const replacer = (_key: string, inner: unknown): unknown => {
    if (typeof inner === 'bigint') return inner.toString();
    if (inner instanceof Uint8Array) return Buffer.from(inner.buffer, inner.byteOffset, inner.byteLength).toString('hex');
    if (inner instanceof SysprobeError) return inner.toJSON();
    return inner;
  };
  return `${JSON.stringify(value, replacer, 2)}\n`;
}
