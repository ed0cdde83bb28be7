// The process tree above this process, from /proc: who the parent is, and which ancestor is the user's
// shell. Under `npm start`, `npx` or a `sh -c` the direct parent is a wrapper (npm raises its own nofile
// limit and adds ~70 npm_* variables), so "compared with your shell" means the nearest shell ancestor.
import { readlinkSync } from 'node:fs';
import { SysprobeError } from '../../errors.js';
import { readBoundedSync } from '../../util/bounded-read.js';

export interface ProcessNode {
  pid: number;
  ppid: number;
  /** The kernel's name of the process (/proc/PID/stat, at most 15 bytes; npm sets it to "npm exec …"). */
  comm: string;
  /** The executable (/proc/PID/exe, without the kernel's " (deleted)" suffix), or null when it cannot be read (another user's process, a kernel thread). */
  exe: string | null;
  /** The executable was deleted (or replaced, as by a package upgrade) after the process started. */
  exeDeleted: boolean;
  /** The arguments (/proc/PID/cmdline); empty when unreadable. */
  argv: string[];
}

/** Interactive shells by executable name. */
export const SHELLS: ReadonlySet<string> = new Set([
  'sh',
  'bash',
  'zsh',
  'fish',
  'dash',
  'ash',
  'ksh',
  'ksh93',
  'mksh',
  'pdksh',
  'oksh',
  'yash',
  'csh',
  'tcsh',
  'pwsh',
  'nu',
  'elvish',
  'xonsh',
  'ion',
  'rc',
  'es',
]);
/** Launchers that run a program on the user's behalf and change its environment or limits on the way. */
export const WRAPPERS: ReadonlySet<string> = new Set([
  'node',
  'nodejs',
  'npm',
  'npx',
  'pnpm',
  'pnpx',
  'yarn',
  'corepack',
  'bun',
  'bunx',
  'deno',
]);
/** How far up the tree is looked: deeper than any real chain of wrappers, finite whatever /proc says. */
export const MAX_ANCESTORS = 64;

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The bytes of /proc/PID/stat read, and of /proc/PID/cmdline: ARG_MAX is 2 MiB by default, more than is needed here. */
export const MAX_STAT_BYTES = 4096;
export const MAX_CMDLINE_BYTES = 256 * 1024;

/** A /proc/PID/stat read failure as ESRCH (the process is gone) or the errno it was. */
export function statError(pid: number, error: unknown): SysprobeError {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ENOENT' || e.code === 'ESRCH')
    return new SysprobeError({ errno: 3, syscall: 'open', path: `/proc/${pid}/stat`, message: `no process ${pid}`, cause: error });
  return new SysprobeError({
    ...(typeof e.errno === 'number' ? { errno: Math.abs(e.errno) } : { code: 'ERR_SYSPROBE' }),
    syscall: 'open',
    path: `/proc/${pid}/stat`,
    cause: error,
  });
}

/** A ProcessNode from the texts of /proc/PID/stat, the exe link (null: unreadable) and /proc/PID/cmdline (null: unreadable). */
export function nodeFromProc(pid: number, stat: string, exeLink: string | null, cmdline: Buffer | null): ProcessNode {
  // "PID (COMM) STATE PPID …": comm may hold spaces and parentheses, so it ends at the last ')'.
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  const ppid = Number(stat.slice(close + 2).split(' ')[1]);
  const exeDeleted = exeLink?.endsWith(' (deleted)') === true;
  const exe = exeLink === null ? null : exeDeleted ? exeLink.slice(0, -' (deleted)'.length) : exeLink;
  const argv = cmdline === null ? [] : cmdline.toString('utf8').split('\0');
  // A complete cmdline ends with NUL; a capped one ends mid-argument, which is kept.
  if (argv.length > 0 && argv[argv.length - 1] === '') argv.pop();
  return { pid, ppid: Number.isInteger(ppid) ? ppid : 0, comm, exe, exeDeleted, argv };
}

