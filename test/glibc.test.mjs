// probeGlibc for this process, checked against oracles outside sysprobe: getconf, the glibc
// library's own banner, GNU readelf on /proc/self/exe, and the kernel's /proc/self/maps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, realpathSync } from 'node:fs';
import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import { probeGlibc, probeGlibcSync, SysprobeError } from 'sysprobe';
import { koffiMode, run, which, skipUnless } from './helpers.mjs';

const onLinux = process.platform === 'linux';

function mappedFiles() {
  const files = new Set();
  for (const line of readFileSync('/proc/self/maps', 'latin1').split('\n')) {
    const path = line.split(/\s+/).slice(5).join(' ');
    if (path.startsWith('/')) files.add(path);
  }
  return [...files];
}

test('version equals getconf GNU_LIBC_VERSION', { skip: skipUnless(onLinux && which('getconf'), 'getconf (Linux) not available') }, () => {
  const oracle = run('getconf', ['GNU_LIBC_VERSION']);
  assert.equal(oracle.status, 0, oracle.stderr);
  const [family, version] = oracle.stdout.trim().split(/\s+/);
  assert.equal(family, 'glibc');
  const info = probeGlibcSync();
  assert.equal(info.family, 'glibc');
  assert.equal(info.version, version);
});

test('version and release equal the banner the mapped libc.so.6 prints when run', { skip: skipUnless(onLinux, 'not Linux') }, () => {
  const info = probeGlibcSync();
  // glibc's libc.so.6 is executable and prints "GNU C Library (…) stable release version 2.36."
  const banner = run(info.libcPath, []);
  assert.ok(banner, `${info.libcPath} could not be run`);
  const match = /GNU C Library .* (\S+) release version (\d+\.\d+(?:\.\d+)?)[.,]/.exec(banner.stdout);
  assert.ok(match, `no banner in: ${banner.stdout.slice(0, 200)}`);
  assert.equal(info.release, match[1]);
  assert.equal(info.version, match[2]);
});

test('loaderPath is the resolved PT_INTERP of /proc/self/exe as GNU readelf reads it', {
  skip: skipUnless(onLinux && which('readelf'), 'readelf not installed'),
}, () => {
  const headers = run('readelf', ['-lW', '/proc/self/exe']);
  assert.equal(headers.status, 0, headers.stderr);
  const interpreter = /\[Requesting program interpreter: ([^\]]+)\]/.exec(headers.stdout)?.[1];
  assert.ok(interpreter, 'node has no PT_INTERP');
  const info = probeGlibcSync();
  assert.equal(info.loaderPath, realpathSync(interpreter));
  assert.ok(info.evidence.some((e) => e.fact === 'interpreter' && e.value === interpreter));
});

test('loaderPath and libcPath are files the kernel shows mapped in /proc/self/maps', { skip: skipUnless(onLinux, 'not Linux') }, () => {
  const info = probeGlibcSync();
  const mapped = mappedFiles().map((path) => realpathSync(path));
  assert.ok(mapped.includes(info.loaderPath), `${info.loaderPath} not among ${mapped.join(', ')}`);
  assert.ok(mapped.includes(info.libcPath), `${info.libcPath} not mapped`);
  const libcMapped = mapped.filter((path) => basename(path) === 'libc.so.6');
  assert.deepEqual(libcMapped, [info.libcPath]);
  assert.equal(info.static, false);
  assert.equal(info.gcompat, false);
});

test('compiledAgainst is the glibc of the headers the addon was built with', { skip: skipUnless(onLinux, 'not Linux') }, () => {
  let features;
  try {
    features = readFileSync('/usr/include/features.h', 'latin1');
  } catch {
    return skipUnless(false, '/usr/include/features.h absent');
  }
  const major = /#define\s+__GLIBC__\s+(\d+)/.exec(features)[1];
  const minor = /#define\s+__GLIBC_MINOR__\s+(\d+)/.exec(features)[1];
  if (process.env.SYSPROBE_BACKEND === 'koffi') {
    // No addon was built: the koffi backend says so instead of naming headers.
    assert.equal(probeGlibcSync().compiledAgainst, null);
    assert.equal(probeGlibcSync().evidence.find((e) => e.fact === 'compiledAgainst').detail, 'no addon: the koffi backend answered');
    return;
  }
  assert.equal(probeGlibcSync().compiledAgainst, `${major}.${minor}`);
});

