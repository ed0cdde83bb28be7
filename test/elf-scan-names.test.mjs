// scanElf over a directory holding names that are not valid UTF-8: each file is read through its exact
// bytes (it was reported as ENOENT: its lossy decoding, with U+FFFD, names no file), `pathBytes` keeps
// them, `path` is the lossy text. readelf (given the bytes as a path) is the oracle of what is inside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanElf } from 'sysprobe';
import { koffiWithoutCore, skipUnless } from './helpers.mjs';

const work = mkdtempSync(join(tmpdir(), 'sysprobe-names-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const bytesOf = (...parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
const file = bytesOf(work, '/tr', [0xff], 'ue'); // a file named with an invalid byte
const dir = bytesOf(work, '/d', [0xfe]); // a directory named so, and a file in it
mkdirSync(dir);
const inner = bytesOf(work, '/d', [0xfe], '/ls');
copyFileSync(process.execPath, file);
copyFileSync('/bin/ls', inner);
copyFileSync('/bin/ls', join(work, 'plain'));

test('files whose names are not valid UTF-8 are read through their bytes, the bytes kept as pathBytes', {
  skip: skipUnless(!koffiWithoutCore && process.platform === 'linux', 'Linux, and the koffi backend with its WebAssembly core'),
}, async () => {
  const entries = await scanElf(work);
  const byBytes = new Map(entries.map((e) => [(e.pathBytes ?? Buffer.from(e.path)).toString('hex'), e]));
  for (const [bytes, needed] of [
    [file, 'libc.so.6'],
    [inner, 'libc.so.6'],
  ]) {
    const entry = byBytes.get(bytes.toString('hex'));
    assert.ok(entry, `no entry for ${bytes.toString('latin1')}: ${JSON.stringify(entries.map((e) => e.path))}`);
    assert.ok(entry.ok, `${entry.path}: ${entry.ok ? '' : entry.error.code}`);
    assert.ok(Buffer.isBuffer(entry.pathBytes));
    assert.equal(entry.path, bytes.toString('utf8')); // the lossy text, U+FFFD for the bad byte
    assert.equal(entry.info.path, entry.path);
    assert.ok(entry.info.needed.includes(needed));
    assert.deepEqual(readFileSync(entry.pathBytes).subarray(0, 4), Buffer.from('\x7fELF', 'latin1')); // usable with node:fs
  }
  const plain = entries.find((e) => e.path === join(work, 'plain'));
  assert.ok(plain?.ok && !('pathBytes' in plain), 'a valid UTF-8 path has no pathBytes');
});
