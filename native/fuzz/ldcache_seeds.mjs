// Writes the seed corpus of the ld.so.cache fuzz target into DIR: this host's cache, every corpus
// cache (new format, both byte orders), old and compat caches written by this host's ldconfig when it
// can, and truncated copies.
//   node native/fuzz/ldcache_seeds.mjs DIR
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = process.argv[2];
if (!out) throw new Error('usage: node native/fuzz/ldcache_seeds.mjs DIR');
mkdirSync(out, { recursive: true });
const caches = ['/etc/ld.so.cache'];
const corpus = join(root, '..', 'shared', 'corpus', 'roots');
if (existsSync(corpus)) for (const name of readdirSync(corpus)) caches.push(join(corpus, name, 'etc', 'ld.so.cache'));
const tmp = mkdtempSync(join(tmpdir(), 'sysprobe-seeds-'));
try {
  writeFileSync(join(tmp, 'conf'), '/lib/x86_64-linux-gnu\n');
  for (const format of ['old', 'compat', 'new']) {
    const file = join(tmp, `${format}.cache`);
    const made = spawnSync('ldconfig', ['-X', '-c', format, '-C', file, '-f', join(tmp, 'conf')]);
    if (made.status === 0 && existsSync(file)) caches.push(file);
  }
  let count = 0;
  for (const file of caches) {
    if (!existsSync(file)) continue;
    const bytes = readFileSync(file);
    // Whole files up to 64 KiB, and a head of every file (libFuzzer runs with -max_len=65536).
    writeFileSync(join(out, `cache-${count++}`), bytes.subarray(0, 65536));
    writeFileSync(join(out, `cache-${count++}`), bytes.subarray(0, 2048));
  }
  console.log(`${count} seeds in ${out}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
void copyFileSync;
