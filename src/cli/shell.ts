// What the CLI compares this process with: the user's shell (the nearest shell ancestor), not the
// direct parent, which under `npm start` / `npx` is npm (its own nofile limit, ~70 npm_* variables).
import { SysprobeError } from '../errors.js';
import { probeProcessEnv, type EnvLike } from '../probes/env/index.js';
import { getRlimits, type RlimitsInfo } from '../probes/limits/index.js';
import { describeAncestor, nearestShellAncestor } from '../probes/env/processes.js';

export interface ComparedProcess {
  pid: number;
  /** The program's name (bash, zsh, …) or the kernel's name of the process. */
  name: string;
  /** The process is a shell; false: no shell above this one, the nearest non-launcher ancestor is used. */
  isShell: boolean;
  /** The launchers passed over, nearest first. */
  skipped: Array<{ pid: number; comm: string }>;
  /** "bash (pid 12); skipped npm exec 15, sh 16" */
  description: string;
}

/** The shell this CLI was run from, or the direct parent when the process tree cannot be read (not Linux). */
export function comparedProcess(): ComparedProcess {
  const found = process.platform === 'linux' ? nearestShellAncestor(process.pid) : null;
  if (found === null)
    return { pid: process.ppid, name: 'parent', isShell: false, skipped: [], description: `the parent (pid ${process.ppid})` };
  return {
    pid: found.shell.pid,
    name: found.shell.exe?.slice(found.shell.exe.lastIndexOf('/') + 1) ?? found.shell.comm,
    isShell: found.isShell,
    skipped: found.skipped.map((node) => ({ pid: node.pid, comm: node.comm })),
    description: found.isShell
      ? describeAncestor(found)
      : `${describeAncestor(found)} (no shell above: the nearest ancestor that is not a launcher)`,
  };
}

function facts(error: unknown): Record<string, unknown> {
  return error instanceof SysprobeError ? error.toJSON() : { message: String(error) };
}

/** The shell's limits (what `ulimit` there set: Node raises its own nofile soft limit, npm too). Never throws. */
export async function shellLimits(who: ComparedProcess): Promise<{ info: RlimitsInfo | null; error?: Record<string, unknown> }> {
  try {
    return { info: await getRlimits({ pid: who.pid }) };
  } catch (error) {
    return { info: null, error: facts(error) };
  }
}

/**
 * The environment the shell hands its children: what the first launcher below it was started with
 * (/proc/PID/environ of the shell itself is only what the shell was started with, not what it exported
 * since), or this process's own when the shell is the direct parent.
 */
export async function shellEnvironment(who: ComparedProcess): Promise<{ env: EnvLike; from: string }> {
  const top = who.skipped.at(-1);
  if (top === undefined) return { env: process.env, from: `what ${who.name} (pid ${who.pid}) passed to sysprobe` };
  try {
    return { env: await probeProcessEnv(top.pid), from: `what ${who.name} (pid ${who.pid}) passed to ${top.comm} (pid ${top.pid})` };
  } catch {
    return { env: process.env, from: `this process's environment (the launcher's could not be read)` };
  }
}

/** Who the limits are compared with, in --json. */
export function shellProcessJson(who: ComparedProcess): Record<string, unknown> {
  return { pid: who.pid, name: who.name, isShell: who.isShell, skipped: who.skipped };
}
