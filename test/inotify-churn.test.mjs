// probeInotify while processes come and go: a /proc/PID (or fd, fdinfo) entry that vanishes mid-scan is
// skipped, never an error, on both backends. The test starts its own short-lived children — some holding
// inotify instances (fs.watch), killed at random moments — and probes ~300 times within a time bound.
// The koffi backend's failure was rarer than a bounded run can be sure to hit (about 1 probe in 1,100: Node's
// readdirSync({ withFileTypes }) lstat()s an entry /proc lists without a type, a process exiting as it is
// listed, and fails the whole listing when it vanished — 5 in 45,203 listings of /proc here), so the last
// test gives the WASI host exactly that failure, deterministically.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { koffiCoreSkip, koffiPresent, root, run, skipUnless, which } from './helpers.mjs';

const linux = process.platform === 'linux';
const sleepBin = which('sleep');

const script = `
  import { spawn } from 'node:child_process';
  import * as s from 'sysprobe';
  const watcher = 'process.title = "spwatch"; for (let i = 0; i < 8; i++) require("fs").watch("/tmp"); process.stdout.write("w"); setInterval(() => {}, 1000)';
  let stop = false;
  let spawned = 0;
  // A watcher is killed 40-120 ms after it says its watches are set (not after its start: on a loaded
  // machine Node takes longer than that to start, and no scan would ever see a watcher).
  const child = (command, args, killAfter) => new Promise((resolve) => {
    const c = spawn(command, args, { stdio: ['ignore', killAfter === null ? 'ignore' : 'pipe', 'ignore'] });
    spawned++;
    let timer = null;
    c.stdout?.once('data', () => { timer = setTimeout(() => c.kill('SIGKILL'), killAfter); });
    c.on('exit', () => { if (timer) clearTimeout(timer); resolve(); });
    c.on('error', resolve);
  });
  const lane = async (next) => { while (!stop) await next(); };
  const lanes = [
    ...Array.from({ length: 2 }, () => lane(() => child(process.execPath, ['-e', watcher], 40 + Math.random() * 80))),
    ...Array.from({ length: 4 }, () => lane(() => child(${JSON.stringify(sleepBin)}, ['0.0' + (1 + Math.floor(Math.random() * 9))], null))),
  ];
  const errors = [];
  let calls = 0;
  let sawWatchers = 0;
  const t0 = Date.now();
  while (calls < 300 && Date.now() - t0 < 12_000) {
    calls++;
    try {
      const info = calls % 2 ? s.probeInotifySync() : await s.probeInotify();
      if (info.usage.processes.some((p) => p.comm === 'spwatch' && p.fds >= 1)) sawWatchers++;
    } catch (e) {
      errors.push({ code: e.code, syscall: e.syscall, path: e.path });
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  stop = true;
  await Promise.all(lanes);
  console.log(JSON.stringify({ backend: s.backend().name, calls, spawned, sawWatchers, errors }));
`;

for (const backend of ['addon', 'koffi']) {
  const skip = skipUnless(
    linux && sleepBin && (backend === 'addon' || koffiPresent),
    `${backend}: Linux with sleep(1)${backend === 'koffi' ? ' and koffi' : ''}`,
  );
  const skipCore = skip || (backend === 'koffi' && koffiCoreSkip);
  test(`${backend}: probeInotify during /proc churn (children exiting and killed mid-scan): zero errors`, {
    skip: skipCore,
    timeout: 60_000,
  }, () => {
    const result = run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      env: { ...process.env, SYSPROBE_BINDING: '', SYSPROBE_BACKEND: backend },
    });
    assert.equal(result.status, 0, result.stderr);
    const out = JSON.parse(result.stdout);
    process.stderr.write(`# ${backend}: ${JSON.stringify({ ...out, errors: out.errors.length })}\n`);
    assert.equal(out.backend, backend);
    assert.deepEqual(out.errors, []);
    assert.ok(out.calls >= 50, `only ${out.calls} probes in the time bound`);
    assert.ok(out.spawned >= 50, `only ${out.spawned} children`);
    // The churn was seen: children holding inotify instances were in some scans.
    assert.ok(out.sawWatchers >= 1, 'no scan saw a child holding inotify instances');
  });
}

test('koffi: a /proc listing that fails as Node fails it under churn (ENOENT from lstat of a vanished entry) is still scanned', {
  skip: skipUnless(linux && sleepBin, 'Linux with sleep(1)') || koffiCoreSkip,
}, () => {
  const injected = `
    import fs from 'node:fs';
    import { spawn } from 'node:child_process';
    import * as s from 'sysprobe';
    const watcher = spawn(process.execPath, ['-e', 'process.title = "spwatch2"; for (let i = 0; i < 3; i++) require("fs").watch("/tmp"); setInterval(() => {}, 1000)'], { stdio: ['ignore', 'ignore', 'ignore'] });
    await new Promise((resolve) => setTimeout(resolve, 700));
    const mine = (info) => info.usage.processes.filter((p) => p.pid === watcher.pid).map((p) => ({ fds: p.fds, instances: p.instances, watches: p.watches }));
    const baseline = s.probeInotifySync();
    const real = fs.readdirSync;
    let injectedCount = 0;
    // What Node does when /proc gives DT_UNKNOWN for an entry that is gone by the time it is lstat()ed.
    fs.readdirSync = function (path, options) {
      if (options?.withFileTypes && String(path).startsWith('/proc')) {
        injectedCount++;
        const gone = String(path).replace(/\\/$/, '') + '/4194304';
        throw Object.assign(new Error("ENOENT: no such file or directory, lstat '" + gone + "'"), { code: 'ENOENT', errno: -2, syscall: 'lstat', path: gone });
      }
      return real.apply(this, arguments);
    };
    let outcome;
    try {
      const info = s.probeInotifySync();
      outcome = { ok: { mine: mine(info), scanned: info.usage.processesScanned > 0 } };
    } catch (e) {
      outcome = { error: { code: e.code, syscall: e.syscall, path: e.path } };
    }
    fs.readdirSync = real;
    watcher.kill('SIGKILL');
    console.log(JSON.stringify({ backend: s.backend().name, injectedCount, baseline: mine(baseline), outcome }));
  `;
  const result = run(process.execPath, ['--input-type=module', '-e', injected], {
    cwd: root,
    env: { ...process.env, SYSPROBE_BINDING: '', SYSPROBE_BACKEND: 'koffi' },
  });
  assert.equal(result.status, 0, result.stderr);
  const out = JSON.parse(result.stdout);
  assert.equal(out.backend, 'koffi');
  assert.ok(out.injectedCount >= 2, 'the /proc listing and the fd listing of the watcher were failed');
  assert.equal(out.baseline.length, 1, 'the watcher holds inotify instances');
  assert.deepEqual(out.outcome, { ok: { mine: out.baseline, scanned: true } });
});
