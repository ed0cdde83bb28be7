// Memory amplification: a sparse ELF file (a few KiB on disk) whose dynamic string table claims 1 GiB
// cost 1 GiB per read (the whole claimed table was read), 4 GiB for a scanElf of four copies. Names are
// now read window by window; the peak RSS of a child process reading the file is the oracle (VmHWM in
// /proc/self/status, maxRSS elsewhere). A symbol table claiming more symbols than the documented limit
// (kMaxSymbols in native/core/elf.h) is ERR_SYSPROBE_TOO_LARGE. Both backends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { koffiWithoutCore, runNode, skipUnless } from './helpers.mjs';
import { buildElf } from './elf-build.mjs';

const GiB = 2 ** 30;
const work = mkdtempSync(join(tmpdir(), 'sysprobe-elfmem-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const skip = skipUnless(!koffiWithoutCore, 'the koffi backend without its WebAssembly core cannot read ELF');

/** The dynamic entries of a little-endian 64-bit file built by buildElf (no interpreter): [tag, valueAt]. */
function dynamicEntries(bytes) {
  const phoff = Number(bytes.readBigUInt64LE(32));
  const phnum = bytes.readUInt16LE(56);
  for (let i = 0; i < phnum; i += 1) {
    const o = phoff + i * 56;
    if (bytes.readUInt32LE(o) !== 2) continue;
    const at = Number(bytes.readBigUInt64LE(o + 8));
    const size = Number(bytes.readBigUInt64LE(o + 32));
    const out = [];
    for (let k = at; k < at + size; k += 16) out.push([Number(bytes.readBigUInt64LE(k)), k + 8]);
    return out;
  }
  throw new Error('no PT_DYNAMIC');
}

/** Writes `bytes` and extends the file to `size` without writing (a hole). */
function writeSparse(path, bytes, size) {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, bytes, 0, bytes.length, 0);
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
}

const spec = {
  cls: 64,
  big: false,
  machine: 62,
  soname: 'libsparse.so.1',
  needed: ['libc.so.6'],
  sections: false,
  needs: [{ file: 'libc.so.6', versions: [{ name: 'GLIBC_2.34', index: 2 }] }],
  symbols: [{ name: 'printf', version: 2 }],
};

// DT_STRSZ claims 1 GiB; the file is as long (a hole after the headers), so the claim is "inside the input".
const stringsFile = join(work, 'libsparse.so.1');
{
  const bytes = buildElf(spec);
  const [, strszAt] = dynamicEntries(bytes).find(([tag]) => tag === 10);
  bytes.writeBigUInt64LE(BigInt(GiB), strszAt);
  writeSparse(stringsFile, bytes, GiB + 65536);
}
for (let i = 0; i < 4; i += 1) {
  const copy = join(work, 'four', `copy${i}.so`);
  if (i === 0) (await import('node:fs')).mkdirSync(join(work, 'four'));
  (await import('node:fs')).copyFileSync(stringsFile, copy); // copy_file_range keeps the hole
}

/** Peak RSS in MiB of a fresh process running `body` (an async function body, `api` = sysprobe). */
function peakRss(body) {
  const script = `
    import * as api from 'sysprobe';
    import { readFileSync } from 'node:fs';
    const result = await (async () => { ${body} })();
    const status = readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\\s+(\\d+) kB/);
    const peakKb = status ? Number(status[1]) : process.resourceUsage().maxRSS;
    process.stdout.write(JSON.stringify({ peakMiB: peakKb / 1024, result }));`;
  const child = runNode(script, {}, []);
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout);
}

const LIMIT_MIB = 300; // a Node process reading small files peaks near 60-100 MiB; the old code ~1100 per file

test('a string table that claims 1 GiB (a sparse file) is not read whole: readElf and readElfSync stay small', {
  skip,
  timeout: 120_000,
}, (t) => {
  const { peakMiB, result } = peakRss(`
    const a = api.readElfSync(${JSON.stringify(stringsFile)});
    const b = await api.readElf(${JSON.stringify(stringsFile)});
    const c = await api.readElf(${JSON.stringify(stringsFile)}, { symbols: true });
    return [a.soname, a.needed, b.maxVersions, c.symbols.map((s) => s.name + '@' + s.version)];`);
  assert.deepEqual(result, ['libsparse.so.1', ['libc.so.6'], { GLIBC: '2.34' }, ['printf@GLIBC_2.34']]);
  t.diagnostic(`peak RSS ${peakMiB.toFixed(0)} MiB`);
  assert.ok(peakMiB < LIMIT_MIB, `peak RSS ${peakMiB.toFixed(0)} MiB (limit ${LIMIT_MIB})`);
});

test('scanElf of four copies of that file stays small', { skip, timeout: 120_000 }, (t) => {
  const { peakMiB, result } = peakRss(`
    const entries = await api.scanElf(${JSON.stringify(join(work, 'four'))}, { concurrency: 4 });
    return entries.map((e) => e.ok ? e.info.soname : e.error.code);`);
  assert.deepEqual(result, Array(4).fill('libsparse.so.1'));
  t.diagnostic(`peak RSS ${peakMiB.toFixed(0)} MiB`);
  assert.ok(peakMiB < LIMIT_MIB, `peak RSS ${peakMiB.toFixed(0)} MiB (limit ${LIMIT_MIB})`);
});

test('more dynamic symbols than the documented limit (2^20) is ERR_SYSPROBE_TOO_LARGE, with the path', { skip, timeout: 120_000 }, (t) => {
  // DT_HASH nchain claims 2^20 + 1 symbols of 24 bytes; the file is long enough to hold them (a hole).
  const path = join(work, 'libmanysyms.so');
  const bytes = buildElf(spec);
  const [, hashAt] = dynamicEntries(bytes).find(([tag]) => tag === 4);
  const hashOffset = Number(bytes.readBigUInt64LE(hashAt)) - 0x10000;
  bytes.writeUInt32LE(2 ** 20 + 1, hashOffset + 4);
  writeSparse(path, bytes, 64 * 2 ** 20);
  const { peakMiB, result } = peakRss(`
    const out = [];
    for (const read of [(p, o) => api.readElfSync(p, o), api.readElf]) {
      try { await read(${JSON.stringify(path)}, { symbols: true }); out.push('no error'); }
      catch (e) { out.push({ code: e.code, path: e.path, limit: /1048576/.test(e.message), name: e.name }); }
    }
    out.push((await api.readElf(${JSON.stringify(path)})).soname);  // without symbols: no table read
    return out;`);
  const expected = { code: 'ERR_SYSPROBE_TOO_LARGE', path, limit: true, name: 'SysprobeError' };
  assert.deepEqual(result, [expected, expected, 'libsparse.so.1']);
  t.diagnostic(`peak RSS ${peakMiB.toFixed(0)} MiB`);
  assert.ok(peakMiB < LIMIT_MIB, `peak RSS ${peakMiB.toFixed(0)} MiB (limit ${LIMIT_MIB})`);
});
