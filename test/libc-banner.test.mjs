// The C library's version text read by the core's scanner (native/core/libc_banner.h) in bounded
// windows: found wherever it lies (window edges included), and a file beyond the documented bound is
// ERR_SYSPROBE_TOO_LARGE, never read whole. Through the binding, so on the backend under test.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, realpathSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SysprobeError, probeGlibc, probeGlibcSync } from 'sysprobe';
import { corpusRoot, koffiWithoutCore, materializeRoot, skipUnless } from './helpers.mjs';

const require = createRequire(import.meta.url);
const { binding } = require('../dist/backends/loader.js');
const BANNER = 'GNU C Library (Debian GLIBC 2.36-9+deb12u4) stable release version 2.36.\n';
/** The documented bounds: 64 KiB windows, files up to 64 MiB. */
const WINDOW = 65536;
const LIBC_MAX_BYTES = 64 * 1024 * 1024;
const needsCore = skipUnless(!koffiWithoutCore, 'the koffi backend needs its WebAssembly core');

const scanSync = (file) => JSON.parse(binding().scanLibcFileSync(file));
const scan = async (file) => JSON.parse(await binding().scanLibcFile(file));

test('the banner is found at every offset around the window edges, sync and async', { skip: needsCore }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-banner-'));
  try {
    const size = 3 * WINDOW + 77;
    for (const at of [
      0,
      WINDOW - 600,
      WINDOW - 512,
      WINDOW - 40,
      WINDOW - 1,
      WINDOW,
      2 * WINDOW - 500,
      3 * WINDOW - 20,
      size - BANNER.length,
    ]) {
      const bytes = Buffer.alloc(size, 0x41);
      bytes.write(BANNER, at, 'latin1');
      const file = join(dir, `libc-${at}`);
      writeFileSync(file, bytes);
      const { text } = scanSync(file);
      assert.equal(text.banner?.version, '2.36', `banner at ${at}`);
      assert.equal(text.banner.text, BANNER.trimEnd(), `banner at ${at}`);
      assert.equal(text.banner.release, 'stable');
      assert.equal(text.bytesRead, size);
      assert.equal(text.limit, LIBC_MAX_BYTES);
      assert.equal((await scan(file)).text.banner?.version, '2.36', `async, banner at ${at}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the banner as the regular expression reads it: the shortest package text, X.Y.Z versions, "," after the version, musl version strings', {
  skip: needsCore,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-banner-'));
  const scanText = (text) => {
    const file = join(dir, 'libc');
    writeFileSync(file, Buffer.from(text, 'latin1'));
    return scanSync(file).text;
  };
  try {
    assert.deepEqual(scanText('\0GNU C Library (GNU libc) stable release version 2.17, by Roland McGrath et al.\n').banner, {
      text: 'GNU C Library (GNU libc) stable release version 2.17,',
      release: 'stable',
      version: '2.17',
    });
    assert.deepEqual(scanText('GNU C Library development release version 2.37.9000.').banner, {
      text: 'GNU C Library development release version 2.37.9000.',
      release: 'development',
      version: '2.37.9000',
    });
    assert.deepEqual(scanText('GNU C Library (x) release version 2.3.6x.').banner, {
      text: 'GNU C Library (x) release version 2.3.',
      release: null,
      version: '2.3',
    });
    assert.equal(scanText('GNU C Library (a\nb) stable release version 2.36.').banner, null);
    assert.equal(
      scanText('GNU C Library (\xe9) stable release version 2.36.').banner.text,
      'GNU C Library (\xe9) stable release version 2.36.',
    );
    const musl = scanText('musl libc (x86_64)\0Version %s\0\x001.2.3\0\0 1.2\0');
    assert.deepEqual(musl.musl, { marker: true, candidates: ['1.2.3'], version: '1.2.3' });
    // Each match takes its closing NUL: 1.2.4 has none left before it; '+' ends a suffix.
    assert.deepEqual(scanText('\x001.2.3\x001.2.4\0\x001.2.5_git\0\x001.2.6_a+b\0').musl, {
      marker: false,
      candidates: ['1.2.3', '1.2.5_git'],
      version: null,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The regular expressions the scanner implements (src/probes/libc/banner.ts before it moved to the core)
// are the oracle: texts built from banner and version pieces, seeded, so every run checks the same ones.
const BANNER_RE = /GNU C Library ([^\n\0]*?) ?(?:\b(stable|development|pre-release))? release version (\d+\.\d+(?:\.\d+)?)[.,]/;
const MUSL_VERSION_RE = /\0(\d+\.\d+\.\d+(?:[_+~-][0-9A-Za-z.]+)?)\0/g;

test('the scanner agrees with the regular expressions on 2000 generated texts', { skip: needsCore }, () => {
  let seed = 7;
  const random = (n) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return (seed >>> 12) % n;
  };
  const pick = (items) => items[random(items.length)];
  const maybe = (text) => (random(2) ? text : '');
  const number = () => pick(['2', '36', '17', '', 'x', '9000', '0']);
  const version = () => number() + maybe('.') + number() + maybe(pick(['.', '.1', '.x', ''])) + maybe(number());
  const banner = () =>
    pick(['GNU C Library ', 'GNU C Library', 'GNU C  Library ']) +
    maybe(pick(['(Debian GLIBC 2.36-9)', '(x)', '(a\nb)', '(a\0b)', 'xstable', '(\xe9)'])) +
    maybe(' ') +
    maybe(pick(['stable', 'development', 'pre-release', 'stablex'])) +
    maybe(' ') +
    pick(['release version ', ' release version ', 'release  version ']) +
    version() +
    pick(['.', ',', '', '\n', ' ', '.5.', '..']);
  const musl = () => `\0${version()}${maybe(pick(['_git', '+x', '~rc1', '-a.b', '_', '-']))}${pick(['\0', '', 'x\0'])}`;
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-banner-'));
  const file = join(dir, 'libc');
  let banners = 0;
  try {
    for (let i = 0; i < 2000; i++) {
      let text = '';
      for (let k = 1 + random(5); k > 0; k--) text += pick([banner, musl, () => pick(['musl libc (', '\0', ' ', 'junk', '\n'])])();
      writeFileSync(file, Buffer.from(text, 'latin1'));
      const m = BANNER_RE.exec(text);
      if (m !== null) banners++;
      const candidates = [...new Set([...text.matchAll(MUSL_VERSION_RE)].map((c) => c[1]))];
      const marker = text.includes('musl libc (');
      const got = scanSync(file).text;
      assert.deepEqual(
        { banner: got.banner, musl: got.musl },
        {
          banner: m === null ? null : { text: m[0], release: m[2] ?? null, version: m[3] },
          musl: { marker, candidates, version: marker && candidates.length === 1 ? candidates[0] : null },
        },
        JSON.stringify(text),
      );
    }
    assert.ok(banners > 50, `only ${banners} texts held a banner`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(`a file above ${LIBC_MAX_BYTES} bytes is not read: the scanner reports its size only`, { skip: needsCore }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-banner-'));
  try {
    const file = join(dir, 'libc.so.6');
    writeFileSync(file, BANNER);
    truncateSync(file, LIBC_MAX_BYTES + 1);
    const { text, versionDefs } = scanSync(file);
    assert.deepEqual(
      { size: text.size, bytesRead: text.bytesRead, banner: text.banner, versionDefs },
      { size: LIBC_MAX_BYTES + 1, bytesRead: 0, banner: null, versionDefs: null },
    );
    truncateSync(file, LIBC_MAX_BYTES);
    assert.equal(scanSync(file).text.banner?.version, '2.36');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(`a root whose libc.so.6 is a 3 GiB sparse file: ERR_SYSPROBE_TOO_LARGE (limit ${LIBC_MAX_BYTES}), not a RangeError`, {
  skip: skipUnless(corpusRoot('bullseye-amd64'), 'needs ../shared/corpus/roots/bullseye-amd64'),
}, async () => {
  const rootDir = mkdtempSync(join(tmpdir(), 'sysprobe-sparse-'));
  try {
    cpSync(materializeRoot('bullseye-amd64'), rootDir, { recursive: true, verbatimSymlinks: true });
    const libc = realpathSync(join(rootDir, 'lib/x86_64-linux-gnu/libc-2.31.so'));
    truncateSync(libc, 3 * 1024 ** 3);
    const tooLarge = (e) => e instanceof SysprobeError && e.code === 'ERR_SYSPROBE_TOO_LARGE' && e.details?.limit === LIBC_MAX_BYTES;
    assert.throws(() => probeGlibcSync({ root: rootDir }), tooLarge);
    await assert.rejects(probeGlibc({ root: rootDir }), tooLarge);
  } finally {
    rmSync(rootDir, { recursive: true, force: true });
  }
});
