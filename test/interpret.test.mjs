// The rules that turn the addon's raw facts into a LibcInfo, fed the facts of systems this machine
// is not. The facts below are what the addon reports there: loader and object names as those
// systems map them (Alpine's ld-musl, gcompat's libgcompat.so.0, a static program, macOS).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { interpretSelfLibc } = require('../dist/probes/libc/self.js');

const file = (name, realPath = name) => ({ name, realPath, realPathErrno: 0 });

const glibcHost = {
  platform: 'linux',
  gnuVersion: '2.36',
  gnuRelease: 'stable',
  gnuVersionProvider: file('/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/x86_64-linux-gnu/libc.so.6'),
  confstrVersion: 'glibc 2.36',
  interpreter: '/lib64/ld-linux-x86-64.so.2',
  mainProgramSeen: true,
  atBase: 0x7f0000000000n,
  loader: file('/lib64/ld-linux-x86-64.so.2', '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'),
  libcObject: file('/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/x86_64-linux-gnu/libc.so.6'),
  loadedObjects: ['linux-vdso.so.1', '/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2'],
  compiledFamily: 'glibc',
  compiledVersion: '2.28',
};

const muslHost = {
  platform: 'linux',
  gnuVersion: null,
  gnuRelease: null,
  gnuVersionProvider: null,
  confstrVersion: null,
  interpreter: '/lib/ld-musl-x86_64.so.1',
  mainProgramSeen: true,
  atBase: 0x7f0000000000n,
  loader: file('/lib/ld-musl-x86_64.so.1'),
  libcObject: file('/lib/ld-musl-x86_64.so.1'),
  loadedObjects: ['/lib/ld-musl-x86_64.so.1'],
  compiledFamily: 'musl-or-other',
  compiledVersion: null,
};

test('glibc host: family, version, release and paths come from the raw facts', () => {
  const info = interpretSelfLibc(glibcHost);
  assert.equal(info.family, 'glibc');
  assert.equal(info.version, '2.36');
  assert.equal(info.release, 'stable');
  assert.equal(info.loaderPath, '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2');
  assert.equal(info.libcPath, '/usr/lib/x86_64-linux-gnu/libc.so.6');
  assert.equal(info.compiledAgainst, '2.28');
  assert.deepEqual(info.disagreements, []);
});

test('musl: family from the ld-musl loader, no invented version, no glibc build', () => {
  const info = interpretSelfLibc(muslHost);
  assert.equal(info.family, 'musl');
  assert.equal(info.version, null);
  assert.equal(info.gcompat, false);
  assert.equal(info.compiledAgainst, null);
  assert.equal(info.loaderPath, '/lib/ld-musl-x86_64.so.1');
  assert.equal(info.libcPath, '/lib/ld-musl-x86_64.so.1');
  assert.ok(info.evidence.some((e) => e.fact === 'version' && e.value === null && /musl exports no version/.test(e.source)));
});

test('gcompat: a glibc program on musl is musl, and the fake "2.8" is a disagreement, not the version', () => {
  const info = interpretSelfLibc({
    ...muslHost,
    interpreter: '/lib/ld-linux-x86-64.so.2',
    loader: file('/lib/ld-linux-x86-64.so.2', '/lib/ld-musl-x86_64.so.1'),
    gnuVersion: '2.8',
    gnuRelease: 'stable',
    gnuVersionProvider: file('/lib/libgcompat.so.0'),
    loadedObjects: ['/lib/ld-linux-x86-64.so.2', '/lib/libgcompat.so.0'],
    compiledFamily: 'glibc',
    compiledVersion: '2.17',
  });
  assert.equal(info.family, 'musl');
  assert.equal(info.gcompat, true);
  assert.equal(info.version, null);
  assert.equal(info.disagreements.length, 1);
  assert.equal(info.disagreements[0].fact, 'family');
  assert.match(info.disagreements[0].note, /2\.8.*libgcompat/);
});

test('static program: static, family unknown, never a guess', () => {
  const info = interpretSelfLibc({
    ...glibcHost,
    gnuVersion: null,
    gnuRelease: null,
    gnuVersionProvider: null,
    confstrVersion: 'glibc 2.36',
    interpreter: null,
    atBase: 0n,
    loader: null,
    libcObject: null,
    loadedObjects: ['linux-vdso.so.1'],
  });
  assert.equal(info.static, true);
  assert.equal(info.family, 'unknown');
  assert.equal(info.version, null);
  assert.equal(info.loaderPath, null);
});

test('program started through its loader (AT_BASE 0): the loader is found among the loaded objects', () => {
  const info = interpretSelfLibc({ ...glibcHost, atBase: 0n, loader: null });
  assert.equal(info.static, false);
  assert.equal(info.loaderPath, '/lib64/ld-linux-x86-64.so.2');
  assert.equal(info.family, 'glibc');
});

test('glibc before 2.34 started through its versioned loader file (ld-2.31.so) is still found', () => {
  const info = interpretSelfLibc({
    ...glibcHost,
    atBase: 0n,
    loader: null,
    loadedObjects: ['/lib/x86_64-linux-gnu/libc.so.6', '/opt/old/lib/ld-2.31.so'],
  });
  assert.equal(info.loaderPath, '/opt/old/lib/ld-2.31.so');
});

test('gnu_get_libc_version and confstr disagreeing is reported with both values', () => {
  const info = interpretSelfLibc({ ...glibcHost, confstrVersion: 'glibc 2.35' });
  assert.equal(info.version, '2.36');
  assert.deepEqual(
    info.disagreements.map((d) => d.fact),
    ['version'],
  );
  assert.deepEqual(
    info.disagreements[0].values.map((v) => v.value),
    ['2.36', 'glibc 2.35'],
  );
});

test('an interposer defining gnu_get_libc_version elsewhere than getpid is a disagreement', () => {
  const info = interpretSelfLibc({ ...glibcHost, gnuVersionProvider: file('/opt/shim/libfake.so') });
  assert.deepEqual(
    info.disagreements.map((d) => d.fact),
    ['libc'],
  );
});

test('the loader mapped is not the one PT_INTERP names: disagreement', () => {
  const info = interpretSelfLibc({ ...glibcHost, interpreter: '/nix/store/x-glibc/lib/ld-linux-aarch64.so.1' });
  assert.deepEqual(
    info.disagreements.map((d) => d.fact),
    ['loader'],
  );
});

test('macOS and Windows: family unknown with the reason, not glibc', () => {
  for (const platform of ['darwin', 'win32']) {
    const info = interpretSelfLibc({
      ...muslHost,
      platform,
      interpreter: null,
      loader: null,
      libcObject: null,
      loadedObjects: [],
      compiledFamily: platform === 'win32' ? 'msvcrt' : 'darwin',
    });
    assert.equal(info.family, 'unknown');
    assert.equal(info.version, null);
    const why = info.evidence.find((e) => e.fact === 'family');
    assert.match(why.detail, platform === 'darwin' ? /libSystem/ : /UCRT/);
  }
});
