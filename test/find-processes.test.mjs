// findProcesses against processes this test starts under names no one else uses (copies of sleep), with pgrep
// and /proc read directly as the oracles: a short name, a name longer than comm's 15 bytes, a deleted executable,
// another user's process (exe unreadable), kernel threads.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, chmodSync, mkdtempSync, readFileSync, readlinkSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { findProcesses, findProcessesSync, nearestShellAncestor, processNode, SysprobeError } from 'sysprobe';
import { run, which, skipUnless } from './helpers.mjs';
import { startProcess, publicPackage } from './limits-helpers.mjs';

const linux = process.platform === 'linux';
const sleepBin = which('sleep');
const pgrep = linux ? which('pgrep') : null;
const setpriv = linux ? which('setpriv') : null;
const dir = mkdtempSync(join(tmpdir(), 'sysprobe-find-'));
chmodSync(dir, 0o755);
const started = [];
after(async () => {
  for (const p of started) await p.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A copy of sleep named `name`, started `count` times; resolves when each has exec'd (comm shows it). */
async function sleepers(name, count) {
  const path = join(dir, name);
  copyFileSync(sleepBin, path);
  chmodSync(path, 0o755);
  const list = [];
  for (let i = 0; i < count; i++) {
    const p = await startProcess(path, ['600'], name.slice(0, 15));
    started.push(p);
    list.push(p);
  }
  return { path, pids: list.map((p) => p.pid).sort((a, b) => a - b), processes: list };
}

const pgrepPids = (args) => {
  const result = run(pgrep, args);
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .sort((a, b) => a - b);
};
const pids = (nodes) => nodes.map((n) => n.pid);
const skip = skipUnless(linux && sleepBin && pgrep, 'needs Linux, sleep and pgrep');

test('a short name: the same pids as pgrep -x, by name, exe and argv0, sync and async, sorted', { skip }, async () => {
  const name = `sp${process.pid}`.slice(0, 15);
  const { path, pids: expected } = await sleepers(name, 3);
  assert.deepEqual(pgrepPids(['-x', name]), expected, 'the oracle sees them');
  assert.deepEqual(pids(findProcessesSync({ name })), expected);
  assert.deepEqual(pids(await findProcesses({ name })), expected);
  assert.deepEqual(pids(findProcessesSync({ exe: path })), expected);
  assert.deepEqual(pids(await findProcesses({ argv0: path })), expected);
  assert.deepEqual(pids(findProcessesSync({ argv0: name })), expected, 'a query without / matches the basename of argv[0]');
  assert.deepEqual(pids(findProcessesSync({ name, exe: path })), expected);
  assert.deepEqual(findProcessesSync({ name, exe: sleepBin }), [], 'fields are ANDed');
  const [first] = findProcessesSync({ name });
  assert.equal(first.exe, readlinkSync(`/proc/${first.pid}/exe`));
  assert.equal(first.exeDeleted, false);
  assert.equal(first.comm, readFileSync(`/proc/${first.pid}/comm`, 'utf8').trim());
  assert.equal(first.ppid, process.pid);
  assert.deepEqual(first.argv, [path, '600']);
  assert.deepEqual(findProcessesSync({ name }, { limit: 2 }), findProcessesSync({ name }).slice(0, 2), 'limit keeps the lowest pids');
  assert.equal(findProcessesSync({ name }, { limit: 100_000 }).length, 3, 'a limit above the cap is clamped, not refused');
});

test('a name longer than 15 bytes: comm is cut, so pgrep -x finds nothing; found by the exe basename, as pgrep -f does', {
  skip,
}, async () => {
  const name = `sysprobe-long-name-sleeper-${process.pid}`;
  const { pids: expected } = await sleepers(name, 2);
  for (const pid of expected) assert.equal(readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), name.slice(0, 15));
  assert.deepEqual(pgrepPids(['-x', name]), [], 'pgrep -x compares the cut comm');
  assert.deepEqual(pgrepPids(['-f', name]), expected, 'pgrep -f sees the command line');
  assert.deepEqual(pids(findProcessesSync({ name })), expected);
  assert.deepEqual(pids(await findProcesses({ name })), expected);
  // Another long name with the same first 15 bytes matches by comm: the documented prefix rule (comm is all the
  // kernel keeps for a process whose exe cannot be read).
  assert.deepEqual(pids(findProcessesSync({ name: `${name.slice(0, 15)}-other` })), expected);
  assert.deepEqual(findProcessesSync({ name: `${name.slice(0, 14)}` }), [], 'a shorter name is not a prefix match');
});

test('a deleted executable: /proc/PID/exe ends in " (deleted)"; found by name and by its old path, exeDeleted', { skip }, async () => {
  const name = `spdel${process.pid}`.slice(0, 15);
  const { path, pids: expected } = await sleepers(name, 1);
  unlinkSync(path);
  assert.equal(readlinkSync(`/proc/${expected[0]}/exe`), `${path} (deleted)`);
  assert.deepEqual(pgrepPids(['-x', name]), expected);
  const [found] = await findProcesses({ name });
  assert.equal(found.pid, expected[0]);
  assert.equal(found.exe, path);
  assert.equal(found.exeDeleted, true);
  assert.deepEqual(pids(findProcessesSync({ exe: path })), expected);
  assert.equal(processNode(expected[0]).exeDeleted, true);
});

test('exe unreadable: kernel threads and another user’s processes match by comm only, with exe null', { skip }, async (t) => {
  const kthreadd = findProcessesSync({ name: 'kthreadd' });
  assert.deepEqual(pids(kthreadd), pgrepPids(['-x', 'kthreadd']));
  if (kthreadd.length > 0) assert.equal(kthreadd[0].exe, null);
  if (!setpriv || process.getuid() !== 0) return t.skip('needs root and setpriv to look from another uid');
  const name = `spusr${process.pid}`.slice(0, 15);
  const { path, pids: expected } = await sleepers(name, 1);
  const cwd = publicPackage();
  const script = `const s = require('./dist/index.js'); console.log(JSON.stringify([s.findProcessesSync({ name: ${JSON.stringify(name)} }), s.findProcessesSync({ exe: ${JSON.stringify(path)} })]));`;
  const result = run(setpriv, ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script], { cwd });
  assert.equal(result.status, 0, result.stderr);
  const [byName, byExe] = JSON.parse(result.stdout);
  assert.deepEqual(pids(byName), expected);
  assert.equal(byName[0].exe, null, 'root’s /proc/PID/exe is not readable to uid 65534');
  assert.deepEqual(byExe, [], 'an unreadable exe never matches an exe query');
});

