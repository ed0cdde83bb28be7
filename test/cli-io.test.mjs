// The CLI's edges: a closed output pipe, a missing path for explain, one findings shape in the report,
// no alarm about an absent prebuild directory, glibc --root / --pid.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { probeGlibcSync } from 'sysprobe';
import { cliPath, corpusRoot, koffiMode, materializeRoot, root as repoRoot, run, runCli, skipUnless } from './helpers.mjs';

const linux = process.platform === 'linux';

test("a reader that closes the pipe early (sysprobe elf … | head): no stack trace, the command's own exit status", {
  skip: skipUnless(linux, 'needs an ELF host'),
}, async () => {
  // node's dynamic symbols, five times: megabytes of text, far beyond a pipe's buffer.
  const args = ['elf', '--symbols', ...Array(5).fill(process.execPath)];
  const whole = run(process.execPath, [cliPath, ...args], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  assert.equal(whole.stderr, '');
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdout.once('data', () => child.stdout.destroy());
  const [code, signal] = await new Promise((resolve) => child.once('close', (c, s) => resolve([c, s])));
  assert.equal(signal, null);
  assert.equal(stderr, '', 'nothing on stderr');
  assert.equal(code, whole.status);
});

test('explain on a missing path: exit 2 (I/O) with the typed ENOENT, in text and JSON', () => {
  const text = runCli(['explain', '/nonexistent-sysprobe/x']);
  assert.equal(text.status, 2);
  assert.match(text.stderr, /ENOENT: no such file or directory, lstat '\/nonexistent-sysprobe'/);
  const json = runCli(['explain', '/nonexistent-sysprobe/x', '--json']);
  assert.equal(json.status, 2);
  const doc = JSON.parse(json.stdout);
  assert.equal(doc.error.code, 'ENOENT');
  assert.equal(doc.error.syscall, 'lstat');
  assert.equal(doc.error.path, '/nonexistent-sysprobe');
  assert.equal(doc.explanation.components[0].exists, false);
});

test('report --json: one findings list of strings, as limits --json has; no limitFindings beside it', {
  skip: skipUnless(linux, 'Linux only'),
}, () => {
  const report = JSON.parse(runCli(['report', '--json']).stdout);
  const limits = JSON.parse(runCli(['limits', '--json']).stdout);
  assert.ok(Array.isArray(report.findings) && Array.isArray(limits.findings));
  assert.ok(report.findings.every((f) => typeof f === 'string'));
  assert.ok(!('limitFindings' in report));
});

test('the report says nothing about an absent prebuild directory when the addon loaded from the build', {
  skip: skipUnless(!koffiMode, 'the addon backend (under koffi every attempt is worth saying)'),
}, (t) => {
  const result = runCli([]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /backend\s+addon /);
  if (existsSync(join(repoRoot, 'prebuilds', `${process.platform}-${process.arch}`))) return t.skip('a prebuild directory exists here');
  assert.doesNotMatch(result.stdout, /not prebuild|ENOENT/);
});

test('glibc --root DIR and --pid N ask what probeGlibc({ root }) and ({ pid }) answer', {
  skip: skipUnless(linux && corpusRoot('bullseye-amd64'), 'needs Linux and ../shared/corpus/roots/bullseye-amd64'),
}, async () => {
  const rootDir = materializeRoot('bullseye-amd64');
  const root = runCli(['glibc', '--root', rootDir, '--json']);
  assert.equal(root.status, 0, root.stderr);
  const rootDoc = JSON.parse(root.stdout);
  assert.equal(rootDoc.libc.subject, 'root');
  assert.equal(rootDoc.libc.version, '2.31');
  assert.match(
    runCli(['glibc', '--root', rootDir]).stdout,
    new RegExp(`^C library of the root ${rootDir}\\n  family +glibc\\n  version +2\\.31 \\(stable\\)`),
  );
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const pid = runCli(['glibc', '--pid', String(child.pid), '--json']);
    assert.equal(pid.status, 0, pid.stderr);
    const pidDoc = JSON.parse(pid.stdout);
    assert.equal(pidDoc.libc.subject, 'pid');
    assert.equal(pidDoc.libc.version, probeGlibcSync().version);
  } finally {
    child.kill();
  }
  assert.equal(runCli(['glibc', '--root', rootDir, '--pid', '1']).status, 2);
  assert.equal(runCli(['glibc', '--pid', 'x']).status, 2);
  const gone = runCli(['glibc', '--pid', String(2 ** 22 + 12345), '--json']);
  assert.equal(gone.status, 2);
  assert.equal(JSON.parse(gone.stdout).error.code, 'ESRCH');
});
