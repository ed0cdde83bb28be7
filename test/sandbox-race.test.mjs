// A root is a sandbox even while it changes (issue 11, defect 1): a helper process swaps the root's
// /libdir with a symlink to a host directory holding a decoy library (renameat2 RENAME_EXCHANGE in a
// loop) while resolveDeps('/bin/app', { root, LD_LIBRARY_PATH=/libdir }) runs, sync and async, on both
// backends. An answer naming the decoy's SONAME is a read outside the root: none is allowed. strace -y
// (when present) is the independent oracle: no file outside the root is opened at all.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildElf } from './elf-build.mjs';
import { root as repo, run, skipUnless, which } from './helpers.mjs';

const cc = which('cc') ?? which('gcc') ?? which('clang');
const strace = which('strace');
const wasm = existsSync(join(repo, 'prebuilds', 'wasm32', 'sysprobe.wasm'));
const SECONDS = 3; // per backend and mode (probeGlibc: 2), plus one run under strace per backend: ~30 s in all

const elf = (spec) => buildElf({ cls: 64, big: false, machine: 62, ...spec });

/** probeGlibc's root: /bin/sh needs libc.so.6, found in /lib64 (the default directory without a loader). */
function setUpGlibc() {
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-race-'));
  const root = join(dir, 'root');
  const host = join(dir, 'host');
  mkdirSync(join(root, 'bin'), { recursive: true });
  mkdirSync(join(root, 'lib64'));
  mkdirSync(host);
  const libc = (version) =>
    Buffer.concat([elf({ soname: 'libc.so.6' }), Buffer.from(`GNU C Library (test) stable release version ${version}.\0`)]);
  writeFileSync(join(root, 'bin', 'sh'), elf({ needed: ['libc.so.6'] }));
  writeFileSync(join(root, 'lib64', 'libc.so.6'), libc('2.99'));
  writeFileSync(join(host, 'libc.so.6'), libc('1.11'));
  symlinkSync(host, join(root, 'lib64.swap'));
  return { dir, root, host, swapper: buildSwapper(dir), swap: ['lib64', 'lib64.swap'] };
}

function buildSwapper(dir) {
  const swapper = join(dir, 'swap-dirs');
  const built = run(cc, ['-O2', '-o', swapper, join(repo, 'test', 'fixtures', 'swap-dirs.c')]);
  assert.equal(built?.status, 0, built?.stderr);
  return swapper;
}

function setUp() {
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-race-'));
  const root = join(dir, 'root');
  const host = join(dir, 'host'); // outside the root
  mkdirSync(join(root, 'bin'), { recursive: true });
  mkdirSync(join(root, 'libdir'));
  mkdirSync(host);
  writeFileSync(join(root, 'bin', 'app'), elf({ needed: ['libfoo.so'] }));
  writeFileSync(join(root, 'libdir', 'libfoo.so'), elf({ soname: 'libfoo.so' }));
  writeFileSync(join(host, 'libfoo.so'), elf({ soname: 'libdecoy.so' }));
  symlinkSync(host, join(root, 'libdir.swap'));
  return { dir, root, host, swapper: buildSwapper(dir), swap: ['libdir', 'libdir.swap'] };
}

