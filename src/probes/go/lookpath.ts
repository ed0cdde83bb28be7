// Which `go` (or any tool) a Go program's exec.Command would run, from a PATH value, by Go's os/exec rules
// (golang/go:src/os/exec/lp_unix.go and lp_windows.go, Go 1.19 and later), read with stat/access only:
//   Unix: PATH split on ':' ("" gives no entries); an empty entry means "."; each candidate is
//   filepath.Join(dir, name), stat'ed (symlinks followed): a directory is EISDIR, else it must pass
//   eaccess(X_OK). The first candidate that passes ends the search; if it is relative (an empty or relative
//   entry), LookPath returns it with ErrDot and exec.Command refuses to run it (unless GODEBUG=execerrdot=0).
//   Windows: the current directory first unless NoDefaultCurrentDirectoryInExePath is set (a hit there is
//   ErrDot unless the same file is found later on PATH); PATH split on ';' outside double quotes, quotes
//   removed, empty entries skipped; relative hits recorded as ErrDot and the search goes on; a candidate is
//   tried as named when it has an extension, then with each PATHEXT extension (default .com;.exe;.bat;.cmd).
import { posix, win32 } from 'node:path';
import { constants } from 'node:fs';
import { access, type FsFailure, realpath, runAsync, runSync, type StatAnswer, type Steps, stat } from '../../util/fs-steps.js';
import { invalidArgument } from '../../errors.js';

export interface PathEntryResult {
  /** The PATH entry as written (for the implicit Windows current directory: `'.'`). */
  dir: string;
  /**
   * `found` (an executable file), `missing` (ENOENT/ENOTDIR), `not-executable` (a file without execute
   * permission), `not-a-file` (a directory), `empty-entry` / `relative` (an entry Go treats specially: `code`
   * says what it gave), `error` (any other failure, `code` the errno name).
   */
  result: 'found' | 'missing' | 'not-executable' | 'not-a-file' | 'empty-entry' | 'relative' | 'error';
  /**
   * The errno name for failures; for `empty-entry`/`relative`: `'ERR_DOT'` (an executable there, which Go
   * refuses), `'NOT_CHECKED'` (no `cwd` given, so not looked into), `'SKIPPED'` (Windows skips empty entries),
   * or the errno of the candidate.
   */
  code?: string;
  /** The candidate path checked (with the extension that matched, on Windows). */
  file?: string;
  /** Windows only: the implicit current-directory lookup that precedes PATH. */
  implicit?: true;
}

export interface ToolLookup {
  name: string;
  /** What exec.Command would run: the first hit, absolute; `null` if none, or if Go refuses a relative hit (see `dotPath`). */
  path: string | null;
  /** realpath of `path`. */
  realPath: string | null;
  /** Every PATH entry in order (at most 4096), with what it gave. */
  searched: PathEntryResult[];
  /** A relative hit Go returns with ErrDot ("cannot run executable found relative to current directory"). */
  dotPath: string | null;
  /** PATH had more than 4096 entries; the rest were not looked at. */
  truncated: boolean;
  platform: NodeJS.Platform;
}

export interface LookPathOptions {
  /** Whose rules: `'win32'` for Windows', anything else for Unix'. Default: this process's platform. */
  platform?: NodeJS.Platform;
  /** Windows: the PATHEXT value (default `.com;.exe;.bat;.cmd`). */
  pathext?: string;
  /** The directory relative entries are resolved in (the process's cwd). Without it they are not looked into. */
  cwd?: string;
  /** Windows: NoDefaultCurrentDirectoryInExePath is set in the environment (the cwd is then not searched first). */
  noDefaultCurrentDirectory?: boolean;
  /** The GODEBUG value: `execerrdot=0` in it lets relative hits be used, as Go then does. */
  godebug?: string;
}

const MAX_ENTRIES = 4096;

/** Go's filepath.SplitList for Windows: ';' outside double quotes separates, quotes are removed. */
function splitWindowsList(value: string): string[] {
  if (value === '') return [];
  const list: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '"') quoted = !quoted;
    else if (value[i] === ';' && !quoted) {
      list.push(value.slice(start, i));
      start = i + 1;
    }
  }
  list.push(value.slice(start));
  return list.map((entry) => entry.replaceAll('"', ''));
}

