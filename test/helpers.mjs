// Shared test helpers. Tests may start processes (oracles, fresh interpreters); probes may not.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const cliPath = join(root, 'bin', 'sysprobe.js');
export const sharedDir = join(root, '..', 'shared');

/** Runs a program without a shell; returns { status, stdout, stderr } or null when it is absent. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000, ...options });
  if (result.error?.code === 'ENOENT') return null;
  if (result.error) throw result.error;
  return result;
}

/** Runs Node on a script (ESM) in a fresh process with the given extra environment. */
export function runNode(script, env = {}, args = []) {
  return run(process.execPath, [...args, '--input-type=module', '-e', script], {
    cwd: root,
    env: { ...process.env, ...env },
  });
}

/** Runs the CLI in a fresh process. */
export function runCli(args, env = {}) {
  return run(process.execPath, [cliPath, ...args], { cwd: root, env: { ...process.env, ...env } });
}

/** Finds a program on PATH without a shell, or null. */
export function which(name) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** A skip reason that names what is missing, printed by the runner, or false. */
export function skipUnless(condition, what) {
  if (condition) return false;
  const reason = `skipped: ${what}`;
  process.stderr.write(`# ${reason}\n`);
  return reason;
}
