// Differential test: readElfSync against GNU readelf (-h -l -d -V --dyn-syms -W), field for field,
// over every ELF file of the shared corpus (six root filesystems: amd64, arm64, i386, s390x, musl)
// and a sample of the host's /usr (all of it with SYSPROBE_ELF_FULL=1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readElfSync } from 'sysprobe';
import { sharedDir, skipUnless } from './helpers.mjs';
import { compareWithReadelf, elfFilesUnder, readelf, readelfFacts } from './elf-oracle.mjs';
import { withoutSectionHeaders } from './elf-build.mjs';

/** Everything but where the facts came from. */
function facts(info) {
  const { path, diagnostics, dynamicSource, ...rest } = info;
  return rest;
}

const roots = join(sharedDir, 'corpus', 'roots');

function differential(t, files) {
  let agree = 0;
  let strippedAgree = 0;
  let strippedTried = 0;
  const failures = [];
  const machines = new Map();
  for (const file of files) {
    let info;
    try {
      info = readElfSync(file, { symbols: true });
    } catch (error) {
      failures.push(`${file}: readElfSync threw ${error.code}: ${error.message}`);
      continue;
    }
    const diffs = compareWithReadelf(readelfFacts(file), info);
    if (info.diagnostics.length > 0) diffs.push(`diagnostics on a sound file: ${info.diagnostics.join('; ')}`);
    // The same file with its section headers zeroed: the program headers alone must give the same facts.
    if (info.dynamicSource !== 'section-headers' && statSync(file).size < 64 << 20) {
      strippedTried += 1;
      const stripped = readElfSync(withoutSectionHeaders(readFileSync(file)), { symbols: true });
      if (
        JSON.stringify(facts(stripped), (k, v) => (typeof v === 'bigint' ? String(v) : v)) ===
        JSON.stringify(facts(info), (k, v) => (typeof v === 'bigint' ? String(v) : v))
      )
        strippedAgree += 1;
      else diffs.push('without section headers the facts differ');
    }
    if (diffs.length === 0) {
      agree += 1;
      machines.set(info.machine, (machines.get(info.machine) ?? 0) + 1);
    } else {
      failures.push(`${file}:\n    ${diffs.slice(0, 5).join('\n    ')}`);
    }
  }
  t.diagnostic(
    `${agree} of ${files.length} files agree with readelf field for field (${[...machines].map(([m, n]) => `${m} ${n}`).join(', ')})`,
  );
  t.diagnostic(`${strippedAgree} of ${strippedTried} copies without section headers give the same facts as the originals`);
  assert.deepEqual(failures.slice(0, 10), []);
  return agree;
}

test('every ELF file of the corpus agrees with readelf', {
  skip: skipUnless(readelf, 'readelf not installed') || skipUnless(existsSync(roots), `${roots} is absent`),
}, (t) => {
  const files = elfFilesUnder(roots);
  assert.ok(files.length > 500, `only ${files.length} ELF files found in the corpus`);
  const agree = differential(t, files);
  // Each root contributes: its architecture is read.
  for (const arch of ['bookworm-arm64', 'bookworm-i386', 'bookworm-s390x', 'bullseye-amd64', 'trixie-amd64', 'musl-amd64']) {
    assert.ok(
      files.some((f) => f.includes(`/${arch}/`)),
      `no ELF file from ${arch}`,
    );
  }
  assert.equal(agree, files.length);
});

test('ELF files under the host /usr agree with readelf', {
  skip: skipUnless(readelf, 'readelf not installed') || skipUnless(existsSync('/usr/lib'), 'no /usr/lib'),
}, (t) => {
  const all = elfFilesUnder('/usr');
  const full = process.env.SYSPROBE_ELF_FULL === '1';
  const files = full ? all : all.filter((_, i) => i % 6 === 0);
  t.diagnostic(`${files.length} of ${all.length} ELF files under /usr${full ? '' : ' (every 6th; SYSPROBE_ELF_FULL=1 for all)'}`);
  assert.ok(files.length > 10);
  differential(t, files);
});