test('every fact has evidence, and the sources agree on this host', () => {
  const info = probeGlibcSync();
  for (const fact of ['family', 'version', 'release', 'loader', 'libc', 'static', 'gcompat', 'compiledAgainst']) {
    assert.ok(
      info.evidence.some((e) => e.fact === fact),
      `no evidence for ${fact}`,
    );
  }
  const versions = info.evidence.filter((e) => e.fact === 'version');
  assert.deepEqual(
    versions.map((e) => e.source),
    ['gnu_get_libc_version()', 'confstr(_CS_GNU_LIBC_VERSION)'],
  );
  assert.ok(versions.every((e) => e.value === info.version));
  assert.deepEqual(info.disagreements, []);
});

test('async equals sync, answers are cached and frozen, refresh asks again', async () => {
  const sync = probeGlibcSync();
  const pending = [probeGlibc(), probeGlibc()];
  const [a, b] = await Promise.all(pending);
  assert.deepEqual(a, sync);
  assert.equal(a, b);
  assert.equal(probeGlibcSync(), probeGlibcSync());
  assert.ok(Object.isFrozen(sync) && Object.isFrozen(sync.evidence) && Object.isFrozen(sync.evidence[0]));
  const fresh = await probeGlibc({ refresh: true });
  assert.notEqual(fresh, sync);
  assert.deepEqual(fresh, sync);
  const freshSync = probeGlibcSync({ refresh: true });
  assert.notEqual(freshSync, fresh);
  assert.deepEqual(freshSync, sync);
});

test('options are validated before any native call', async () => {
  const invalid = [
    [42, 'ERR_SYSPROBE_INVALID_ARG'],
    [{ refresh: 'yes' }, 'ERR_SYSPROBE_INVALID_ARG'],
    [{ bogus: 1 }, 'ERR_SYSPROBE_INVALID_ARG'],
    [{ root: 'relative' }, 'ERR_SYSPROBE_INVALID_ARG'],
    [{ pid: 0 }, 'ERR_SYSPROBE_INVALID_ARG'],
    [{ root: '/', pid: 1 }, 'ERR_SYSPROBE_INVALID_ARG'],
  ];
  for (const [options, code] of invalid) {
    assert.throws(
      () => probeGlibcSync(options),
      (error) => error instanceof SysprobeError && error.code === code,
    );
    await assert.rejects(probeGlibc(options), (error) => error instanceof SysprobeError && error.code === code);
  }
});

test('a worker thread loads its own instance of the addon and gets the same answer', async () => {
  const expected = JSON.parse(JSON.stringify(probeGlibcSync()));
  const worker = new Worker(
    `
    const { parentPort } = require('node:worker_threads');
    const sysprobe = require(${JSON.stringify(new URL('../dist/index.js', import.meta.url).pathname)});
    sysprobe.probeGlibc().then((info) => parentPort.postMessage(JSON.parse(JSON.stringify(info))),
      (error) => parentPort.postMessage({ refused: { code: error.code, thread: error.details?.thread } }));
  `,
    { eval: true },
  );
  const [fromWorker] = await Promise.all([
    new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    }),
  ]);
  await worker.terminate();
  // koffi is not loaded on worker threads (test/koffi-worker.test.mjs): a typed refusal there.
  if (koffiMode) assert.deepEqual(fromWorker, { refused: { code: 'ERR_SYSPROBE_NEEDS_ADDON', thread: 'worker' } });
  else assert.deepEqual(fromWorker, expected);
});
