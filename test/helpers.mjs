// Shared test helpers. Tests may start processes (oracles, fresh interpreters); probes may not.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { chmodSync, cpSync, existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const cliPath = join(root, 'bin', 'sysprobe.js');
export const sharedDir = join(root, '..', 'shared');

/**
 * The suite also runs with SYSPROBE_BACKEND=koffi (test/koffi-suites.test.mjs): there, the probes that need
 * a parser of the C++ core throw ERR_SYSPROBE_NEEDS_ADDON, and the tests check that instead.
 */
export const koffiMode = process.env.SYSPROBE_BACKEND === 'koffi';
/** The koffi backend without the core as WebAssembly: the parser-backed probes refuse (ERR_SYSPROBE_NEEDS_ADDON). */
export const koffiWithoutCore = koffiMode && !existsSync(new URL('../prebuilds/wasm32/sysprobe.wasm', import.meta.url));

/** Whether koffi (an optional dependency) is installed: the koffi backend's tests skip visibly without it. */
export const koffiPresent = (() => {
  try {
    createRequire(join(root, 'package.json')).resolve('koffi');
    return true;
  } catch {
    return false;
  }
})();

/** The C++ core as WebAssembly (npm run prebuild -- wasm32): the koffi backend's parsers, /proc walks and roots need it. */
export const wasmCorePresent = existsSync(new URL('../prebuilds/wasm32/sysprobe.wasm', import.meta.url));
/** Why a koffi-backend test that needs the core skips, or false when it can run. */
export const koffiCoreSkip = !koffiPresent
  ? 'koffi (optional dependency) not installed'
  : !wasmCorePresent
    ? 'needs the core as WebAssembly (npm run prebuild -- wasm32)'
    : false;

/** A predicate for assert.throws/rejects: the koffi backend's "needs the addon" error. */
export const needsAddon = (error) => error?.code === 'ERR_SYSPROBE_NEEDS_ADDON' && error?.details?.backend === 'koffi';

/** Runs a program without a shell; returns { status, stdout, stderr } or null when it is absent. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024, ...options });
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

/** The corpus root filesystems, or null when ../shared is not beside this clone. */
export function corpusRoot(name) {
  const dir = join(sharedDir, 'corpus', 'roots', name);
  return existsSync(dir) ? dir : null;
}

const materialized = new Map();
/**
 * A writable copy of a corpus root with its symbolic links restored. The shared corpus arrives
 * here with each symlink flattened into a small regular file holding the link's target text; a
 * loader or resolver run on the copy sees the links the Debian packages made.
 */
export function materializeRoot(name) {
  if (materialized.has(name)) return materialized.get(name);
  const source = corpusRoot(name);
  if (source === null) return null;
  const target = mkdtempSync(join(tmpdir(), `sysprobe-root-${name}-`));
  cpSync(source, target, { recursive: true, verbatimSymlinks: true });
  const restore = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        chmodSync(path, 0o755);
        restore(path);
        continue;
      }
      if (!entry.isFile()) continue;
      const stat = statSync(path);
      if (stat.size === 0 || stat.size > 1024) continue;
      const text = readFileSync(path, 'latin1');
      if (/[\0\n]/.test(text)) continue;
      const resolved = text.startsWith('/') ? join(target, text) : join(dir, text);
      if (!existsSync(resolved) && !lexists(resolved)) continue;
      rmSync(path);
      symlinkSync(text, path);
    }
  };
  const lexists = (path) => {
    try {
      lstatSync(path);
      return true;
    } catch {
      return false;
    }
  };
  chmodSync(target, 0o755);
  restore(target);
  materialized.set(name, target);
  process.once('exit', () => rmSync(target, { recursive: true, force: true }));
  return target;
}
