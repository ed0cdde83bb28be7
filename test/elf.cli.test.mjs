// sysprobe elf: needs per library, the newest version per prefix, the symbols behind it; --json shape,
// --symbols, exit codes. readelf is the oracle for the facts shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, sharedDir, skipUnless } from './helpers.mjs';
import { readelf, readelfFacts } from './elf-oracle.mjs';

const trixieLs = join(sharedDir, 'corpus', 'roots', 'trixie-amd64', 'usr', 'bin', 'ls');

test('elf FILE: text shows needs per library, newest versions and the symbols that need them', {
  skip: skipUnless(existsSync(trixieLs), `${trixieLs} is absent`),
}, () => {
  const result = runCli(['elf', trixieLs]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /ELF 64-bit little-endian x86_64, dyn \(PIE\)/);
  assert.match(result.stdout, /newest\s+GLIBC 2\.38/);
  assert.match(result.stdout, /libc\.so\.6\s+GLIBC_2\.2\.5 GLIBC_2\.3 .* GLIBC_2\.34 GLIBC_2\.38\n/);
  // The symbol that makes this ls unrunnable on glibc 2.36, found through .gnu.version.
  assert.match(result.stdout, /GLIBC_2\.38 from libc\.so\.6: .*__isoc23_/);
  if (readelf) {
    const facts = readelfFacts(trixieLs);
    assert.match(result.stdout, new RegExp(`needed\\s+${facts.needed.join(', ').replaceAll('.', '\\.')}\\n`));
    const glibc38 = facts.symbols
      .filter((s) => s.version === 'GLIBC_2.38')
      .map((s) => s.name)
      .sort();
    assert.ok(glibc38.length > 0);
    assert.match(result.stdout, new RegExp(`GLIBC_2\\.38 from libc\\.so\\.6: ${glibc38.join(', ')}\\n`));
  }
});

test('elf --json: schemaVersion, one entry per file in order, errors as facts, exit codes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-elf-cli-'));
  try {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello');
    const ok = runCli(['elf', '--json', '/bin/ls']);
    assert.equal(ok.status, 0, ok.stderr);
    const doc = JSON.parse(ok.stdout);
    assert.deepEqual(Object.keys(doc), ['schemaVersion', 'files']);
    assert.equal(doc.schemaVersion, 2);
    assert.equal(doc.files[0].path, '/bin/ls');
    assert.equal(doc.files[0].ok, true);
    assert.equal(doc.files[0].info.symbols, undefined);
    assert.ok(doc.files[0].newest.some((n) => n.prefix === 'GLIBC' && n.file === 'libc.so.6'));
    if (readelf) assert.deepEqual(doc.files[0].info.needed, readelfFacts('/bin/ls').needed);

    const withSymbols = JSON.parse(runCli(['elf', '--json', '--symbols', '/bin/ls']).stdout);
    assert.ok(withSymbols.files[0].info.symbols.length > 10);
    assert.equal(typeof withSymbols.files[0].info.symbols[0].value, 'string');

    const finding = runCli(['elf', '--json', '/bin/ls', text]);
    assert.equal(finding.status, 1);
    const findingDoc = JSON.parse(finding.stdout);
    assert.deepEqual(
      findingDoc.files.map((f) => [f.path, f.ok]),
      [
        ['/bin/ls', true],
        [text, false],
      ],
    );
    assert.equal(findingDoc.files[1].error.code, 'ERR_SYSPROBE_NOT_ELF');

    const missing = runCli(['elf', join(dir, 'missing')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stdout, /ENOENT/);

    assert.equal(runCli(['elf']).status, 2);
    assert.equal(runCli(['elf', '--bogus', '/bin/ls']).status, 2);
    const symbols = runCli(['elf', '--symbols', '/bin/ls']);
    assert.equal(symbols.status, 0);
    assert.match(symbols.stdout, /dynamic symbols:\n\s+und global func\s+\S+@GLIBC_2\.\S+ \(libc\.so\.6\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