function readlinkOrNull(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

/** One process from /proc/PID/stat, /proc/PID/exe and /proc/PID/cmdline. Throws ESRCH when it is gone. */
export function processNode(pid: number): ProcessNode {
  let stat: string;
  try {
    stat = readBoundedSync(`/proc/${pid}/stat`, MAX_STAT_BYTES).toString('latin1');
  } catch (error) {
    throw statError(pid, error);
  }
  let cmdline: Buffer | null = null;
  try {
    cmdline = readBoundedSync(`/proc/${pid}/cmdline`, MAX_CMDLINE_BYTES);
  } catch {
    cmdline = null;
  }
  return nodeFromProc(pid, stat, readlinkOrNull(`/proc/${pid}/exe`), cmdline);
}

/** The program's name: the executable's, or the kernel's name where the executable is a multi-call binary or unknown. */
function nameOf(node: ProcessNode): string {
  const exe = node.exe === null ? null : basename(node.exe);
  if (exe === null || exe === 'busybox' || exe === 'toybox') return basename(node.argv[0] ?? node.comm).replace(/^-/, '') || node.comm;
  return exe;
}

/** A shell that only runs one command for a launcher (`sh -c "…"`, as npm runs scripts), not the user's. */
function runsOneCommand(node: ProcessNode): boolean {
  for (const arg of node.argv.slice(1)) {
    // Options end at "--" or at the first operand (a script, whose own arguments follow).
    if (arg === '--' || !arg.startsWith('-')) return false;
    if (arg.startsWith('--')) continue;
    if (arg.slice(1).includes('c')) return true;
  }
  return false;
}

export function isShell(node: ProcessNode): boolean {
  return SHELLS.has(nameOf(node)) && !runsOneCommand(node);
}

function isWrapper(node: ProcessNode): boolean {
  const name = nameOf(node);
  return WRAPPERS.has(name) || /^(npm|npx|pnpm|yarn|node)\b/.test(node.comm) || (SHELLS.has(name) && runsOneCommand(node));
}

export interface ShellAncestor {
  /** The user's shell, or the nearest ancestor that is not a wrapper when no shell is found. */
  shell: ProcessNode;
  /** Whether {@link shell} is a shell (false: the walk stopped at something else, e.g. an IDE or sshd). */
  isShell: boolean;
  /** The wrappers between this process and the shell, nearest first (empty: the shell is the direct parent). */
  skipped: ProcessNode[];
}

/**
 * The nearest ancestor of `pid` that is the user's shell: walks up the parents, skipping launchers
 * (npm, npx, node, pnpm, yarn, `sh -c` …) to the first interactive shell (bash, zsh, fish, sh, dash, ksh,
 * tcsh, pwsh, nu …). Stops at the first ancestor that is neither (returned with `isShell: false`), at
 * pid 1, or after {@link MAX_ANCESTORS}. Returns null when the parent cannot be read at all.
 */
export function nearestShellAncestor(pid: number = process.pid): ShellAncestor | null {
  let current: ProcessNode;
  try {
    current = processNode(pid);
  } catch {
    return null;
  }
  const skipped: ProcessNode[] = [];
  for (let depth = 0; depth < MAX_ANCESTORS && current.ppid > 0; depth++) {
    let parent: ProcessNode;
    try {
      parent = processNode(current.ppid);
    } catch {
      break;
    }
    if (isShell(parent)) return { shell: parent, isShell: true, skipped };
    if (!isWrapper(parent) || parent.pid === 1) return { shell: parent, isShell: false, skipped };
    skipped.push(parent);
    current = parent;
  }
  return skipped.length === 0 ? null : { shell: skipped.pop()!, isShell: false, skipped };
}

/** In words, for the CLI: "bash (pid 123)" and what was skipped to reach it. */
export function describeAncestor(found: ShellAncestor): string {
  const what = `${nameOf(found.shell)} (pid ${found.shell.pid})`;
  if (found.skipped.length === 0) return what;
  return `${what}; skipped ${found.skipped.map((node) => `${nameOf(node) === 'node' || nameOf(node) === 'nodejs' ? node.comm : nameOf(node)} ${node.pid}`).join(', ')}`;
}
