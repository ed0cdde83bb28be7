// readElf({ symbols: true, demangle: true }) and `sysprobe elf`: C++ names demangled as
// `readelf --demangle` (binutils) prints them; names that could make the demangler recurse deeply or
// expand exponentially (a 213-byte name demangles to 52 MB) are left null.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readElf, readElfSync, SysprobeError } from 'sysprobe';
import { buildElf } from './elf-build.mjs';
import { koffiMode, koffiWithoutCore, run, runCli, skipUnless, which } from './helpers.mjs';

const libstdcxx = ['/usr/lib/x86_64-linux-gnu/libstdc++.so.6', '/usr/lib/aarch64-linux-gnu/libstdc++.so.6'].find((p) => existsSync(p));
const work = mkdtempSync(join(tmpdir(), 'sysprobe-demangle-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const skip = skipUnless(!koffiWithoutCore, 'the koffi backend without its WebAssembly core cannot read ELF');

/** readelf -W --dyn-syms --demangle: index -> the name as printed (version suffix removed). */
function readelfDemangled(file) {
  const out = run('readelf', ['-W', '--dyn-syms', '--demangle', file]);
  const names = new Map();
  for (const line of out.stdout.split('\n')) {
    const m = /^\s*(\d+):\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+(.*)$/.exec(line);
    if (m) names.set(Number(m[1]), m[2].replace(/ \(\d+\)$/, '').replace(/@{1,2}[A-Za-z0-9_.]+$/, ''));
  }
  return names;
}

test('demangled names are those readelf --demangle prints (libstdc++)', {
  skip: skip || skipUnless(libstdcxx && which('readelf'), 'needs libstdc++.so.6 and readelf'),
}, async (t) => {
  const info = await readElf(libstdcxx, { symbols: true, demangle: true });
  const oracle = readelfDemangled(libstdcxx);
  let same = 0;
  const differ = [];
  let missed = 0;
  for (const symbol of info.symbols) {
    const expected = oracle.get(symbol.index);
    if (symbol.demangled === null) {
      if (expected !== symbol.name) missed += 1;
    } else if (symbol.demangled === expected) {
      same += 1;
    } else {
      differ.push([symbol.name, symbol.demangled, expected]);
    }
  }
  t.diagnostic(`${same} demangled as readelf does, ${differ.length} differently, ${missed} left mangled that readelf demangles`);
  assert.ok(same > 1000, `only ${same} names demangled`);
  if (koffiMode) {
    // The WebAssembly core demangles with LLVM 14's libc++abi, which words ~2% of these differently.
    assert.ok(differ.length + missed < info.symbols.length * 0.05, JSON.stringify(differ.slice(0, 5)));
  } else {
    assert.deepEqual(differ, []);
    assert.equal(missed, 0);
  }
  const plain = readElfSync(libstdcxx, { symbols: true });
  assert.equal(plain.symbols[0].demangled, undefined, 'no demangled field unless asked');
  assert.throws(
    () => readElfSync(libstdcxx, { demangle: true }),
    (e) => e instanceof SysprobeError && e.code === 'ERR_SYSPROBE_INVALID_ARG',
  );
});

test('names that would make the demangler recurse deeply or expand exponentially stay null, fast', { skip }, () => {
  let bomb = '_Z1fPFviE';
  for (let level = 0; level < 30; level += 1) {
    const ref = `S${(2 * level).toString(36).toUpperCase()}_`;
    bomb += `PFv${ref}${ref}E`;
  }
  const names = [
    bomb,
    `_Z1f${'P'.repeat(4000)}v`,
    `_Z1f${'PF'.repeat(1000)}v${'E'.repeat(1000)}`,
    `_Z1fI${'N1aI'.repeat(1000)}Ev`,
    '_ZN4llvm3fooEv',
    'plain_c_name',
  ];
  const file = join(work, 'libbomb.so');
  writeFileSync(
    file,
    buildElf({ cls: 64, big: false, machine: 62, needed: ['libc.so.6'], symbols: names.map((name) => ({ name, version: 1 })) }),
  );
  const start = Date.now();
  const info = readElfSync(file, { symbols: true, demangle: true });
  assert.deepEqual(
    info.symbols.map((s) => s.demangled),
    [null, null, null, null, 'llvm::foo()', null],
  );
  assert.ok(Date.now() - start < 5000);
});

test('sysprobe elf shows demangled names; --mangled the stored ones; --json has both', {
  skip: skip || skipUnless(libstdcxx, 'needs libstdc++.so.6'),
}, () => {
  const shown = runCli(['elf', '--symbols', libstdcxx]);
  assert.equal(shown.status, 0, shown.stderr);
  assert.match(
    shown.stdout,
    /std::basic_string<wchar_t, std::char_traits<wchar_t>, std::allocator<wchar_t> >::capacity\(\) const@@GLIBCXX_3\.4/,
  );
  assert.doesNotMatch(shown.stdout, /_ZNKSbIwSt11char_traitsIwESaIwEE8capacityEv/);
  const mangled = runCli(['elf', '--symbols', '--mangled', libstdcxx]);
  assert.match(mangled.stdout, /_ZNKSbIwSt11char_traitsIwESaIwEE8capacityEv@@GLIBCXX_3\.4/);
  const json = JSON.parse(runCli(['elf', '--symbols', '--json', libstdcxx]).stdout);
  const symbol = json.files[0].info.symbols.find((s) => s.name === '_ZNKSbIwSt11char_traitsIwESaIwEE8capacityEv');
  assert.equal(symbol.demangled, 'std::basic_string<wchar_t, std::char_traits<wchar_t>, std::allocator<wchar_t> >::capacity() const');
});
