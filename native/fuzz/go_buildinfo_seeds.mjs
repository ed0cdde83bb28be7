// Writes the seed corpus of the Go build info fuzz target into DIR: the executables test/go-exe-build.mjs builds
// (ELF, PE, Mach-O; 32/64 bit; both byte orders; inline and pointer blobs), copies of them with the module info
// cut short, and every regression input under test/fixtures/go-buildinfo/.
//   node native/fuzz/go_buildinfo_seeds.mjs DIR
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goExeVariants } from '../../test/go-exe-build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = process.argv[2];
if (!out) throw new Error('usage: node native/fuzz/go_buildinfo_seeds.mjs DIR');
mkdirSync(out, { recursive: true });
let count = 0;
for (const { name, bytes } of goExeVariants()) {
  writeFileSync(join(out, name), bytes);
  writeFileSync(join(out, `${name}-cut`), bytes.subarray(0, bytes.length - 40));
  count += 2;
}
// A universal (fat) Mach-O file around each thin one: one architecture at offset 4096.
for (const { name, bytes } of goExeVariants().filter((v) => v.name.startsWith('macho-'))) {
  const head = Buffer.alloc(4096);
  head.writeUInt32BE(0xcafebabe, 0);
  head.writeUInt32BE(1, 4);
  head.writeUInt32BE(bytes.readUInt32BE(0) === 0xfeedfacf || bytes.readUInt32LE(0) === 0xfeedfacf ? 0x01000007 : 7, 8);
  head.writeUInt32BE(4096, 16);
  head.writeUInt32BE(bytes.length, 20);
  head.writeUInt32BE(12, 24);
  writeFileSync(join(out, `fat-${name}`), Buffer.concat([head, bytes]));
  count += 1;
}
const fixtures = join(root, 'test', 'fixtures', 'go-buildinfo');
if (existsSync(fixtures)) {
  for (const name of readdirSync(fixtures)) {
    copyFileSync(join(fixtures, name), join(out, `fixture-${name}`));
    count += 1;
  }
}
console.log(`${count} seeds in ${out}`);