function runChild(command, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Resolves for SECONDS under the swapping helper; the child's counts. */
async function race(setup, backend, mode, prefix = [], seconds = SECONDS) {
  const swapping = runChild(setup.swapper, [join(setup.root, setup.swap[0]), join(setup.root, setup.swap[1]), String(seconds + 1)], {});
  const child = join(repo, 'test', 'sandbox-race-child.mjs');
  const resolving = runChild(
    prefix[0] ?? process.execPath,
    [...prefix.slice(1), ...(prefix.length ? [process.execPath] : []), child, setup.root, mode, String(seconds)],
    { SYSPROBE_BACKEND: backend },
  );
  const [swaps, answers] = await Promise.all([swapping, resolving]);
  assert.equal(swaps.status, 0, swaps.stderr);
  assert.equal(answers.status, 0, answers.stderr);
  const counts = JSON.parse(answers.stdout.trim().split('\n').pop());
  return { ...counts, swaps: Number(swaps.stdout.trim()) };
}

for (const backend of ['addon', 'koffi']) {
  const skip = !cc
    ? 'needs a C compiler for the swapping helper'
    : process.platform !== 'linux'
      ? 'needs Linux renameat2'
      : backend === 'koffi' && !wasm
        ? 'needs prebuilds/wasm32/sysprobe.wasm'
        : false;
  test(`resolveDeps in a root under a RENAME_EXCHANGE race never reads outside the root (${backend}, sync and async)`, {
    skip: skipUnless(!skip, skip),
  }, async () => {
    const setup = setUp();
    try {
      for (const mode of ['sync', 'async']) {
        const counts = await race(setup, backend, mode);
        process.stderr.write(`# ${backend} ${mode}: ${JSON.stringify(counts)}\n`);
        assert.ok(counts.swaps > 1000, `the helper swapped ${counts.swaps} times`);
        assert.ok(counts.calls > 20, `only ${counts.calls} calls`);
        // The race is real: some answers see /libdir as the symlink (not found inside the root) and some as the directory.
        assert.ok(counts.found > 0, JSON.stringify(counts));
        assert.equal(counts.escapes, 0, `answers from the decoy outside the root: ${JSON.stringify(counts)}`);
        // A lookup during a swap may fail with an errno of the lookup (ENOENT: /libdir is the link to a
        // directory that is not in the root); never EIO for a link that stopped being one (readlink EINVAL).
        assert.deepEqual(
          Object.keys(counts.errors).filter((k) => k.startsWith('EIO')),
          [],
          JSON.stringify(counts.errors),
        );
        assert.equal(counts.candidates.EIO, undefined, JSON.stringify(counts.candidates));
      }
    } finally {
      rmSync(setup.dir, { recursive: true, force: true });
    }
  });
}

for (const backend of ['addon', 'koffi']) {
  const skip = !cc
    ? 'needs a C compiler for the swapping helper'
    : process.platform !== 'linux'
      ? 'needs Linux renameat2'
      : backend === 'koffi' && !wasm
        ? 'needs prebuilds/wasm32/sysprobe.wasm'
        : false;
  test(`probeGlibc({ root }) under the race reads the root's libc, never the decoy outside (${backend})`, {
    skip: skipUnless(!skip, skip),
  }, async () => {
    const setup = setUpGlibc();
    try {
      for (const mode of ['glibc-sync', 'glibc-async']) {
        const counts = await race(setup, backend, mode, [], 2);
        process.stderr.write(`# ${backend} ${mode}: ${JSON.stringify(counts)}\n`);
        assert.ok(counts.found > 0, JSON.stringify(counts));
        assert.equal(counts.escapes, 0, `answers from the decoy outside the root: ${JSON.stringify(counts)}`);
      }
    } finally {
      rmSync(setup.dir, { recursive: true, force: true });
    }
  });
}

test('under the race, strace -y shows no file outside the root opened (both backends)', {
  skip: skipUnless(cc && strace && process.platform === 'linux', 'needs cc and strace'),
}, async () => {
  const setup = setUp();
  try {
    for (const backend of wasm ? ['addon', 'koffi'] : ['addon']) {
      const log = join(setup.dir, `strace-${backend}.log`);
      const counts = await race(setup, backend, 'sync', [strace, '-f', '-y', '-qq', '-e', 'trace=open,openat,openat2', '-o', log]);
      assert.equal(counts.escapes, 0, JSON.stringify(counts));
      const lines = readFileSync(log, 'utf8').split('\n');
      // The fd each open returns is shown with the path the kernel has for it ("= 7</…/libfoo.so>").
      const outside = lines.filter((line) => line.includes(`${setup.host}/`) && / = \d+</.test(line));
      assert.ok(
        lines.some((line) => line.includes('libfoo.so') && / = \d+</.test(line)),
        `strace saw the library opened (${backend})`,
      );
      assert.deepEqual(outside, [], `opened outside the root (${backend})`);
    }
  } finally {
    rmSync(setup.dir, { recursive: true, force: true });
  }
});
