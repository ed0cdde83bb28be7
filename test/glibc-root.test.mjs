// probeGlibc({ root }) for every corpus root, probeGlibc({ pid }) for running processes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { SysprobeError, probeGlibc, probeGlibcSync, readElfSync } from 'sysprobe';
import { corpusRoot, materializeRoot, run, skipUnless } from './helpers.mjs';

// What each root is (../shared/corpus/README.md), and the package version dpkg recorded: the oracle.
const ROOTS = {
  'bullseye-amd64': { family: 'glibc', version: '2.31', loader: '/lib64/ld-linux-x86-64.so.2' },
  'trixie-amd64': { family: 'glibc', version: '2.41', loader: '/lib64/ld-linux-x86-64.so.2' },
  'bookworm-arm64': { family: 'glibc', version: '2.36', loader: '/lib/ld-linux-aarch64.so.1' },
  'bookworm-i386': { family: 'glibc', version: '2.36', loader: '/lib/ld-linux.so.2' },
  'bookworm-s390x': { family: 'glibc', version: '2.36', loader: '/lib/ld64.so.1' },
  'musl-amd64': { family: 'musl', version: '1.2.3', loader: '/lib/ld-musl-x86_64.so.1' },
};

for (const [name, want] of Object.entries(ROOTS)) {
  test(`probeGlibc({ root }) on ${name}: ${want.family} ${want.version}`, {
    skip: skipUnless(corpusRoot(name), `needs ../shared/corpus/roots/${name}`),
  }, async () => {
    const root = materializeRoot(name);
    const info = await probeGlibc({ root });
    assert.equal(info.family, want.family);
    assert.equal(info.version, want.version);
    assert.equal(info.loaderPath, want.loader);
    assert.equal(info.subject, 'root');
    assert.deepEqual(probeGlibcSync({ root }), info);
    if (want.family === 'glibc') {
      assert.equal(info.release, 'stable');
      assert.ok(info.evidence.some((e) => e.source.startsWith('the banner') && e.value === want.version));
      // Cross-check: the highest GLIBC version definition is never above the banner.
      const verdef = info.evidence.find((e) => e.source.startsWith('the highest GLIBC'));
      assert.ok(verdef !== undefined);
      assert.deepEqual(info.disagreements, []);
      // The libc it names is a real glibc libc.so.6 inside the root (GNU readelf-independent: our parser).
      assert.ok(info.libcPath.endsWith('libc.so.6'));
    }
  });
}

test('probeGlibc({ root }) on a flattened corpus root (links stored as text files) answers or fails with a SysprobeError, never reads outside', {
  skip: skipUnless(corpusRoot('trixie-amd64'), 'needs ../shared/corpus/roots/trixie-amd64'),
}, () => {
  for (const name of Object.keys(ROOTS)) {
    const root = corpusRoot(name);
    if (root === null) continue;
    try {
      const info = probeGlibcSync({ root });
      assert.ok(info.libcPath === null || info.libcPath.startsWith('/'));
    } catch (error) {
      assert.ok(error instanceof SysprobeError, String(error));
    }
  }
});

test('probeGlibc({ root }) on a directory without a C library is ERR_SYSPROBE_NOT_FOUND', () => {
  assert.throws(
    () => probeGlibcSync({ root: '/proc/self/fdinfo' }),
    (e) => e instanceof SysprobeError && e.code === 'ERR_SYSPROBE_NOT_FOUND',
  );
  assert.throws(
    () => probeGlibcSync({ root: 'relative' }),
    (e) => e.code === 'ERR_SYSPROBE_INVALID_ARG',
  );
  assert.throws(
    () => probeGlibcSync({ root: '/', pid: 1 }),
    (e) => e.code === 'ERR_SYSPROBE_INVALID_ARG',
  );
  assert.throws(
    () => probeGlibcSync({ pid: -3 }),
    (e) => e.code === 'ERR_SYSPROBE_INVALID_ARG',
  );
});

test('probeGlibc({ pid }): the libc this process and a child mapped, equal to what the C library says of itself', {
  skip: skipUnless(process.platform === 'linux', 'needs Linux /proc'),
}, async () => {
  const self = probeGlibcSync();
  const mine = await probeGlibc({ pid: process.pid });
  assert.equal(mine.subject, 'pid');
  assert.equal(mine.family, self.family);
  assert.equal(mine.version, self.version);
  const child = spawn('sleep', ['10'], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const other = probeGlibcSync({ pid: child.pid });
    assert.equal(other.family, self.family);
    assert.equal(other.version, self.version);
    // Oracle: the version glibc prints about itself (libc.so.6 is executable and prints its banner).
    const banner = run(other.libcPath, []);
    if (banner !== null && banner.status === 0) assert.ok(banner.stdout.includes(`release version ${other.version}`), banner.stdout);
  } finally {
    child.kill();
  }
  assert.throws(
    () => probeGlibcSync({ pid: 2 ** 22 + 12345 }),
    (e) => e instanceof SysprobeError,
  );
  void readElfSync;
});
