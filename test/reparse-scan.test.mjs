// scanReparsePoints on an ordinary directory (no NTFS needed): what it counts, how deep it goes,
// progress, abort and option errors. The ntfs-3g test scans a volume with reparse points.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { scanReparsePoints } from 'sysprobe';

test('scanReparsePoints on an ordinary directory: nothing found, entries counted, progress, abort, bad options', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-scan-'));
  try {
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(join(dir, 'a', 'b', 'f'), 'x');
    writeFileSync(join(dir, 'g'), 'x');
    symlinkSync('/', join(dir, 'loop')); // a symlink is never descended
    const progress = [];
    const scan = await scanReparsePoints(dir, { onProgress: (p) => progress.push(p.current) });
    assert.deepEqual(scan.found, []);
    assert.deepEqual(scan.errors, []);
    assert.equal(scan.directories, 3);
    assert.equal(scan.entries, 5);
    assert.deepEqual(progress, [dir, join(dir, 'a'), join(dir, 'a', 'b')]);
    const shallow = await scanReparsePoints(pathToFileURL(dir), { maxDepth: 0 });
    assert.deepEqual(shallow.depthLimited, [join(dir, 'a')]);
    await assert.rejects(scanReparsePoints(dir, { signal: AbortSignal.abort() }), { name: 'AbortError' });
    await assert.rejects(scanReparsePoints(join(dir, 'g')), { code: 'ENOTDIR' });
    await assert.rejects(scanReparsePoints(dir, { depth: 1 }), { code: 'ERR_SYSPROBE_INVALID_ARG' });
    await assert.rejects(scanReparsePoints(dir, { concurrency: 0 }), { code: 'ERR_SYSPROBE_INVALID_ARG' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
