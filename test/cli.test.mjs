// The CLI as a user runs it: text, --json shape, exit codes, help for every command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { runCli, run, which } from './helpers.mjs';

const glibcOracle =
  process.platform === 'linux' && which('getconf') ? run('getconf', ['GNU_LIBC_VERSION']).stdout.trim().split(/\s+/)[1] : null;

test('sysprobe (no command) prints the report: glibc version, loader, libc, backend', () => {
  const result = runCli([]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^sysprobe \d+\.\d+\.\d+: linux-/);
  assert.match(result.stdout, /C library of this process/);
  if (glibcOracle) assert.match(result.stdout, new RegExp(`version\\s+${glibcOracle.replace('.', '\\.')} \\(stable\\)`));
  const loader = realpathSync('/lib64/ld-linux-x86-64.so.2', { throwIfNoEntry: false });
  if (process.arch === 'x64') assert.match(result.stdout, new RegExp(`loader\\s+${loader}`));
  assert.match(result.stdout, /libc\s+\/\S+\/libc\.so\.6/);
  assert.match(result.stdout, /backend\s+addon \/\S+sysprobe(\.glibc)?\.node/);
  assert.equal(runCli(['report']).stdout, result.stdout);
});

test('--json: a documented shape with schemaVersion, for report and glibc', () => {
  const report = runCli(['--json']);
  assert.equal(report.status, 0, report.stderr);
  const doc = JSON.parse(report.stdout);
  assert.equal(doc.schemaVersion, 2);
  assert.deepEqual(Object.keys(doc), ['schemaVersion', 'tool', 'host', 'libc', 'backend', 'limits', 'inotify', 'findings', 'doctor']);
  assert.equal(doc.tool.name, 'sysprobe');
  assert.equal(doc.host.node, process.version);
  assert.deepEqual(doc.findings, []);
  assert.deepEqual(Object.keys(doc.doctor), ['summary', 'checks']);
  assert.equal(doc.doctor.checks.length, 12);
  assert.deepEqual(Object.keys(doc.doctor.checks[0]), ['id', 'status', 'message']);
  // The text report ends with the doctor's summary for this process.
  assert.match(
    runCli(['report']).stdout,
    /\nDoctor \(this process\): \d+ errors?, \d+ warnings?, \d+ ok, \d+ skipped\n[\s\S]*sysprobe doctor --pid <gopls pid>[^\n]*\n$/,
  );
  assert.deepEqual(Object.keys(doc.libc), [
    'family',
    'version',
    'release',
    'static',
    'gcompat',
    'loaderPath',
    'libcPath',
    'compiledAgainst',
    'subject',
    'evidence',
    'disagreements',
  ]);
  if (glibcOracle) assert.equal(doc.libc.version, glibcOracle);
  assert.equal(doc.backend.name, 'addon');

  const glibc = runCli(['glibc', '--json']);
  assert.equal(glibc.status, 0, glibc.stderr);
  const glibcDoc = JSON.parse(glibc.stdout);
  assert.deepEqual(Object.keys(glibcDoc), ['schemaVersion', 'libc']);
  assert.deepEqual(glibcDoc.libc, doc.libc);
});

test('glibc text output lists the evidence', () => {
  const result = runCli(['glibc']);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /version = \S+\s+<- gnu_get_libc_version\(\)/);
  assert.match(result.stdout, /<- confstr\(_CS_GNU_LIBC_VERSION\)/);
});

test('usage errors exit 2 with a message; --json usage errors are JSON too', () => {
  const unknown = runCli(['frobnicate']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  assert.equal(unknown.stdout, '');
  const badFlag = runCli(['glibc', '--verbose', '--json']);
  assert.equal(badFlag.status, 2);
  assert.equal(JSON.parse(badFlag.stdout).error.code, 'ERR_SYSPROBE_USAGE');
});

test('a backend that cannot load exits 2, and --json carries the error facts', () => {
  const result = runCli(['--json'], { SYSPROBE_BINDING: '/nonexistent/sysprobe.node' });
  assert.equal(result.status, 2);
  const doc = JSON.parse(result.stdout);
  assert.equal(doc.schemaVersion, 2);
  assert.equal(doc.error.code, 'ERR_SYSPROBE_BINDING_LOAD');
  assert.equal(doc.error.details.attempts[0].path, '/nonexistent/sysprobe.node');
  assert.match(result.stderr, /could not load its native addon/);
});

test('--help for the tool and for every command exits 0', () => {
  const top = runCli(['--help']);
  assert.equal(top.status, 0);
  const commands = [...top.stdout.matchAll(/^ {2}(\w+) {2,}/gm)].map((m) => m[1]);
  assert.deepEqual(commands, ['report', 'doctor', 'elf', 'compat', 'deps', 'glibc', 'limits', 'env', 'reparse', 'explain']);
  for (const command of commands) {
    for (const args of [
      [command, '--help'],
      [command, '-h'],
      ['help', command],
    ]) {
      const help = runCli(args);
      assert.equal(help.status, 0, args.join(' '));
      assert.match(help.stdout, new RegExp(`^Usage: sysprobe.*${command === 'report' ? '' : command}`));
      assert.match(help.stdout, /Exit status/);
    }
  }
});

test('reparse and explain: usage errors exit 2; paths off NTFS are not reparse points', () => {
  assert.equal(runCli(['reparse']).status, 2);
  assert.equal(runCli(['explain']).status, 2);
  assert.equal(runCli(['explain', '/a', '/b']).status, 2);
  const none = runCli(['reparse', '/etc/hostname', '--json']);
  assert.equal(none.status, 0, none.stderr);
  assert.deepEqual(JSON.parse(none.stdout), { schemaVersion: 2, entries: [{ path: '/etc/hostname', reparse: null }] });
  const missing = runCli(['reparse', '/nonexistent/sysprobe', '--json']);
  assert.equal(missing.status, 2);
  const doc = JSON.parse(missing.stdout);
  assert.equal(doc.entries[0].error.code, 'ENOENT');
  assert.equal(doc.entries[0].error.path, '/nonexistent/sysprobe');
  const explain = runCli(['explain', '/etc/hostname', '--json']);
  assert.equal(explain.status, 0, explain.stderr);
  const explanation = JSON.parse(explain.stdout).explanation;
  assert.deepEqual(
    explanation.components.map((c) => c.path),
    ['/etc', '/etc/hostname'],
  );
  assert.deepEqual(explanation.findings, []);
});
