// Writes the seed corpus of the ELF fuzz target into DIR: hand-built files in every class and byte
// order (with and without section headers), small real ELF files of the shared corpus (or of /usr/bin
// when it is absent), and every regression input under test/fixtures/elf/.
//   node native/fuzz/seeds.mjs DIR [maxBytes]
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildElf, withoutSectionHeaders } from '../../test/elf-build.mjs';
import { elfFilesUnder } from '../../test/elf-oracle.mjs';
import { statSync } from 'node:fs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = process.argv[2];
const maxBytes = Number(process.argv[3] ?? 65536);
if (!out) throw new Error('usage: node native/fuzz/seeds.mjs DIR [maxBytes]');
mkdirSync(out, { recursive: true });

const spec = {
  interpreter: '/lib/ld.so.1',
  soname: 'libseed.so.1',
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
    { name: 'libseed.so.1', index: 1, base: true },
    { name: 'S_1', index: 4 },
    { name: 'S_2', index: 5, parents: ['S_1'] },
  ],
  symbols: [
    { name: 'printf', version: 2 },
    { name: 'memcpy', version: 3 },
    { name: 'old', version: 4, defined: true, hidden: true },
    { name: 'new', version: 5, defined: true },
  ],
};
let count = 0;
for (const [cls, big, machine] of [
  [32, true, 20],
  [64, true, 22],
  [32, false, 3],
  [64, false, 62],
]) {
  const bytes = buildElf({ ...spec, cls, big, machine });
  writeFileSync(join(out, `hand-${cls}${big ? 'be' : 'le'}`), bytes);
  writeFileSync(join(out, `hand-${cls}${big ? 'be' : 'le'}-nosections`), withoutSectionHeaders(bytes));
  count += 2;
}
const corpus = join(root, '..', 'shared', 'corpus', 'roots');
const source = existsSync(corpus) ? corpus : '/usr/bin';
const seen = new Set();
for (const file of elfFilesUnder(source)) {
  const size = statSync(file).size;
  // One small file per size bucket and architecture keeps the corpus varied and small.
  const key = `${file.split('/').slice(-4, -2).join('/')}:${Math.round(Math.log2(size) * 2)}`;
  if (size > maxBytes || seen.has(key)) continue;
  seen.add(key);
  copyFileSync(file, join(out, `real-${count}-${basename(file)}`));
  count += 1;
}
const fixtures = join(root, 'test', 'fixtures', 'elf');
if (existsSync(fixtures)) {
  for (const name of readdirSync(fixtures)) {
    copyFileSync(join(fixtures, name), join(out, `fixture-${name}`));
    count += 1;
  }
}
process.stdout.write(`${count} seeds in ${out} (real files from ${source})\n`);
