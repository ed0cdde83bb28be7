// The package as a consumer gets it: `npm pack` (which refuses stale or missing prebuilds), then
// `npm install --ignore-scripts` of the tarball into an empty project — npm 11's default for
// dependencies — and a smoke test through ESM, CommonJS and TypeScript. No build step may be needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, run, which, skipUnless } from './helpers.mjs';
import { readElfSync } from 'sysprobe';
import { sourceHash } from '../scripts/native-sources.mjs';

const manifestPath = join(root, 'prebuilds', 'manifest.json');
const manifest = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : null;
const fresh =
  manifest !== null &&
  manifest.sourceHash === sourceHash(root) &&
  ['linux-x64', 'linux-arm64', 'win32-x64'].every((target) => manifest.targets[target]);
const npm = which('npm');

test('the packed tarball installs with --ignore-scripts and answers through ESM, CJS and TypeScript', {
  skip: skipUnless(
    fresh && npm && process.platform === 'linux' && process.arch === 'x64',
    'needs fresh prebuilds for every target (npm run prebuild), npm, and a linux-x64 host',
  ),
  timeout: 300_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-pack-'));
  try {
    // The prepack gate on its own; then pack without lifecycle scripts, so that `prepare` does not
    // rewrite dist/ under the test files running beside this one.
    const gate = run(process.execPath, [join(root, 'scripts', 'check-prebuilds.mjs')], { cwd: root });
    assert.equal(gate.status, 0, gate.stderr);
    const packed = run(npm, ['pack', '--ignore-scripts', '--pack-destination', dir, '--json'], { cwd: root });
    assert.equal(packed.status, 0, packed.stderr);
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')));
    const files = info.files.map((f) => f.path);
    for (const target of [
      'linux-x64/sysprobe.glibc.node',
      'linux-arm64/sysprobe.glibc.node',
      'win32-x64/sysprobe.node',
      'wasm32/sysprobe.wasm',
    ]) {
      assert.ok(files.includes(`prebuilds/${target}`), `tarball lacks prebuilds/${target}`);
    }
    for (const needed of [
      'dist/index.js',
      'dist/index.mjs',
      'dist/index.d.ts',
      'dist/index.d.mts',
      'bin/sysprobe.js',
      'binding.gyp',
      'native/config.h',
    ]) {
      assert.ok(files.includes(needed), `tarball lacks ${needed}`);
    }
    assert.deepEqual(
      files.filter((f) => /^(test|bench|src)\/|^native\/(test|fuzz)\//.test(f)),
      [],
    );

    const project = join(dir, 'consumer');
    run('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    const installed = run(npm, ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', join(dir, info.filename)], {
      cwd: project,
    });
    assert.equal(installed.status, 0, installed.stderr);
    const packageDir = join(project, 'node_modules', 'sysprobe');
    assert.equal(existsSync(join(packageDir, 'build')), false, 'no build happened: scripts were ignored');

    writeFileSync(
      join(project, 'esm.mjs'),
      `import { probeGlibcSync, backend } from 'sysprobe';
      console.log(JSON.stringify({ family: probeGlibcSync().family, path: backend().path }));`,
    );
    writeFileSync(
      join(project, 'cjs.cjs'),
      `const { probeGlibcSync, backend } = require('sysprobe');
      console.log(JSON.stringify({ family: probeGlibcSync().family, path: backend().path }));`,
    );
    // The file parsers in the fallback: the core as WebAssembly, shipped in prebuilds/wasm32.
    writeFileSync(
      join(project, 'elf.mjs'),
      `import { readElfSync, resolveDepsSync } from 'sysprobe';
      console.log(JSON.stringify({ needed: readElfSync('/bin/ls').needed, libc: resolveDepsSync('/bin/ls').libraries.some((l) => l.name === 'libc.so.6' && l.path !== null) }));`,
    );
    writeFileSync(
      join(project, 'elf.cjs'),
      `const { readElfSync, resolveDepsSync } = require('sysprobe');
      console.log(JSON.stringify({ needed: readElfSync('/bin/ls').needed, libc: resolveDepsSync('/bin/ls').libraries.some((l) => l.name === 'libc.so.6' && l.path !== null) }));`,
    );
    const expectedPath = join(packageDir, 'prebuilds', 'linux-x64', 'sysprobe.glibc.node');
    for (const script of ['esm.mjs', 'cjs.cjs']) {
      const result = run(process.execPath, [script], { cwd: project, env: { ...process.env, SYSPROBE_BINDING: '' } });
      assert.equal(result.status, 0, `${script}: ${result.stderr}`);
      assert.deepEqual(JSON.parse(result.stdout), { family: 'glibc', path: expectedPath });
    }
    const cli = run(process.execPath, [join(packageDir, 'bin', 'sysprobe.js'), 'glibc', '--json'], {
      cwd: project,
      env: { ...process.env, SYSPROBE_BINDING: '' },
    });
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(JSON.parse(cli.stdout).libc.family, 'glibc');

    // koffi, the optional dependency, came with the install (its platform package, no install script): forced
    // with SYSPROBE_BACKEND=koffi, and automatic once no addon is left (the prebuilds removed).
    assert.ok(existsSync(join(project, 'node_modules', 'koffi')), 'koffi was not installed with sysprobe');
    for (const script of ['esm.mjs', 'cjs.cjs']) {
      const result = run(process.execPath, [script], {
        cwd: project,
        env: { ...process.env, SYSPROBE_BINDING: '', SYSPROBE_BACKEND: 'koffi' },
      });
      assert.equal(result.status, 0, `${script}: ${result.stderr}`);
      const doc = JSON.parse(result.stdout);
      assert.equal(doc.family, 'glibc');
      assert.match(doc.path, /koffi\.node$/);
    }
    const needed = readElfSync('/bin/ls').needed;
    for (const script of ['elf.mjs', 'elf.cjs']) {
      const result = run(process.execPath, [script], {
        cwd: project,
        env: { ...process.env, SYSPROBE_BINDING: '', SYSPROBE_BACKEND: 'koffi' },
      });
      assert.equal(result.status, 0, `${script}: ${result.stderr}`);
      assert.deepEqual(JSON.parse(result.stdout), { needed, libc: true });
    }
    // No addon for this platform (the addon prebuilds removed, the WebAssembly core kept, as on a platform
    // without a prebuild): koffi answers by itself, parsers included.
    for (const target of ['linux-x64', 'linux-arm64', 'win32-x64'])
      rmSync(join(packageDir, 'prebuilds', target), { recursive: true, force: true });
    const fallback = run(process.execPath, [join(packageDir, 'bin', 'sysprobe.js'), 'report', '--json'], {
      cwd: project,
      env: { ...process.env, SYSPROBE_BINDING: '', SYSPROBE_BACKEND: '' },
    });
    assert.ok(fallback.status === 0 || fallback.status === 1, fallback.stderr); // 1: a finding on this host
    const fallbackDoc = JSON.parse(fallback.stdout);
    assert.equal(fallbackDoc.libc.family, 'glibc');
    assert.equal(fallbackDoc.backend.name, 'koffi');
    assert.match(fallbackDoc.backend.reason, /no addon could be loaded.*with the core as WebAssembly/);
    assert.equal(fallbackDoc.inotify.usage.dedup, 'kcmp');

    writeFileSync(
      join(project, 'typed.mts'),
      `import { probeGlibcSync, type LibcInfo } from 'sysprobe';
      const info: LibcInfo = probeGlibcSync(); export const version: string | null = info.version;`,
    );
    writeFileSync(
      join(project, 'typed.cts'),
      `import sysprobe = require('sysprobe');
      export const family: 'glibc' | 'musl' | 'unknown' = sysprobe.probeGlibcSync().family;`,
    );
    const tsc = run(
      process.execPath,
      [
        join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--types',
        'node',
        '--typeRoots',
        join(root, 'node_modules', '@types'),
        'typed.mts',
        'typed.cts',
      ],
      { cwd: project },
    );
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
