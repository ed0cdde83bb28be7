import { constants } from 'node:os';
import { getSystemErrorMap } from 'node:util';

/**
 * The C library's errno as Node numbers it (libuv's code: -errno on POSIX, its own numbering on
 * Windows, where the C runtime's ENOENT is 2 but libuv's is -4058), with its name and wording.
 */
function fromCErrno(errnum: number): { errno: number; name: string; text: string } | undefined {
  const map = getSystemErrorMap();
  if (process.platform !== 'win32') {
    const known = map.get(-errnum);
    return known === undefined ? undefined : { errno: -errnum, name: known[0], text: known[1] };
  }
  const name = Object.entries(constants.errno).find(([, value]) => value === errnum)?.[0];
  for (const [code, [entryName, text]] of map) {
    if (entryName === name) return { errno: code, name: entryName, text };
  }
  return undefined;
}

/** The facts a failure keeps. Native code hands these over as one object. */
export interface SysprobeErrorInit {
  /** `'ENOENT'`, `'ERR_SYSPROBE_NOT_ELF'`, …; derived from `errno` when only that is given. */
  code?: string;
  /** The OS error number as the C library reports it (positive); stored as Node numbers it (negative). */
  errno?: number;
  /** Win32 error code, on Windows. */
  winerror?: number;
  /** The call that failed (`'open'`, `'prlimit'`, `'dlopen'`, …). */
  syscall?: string;
  path?: string;
  /** For malformed input: the byte offset where parsing failed. */
  offset?: number;
  /** Worded description; errno failures are worded from the errno when this is absent. */
  message?: string;
  /** Further structured facts (attempted paths, offsets, …). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The one error type sysprobe throws or rejects with, from every layer. Shaped like Node's system
 * errors: `code`, `errno` (negative, as in `fs` errors), `syscall`, `path`; `winerror` on Windows.
 */
export class SysprobeError extends Error {
  override name = 'SysprobeError';
  readonly code: string;
  readonly errno?: number;
  readonly winerror?: number;
  readonly syscall?: string;
  readonly path?: string;
  /** For malformed input: the byte offset where parsing failed. */
  readonly offset?: number;
  readonly details?: Record<string, unknown>;

  constructor(init: SysprobeErrorInit) {
    const facts = typeof init === 'object' && init !== null ? init : {};
    const cErrno = typeof facts.errno === 'number' && facts.errno !== 0 ? Math.abs(facts.errno) : undefined;
    const known = cErrno === undefined ? undefined : fromCErrno(cErrno);
    const osErrno = cErrno === undefined ? undefined : (known?.errno ?? -cErrno);
    const code = facts.code ?? known?.name ?? (osErrno === undefined ? 'ERR_SYSPROBE' : `Unknown system error ${osErrno}`);
    super(SysprobeError.describe(code, known?.text, facts), facts.cause === undefined ? undefined : { cause: facts.cause });
    this.code = code;
    if (osErrno !== undefined) this.errno = osErrno;
    if (facts.winerror !== undefined) this.winerror = facts.winerror;
    if (facts.syscall !== undefined) this.syscall = facts.syscall;
    if (facts.path !== undefined) this.path = facts.path;
    if (facts.offset !== undefined) this.offset = facts.offset;
    if (facts.details !== undefined) this.details = facts.details;
  }

  private static describe(code: string, osText: string | undefined, facts: SysprobeErrorInit): string {
    if (facts.message !== undefined && osText === undefined) return facts.message;
    // Node's wording for system errors: "ENOENT: no such file or directory, open '/x'".
    let text = `${code}: ${facts.message ?? osText ?? 'unknown error'}`;
    if (facts.syscall !== undefined) text += `, ${facts.syscall}`;
    if (facts.path !== undefined) text += ` '${facts.path}'`;
    if (typeof facts.details?.root === 'string') text += ` inside the root '${facts.details.root}'`;
    return text;
  }

  /** The facts without the stack, for `--json` output. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
    for (const key of ['errno', 'winerror', 'syscall', 'path', 'offset', 'details'] as const) {
      if (this[key] !== undefined) out[key] = this[key];
    }
    return out;
  }
}

/**
 * A Node fs error (or anything thrown) as a SysprobeError with its facts: errno, the syscall (Node's, else
 * `syscall`), `path`; a SysprobeError passes through.
 */
export function fromFsError(error: unknown, path: string, syscall?: string): SysprobeError {
  if (error instanceof SysprobeError) return error;
  const e = error as NodeJS.ErrnoException | undefined;
  const call = e?.syscall ?? syscall;
  return new SysprobeError({
    ...(typeof e?.errno === 'number'
      ? { errno: Math.abs(e.errno), ...(typeof e.code === 'string' ? { code: e.code } : {}) }
      : { code: e?.code ?? 'ERR_SYSPROBE', message: String(e?.message ?? e) }),
    ...(call !== undefined ? { syscall: call } : {}),
    path,
    cause: error,
  });
}

/**
 * An errno failure of a lookup inside `root` worded as such ("… openat '/bin/x' inside the root '/srv/r'");
 * the root itself failing (syscall open, path the root) and every other error are returned as they are.
 */
export function inRootError(error: unknown, root: string | undefined): unknown {
  if (!(error instanceof SysprobeError) || root === undefined || root === '' || root === '/') return error;
  if (error.errno === undefined || error.path === undefined || error.details?.root !== undefined) return error;
  if (error.syscall === 'open' && error.path === root) return error;
  return new SysprobeError({
    errno: error.errno,
    ...(error.syscall !== undefined ? { syscall: error.syscall } : {}),
    path: error.path,
    details: { ...error.details, root },
  });
}

export function invalidArgument(message: string): SysprobeError {
  return new SysprobeError({ code: 'ERR_SYSPROBE_INVALID_ARG', message });
}
