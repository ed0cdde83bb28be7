// probeGlibc checks that need no host tools, so they also run in foreign Node builds (qemu, wine):
// the answer must describe the C library actually mapped, whatever the architecture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { probeGlibc, probeGlibcSync, backend } from 'sysprobe';

test('the addon that answers is built for this architecture', () => {
  const info = backend();
  assert.equal(info.name, process.env.SYSPROBE_BACKEND === 'koffi' ? 'koffi' : 'addon');
  assert.equal(info.arch, process.arch);
  if (process.env.SYSPROBE_EXPECT_ARCH) assert.equal(process.arch, process.env.SYSPROBE_EXPECT_ARCH);
});

test('on Linux the glibc answer matches the banner inside the mapped libc.so.6', { skip: process.platform !== 'linux' }, async () => {
  const info = probeGlibcSync();
  assert.equal(info.family, 'glibc');
  assert.deepEqual(await probeGlibc({ refresh: true }), info);
  // The file's own banner: "GNU C Library (…) stable release version 2.36." — read, not run.
  const banner = /GNU C Library [^\n\0]*? release version (\d+\.\d+(?:\.\d+)?)/.exec(readFileSync(info.libcPath, 'latin1'));
  assert.ok(banner, `no banner in ${info.libcPath}`);
  assert.equal(info.version, banner[1]);
  assert.deepEqual(info.disagreements, []);
});