test('processes that exit during the scan are left out, never an error', { skip }, async () => {
  const churn = spawn('sh', ['-c', 'while :; do /bin/true; done'], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 20; i++) {
      assert.ok(Array.isArray(await findProcesses({ name: 'true' })));
      assert.ok(Array.isArray(findProcessesSync({ argv0: 'true' })));
    }
  } finally {
    churn.kill('SIGKILL');
  }
});

test('bad queries are ERR_SYSPROBE_INVALID_ARG', { skip: skipUnless(linux, 'Linux only') }, async () => {
  const invalid = (e) => e instanceof SysprobeError && e.code === 'ERR_SYSPROBE_INVALID_ARG';
  assert.throws(() => findProcessesSync({}), invalid);
  assert.throws(() => findProcessesSync({ name: '' }), invalid);
  assert.throws(() => findProcessesSync({ exe: 'relative/gopls' }), invalid);
  assert.throws(() => findProcessesSync({ pid: 1 }), invalid);
  assert.throws(() => findProcessesSync({ name: 'x' }, { limit: 0 }), invalid);
  await assert.rejects(findProcesses({ name: 'x' }, { limit: 1.5 }), invalid);
});

test('nearestShellAncestor and processNode from the package: this process and its parent', {
  skip: skipUnless(linux, 'Linux only'),
}, () => {
  const self = processNode(process.pid);
  assert.equal(self.ppid, process.ppid);
  assert.equal(self.exe, process.execPath);
  assert.deepEqual(self.argv, readFileSync('/proc/self/cmdline', 'utf8').split('\0').slice(0, -1));
  const found = nearestShellAncestor();
  if (found !== null) assert.ok(found.shell.pid > 0 && typeof found.isShell === 'boolean');
  assert.throws(
    () => processNode(2 ** 22 + 12345),
    (e) => e.code === 'ESRCH',
  );
});
