// The lines a crashed language server, its editor or the loader leave in a log, each tied to the doctor check
// that names the cause. The texts are the programs' own (Go runtime, glibc's ld.so, bash, gopls, vscode-go);
// test/fixtures/crash-logs/ holds real captures of each.
import { fromFsError, invalidArgument } from '../../errors.js';
import { readTail, readTailSync } from '../../util/bounded-read.js';

import type { DoctorCheckId } from './check-ids.js';

export type { DoctorCheckId };

export interface CrashSignature {
  /** Which signature matched (`'go-page-summary'`, `'glibc-version'`, …: {@link CRASH_SIGNATURES}). */
  id: string;
  /** The doctor check that explains it. */
  check: DoctorCheckId;
  /** The matched line (without its line break; cut at {@link MAX_LINE_CHARS}). */
  line: string;
  /** 1-based, counted in the text examined (see `readCrashLog`'s `truncated`). */
  lineNumber: number;
  /** Named parts of the line (`bytes`, `version`, `path`, …); empty when the signature has none. */
  captures: Record<string, string>;
}

export interface SignatureSpec {
  id: string;
  check: DoctorCheckId;
  /**
   * Alternatives tried in order; named groups become `captures`. Each starts with a literal and bounds every
   * repetition, so a hostile 64 KiB line costs linear time.
   */
  patterns: RegExp[];
  /**
   * A capture from the text before the match: back to the last `from` (required: else no match), or by default to
   * the previous `': '` or the line's start (the loader's `FILE: ` prefix). Linear, where a regex would backtrack.
   */
  before?: { name: string; from?: string };
}

