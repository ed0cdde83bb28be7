// A failed dlopen or require, worded: its code and message, and what it means where that is known.
import type { LoadAttempt } from './load-types.js';

export function describeLoadError(error: unknown): NonNullable<LoadAttempt['error']> {
  const code = String((error as { code?: unknown })?.code ?? 'ERR_UNKNOWN');
  const message = String((error as { message?: unknown })?.message ?? error)
    .split('\nRequire stack:')[0]!
    .trim();
  const explanation = explainLoadError(code, message);
  return explanation === undefined ? { code, message } : { code, message, explanation };
}

export function explainLoadError(code: string, message: string): string | undefined {
  if (code === 'ERR_DLOPEN_DISABLED') return 'Node was started with --no-addons, so no native addon can load';
  const glibc = /version `GLIBC_([0-9.]+)' not found/.exec(message);
  if (glibc !== null) return `the addon needs glibc ${glibc[1]} or newer; this system's C library is older`;
  const cxx = /version `(GLIBCXX|CXXABI)_([0-9.]+)' not found/.exec(message);
  if (cxx !== null) return `the addon needs a newer libstdc++ (${cxx[1]}_${cxx[2]}) than this system has`;
  if (/Error relocating|symbol not found/.test(message)) {
    return 'the addon was built for another C library (a glibc build on musl, or the reverse)';
  }
  if (/wrong ELF class|invalid ELF header|file too short|Exec format error|ELF load command/.test(message)) {
    return 'the file is not an addon for this platform and architecture';
  }
  if (/No such file or directory|cannot open shared object file/.test(message)) return 'the file does not exist or cannot be opened';
  return undefined;
}
