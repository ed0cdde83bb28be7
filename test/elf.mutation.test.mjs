// Mutation test: thousands of random mutants of real ELF files (and hand-built ones in every class and
// byte order) through readElfSync and scanElf. Nothing may crash the process or come out but a result
// or a SysprobeError with a malformed-input code. Deterministic: SYSPROBE_MUTATION_SEED picks the
// seed, SYSPROBE_MUTANTS the number of mutants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SysprobeError, readElfSync, scanElf } from 'sysprobe';
import { root } from './helpers.mjs';
import { buildElf } from './elf-build.mjs';

const seed = Number(process.env.SYSPROBE_MUTATION_SEED ?? 20261123);
const mutants = Number(process.env.SYSPROBE_MUTANTS ?? 6000);
const MALFORMED = new Set(['ERR_SYSPROBE_NOT_ELF', 'ERR_SYSPROBE_TRUNCATED', 'ERR_SYSPROBE_BAD_ELF']);

/** xorshift32: the same mutants on every run for a given seed. */
function rng(state) {
  let s = state >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return n === undefined ? s : s % n;
  };
}

/** [offset, size] of the headers and every table the parser reads, from the section headers. */
function interestingRanges(bytes) {
  const is64 = bytes[4] === 2;
  const big = bytes[5] === 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o) => view.getUint16(o, !big);
  const u32 = (o) => view.getUint32(o, !big);
  const word = (o) => (is64 ? Number(view.getBigUint64(o, !big)) : u32(o));
  const ranges = [[0, Math.min(bytes.length, is64 ? 64 : 52)]];
  try {
    const phoff = word(is64 ? 32 : 28),
      phentsize = u16(is64 ? 54 : 42),
      phnum = u16(is64 ? 56 : 44);
    ranges.push([phoff, phentsize * phnum]);
    const shoff = word(is64 ? 40 : 32),
      shentsize = u16(is64 ? 58 : 46),
      shnum = u16(is64 ? 60 : 48);
    if (shoff > 0 && shoff + shentsize * shnum <= bytes.length) {
      ranges.push([shoff, shentsize * shnum]);
      for (let i = 0; i < shnum; i += 1) {
        const o = shoff + i * shentsize;
        const type = u32(o + 4);
        if ([5, 6, 11, 0x6ffffff6, 0x6ffffffd, 0x6ffffffe, 0x6fffffff].includes(type)) {
          ranges.push([word(is64 ? o + 24 : o + 16), Math.min(word(is64 ? o + 32 : o + 20), 4096)]);
        }
      }
    }
  } catch {
    /* a short file: the ELF header is enough */
  }
  return ranges.filter(([o, n]) => n > 0 && o + n <= bytes.length);
}

const INTERESTING = [0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 16, 20, 24, 64];

function mutate(bytes, ranges, next) {
  const out = Buffer.from(bytes);
  const kind = next(10);
  if (kind === 0) return out.subarray(0, next(out.length)); // truncate
  const edits = 1 + next(4);
  for (let e = 0; e < edits; e += 1) {
    const [start, length] = ranges[next(ranges.length)];
    const at = start + next(length);
    if (kind < 4) {
      out[at] ^= 1 << next(8);
    } else if (kind < 8 && at + 4 <= out.length) {
      const value = next(3) === 0 ? next() : INTERESTING[next(INTERESTING.length)];
      if (next(2)) out.writeUInt32LE(value >>> 0, at);
      else out.writeUInt32BE(value >>> 0, at);
    } else if (at + 8 <= out.length) {
      out.writeBigUInt64LE(BigInt(next()) << BigInt(next(33)), at);
    }
  }
  return out;
}

function seeds() {
  const files = ['/bin/ls', '/bin/true', '/lib/x86_64-linux-gnu/libc.so.6'];
  const out = [];
  for (const file of files) {
    try {
      out.push({ name: file, bytes: readFileSync(file) });
    } catch {
      /* absent on this system */
    }
  }
  const spec = {
    interpreter: '/lib/ld.so.1',
    soname: 'libm.so.1',
    needed: ['libc.so.6'],
    runpath: '$ORIGIN',
    needs: [
      {
        file: 'libc.so.6',
        versions: [
          { name: 'GLIBC_2.0', index: 2 },
          { name: 'GLIBC_2.17', index: 3, weak: true },
        ],
      },
    ],
    defs: [
      { name: 'libm.so.1', index: 1, base: true },
      { name: 'M_1', index: 4 },
      { name: 'M_2', index: 5, parents: ['M_1'] },
    ],
    symbols: [
      { name: 'printf', version: 2 },
      { name: 'memcpy', version: 3 },
      { name: 'old', version: 4, defined: true, hidden: true },
      { name: 'new', version: 5, defined: true },
    ],
  };
  for (const [cls, big, machine] of [
    [32, true, 20],
    [64, true, 22],
    [32, false, 3],
    [64, false, 62],
  ]) {
    out.push({ name: `hand-${cls}${big ? 'be' : 'le'}`, bytes: buildElf({ ...spec, cls, big, machine }) });
  }
  const fixtures = join(root, 'test', 'fixtures', 'elf');
  for (const name of readdirSync(fixtures)) out.push({ name: `fixture ${name}`, bytes: readFileSync(join(fixtures, name)) });
  return out;
}

function check(outcome, where) {
  if (outcome instanceof Error) {
    assert.ok(outcome instanceof SysprobeError, `${where}: not a SysprobeError: ${outcome.stack}`);
    assert.ok(MALFORMED.has(outcome.code), `${where}: unexpected code ${outcome.code}: ${outcome.message}`);
    assert.equal(typeof outcome.offset, 'number', `${where}: no offset`);
    return 'error';
  }
  assert.equal(typeof outcome.class, 'number', `${where}: no result`);
  return 'ok';
}

test(`${mutants} mutants through readElfSync: a result or a SysprobeError, nothing else (seed ${seed})`, (t) => {
  const next = rng(seed);
  const inputs = seeds();
  const counts = { ok: 0, error: 0 };
  for (let i = 0; i < mutants; i += 1) {
    const input = inputs[i % inputs.length];
    const mutant = mutate(input.bytes, interestingRanges(input.bytes), next);
    let outcome;
    try {
      outcome = readElfSync(mutant, { symbols: i % 2 === 0, crossCheck: i % 3 !== 0 });
    } catch (error) {
      outcome = error;
    }
    counts[check(outcome, `mutant ${i} of ${input.name}`)] += 1;
  }
  t.diagnostic(`${counts.ok} parsed, ${counts.error} refused with a typed error`);
  assert.ok(counts.ok > mutants / 20 && counts.error > mutants / 20, 'the mutants should both parse and fail');
});

test('mutants as files through scanElf: one entry per file, in order, each a result or a SysprobeError', async () => {
  const next = rng(seed ^ 0x5a5a5a5a);
  const inputs = seeds();
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-mutants-'));
  try {
    const paths = [];
    for (let i = 0; i < 400; i += 1) {
      const input = inputs[i % inputs.length];
      const path = join(dir, `m${String(i).padStart(4, '0')}`);
      writeFileSync(path, mutate(input.bytes, interestingRanges(input.bytes), next));
      paths.push(path);
    }
    const entries = await scanElf(paths, { symbols: true, concurrency: 4 });
    assert.deepEqual(
      entries.map((e) => e.path),
      paths,
    );
    for (const entry of entries) check(entry.ok ? entry.info : entry.error, entry.path);
    const walked = await scanElf(dir, { includeNonElf: true, concurrency: 3 });
    assert.deepEqual(
      walked.map((e) => e.path),
      paths,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
