// sysprobe compat / deps: exit codes (0 loads, 1 would not, 2 usage or I/O), --json shape.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { corpusRoot, materializeRoot, runCli, skipUnless } from './helpers.mjs';

test('compat: a CI floor gate (exit 1 when the file would not load, 0 when it would)', {
  skip: skipUnless(process.arch === 'x64' && corpusRoot('trixie-amd64'), 'needs x86-64 and ../shared/corpus/roots/trixie-amd64'),
}, () => {
  const root = materializeRoot('trixie-amd64');
  const ls = join(root, 'usr/bin/ls');
  const host = runCli(['compat', ls]);
  assert.equal(host.status, 1, host.stderr);
  assert.match(host.stdout, /version `GLIBC_2\.38' not found \(required by .*\/usr\/bin\/ls\)/);
  assert.equal(runCli(['compat', ls, '--glibc', '2.41']).status, 0);
  const floor = runCli(['compat', ls, '--glibc', '2.36', '--arch', 'x86_64', '--json']);
  assert.equal(floor.status, 1);
  const doc = JSON.parse(floor.stdout);
  assert.equal(doc.schemaVersion, 2);
  assert.equal(doc.ok, false);
  assert.deepEqual(Object.keys(doc).slice(0, 3), ['schemaVersion', 'file', 'ok']);
  assert.ok(doc.missingVersions.some((m) => m.version === 'GLIBC_2.38' && m.symbols.length > 0));
  const inRoot = runCli(['compat', '/usr/bin/ls', '--root', root, '--json']);
  assert.equal(inRoot.status, 1, 'trixie ls misses libselinux/libcap in its own root');
  assert.deepEqual(
    JSON.parse(inRoot.stdout)
      .missingLibraries.map((m) => m.name)
      .sort(),
    ['libcap.so.2', 'libselinux.so.1'],
  );
  assert.equal(runCli(['compat', '/bin/cat', '--root', root]).status, 0);
});

test('deps: the tree with how each library was found; exit 1 when one is missing', {
  skip: skipUnless(corpusRoot('trixie-amd64'), 'needs ../shared/corpus/roots/trixie-amd64'),
}, () => {
  const root = materializeRoot('trixie-amd64');
  const out = runCli(['deps', '/usr/bin/ls', '--root', root]);
  assert.equal(out.status, 1);
  assert.match(out.stdout, /libc\.so\.6 => \/usr\/lib\/x86_64-linux-gnu\/libc\.so\.6 \[cache\]/);
  assert.match(out.stdout, /libselinux\.so\.1: cannot open shared object file: No such file or directory/);
  assert.match(out.stdout, /tried, in this order:\n {4}1\. /);
  const json = JSON.parse(runCli(['deps', '/bin/cat', '--root', root, '--json']).stdout);
  assert.equal(json.schemaVersion, 2);
  assert.deepEqual(
    json.deps.libraries.map((l) => l.name),
    ['libc.so.6', '/lib64/ld-linux-x86-64.so.2'],
  );
  assert.equal(runCli(['deps', '/bin/cat', '--root', root]).status, 0);
});

test('compat/deps usage and I/O errors exit 2', () => {
  assert.equal(runCli(['compat']).status, 2);
  assert.equal(runCli(['compat', '/bin/ls', '--glibc', 'x']).status, 2);
  assert.equal(runCli(['compat', '/bin/ls', '--glibc', '2.36', '--root', '/']).status, 2);
  assert.equal(runCli(['compat', '/bin/ls', '--arch', 'x86_64']).status, 2);
  assert.equal(runCli(['deps']).status, 2);
  const missing = runCli(['deps', '/nonexistent/program', '--json']);
  assert.equal(missing.status, 2);
  assert.equal(JSON.parse(missing.stdout).error.code, 'ENOENT');
});
