// The C library's version text read by bounded windows: found wherever it lies (window edges
// included), and a file beyond the documented bound is ERR_SYSPROBE_TOO_LARGE, never read whole.
import assert from 'node:assert/strict';
import { closeSync, cpSync, mkdtempSync, openSync, realpathSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SysprobeError, probeGlibc, probeGlibcSync } from 'sysprobe';
import { corpusRoot, materializeRoot, skipUnless } from './helpers.mjs';

const require = createRequire(import.meta.url);
const { LIBC_MAX_BYTES, scanLibcText, scanLibcTextSync } = require('../dist/probes/libc/banner.js');
const BANNER = 'GNU C Library (Debian GLIBC 2.36-9+deb12u4) stable release version 2.36.\n';

test('the banner is found at every offset around the window edges, sync and async', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-banner-'));
  try {
    const size = 3 * 65536 + 77;
    for (const at of [0, 65536 - 600, 65536 - 512, 65536 - 40, 65536 - 1, 65536, 2 * 65536 - 500, 3 * 65536 - 20, size - BANNER.length]) {
      const bytes = Buffer.alloc(size, 0x41);
      bytes.write(BANNER, at, 'latin1');
      const file = join(dir, `libc-${at}`);
      writeFileSync(file, bytes);
      const fd = openSync(file, 'r');
      try {
        const text = scanLibcTextSync(fd, size, file);
        assert.equal(text.banner?.[3], '2.36', `banner at ${at}`);
        assert.equal(text.bytesRead, size);
      } finally { closeSync(fd); }
      const handle = await open(file, 'r');
      try { assert.equal((await scanLibcText(handle, size, file)).banner?.[3], '2.36', `async, banner at ${at}`); } finally { await handle.close(); }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(`a root whose libc.so.6 is a 3 GiB sparse file: ERR_SYSPROBE_TOO_LARGE (limit ${LIBC_MAX_BYTES}), not a RangeError`, { skip: skipUnless(corpusRoot('bullseye-amd64'), 'needs ../shared/corpus/roots/bullseye-amd64') }, async () => {
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
