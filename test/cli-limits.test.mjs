// The limits and env commands and the report's limits/inotify sections, against the kernel's answers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runCli, which, skipUnless } from './helpers.mjs';
import { prlimitTool, procLimits, startProcess, helper } from './limits-helpers.mjs';

const linux = process.platform === 'linux';
const sleepBin = which('sleep');
const envBin = linux ? which('env') : null;
const started = [];
after(async () => {
  for (const process of started) await process.stop();
});
const strings = (limits) => Object.fromEntries(Object.entries(limits).map(([name, v]) => [name, { soft: String(v.soft), hard: String(v.hard) }]));
const jsonPairs = (limits) => Object.fromEntries(Object.values(limits).map((l) => [l.name, { soft: l.soft, hard: l.hard }]));

test('limits --pid N --json: every resource as /proc/PID/limits says; a small address space is a finding (exit 1)', { skip: skipUnless(prlimitTool && sleepBin, 'prlimit (util-linux) not installed') }, async () => {
  const sleeper = await startProcess(prlimitTool, ['--as=536870912', '--nofile=100:200', sleepBin, '600'], 'sleep');
  started.push(sleeper);
  const result = runCli(['limits', '--pid', String(sleeper.pid), '--json']);
  assert.equal(result.status, 1, result.stderr);
  const doc = JSON.parse(result.stdout);
  assert.deepEqual(Object.keys(doc), ['schemaVersion', 'limits', 'findings']);
  assert.deepEqual(jsonPairs(doc.limits.limits), strings(procLimits(sleeper.pid)));
  assert.equal(doc.limits.source, 'prlimit');
  assert.match(doc.findings[0], /address space limited to 536870912 bytes.*gopls/);
  const text = runCli(['limits', '--pid', String(sleeper.pid)]);
  assert.equal(text.status, 1);
  assert.match(text.stdout, /^ {2}nofile +100 +200 +files/m);
  assert.match(text.stdout, /FINDING: .*Go programs/);
});

test('limits without --pid shows this process and its parent; --json carries both', { skip: skipUnless(linux, 'Linux only') }, () => {
  const result = runCli(['limits', '--json']);
  assert.equal(result.status, 0, result.stderr);
  const doc = JSON.parse(result.stdout);
  assert.equal(doc.limits.self, true);
  assert.equal(doc.parent.pid, process.pid, "the CLI's parent is this test process");
  assert.deepEqual(jsonPairs(doc.parent.limits), strings(procLimits(process.pid)));
  assert.match(doc.limits.notes.join('\n'), /Node raises its own nofile/);
  const text = runCli(['limits']);
  assert.match(text.stdout, /RESOURCE +SOFT +HARD +PARENT SOFT +PARENT HARD +UNITS/);
  assert.equal(runCli(['limits', '--pid', 'x']).status, 2);
  assert.equal(runCli(['limits', '--pid', '999999999']).status, 2);
  assert.equal(runCli(['limits', '--pid', '4294967295']).status, 2);
});

test('env --pid N prints the environment exactly; --diff against the shell exits 1; --json keeps raw bytes', { skip: skipUnless(envBin && sleepBin && helper(), 'env, sleep or a C compiler missing') }, async () => {
  const sleeper = await startProcess(envBin, ['-i', 'A=1', 'B=x y', 'C=', sleepBin, '600'], 'sleep');
  started.push(sleeper);
  const text = runCli(['env', '--pid', String(sleeper.pid)]);
  assert.equal(text.status, 0, text.stderr);
  assert.equal(text.stdout, 'A=1\nB=x y\nC=\n');
  const diff = runCli(['env', '--pid', String(sleeper.pid), '--diff', '--json'], { A: '1', B: 'other' });
  assert.equal(diff.status, 1);
  const doc = JSON.parse(diff.stdout);
  assert.deepEqual(doc.diff.added, { C: '' });
  assert.deepEqual(doc.diff.changed, { B: { a: 'other', b: 'x y' } });
  assert.ok('PATH' in doc.diff.removed);

  const bytes = await startProcess(helper(), ['env', Buffer.from([0x58, 0x3d, 0xff, 0x5c]).toString('hex')], 'sleep');
  started.push(bytes);
  const raw = runCli(['env', '--pid', String(bytes.pid), '--json']);
  assert.deepEqual(JSON.parse(raw.stdout).env.entries, [{ name: 'X', value: '\ufffd\\', utf8: false, rawHex: '583dff5c' }]);
  assert.equal(runCli(['env', '--pid', String(bytes.pid)]).stdout, 'X=\\xff\\x5c\n');
  assert.equal(runCli(['env']).status, 2, 'env without --pid is a usage error');
});

test('report: limits of this process and its parent, inotify, as text and JSON', { skip: skipUnless(linux, 'Linux only') }, () => {
  const result = runCli(['report', '--json']);
  assert.equal(result.status, 0, result.stderr);
  const doc = JSON.parse(result.stdout);
  assert.equal(doc.limits.parent.pid, process.pid);
  assert.deepEqual(jsonPairs(doc.limits.parent.limits), strings(procLimits(process.pid)));
  assert.equal(doc.inotify.maxUserWatches, Number(readFileSync('/proc/sys/fs/inotify/max_user_watches', 'utf8')));
  assert.deepEqual(doc.limitFindings, []);
  const text = runCli(['report']);
  assert.match(text.stdout, /Resource limits \(this process, and its parent pid \d+\)/);
  assert.match(text.stdout, /^inotify\n {2}max_user_watches +\d+/m);
});