/** Go's filepath.IsAbs on Windows: a drive letter and a separator, or a UNC `\\` prefix (`\x` alone is not absolute). */
const isWindowsAbs = (p: string): boolean => /^[A-Za-z]:[\\/]/.test(p) || /^[\\/]{2}[^\\/]/.test(p);
const hasWindowsExt = (file: string): boolean => {
  const dot = file.lastIndexOf('.');
  return dot >= 0 && Math.max(file.lastIndexOf(':'), file.lastIndexOf('\\'), file.lastIndexOf('/')) < dot;
};

function windowsExts(pathext: string | undefined): string[] {
  if (pathext === undefined || pathext === '') return ['.com', '.exe', '.bat', '.cmd'];
  return pathext
    .toLowerCase()
    .split(';')
    .filter((e) => e !== '')
    .map((e) => (e.startsWith('.') ? e : `.${e}`));
}

type Probe = { result: PathEntryResult['result']; code?: string; file: string };

const missingCodes = new Set(['ENOENT', 'ENOTDIR']);
const failed = (file: string, answer: FsFailure): Probe => ({
  result: missingCodes.has(answer.code) ? 'missing' : 'error',
  code: answer.code,
  file,
});

/** lp_unix.go findExecutable: stat (following links), a directory is EISDIR, then eaccess(X_OK). */
function* unixCandidate(file: string, resolveIn: string | undefined): Steps<Probe> {
  const onDisk = resolveIn === undefined || posix.isAbsolute(file) ? file : posix.join(resolveIn, file);
  const info: StatAnswer = yield* stat(onDisk);
  if (!info.ok) return failed(file, info);
  if (info.kind === 'dir') return { result: 'not-a-file', code: 'EISDIR', file };
  const x = yield* access(onDisk, constants.X_OK);
  if (x.ok) return { result: 'found', file };
  // Go falls back to the mode bits where eaccess is unavailable (ENOSYS) or refused by seccomp (EPERM).
  if ((x.code === 'ENOSYS' || x.code === 'EPERM') && (info.mode & 0o111) !== 0) return { result: 'found', file };
  return { result: 'not-executable', code: x.code === 'ENOSYS' || x.code === 'EPERM' ? 'EACCES' : x.code, file };
}

/** lp_windows.go findExecutable: the name as is when it has an extension, then each PATHEXT extension; a directory never matches. */
function* windowsCandidate(file: string, exts: string[], resolveIn: string | undefined): Steps<Probe> {
  const onDisk = (f: string) => (resolveIn === undefined || isWindowsAbs(f) ? f : win32.join(resolveIn, f));
  let last: Probe = { result: 'missing', code: 'ENOENT', file };
  const tries = hasWindowsExt(file) ? [file, ...exts.map((e) => file + e)] : exts.map((e) => file + e);
  for (const candidate of tries) {
    const info = yield* stat(onDisk(candidate));
    if (info.ok && info.kind !== 'dir') return { result: 'found', file: candidate };
    if (candidate === file || last.code === 'ENOENT')
      last = info.ok ? { result: 'not-a-file', code: 'EISDIR', file: candidate } : failed(candidate, info);
  }
  return last;
}

