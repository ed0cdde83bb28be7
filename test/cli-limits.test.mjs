// The limits and env commands and the report's limits/inotify sections, against the kernel's answers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cliPath, root as repoRoot, run, runCli, which, skipUnless } from './helpers.mjs';
import { prlimitTool, procLimits, startProcess, helper } from './limits-helpers.mjs';

const linux = process.platform === 'linux';
const sleepBin = which('sleep');
const envBin = linux ? which('env') : null;
const started = [];
after(async () => {
  for (const process of started) await process.stop();
});
const strings = (limits) =>
  Object.fromEntries(Object.entries(limits).map(([name, v]) => [name, { soft: String(v.soft), hard: String(v.hard) }]));
const jsonPairs = (limits) => Object.fromEntries(Object.values(limits).map((l) => [l.name, { soft: l.soft, hard: l.hard }]));

test('limits --pid N --json: every resource as /proc/PID/limits says; a small address space is a finding (exit 1)', {
  skip: skipUnless(prlimitTool && sleepBin, 'prlimit (util-linux) not installed'),
}, async () => {
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

test('an address space of 1100 MiB is a finding: over the old flat 1 GiB, under the 1216 MiB Go >= 1.21 was measured to need', {
  skip: skipUnless(prlimitTool && sleepBin, 'prlimit (util-linux) not installed'),
}, async () => {
  const limit = 1100 * 1024 * 1024;
  const sleeper = await startProcess(prlimitTool, [`--as=${limit}`, sleepBin, '600'], 'sleep');
  started.push(sleeper);
  const result = runCli(['limits', '--pid', String(sleeper.pid), '--json']);
  assert.equal(result.status, 1, result.stdout);
  assert.match(JSON.parse(result.stdout).findings[0], new RegExp(`address space limited to ${limit} bytes.*below 1216 MiB`));
});

/** Runs a bash script read from stdin (an interactive-like shell, not `bash -c`): its first line of output is its pid. */
function underBash(script, env = {}) {
  const result = run('bash', ['-s'], { input: `echo $$\n${script}\n`, cwd: repoRoot, env: { ...process.env, ...env } });
  const [pid, ...rest] = result.stdout.split('\n');
  return { ...result, pid: Number(pid), stdout: rest.join('\n') };
}
const cli = `"${process.execPath}" "${cliPath}"`;

test('limits without --pid shows this process and its shell (a bash that set ulimit -Sn 777); --json carries both', {
  skip: skipUnless(linux && which('bash'), 'Linux and bash'),
}, () => {
  const result = underBash(`ulimit -Sn 777\n${cli} limits --json`);
  assert.equal(result.status, 0, result.stderr);
  const doc = JSON.parse(result.stdout);
  assert.equal(doc.limits.self, true);
  assert.deepEqual(doc.shellProcess, { pid: result.pid, name: 'bash', isShell: true, skipped: [] });
  assert.equal(doc.shell.pid, result.pid);
  assert.equal(doc.shell.limits.nofile.soft, '777', "the shell's own ulimit, not the one Node raised");
  assert.notEqual(doc.limits.limits.nofile.soft, '777');
  assert.match(doc.limits.notes.join('\n'), /Node raises its own nofile/);
  const text = underBash(`${cli} limits`);
  assert.match(text.stdout, new RegExp(`of its shell: bash \\(pid ${text.pid}\\)`));
  assert.match(text.stdout, /RESOURCE +SOFT +HARD +SHELL SOFT +SHELL HARD +UNITS/);
  assert.equal(runCli(['limits', '--pid', 'x']).status, 2);
  assert.equal(runCli(['limits', '--pid', '999999999']).status, 2);
  assert.equal(runCli(['limits', '--pid', '4294967295']).status, 2);
});

test('env --pid N prints the environment exactly; --diff against the shell exits 1; --json keeps raw bytes', {
  skip: skipUnless(envBin && sleepBin && helper(), 'env, sleep or a C compiler missing'),
}, async () => {
  const sleeper = await startProcess(envBin, ['-i', 'A=1', 'B=x y', 'C=', sleepBin, '600'], 'sleep');
  started.push(sleeper);
  const text = runCli(['env', '--pid', String(sleeper.pid)]);
  assert.equal(text.status, 0, text.stderr);
  assert.equal(text.stdout, 'A=1\nB=x y\nC=\n');
  // Compared with the shell's environment: what bash exports, not what sysprobe itself got.
  const diff = underBash(`export A=1 B=other\n${cli} env --pid ${sleeper.pid} --diff --json`);
  assert.equal(diff.status, 1, diff.stderr);
  const doc = JSON.parse(diff.stdout);
  assert.equal(doc.shellProcess.pid, diff.pid);
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

test('report: limits of this process and its shell, inotify, as text and JSON', {
  skip: skipUnless(linux && which('bash'), 'Linux and bash'),
}, () => {
  const result = underBash(`ulimit -Sn 777\n${cli} report --json`);
  assert.equal(result.status, 0, result.stderr);
  const doc = JSON.parse(result.stdout);
  assert.equal(doc.limits.shell.pid, result.pid);
  assert.equal(doc.limits.shellProcess.isShell, true);
  assert.equal(doc.limits.shell.limits.nofile.soft, '777');
  assert.equal(doc.inotify.maxUserWatches, Number(readFileSync('/proc/sys/fs/inotify/max_user_watches', 'utf8')));
  assert.deepEqual(doc.findings, []);
  const text = underBash(`${cli} report`);
  assert.match(text.stdout, new RegExp(`Resource limits \\(this process, and its shell: bash \\(pid ${text.pid}\\)\\)`));
  assert.match(text.stdout, /^inotify\n {2}max_user_watches +\d+/m);
});
