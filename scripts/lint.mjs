#!/usr/bin/env node
// npm run lint: every check that reads the code without running it, in one pass. Each step runs even when an
// earlier one failed, so one run lists everything; the exit status is 1 if any step failed.
//   node scripts/lint.mjs [--only NAME,NAME]   (names: biome-lint, biome-format, clang-format, build, types,
//                                              publint, attw)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (pkg, file) => join(root, 'node_modules', pkg, file);
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : null;

const run = (command, args, options = {}) =>
  spawnSync(command, args, { cwd: root, stdio: options.capture ? 'pipe' : 'inherit', encoding: 'utf8', ...options });
const node = (script, args, options) => run(process.execPath, [script, ...args], options);

/** Every C++ source and header under native/, sorted (the clang-format step checks them all). */
function nativeSources(dir = join(root, 'native')) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...nativeSources(path));
    else if (/\.(cc|h)$/.test(entry.name)) out.push(relative(root, path));
  }
  return out;
}

function packTarball() {
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-lint-'));
  // --ignore-scripts: prepack refuses stale prebuilds, which is the release's check, not lint's.
  const packed = run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { capture: true });
  if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  return { dir, tarball: join(dir, packed.stdout.trim().split('\n').pop()) };
}

const steps = {
  'biome-lint': () => node(bin('@biomejs/biome', 'bin/biome'), ['lint', '--error-on-warnings']),
  'biome-format': () => node(bin('@biomejs/biome', 'bin/biome'), ['format', '--max-diagnostics=10']),
  'clang-format': () => {
    if (!existsSync(join(root, '.clang-format'))) return { skipped: 'no .clang-format in this tree' };
    const clangFormat = ['clang-format-14', 'clang-format'].find((c) => run(c, ['--version'], { capture: true }).status === 0);
    if (clangFormat === undefined) return { status: 1, message: 'clang-format-14 not found (apt-get install clang-format-14)' };
    return run(clangFormat, ['--dry-run', '-Werror', ...nativeSources()]);
  },
  // The declarations the next two steps read are built from src/ (tsc also type-checks it).
  build: () => node(bin('typescript', 'bin/tsc'), ['-p', 'tsconfig.json']),
  // The consumer type tests (ESM and CommonJS, @ts-expect-error included), as test/package.test.mjs runs them.
  types: () => node(bin('typescript', 'bin/tsc'), ['-p', join('test', 'types', 'tsconfig.json')]),
  publint: () => node(bin('publint', 'src/cli.js'), ['--strict']),
  attw: () => {
    const { dir, tarball } = packTarball();
    try {
      // The schema is JSON, not a module with types: node10's missing subpath resolution does not concern it.
      return node(bin('@arethetypeswrong/cli', 'dist/index.js'), [tarball, '--exclude-entrypoints', './doctor.schema.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

const failed = [];
for (const [name, step] of Object.entries(steps)) {
  if (only !== null && !only.includes(name)) continue;
  process.stdout.write(`\n=== lint: ${name}\n`);
  let result;
  try {
    result = step();
  } catch (error) {
    result = { status: 1, message: error.message };
  }
  if (result.skipped) process.stdout.write(`skipped: ${result.skipped}\n`);
  else if (result.status !== 0) {
    if (result.message) process.stdout.write(`${result.message}\n`);
    failed.push(name);
  }
}
process.stdout.write(failed.length === 0 ? '\nlint: all passed\n' : `\nlint: failed: ${failed.join(', ')}\n`);
process.exitCode = failed.length === 0 ? 0 : 1;
