// Properties of the addon that answered (the node-gyp build, or the cmake-js one when CI points
// SYSPROBE_BINDING at it), read with GNU readelf: only the Node-API entry points are exported, it
// needs no newer glibc than the one it runs on, and it was built for Node-API 8.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backend, probeGlibcSync } from 'sysprobe';
import { run, which, skipUnless } from './helpers.mjs';

const readelf = process.platform === 'linux' ? which('readelf') : null;

test('the addon exports only napi_register_module_v1 and node_api_module_get_api_version_v1', {
  skip: skipUnless(readelf, 'readelf not installed'),
}, () => {
  const { path, napiVersion } = backend();
  assert.equal(napiVersion, 8);
  const symbols = run(readelf, ['--dyn-syms', '-W', path]);
  assert.equal(symbols.status, 0, symbols.stderr);
  const exported = symbols.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 8 && f[6] !== 'UND' && (f[4] === 'GLOBAL' || f[4] === 'WEAK'))
    .map((f) => f[7].replace(/@.*/, ''));
  assert.deepEqual(exported.sort(), ['napi_register_module_v1', 'node_api_module_get_api_version_v1']);
});

test('the addon needs no glibc symbol version newer than the running glibc', { skip: skipUnless(readelf, 'readelf not installed') }, () => {
  const running = probeGlibcSync().version.split('.').map(Number);
  const versions = run(readelf, ['-V', '-W', backend().path]);
  assert.equal(versions.status, 0, versions.stderr);
  const needed = [...versions.stdout.matchAll(/Name: GLIBC_(\d+(?:\.\d+)*)/g)].map((m) => m[1].split('.').map(Number));
  assert.ok(needed.length > 0, 'no GLIBC version needs found: readelf output changed?');
  for (const version of needed) {
    const newer = version[0] > running[0] || (version[0] === running[0] && (version[1] ?? 0) > running[1]);
    assert.ok(!newer, `needs GLIBC_${version.join('.')}`);
  }
});
