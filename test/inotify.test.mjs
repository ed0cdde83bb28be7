// probeInotify against /proc/sys/fs/inotify/* and /proc/sys/user/max_inotify_*, and its use count
// against a helper process that holds a known number of inotify instances and watches.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeInotify, probeInotifySync } from 'sysprobe';
import { run, root, which, skipUnless } from './helpers.mjs';
import { helper } from './limits-helpers.mjs';

const linux = process.platform === 'linux';
const unshare = linux ? which('unshare') : null;
const number = (path) => (existsSync(path) ? Number(readFileSync(path, 'utf8').trim()) : null);
const cleanups = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup();
});

test('the limits are /proc/sys/fs/inotify/* and /proc/sys/user/max_inotify_*', { skip: skipUnless(linux, 'Linux only') }, async () => {
  for (const info of [probeInotifySync(), await probeInotify()]) {
    assert.equal(info.maxUserWatches, number('/proc/sys/fs/inotify/max_user_watches'));
    assert.equal(info.maxUserInstances, number('/proc/sys/fs/inotify/max_user_instances'));
    assert.equal(info.maxQueuedEvents, number('/proc/sys/fs/inotify/max_queued_events'));
    const nsWatches = number('/proc/sys/user/max_inotify_watches');
    const nsInstances = number('/proc/sys/user/max_inotify_instances');
    assert.deepEqual(info.userNamespace, nsWatches === null ? null : { maxUserWatches: nsWatches, maxUserInstances: nsInstances });
    assert.equal(info.effective.maxUserWatches, Math.min(info.maxUserWatches, nsWatches ?? Infinity));
    assert.equal(info.usage.uid, process.geteuid());
  }
});

test('inside a new user namespace the per-namespace limits differ and are reported', {
  skip: skipUnless(unshare, 'unshare (util-linux) not installed'),
}, (t) => {
  const oracle = run(unshare, ['-U', 'cat', '/proc/sys/user/max_inotify_watches', '/proc/sys/user/max_inotify_instances']);
  if (oracle.status !== 0) return t.skip(`skipped: unshare -U is not permitted here: ${oracle.stderr.trim()}`);
  const [watches, instances] = oracle.stdout.trim().split('\n').map(Number);
  const result = run(
    unshare,
    [
      '-U',
      process.execPath,
      '--input-type=module',
      '-e',
      "import { probeInotifySync } from 'sysprobe'; const i = probeInotifySync(); console.log(JSON.stringify(i));",
    ],
    { cwd: root },
  );
  assert.equal(result.status, 0, result.stderr);
  const info = JSON.parse(result.stdout);
  assert.deepEqual(info.userNamespace, { maxUserWatches: watches, maxUserInstances: instances });
  assert.equal(info.maxUserWatches, number('/proc/sys/fs/inotify/max_user_watches'), "the initial namespace's limit is unchanged");
  assert.equal(info.userNamespaceDiffers, watches !== info.maxUserWatches || instances !== info.maxUserInstances);
  assert.equal(info.effective.maxUserWatches, Math.min(watches, info.maxUserWatches));
});

/** Starts the helper holding one instance per count (with that many watches), plus a dup() of the first. */
async function holder(counts) {
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-inotify-'));
  const child = spawn(helper(), ['inotify', dir, ...counts.map(String)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const line = await new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve(text);
    });
    child.once('exit', (code) => reject(new Error(`helper exited with ${code}`)));
  });
  assert.match(line, /^ready \d+/);
  const stop = async () => {
    child.stdin.end();
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  cleanups.push(stop);
  return { pid: child.pid, stop };
}

test('use count: a process holding 3 instances with 2+0+3 watches and a dup()ed fd', {
  skip: skipUnless(linux && helper(), 'no C compiler for the test helper'),
}, async () => {
  const held = await holder([2, 0, 3]);
  for (const info of [probeInotifySync(), await probeInotify()]) {
    const mine = info.usage.processes.find((p) => p.pid === held.pid);
    assert.ok(mine, 'the helper is listed');
    assert.equal(mine.comm, 'limits-helper');
    assert.equal(mine.fds, 4);
    if (info.usage.dedup === 'kcmp') {
      assert.equal(mine.instances, 3, 'the dup()ed fd shares an instance');
      assert.equal(mine.watches, 5);
    } else {
      assert.equal(mine.instances, 4);
      assert.equal(mine.watches, 7, "without kcmp the dup()ed fd's 2 watches count again");
    }
    const sum = (key) => info.usage.processes.reduce((total, p) => total + p[key], 0);
    assert.equal(info.usage.instances, sum('instances'));
    assert.equal(info.usage.watches, sum('watches'));
    assert.equal(info.usage.fds, sum('fds'));
    assert.ok(info.usage.processesScanned >= 2);
  }
  // A second holder adds exactly its own instances and watches.
  const before = probeInotifySync().usage.processes.find((p) => p.pid === held.pid);
  const second = await holder([1]);
  const after = probeInotifySync();
  assert.deepEqual(
    after.usage.processes.find((p) => p.pid === held.pid),
    before,
  );
  const other = after.usage.processes.find((p) => p.pid === second.pid);
  assert.deepEqual({ fds: other.fds, watches: other.watches }, { fds: 2, watches: after.usage.dedup === 'kcmp' ? 1 : 2 });
  await held.stop();
  assert.equal(
    probeInotifySync().usage.processes.find((p) => p.pid === held.pid),
    undefined,
    'gone once it exits',
  );
});