/** Tried in order; a line yields at most one signature, the first that matches (an id may have several entries). */
export const CRASH_SIGNATURES: readonly SignatureSpec[] = [
  // Go runtime: RLIMIT_AS below what the page allocator reserves at start (runtime/mpagealloc_64bit.go).
  { id: 'go-page-summary', check: 'mem-as', patterns: [/failed to reserve page summary memory/] },
  // Go runtime: RLIMIT_DATA too small for the heap arena index (before go-out-of-memory: same prefix).
  { id: 'go-heap-arena-map', check: 'mem-data', patterns: [/out of memory allocating heap arena map/] },
  {
    id: 'go-out-of-memory',
    check: 'mem-as',
    patterns: [
      /runtime: out of memory: cannot allocate (?<bytes>\d+)-byte block(?: \((?<inUse>\d+) in use\))?/,
      /^\s*fatal error: out of memory\s*$/,
      /^\s*fatal error: runtime: out of memory\s*$/,
    ],
  },
  {
    id: 'go-thread-create',
    check: 'mem-as',
    patterns: [
      /runtime: failed to create new OS thread \(have (?<threads>\d+) already; errno=(?<errno>\d+)\)/,
      /runtime\/cgo: pthread_create failed: (?<reason>Resource temporarily unavailable|Cannot allocate memory)/,
    ],
  },
  {
    id: 'go-cannot-allocate',
    check: 'mem-as',
    patterns: [/runtime: cannot allocate memory/],
  },
  {
    id: 'go-cannot-allocate',
    check: 'mem-as',
    patterns: [/: cannot allocate memory/],
    before: { name: 'path', from: 'fork/exec ' },
  },
  // gopls built with a Go older than the module's go line (golang/go#66553).
  {
    id: 'go-invalid-version',
    check: 'go-bin-version',
    patterns: [
      /invalid Go version "(?<version>[^"]{0,256})"(?: \(should be something like "(?<expected>[^"]{0,256})"\))?/,
      // gopls 0.5.0 (go1.19) on a go.mod of a newer Go, captured here: "errors loading workspace: /w/go.mod:3:
      // invalid go version '1.22.1': must match format 1.23" (the go command of that Go says the same).
      /invalid go version '(?<version>[^']{0,256})': must match format (?<expected>[\d.]{1,16})/,
    ],
  },
  // glibc's loader: "PROG: LIB: version `GLIBC_2.38' not found (required by FILE)".
  {
    id: 'glibc-version',
    check: 'libc-compat',
    patterns: [
      /: version `(?<version>(?<family>[A-Za-z][A-Za-z0-9]{0,31}?)_[^']{1,64})' not found \(required by (?<requiredBy>[^)]{1,4096})\)/,
    ],
    before: { name: 'library' },
  },
  { id: 'verneed-version-0', check: 'libc-compat', patterns: [/unsupported version (?<version>\d+) of (?<record>Verneed|Verdef) record/] },
  // bash ≥ 5.1 when execve gives ENOENT for a file that exists: its ELF interpreter (PT_INTERP) is missing,
  // e.g. a glibc binary on musl.
  { id: 'interpreter-missing', check: 'libc-compat', patterns: [/: cannot execute: required file not found/], before: { name: 'path' } },
  {
    id: 'fork-exec-enoent',
    check: 'go-env-path',
    patterns: [/: no such file or directory/],
    before: { name: 'path', from: 'fork/exec ' },
  },
  {
    id: 'go-command-not-found',
    check: 'go-env-path',
    patterns: [
      /go command required, not found/,
      /Failed to find the "go" binary in either GOROOT\((?<goroot>[^)]{0,1024})\) or PATH\((?<path>[^)]{0,32768})\)/,
      /unable to locate "go" binary in GOROOT \((?<goroot>[^)]{0,1024})\) or PATH \((?<path>[^)]{0,32768})\)/,
      /exec: "go": executable file not found in (?:\$PATH|%PATH%)/,
    ],
  },
  // Go's exec.ExitError for SIGKILL: the usual end of a process the OOM killer chose (or `kill -9`).
  { id: 'signal-killed', check: 'mem-cgroup', patterns: [/\bsignal: killed\b/] },
];

/** The text examined: its last 4 MiB. */
export const MAX_TEXT_BYTES = 4 * 1024 * 1024;
/** Characters of one line matched (the rest of a longer line is ignored). */
export const MAX_LINE_CHARS = 64 * 1024;
export const DEFAULT_MAX_MATCHES = 64;
const MAX_MATCHES_CAP = 4096;

export interface MatchCrashSignaturesOptions {
  /** Signatures returned at most, first lines first (default 64, at most 4096). */
  maxMatches?: number;
}

function maxMatchesOf(options: MatchCrashSignaturesOptions | undefined): number {
  const max = options?.maxMatches ?? DEFAULT_MAX_MATCHES;
  if (!Number.isSafeInteger(max) || max < 0 || max > MAX_MATCHES_CAP)
    throw invalidArgument(`matchCrashSignatures(): maxMatches must be an integer from 0 to ${MAX_MATCHES_CAP}`);
  return max;
}

function matchLine(line: string, lineNumber: number): CrashSignature | null {
  for (const spec of CRASH_SIGNATURES) {
    for (const pattern of spec.patterns) {
      const match = pattern.exec(line);
      if (match === null) continue;
      const captures: Record<string, string> = {};
      if (spec.before !== undefined) {
        const head = line.slice(0, match.index);
        const { name, from } = spec.before;
        const at = head.lastIndexOf(from ?? ': ');
        if (from !== undefined && at < 0) continue;
        captures[name] = at < 0 ? head : head.slice(at + (from ?? ': ').length);
      }
      for (const [name, value] of Object.entries(match.groups ?? {})) if (value !== undefined) captures[name] = value;
      return { id: spec.id, check: spec.check, line, lineNumber, captures };
    }
  }
  return null;
}

/**
 * The known crash lines in `text` (a log, a process's stderr), in order: each with the doctor check that
 * explains it and what it names (a size, a version, a path). Pure and bounded: the last 4 MiB are examined,
 * lines are cut at 64 KiB, at most `maxMatches` are returned.
 */
export function matchCrashSignatures(text: string, options?: MatchCrashSignaturesOptions): CrashSignature[] {
  if (typeof text !== 'string') throw invalidArgument('matchCrashSignatures(): text must be a string');
  const max = maxMatchesOf(options);
  // Characters, not bytes: a UTF-16 length bound is as good a cap and needs no encoding.
  // A text cut at the front starts at its first full line.
  const cut = text.length > MAX_TEXT_BYTES ? text.slice(text.length - MAX_TEXT_BYTES) : null;
  const examined = cut === null ? text : cut.slice(cut.indexOf('\n') + 1);
  const found: CrashSignature[] = [];
  let start = 0;
  for (let lineNumber = 1; start <= examined.length && found.length < max; lineNumber++) {
    let end = examined.indexOf('\n', start);
    if (end < 0) end = examined.length;
    let line = examined.slice(start, Math.min(end, start + MAX_LINE_CHARS));
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const signature = line === '' ? null : matchLine(line, lineNumber);
    if (signature !== null) found.push(signature);
    start = end + 1;
  }
  return found;
}

export interface CrashLog {
  path: string;
  /** The file's size. */
  bytes: number;
  /** Only the last 4 MiB were read. */
  truncated: boolean;
  signatures: CrashSignature[];
}

/** A tail read from mid-line starts at the next full line. */
function textOf(bytes: Buffer, truncated: boolean): string {
  const from = truncated ? bytes.indexOf(0x0a) + 1 : 0;
  return bytes.subarray(from).toString('utf8');
}

/**
 * {@link matchCrashSignatures} over the last 4 MiB of the file at `path` (line numbers count from the first
 * full line read). Throws the fs error (ENOENT, EACCES, EISDIR) as a SysprobeError.
 */
export function readCrashLogSync(path: string, options?: MatchCrashSignaturesOptions): CrashLog {
  const { bytes, size, truncated } = tail(path, () => readTailSync(path, MAX_TEXT_BYTES));
  return { path, bytes: size, truncated, signatures: matchCrashSignatures(textOf(bytes, truncated), options) };
}

/** As {@link readCrashLogSync}, read on the libuv thread pool. */
export async function readCrashLog(path: string, options?: MatchCrashSignaturesOptions): Promise<CrashLog> {
  checkPath(path);
  let read: Awaited<ReturnType<typeof readTail>>;
  try {
    read = await readTail(path, MAX_TEXT_BYTES);
  } catch (error) {
    throw fromFs(error, path);
  }
  return {
    path,
    bytes: read.size,
    truncated: read.truncated,
    signatures: matchCrashSignatures(textOf(read.bytes, read.truncated), options),
  };
}

function checkPath(path: unknown): void {
  if (typeof path !== 'string' || path === '' || path.includes('\0'))
    throw invalidArgument('readCrashLog(): path must be a non-empty string');
}

function tail<T>(path: string, read: () => T): T {
  checkPath(path);
  try {
    return read();
  } catch (error) {
    throw fromFs(error, path);
  }
}

const fromFs = (error: unknown, path: string) => fromFsError(error, path, 'open');
