// readElf / readElfSync / scanElf: files compiled here for what the corpus lacks (.symver old and new
// versions, weak version references, RPATH vs RUNPATH, $ORIGIN), hand-built files in every class and
// byte order, section headers stripped, and broken inputs. GNU readelf is the oracle where it can be.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SysprobeError, readElf, readElfSync, scanElf } from 'sysprobe';
import { root, skipUnless, which } from './helpers.mjs';
import { compareWithReadelf, readelf, readelfFacts } from './elf-oracle.mjs';
import { buildElf, withoutSectionHeaders } from './elf-build.mjs';

const work = mkdtempSync(join(tmpdir(), 'sysprobe-elf-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const gcc = which('gcc');
const versions = await import(join(root, 'dist', 'util', 'versions.js'));

/** Everything but where the facts came from: a stripped copy must say the same. */
function facts(info) {
  const { path, diagnostics, dynamicSource, ...rest } = info;
  return rest;
}

const handSpec = {
  interpreter: '/lib/ld.so.1',
  soname: 'libhand.so.1',
  needed: ['libc.so.6', 'libm.so.6'],
  runpath: '$ORIGIN/../lib',
  needs: [
    {
      file: 'libc.so.6',
      versions: [
        { name: 'GLIBC_2.0', index: 2 },
        { name: 'GLIBC_2.17', index: 3, weak: true },
      ],
    },
    { file: 'libm.so.6', versions: [{ name: 'GLIBC_2.2.5', index: 6 }] },
  ],
  defs: [
    { name: 'libhand.so.1', index: 1, base: true },
    { name: 'HAND_1', index: 4 },
    { name: 'HAND_2', index: 5, parents: ['HAND_1'] },
  ],
  symbols: [
    { name: 'printf', version: 2 },
    { name: 'memcpy', version: 3 },
    { name: 'cos', version: 6 },
    { name: 'hand_old', version: 4, defined: true, hidden: true },
    { name: 'hand_new', version: 5, defined: true },
  ],
};

for (const [cls, big, machine, name] of [
  [32, true, 20, 'ppc'],
  [64, true, 22, 's390x'],
  [32, false, 3, 'i386'],
  [64, false, 62, 'x86_64'],
]) {
  test(`hand-built ${cls}-bit ${big ? 'big' : 'little'}-endian file (${name}): every fact, with and without section headers`, () => {
    const bytes = buildElf({ ...handSpec, cls, big, machine });
    const info = readElfSync(bytes, { symbols: true });
    assert.equal(info.class, cls);
    assert.equal(info.endian, big ? 'big' : 'little');
    assert.equal(info.machine, name);
    assert.equal(info.machineId, machine);
    assert.equal(info.type, 'dyn');
    assert.equal(info.pie, true);
    assert.equal(info.interpreter, '/lib/ld.so.1');
    assert.equal(info.soname, 'libhand.so.1');
    assert.deepEqual(info.needed, ['libc.so.6', 'libm.so.6']);
    assert.equal(info.runpath, '$ORIGIN/../lib');
    assert.equal(info.rpath, null);
    assert.deepEqual(info.flags.names, ['DF_1_NOW', 'DF_1_PIE']);
    assert.deepEqual(
      info.versionNeeds.map((n) => [n.file, n.versions.map((v) => [v.name, v.index, v.weak])]),
      [
        [
          'libc.so.6',
          [
            ['GLIBC_2.0', 2, false],
            ['GLIBC_2.17', 3, true],
          ],
        ],
        ['libm.so.6', [['GLIBC_2.2.5', 6, false]]],
      ],
    );
    assert.deepEqual(
      info.versionDefs.map((d) => [d.name, d.index, d.base, d.parents]),
      [
        ['libhand.so.1', 1, true, []],
        ['HAND_1', 4, false, []],
        ['HAND_2', 5, false, ['HAND_1']],
      ],
    );
    assert.deepEqual(info.maxVersions, { GLIBC: '2.17' }); // needs only: HAND_2 is defined here, not needed
    assert.deepEqual(
      info.symbols.map((s) => [s.name, s.version, s.file, s.defined, s.hidden, s.weakVersion]),
      [
        ['printf', 'GLIBC_2.0', 'libc.so.6', false, false, false],
        ['memcpy', 'GLIBC_2.17', 'libc.so.6', false, false, true],
        ['cos', 'GLIBC_2.2.5', 'libm.so.6', false, false, false],
        ['hand_old', 'HAND_1', null, true, true, false],
        ['hand_new', 'HAND_2', null, true, false, false],
      ],
    );
    assert.deepEqual(info.diagnostics, []);
    assert.equal(info.dynamicSource, 'program-headers');

    const stripped = readElfSync(withoutSectionHeaders(bytes), { symbols: true });
    assert.deepEqual(facts(stripped), facts(info));
    const sectionless = readElfSync(buildElf({ ...handSpec, cls, big, machine, sections: false }), { symbols: true });
    assert.deepEqual(facts(sectionless), facts(info));

    if (readelf) {
      const file = join(work, `hand-${name}`);
      writeFileSync(file, bytes);
      assert.deepEqual(compareWithReadelf(readelfFacts(file), readElfSync(file, { symbols: true })), []);
    }
  });
}

// A library with old and new versions of one function, and programs that need each of them.
function compileVersioned() {
  const dir = join(work, 'cc');
  mkdirSync(join(dir, 'lib'), { recursive: true });
  writeFileSync(
    join(dir, 'v.c'),
    `
    int old_impl(void) { return 1; }
    int new_impl(void) { return 2; }
    int weakfn(void) { return 3; }
    __asm__(".symver old_impl,func@V_1");
    __asm__(".symver new_impl,func@@V_2");
  `,
  );
  writeFileSync(join(dir, 'v.map'), 'V_1 { global: func; local: *; };\nV_2 { global: func; } V_1;\nV_10 { global: weakfn; } V_2;\n');
  writeFileSync(
    join(dir, 'old.c'),
    `
    extern int func(void);
    __asm__(".symver func,func@V_1");
    extern int weakfn(void) __attribute__((weak));
    int main(void) { return func() + (weakfn ? weakfn() : 0); }
  `,
  );
  writeFileSync(join(dir, 'new.c'), 'extern int func(void);\nint main(void) { return func(); }\n');
  const cc = (args) => execFileSync(gcc, args, { cwd: dir, stdio: 'pipe' });
  cc(['-shared', '-fPIC', '-o', 'lib/libv.so.1', '-Wl,-soname,libv.so.1', '-Wl,--version-script=v.map', 'v.c']);
  symlinkSync('libv.so.1', join(dir, 'lib', 'libv.so'));
  cc(['-o', 'old', 'old.c', '-Llib', '-lv', '-Wl,--enable-new-dtags', '-Wl,-rpath,$ORIGIN/lib:/opt/x']);
  cc(['-o', 'new', 'new.c', '-Llib', '-lv', '-Wl,--disable-new-dtags', '-Wl,-rpath,$ORIGIN/lib']);
  cc(['-o', 'nodeflib', 'new.c', '-Llib', '-lv', '-Wl,-z,nodefaultlib', '-Wl,-z,now']);
  return dir;
}

test('compiled here: .symver old/new versions, weak version reference, RUNPATH vs RPATH, $ORIGIN, NODEFLIB', {
  skip: skipUnless(gcc, 'gcc not installed'),
}, () => {
  const dir = compileVersioned();
  const lib = readElfSync(join(dir, 'lib', 'libv.so.1'), { symbols: true });
  assert.equal(lib.soname, 'libv.so.1');
  assert.deepEqual(
    lib.versionDefs.map((d) => [d.name, d.base, d.parents]),
    [
      ['libv.so.1', true, []],
      ['V_1', false, []],
      ['V_2', false, ['V_1']],
      ['V_10', false, ['V_2']],
    ],
  );
  const funcs = lib.symbols
    .filter((s) => s.name === 'func')
    .map((s) => [s.version, s.hidden])
    .sort();
  assert.deepEqual(funcs, [
    ['V_1', true],
    ['V_2', false],
  ]);

  // GNU ld marks a version needed only by weak references VER_FLG_WEAK since binutils 2.42; with an
  // older ld the flag is set here at the offset readelf reports, and readelf then reads it back.
  const oldPath = join(dir, 'old');
  if (readelf && !readelfFacts(oldPath).needs.some((n) => n.versions.some((v) => v.weak))) {
    const text = execFileSync(readelf, ['-V', '-W', oldPath], { encoding: 'utf8' });
    const section = Number.parseInt(/Version needs section[^\n]*\n\s*Addr: \S+\s+Offset: (0x[0-9a-f]+)/.exec(text)[1], 16);
    const entry = Number.parseInt(/(0x[0-9a-f]+):\s+Name: V_10\s/.exec(text)[1], 16);
    const bytes = readFileSync(oldPath);
    bytes.writeUInt16LE(bytes.readUInt16LE(section + entry + 4) | 2, section + entry + 4);
    writeFileSync(oldPath, bytes);
    assert.ok(readelfFacts(oldPath).needs.some((n) => n.versions.some((v) => v.name === 'V_10' && v.weak)));
  }
  const old = readElfSync(oldPath, { symbols: true });
  assert.equal(old.runpath, '$ORIGIN/lib:/opt/x');
  assert.equal(old.rpath, null);
  const fromV = old.versionNeeds.find((n) => n.file === 'libv.so.1');
  assert.deepEqual(fromV.versions.map((v) => [v.name, v.weak]).sort(), [
    ['V_1', false],
    ['V_10', readelf !== null],
  ]);
  // Numeric, not lexical: V_10 > V_2 > V_1.
  assert.equal(old.maxVersions.V, '10');
  const func = old.symbols.find((s) => s.name === 'func');
  assert.deepEqual([func.version, func.file, func.defined, func.weakVersion], ['V_1', 'libv.so.1', false, false]);
  const weakfn = old.symbols.find((s) => s.name === 'weakfn');
  assert.deepEqual([weakfn.version, weakfn.file, weakfn.binding, weakfn.weakVersion], ['V_10', 'libv.so.1', 'weak', readelf !== null]);

  const fresh = readElfSync(join(dir, 'new'), { symbols: true });
  assert.equal(fresh.rpath, '$ORIGIN/lib');
  assert.equal(fresh.runpath, null);
  assert.deepEqual(
    fresh.versionNeeds.find((n) => n.file === 'libv.so.1').versions.map((v) => v.name),
    ['V_2'],
  );
  assert.equal(fresh.symbols.find((s) => s.name === 'func').version, 'V_2');

  const nodeflib = readElfSync(join(dir, 'nodeflib'));
  assert.ok(nodeflib.flags.names.includes('DF_1_NODEFLIB'), nodeflib.flags.names.join(' '));
  assert.ok(nodeflib.flags.names.includes('DF_1_NOW'));

  if (readelf) {
    for (const file of ['lib/libv.so.1', 'old', 'new', 'nodeflib']) {
      assert.deepEqual(compareWithReadelf(readelfFacts(join(dir, file)), readElfSync(join(dir, file), { symbols: true })), [], file);
    }
  }
  // The same facts from the program headers alone.
  for (const file of ['lib/libv.so.1', 'old', 'new']) {
    const bytes = readFileSync(join(dir, file));
    const stripped = readElfSync(withoutSectionHeaders(bytes), { symbols: true });
    assert.equal(stripped.dynamicSource, 'program-headers');
    assert.deepEqual(facts(stripped), facts(readElfSync(join(dir, file), { symbols: true })), file);
  }
});

test('section headers stripped from real files: the program headers give the same facts', () => {
  const candidates = ['/bin/ls', '/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/x86_64-linux-gnu/libstdc++.so.6', process.execPath].filter(
    (p) => {
      try {
        readElfSync(p);
        return true;
      } catch {
        return false;
      }
    },
  );
  assert.ok(candidates.length > 0);
  for (const file of candidates) {
    const original = readElfSync(file, { symbols: true });
    const stripped = readElfSync(withoutSectionHeaders(readFileSync(file)), { symbols: true });
    assert.deepEqual(facts(stripped), facts(original), file);
    assert.deepEqual(stripped.diagnostics, []);
  }
});

test('Buffer, Uint8Array and ArrayBuffer input are parsed in place; async and sync agree', async () => {
  const bytes = readFileSync('/bin/ls');
  const fromPath = readElfSync('/bin/ls', { symbols: true });
  const fromBuffer = readElfSync(bytes, { symbols: true });
  assert.equal(fromBuffer.path, null);
  assert.deepEqual(facts(fromBuffer), facts(fromPath));
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  assert.deepEqual(facts(await readElf(copy.buffer, { symbols: true })), facts(fromPath));
  assert.deepEqual(facts(await readElf(bytes.subarray(0), { symbols: true })), facts(fromPath));
  assert.deepEqual(await readElf('/bin/ls', { symbols: true }), fromPath);
  assert.equal(
    fromPath.symbols.every((s) => s.index > 0),
    true,
  );
});

function expectError(fn, code) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SysprobeError, `not a SysprobeError: ${error}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

test('broken inputs are typed errors with the failing offset', async () => {
  const ls = readFileSync('/bin/ls');
  const empty = join(work, 'empty');
  writeFileSync(empty, '');
  expectError(() => readElfSync(empty), 'ERR_SYSPROBE_NOT_ELF');
  const text = join(work, 'script.sh');
  writeFileSync(text, '#!/bin/sh\necho hello\n');
  assert.equal(expectError(() => readElfSync(text), 'ERR_SYSPROBE_NOT_ELF').offset, 0);
  expectError(() => readElfSync(Buffer.from('GROUP ( libc.so.6 )')), 'ERR_SYSPROBE_NOT_ELF');
  expectError(() => readElfSync(work), 'EISDIR');
  const missing = expectError(() => readElfSync(join(work, 'missing')), 'ENOENT');
  assert.equal(missing.syscall, 'open');
  assert.equal(missing.path, join(work, 'missing'));
  for (const size of [10, 40, 63]) {
    const error = expectError(() => readElfSync(ls.subarray(0, size)), 'ERR_SYSPROBE_TRUNCATED');
    assert.equal(typeof error.offset, 'number');
  }
  // Cut in the middle: the tables the headers point at are missing.
  const cut = join(work, 'cut');
  writeFileSync(cut, ls.subarray(0, 2000));
  const error = expectError(() => readElfSync(cut, { symbols: true }), 'ERR_SYSPROBE_TRUNCATED');
  assert.ok(error.offset >= 0);
  assert.equal(error.path, cut);
  // A bad class byte.
  const badClass = Buffer.from(ls.subarray(0, 4096));
  badClass[4] = 9;
  assert.equal(expectError(() => readElfSync(badClass), 'ERR_SYSPROBE_BAD_ELF').offset, 4);
  // A FIFO is refused without blocking.
  const fifo = join(work, 'fifo');
  if (which('mkfifo')) {
    execFileSync('mkfifo', [fifo]);
    expectError(() => readElfSync(fifo), 'ERR_SYSPROBE_NOT_REGULAR');
  }
  await assert.rejects(readElf(empty), (e) => e instanceof SysprobeError && e.code === 'ERR_SYSPROBE_NOT_ELF');
  await assert.rejects(readElf(ls.subarray(0, 40)), (e) => e instanceof SysprobeError && e.code === 'ERR_SYSPROBE_TRUNCATED');
});

test('a version need list that loops or does not advance is refused', () => {
  const bytes = buildElf({ ...handSpec, cls: 64, big: false, machine: 62 });
  const info = readElfSync(bytes);
  assert.equal(info.versionNeeds.length, 2);
  // Find the first Verneed (vn_version 1, vn_cnt 2) and point its vn_next at itself (0 would end it; 4 is backwards-ish).
  const verneed = bytes.indexOf(Buffer.from([1, 0, 2, 0]));
  assert.ok(verneed > 0);
  const loop = Buffer.from(bytes);
  loop.writeUInt32LE(4, verneed + 12);
  const error = expectError(() => readElfSync(loop), 'ERR_SYSPROBE_BAD_ELF');
  assert.equal(error.offset, verneed + 12);
  const aux = Buffer.from(bytes);
  aux.writeUInt32LE(1, verneed + 16 + 12);
  assert.equal(expectError(() => readElfSync(aux), 'ERR_SYSPROBE_BAD_ELF').offset, verneed + 16 + 12);
  const farAway = Buffer.from(bytes);
  farAway.writeUInt32LE(0xfffffff0, verneed + 12);
  // A pointer past the end fails at the end of the input.
  assert.equal(expectError(() => readElfSync(farAway), 'ERR_SYSPROBE_TRUNCATED').offset, farAway.length);
});

test('invalid arguments are refused before any native call', () => {
  expectError(() => readElfSync(42), 'ERR_SYSPROBE_INVALID_ARG');
  expectError(() => readElfSync(''), 'ERR_SYSPROBE_INVALID_ARG');
  expectError(() => readElfSync('/bin/ls', { symbol: true }), 'ERR_SYSPROBE_INVALID_ARG');
  expectError(() => readElfSync('/bin/ls', { symbols: 'yes' }), 'ERR_SYSPROBE_INVALID_ARG');
  assert.rejects(scanElf('/bin/ls', { concurrency: 0 }), (e) => e.code === 'ERR_SYSPROBE_INVALID_ARG');
});

test('version names compare numerically per prefix', () => {
  const { compareVersionNames, maxVersionsOf, parseVersionName } = versions;
  assert.ok(compareVersionNames('GLIBC_2.2.5', 'GLIBC_2.17') < 0);
  assert.ok(compareVersionNames('GLIBC_2.17', 'GLIBC_2.38') < 0);
  assert.ok(compareVersionNames('GLIBC_2.38', 'GLIBC_2.3.4') > 0);
  assert.equal(compareVersionNames('GLIBC_2.2', 'GLIBC_2.2.0'), 0);
  assert.equal(compareVersionNames('GLIBC_2.17', 'GLIBCXX_3.4'), null);
  assert.equal(parseVersionName('GLIBC_PRIVATE'), null);
  assert.equal(parseVersionName('GLIBC_ABI_DT_RELR'), null);
  assert.deepEqual(parseVersionName('GLIBCXX_3.4.30'), { prefix: 'GLIBCXX', version: '3.4.30', parts: [3, 4, 30] });
  assert.deepEqual(
    maxVersionsOf(['GLIBC_2.2.5', 'GLIBC_2.17', 'GLIBC_2.3.4', 'GLIBC_PRIVATE', 'GLIBCXX_3.4.9', 'GLIBCXX_3.4.30', 'CXXABI_1.3.9']),
    { CXXABI: '1.3.9', GLIBC: '2.17', GLIBCXX: '3.4.30' },
  );
});

test('maxVersions of a real program is the newest needed version per prefix (sort -V as oracle)', {
  skip: skipUnless(which('sort'), 'sort not installed'),
}, () => {
  const info = readElfSync('/bin/ls');
  const glibc = info.versionNeeds.flatMap((n) => n.versions.map((v) => v.name)).filter((n) => /^GLIBC_\d/.test(n));
  const sorted = execFileSync('sort', ['-V'], { input: `${glibc.join('\n')}\n`, encoding: 'utf8' })
    .trim()
    .split('\n');
  assert.equal(`GLIBC_${info.maxVersions.GLIBC}`, sorted.at(-1));
});

test('scanElf: a directory walked in order without following symlinks, one typed entry per file, progress', async () => {
  const dir = join(work, 'scan');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'a.so'), readFileSync('/bin/ls'));
  writeFileSync(join(dir, 'b.txt'), 'not elf');
  writeFileSync(join(dir, 'c.broken'), readFileSync('/bin/ls').subarray(0, 300));
  writeFileSync(join(dir, 'sub', 'd'), buildElf({ ...handSpec, cls: 32, big: true, machine: 20 }));
  symlinkSync('/usr/bin', join(dir, 'outside'));
  symlinkSync('/bin/ls', join(dir, 'link-to-ls'));
  const seen = [];
  const entries = await scanElf(dir, { concurrency: 2, onProgress: (p) => seen.push(p) });
  assert.deepEqual(
    entries.map((e) => e.path),
    [join(dir, 'a.so'), join(dir, 'c.broken'), join(dir, 'sub', 'd')],
  );
  assert.equal(entries[0].ok, true);
  assert.equal(entries[0].info.machine, readElfSync('/bin/ls').machine);
  assert.equal(entries[1].ok, false);
  assert.ok(entries[1].error instanceof SysprobeError);
  assert.equal(entries[1].error.code, 'ERR_SYSPROBE_TRUNCATED');
  assert.equal(entries[2].info.machine, 'ppc');
  assert.equal(seen.length, 4);
  assert.deepEqual(
    seen.map((p) => p.done),
    [1, 2, 3, 4],
  );
  assert.ok(seen.every((p) => p.total === 4));

  const all = await scanElf(dir, { includeNonElf: true });
  assert.deepEqual(
    all.map((e) => e.path.slice(dir.length + 1)),
    ['a.so', 'b.txt', 'c.broken', 'sub/d'],
  );
  assert.equal(all[1].error.code, 'ERR_SYSPROBE_NOT_ELF');

  // An explicit list keeps its order, errors included; symbols on request.
  const list = [join(dir, 'b.txt'), join(dir, 'missing'), '/bin/ls', join(dir, 'sub', 'd'), join(dir, 'link-to-ls')];
  const listed = await scanElf(list, { symbols: true, concurrency: 3 });
  assert.deepEqual(
    listed.map((e) => e.path),
    list,
  );
  assert.deepEqual(
    listed.map((e) => (e.ok ? 'ok' : e.error.code)),
    ['ERR_SYSPROBE_NOT_ELF', 'ENOENT', 'ok', 'ok', 'ok'],
  );
  assert.ok(listed[2].info.symbols.length > 10);
  assert.deepEqual(listed[2].info, readElfSync('/bin/ls', { symbols: true }));
});

test('scanElf over many files gives what readElfSync gives, whatever the concurrency', async () => {
  const files = [
    '/bin/ls',
    '/bin/cat',
    '/bin/sh',
    '/lib/x86_64-linux-gnu/libc.so.6',
    '/etc/passwd',
    process.execPath,
    '/nonexistent',
  ].concat(Array.from({ length: 40 }, () => '/bin/ls'));
  for (const concurrency of [1, 3, 16]) {
    const entries = await scanElf(files, { concurrency });
    assert.equal(entries.length, files.length);
    entries.forEach((entry, i) => {
      assert.equal(entry.path, files[i]);
      let expected;
      try {
        expected = { ok: true, info: readElfSync(files[i]) };
      } catch (error) {
        expected = { ok: false, code: error.code };
      }
      if (expected.ok) assert.deepEqual(entry.info, expected.info);
      else assert.equal(entry.error.code, expected.code);
    });
  }
});