function* lookPathSteps(name: string, pathValue: string | undefined, options: LookPathOptions): Steps<ToolLookup> {
  if (typeof name !== 'string' || name === '' || name.includes('\0')) throw invalidArgument('lookPath(): name must be a non-empty string');
  const platform = options.platform ?? process.platform;
  const windows = platform === 'win32';
  const exts = windowsExts(options.pathext);
  const allowDot = /(^|,)\s*execerrdot=0\s*(,|$)/.test(options.godebug ?? '');
  const cwd = options.cwd;
  const out: ToolLookup = { name, path: null, realPath: null, searched: [], dotPath: null, truncated: false, platform };
  const candidate = (file: string) => (windows ? windowsCandidate(file, exts, cwd) : unixCandidate(file, cwd));
  const isAbs = windows ? isWindowsAbs : posix.isAbsolute;

  let chosen: string | null = null;
  let sameAsDot: StatAnswer | null = null;
  const finish = function* (): Steps<ToolLookup> {
    out.path = chosen;
    if (chosen !== null) {
      const real = yield* realpath(isAbs(chosen) || cwd === undefined ? chosen : (windows ? win32 : posix).join(cwd, chosen));
      out.realPath = real.ok ? real.path : null;
    }
    return out;
  };

  if (windows ? /[:\\/]/.test(name) : name.includes('/')) {
    const hit = yield* candidate(name);
    if (hit.result === 'found') chosen = hit.file;
    return yield* finish();
  }

  let decided = false;
  const take = function* (hit: Probe, relative: boolean): Steps<void> {
    if (decided || hit.result !== 'found') return;
    if (relative && !allowDot) {
      if (out.dotPath === null) {
        out.dotPath = hit.file;
        if (windows && cwd !== undefined) sameAsDot = yield* stat(win32.join(cwd, hit.file));
      }
      if (!windows) decided = true;
      return;
    }
    if (out.dotPath !== null && windows) {
      // go.dev/issue/53536: the ErrDot hit stands unless this explicit hit is the same file.
      const here = yield* stat(hit.file);
      const dot = sameAsDot as StatAnswer | null;
      if (!(here.ok && dot?.ok && here.dev === dot.dev && here.ino === dot.ino)) {
        decided = true;
        return;
      }
      out.dotPath = null;
    }
    chosen = hit.file;
    decided = true;
  };

  if (windows && !options.noDefaultCurrentDirectory && cwd !== undefined) {
    const hit = yield* candidate(win32.join('.', name));
    out.searched.push({ dir: '.', ...entryOf(hit, 'relative'), implicit: true });
    yield* take(hit, true);
  }

  const entries = pathValue === undefined || pathValue === '' ? [] : windows ? splitWindowsList(pathValue) : pathValue.split(':');
  if (entries.length > MAX_ENTRIES) out.truncated = true;
  for (const dir of entries.slice(0, MAX_ENTRIES)) {
    if (dir === '' && windows) {
      out.searched.push({ dir, result: 'empty-entry', code: 'SKIPPED' });
      continue;
    }
    const relative = dir === '' || !isAbs(dir);
    const file = windows ? win32.join(dir, name) : posix.join(dir === '' ? '.' : dir, name);
    if (relative && cwd === undefined) {
      out.searched.push({ dir, result: dir === '' ? 'empty-entry' : 'relative', code: 'NOT_CHECKED', file });
      continue;
    }
    const hit = yield* candidate(file);
    out.searched.push({ dir, ...entryOf(hit, relative ? (dir === '' ? 'empty-entry' : 'relative') : null) });
    yield* take(hit, relative);
  }
  return yield* finish();
}

/** A candidate's answer as a PATH entry result; relative entries keep their kind, the outcome in `code`. */
function entryOf(hit: Probe, kind: 'empty-entry' | 'relative' | null): Omit<PathEntryResult, 'dir'> {
  if (kind === null) return { result: hit.result, ...(hit.code !== undefined ? { code: hit.code } : {}), file: hit.file };
  return { result: kind, code: hit.result === 'found' ? 'ERR_DOT' : (hit.code ?? hit.result), file: hit.file };
}

/**
 * Where Go's exec.LookPath finds `name` on `pathValue` (a PATH value), without running anything: stat and
 * access only. Every entry is looked at (at most 4096) and reported in `searched`.
 * @throws {@link SysprobeError} `ERR_SYSPROBE_INVALID_ARG` for an empty name.
 * @example
 * const { path, realPath } = lookPathSync('go', '/usr/local/bin:/usr/bin');   // '/usr/bin/go', '/usr/lib/go-1.19/bin/go'
 */
export function lookPathSync(name: string, pathValue: string | undefined, options: LookPathOptions = {}): ToolLookup {
  return runSync(lookPathSteps(name, pathValue, options));
}

/** As {@link lookPathSync}, with the file work on the libuv thread pool. */
export function lookPath(name: string, pathValue: string | undefined, options: LookPathOptions = {}): Promise<ToolLookup> {
  return runAsync(lookPathSteps(name, pathValue, options));
}

export { lookPathSteps };
