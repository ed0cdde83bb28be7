// checkCompat({ glibc }) for a release older than every table: the table is cut from a newer one.
// Oracle: cutting a newer real table must give exactly an older real table (2.41 -> 2.36, 2.36 -> 2.31 on
// x86_64), for every library the older release has.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

const require = createRequire(import.meta.url);
const { glibcTableFor } = require('../dist/probes/compat/index.js');
const { GLIBC_VERSION_TABLES } = require('../dist/probes/compat/glibc-tables.js');

function realTable(glibc, arch) {
  const table = GLIBC_VERSION_TABLES.find((t) => t.glibc === glibc && t.arch === arch);
  assert.ok(table, `a real table of glibc ${glibc} ${arch}`);
  return table;
}

for (const [older, newer] of [
  ['2.31', '2.36'],
  ['2.36', '2.41'],
]) {
  test(`glibc ${older} cut from the real ${newer} table equals the real ${older} table (x86_64)`, () => {
    const real = realTable(older, 'x86_64');
    const others = GLIBC_VERSION_TABLES.filter((t) => t !== real);
    const derived = glibcTableFor(older, 'x86_64', others);
    assert.equal(derived.derivedFrom, newer);
    assert.equal(derived.glibc, older);
    // Two known limits of a cut, asserted so that any other difference fails: GLIBC_PRIVATE is not
    // invented for the 2.34+ stub libraries (libdl, libpthread), and libc.so.6 2.36 carries GLIBC_2.31
    // because pthread_clockjoin_np moved in from libpthread in 2.34.
    const known =
      older === '2.31'
        ? {
            'libc.so.6': { extra: ['GLIBC_2.31'], missing: [] },
            'libdl.so.2': { extra: [], missing: ['GLIBC_PRIVATE'] },
            'libpthread.so.0': { extra: [], missing: ['GLIBC_PRIVATE'] },
          }
        : {};
    for (const [soname, names] of Object.entries(real.files)) {
      const cut = derived.files[soname] ?? [];
      const difference = { extra: cut.filter((n) => !names.includes(n)), missing: names.filter((n) => !cut.includes(n)) };
      assert.deepEqual(difference, known[soname] ?? { extra: [], missing: [] }, soname);
    }
    // Libraries the newer release has and the older one had not are left out, not invented.
    for (const soname of Object.keys(derived.files)) assert.ok(real.files[soname], `${soname} is in glibc ${older}`);
  });
}

test('glibc 2.17: only GLIBC_2.17 and older, libmvec (2.22) absent; aarch64 starts at GLIBC_2.17', () => {
  const x64 = glibcTableFor('2.17', 'x86_64');
  assert.equal(x64.derivedFrom, '2.31');
  assert.ok(x64.files['libc.so.6'].includes('GLIBC_2.17'));
  assert.ok(x64.files['libc.so.6'].includes('GLIBC_2.2.5'));
  assert.ok(!x64.files['libc.so.6'].includes('GLIBC_2.18'));
  assert.equal(x64.files['libmvec.so.1'], undefined);
  const arm = glibcTableFor('2.17', 'aarch64');
  assert.deepEqual(
    arm.files['libc.so.6'].filter((n) => n !== 'GLIBC_PRIVATE'),
    ['GLIBC_2.17'],
  );
  assert.equal(glibcTableFor('2.99', 'x86_64'), null);
  assert.equal(glibcTableFor('2.17', 'riscv64'), null);
});
