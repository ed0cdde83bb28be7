// Resource limits, with the kernel as the oracle: /proc/PID/limits and util-linux prlimit(1), for
// processes started under prlimit(1) with known limits.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { getRlimits, getRlimitsSync, setRlimit, setRlimitSync, RLIMIT_NAMES, SysprobeError } from 'sysprobe';
import { run, root, runNode, which, skipUnless, koffiMode, koffiWithoutCore, needsAddon } from './helpers.mjs';
import { pairs, prlimitOf, prlimitTool, procLimits, kernelLimits, publicEnv, publicPackage, startProcess } from './limits-helpers.mjs';

const linux = process.platform === 'linux';
const setpriv = linux ? which('setpriv') : null;
const sleepBin = which('sleep');
const started = [];
after(async () => {
  for (const process of started) await process.stop();
});

const GiB4 = 4n << 30n;
const prlimitArgs = [`--as=${GiB4}`, '--nofile=1234:4321', '--stack=16777216:unlimited', '--core=0:unlimited'];

/** A `sleep` under prlimit(1) with prlimitArgs; it does not touch its limits (Node would raise nofile). */
async function limitedSleep() {
  const process = await startProcess(prlimitTool, [...prlimitArgs, sleepBin, '600'], 'sleep');
  started.push(process);
  return process;
}

test('every resource is named as prlimit(1) names it, with exact values or unlimited', () => {
  const info = getRlimitsSync();
  assert.deepEqual(Object.keys(info.limits).sort(), [...RLIMIT_NAMES].sort());
  assert.equal(info.self, true);
  assert.equal(info.pid, process.pid);
  for (const limit of Object.values(info.limits)) {
    if (!limit.supported) continue;
    for (const value of [limit.soft, limit.hard]) assert.ok(typeof value === 'bigint' || value === 'unlimited', `${limit.name}: ${value}`);
  }
  if (linux) {
    assert.equal(info.source, 'getrlimit');
    assert.equal(info.limits.rss.enforced, false);
    assert.equal(info.limits.nofile.unit, 'files');
    assert.equal(info.limits.rttime.unit, 'microseconds');
    assert.match(info.notes.join('\n'), /Node raises its own nofile soft limit/);
  }
});

test('a Node child under prlimit(1) reports exactly its /proc/self/limits, sync and async', {
  skip: skipUnless(prlimitTool, 'prlimit (util-linux) not installed'),
}, () => {
  const script = `
    import { readFileSync } from 'node:fs';
    import { getRlimits, getRlimitsSync } from 'sysprobe';
    const before = readFileSync('/proc/self/limits', 'utf8');
    const sync = getRlimitsSync();
    const async = await getRlimits();
    let procfs;
    try { procfs = getRlimitsSync({ source: 'procfs' }); } catch (error) { procfs = { limits: {}, source: error.code }; }
    const text = readFileSync('/proc/self/limits', 'utf8');
    const flat = (info) => Object.fromEntries(Object.values(info.limits).map((l) => [l.name, [String(l.soft), String(l.hard), l.source]]));
    console.log(JSON.stringify({ same: before === text, text, sync: flat(sync), async: flat(async), procfs: flat(procfs), sources: [sync.source, async.source, procfs.source] }));
  `;
  // Under --as=4G the koffi backend's WebAssembly core needs Node's --disable-wasm-trap-handler (V8 reserves
  // ~10 GiB of address space per wasm memory otherwise); the refusal without it is checked below.
  const wasmFlags = koffiMode && !koffiWithoutCore ? ['--disable-wasm-trap-handler'] : [];
  const limited = runCommand(prlimitTool, [...prlimitArgs, process.execPath, ...wasmFlags, '--input-type=module', '-e', script]);
  assert.equal(limited.status, 0, limited.stderr);
  const doc = JSON.parse(limited.stdout);
  assert.equal(doc.same, true, 'the limits changed while the child read them');
  const oracle = kernelLimits(doc.text);
  const expected = Object.fromEntries(Object.entries(oracle).map(([name, v]) => [name, [String(v.soft), String(v.hard)]]));
  const strip = (flat) => Object.fromEntries(Object.entries(flat).map(([name, v]) => [name, v.slice(0, 2)]));
  assert.deepEqual(strip(doc.sync), expected);
  assert.deepEqual(strip(doc.async), expected);
  if (koffiWithoutCore) {
    // The koffi backend without the core as WebAssembly has no parser for /proc/PID/limits: it says so.
    assert.deepEqual(doc.sources, ['getrlimit', 'getrlimit', 'ERR_SYSPROBE_NEEDS_ADDON']);
  } else {
    assert.deepEqual(strip(doc.procfs), expected);
    assert.deepEqual(doc.sources, ['getrlimit', 'getrlimit', 'procfs']);
  }
  // What prlimit(1) set, seen through the probe.
  assert.deepEqual(doc.sync.as.slice(0, 2), [String(GiB4), String(GiB4)]);
  assert.deepEqual(doc.sync.stack.slice(0, 2), ['16777216', 'unlimited']);
  assert.deepEqual(doc.sync.core.slice(0, 2), ['0', 'unlimited']);
  // Node raised its soft nofile (1234) to the hard limit at start-up: the caveat the notes explain.
  assert.deepEqual(doc.sync.nofile.slice(0, 2), ['4321', '4321']);
  if (wasmFlags.length > 0) {
    const refused = runCommand(prlimitTool, [
      ...prlimitArgs,
      process.execPath,
      '--input-type=module',
      '-e',
      `
      import { getRlimitsSync } from 'sysprobe';
      try { getRlimitsSync({ source: 'procfs' }); console.log('answered'); } catch (error) { console.log(error.code + ' ' + error.message); }
    `,
    ]);
    // Node 24's V8 falls back to explicit bounds checks when the reservation fails; Node 20 and 22 refuse.
    if (Number(process.versions.node.split('.')[0]) >= 24) assert.equal(refused.stdout.trim(), 'answered');
    else assert.match(refused.stdout, /^ERR_SYSPROBE_WASM .*--disable-wasm-trap-handler/);
  }
});

function runCommand(command, args) {
  return run(command, args, { cwd: root, env: process.env });
}

test('another process by pid (prlimit(2)) equals its /proc/PID/limits and prlimit(1), sync and async', {
  skip: skipUnless(prlimitTool && sleepBin, 'prlimit (util-linux) or sleep not installed'),
}, async () => {
  const sleeper = await limitedSleep();
  const sync = getRlimitsSync({ pid: sleeper.pid });
  const async = await getRlimits({ pid: sleeper.pid });
  const kernel = procLimits(sleeper.pid);
  assert.deepEqual(pairs(sync), kernel);
  assert.deepEqual(pairs(async), kernel);
  assert.deepEqual(pairs(sync), prlimitOf(sleeper.pid));
  assert.equal(sync.source, 'prlimit');
  assert.equal(sync.fallback, null);
  assert.equal(sync.self, false);
  assert.equal(sync.pid, sleeper.pid);
  assert.deepEqual(sync.limits.nofile.soft, 1234n); // sleep did not raise it, unlike Node
  assert.deepEqual(sync.limits.nofile.hard, 4321n);
  assert.equal(sync.limits.as.soft, GiB4);
  if (koffiWithoutCore) {
    assert.throws(() => getRlimitsSync({ pid: sleeper.pid, source: 'procfs' }), needsAddon);
    await assert.rejects(getRlimits({ pid: sleeper.pid, source: 'procfs' }), needsAddon);
    return;
  }
  const procfs = getRlimitsSync({ pid: sleeper.pid, source: 'procfs' });
  assert.equal(procfs.source, 'procfs');
  assert.deepEqual(pairs(procfs), kernel);
  assert.deepEqual(pairs(await getRlimits({ pid: sleeper.pid, source: 'procfs' })), kernel);
});

test('a pid that has exited gives ESRCH, through prlimit(2) and through /proc', {
  skip: skipUnless(sleepBin && linux, 'sleep not installed'),
}, async () => {
  const sleeper = await startProcess(sleepBin, ['600'], 'sleep');
  await sleeper.stop();
  for (const options of [{ pid: sleeper.pid }, { pid: sleeper.pid, source: 'procfs' }, { pid: sleeper.pid, source: 'syscall' }]) {
    const expected =
      koffiWithoutCore && options.source === 'procfs'
        ? needsAddon
        : (error) => error instanceof SysprobeError && error.code === 'ESRCH' && error.errno === -3;
    assert.throws(() => getRlimitsSync(options), expected, JSON.stringify(options));
    await assert.rejects(getRlimits(options), expected);
  }
});

test('where prlimit(2) is refused (another uid, no capabilities), /proc/PID/limits is read, and source says so', {
  skip: skipUnless(setpriv && prlimitTool && sleepBin, 'setpriv or prlimit (util-linux) not installed'),
}, async (t) => {
  if (process.getuid() !== 0) return t.skip('skipped: needs root to start a child as another uid');
  const sleeper = await limitedSleep();
  const script = `
    import { getRlimitsSync, getRlimits } from 'sysprobe';
    const pid = ${sleeper.pid};
    const flat = (info) => Object.fromEntries(Object.values(info.limits).map((l) => [l.name, { soft: String(l.soft), hard: String(l.hard) }]));
    let sync, async;
    try { sync = getRlimitsSync({ pid }); async = await getRlimits({ pid }); }
    catch (error) { console.log(JSON.stringify({ koffi: { code: error.code, refused: error.details?.refused } })); process.exit(0); }
    let strict = null;
    try { getRlimitsSync({ pid, source: 'syscall' }); } catch (error) { strict = error.code; }
    console.log(JSON.stringify({ source: sync.source, fallback: sync.fallback, asyncSource: async.source, sync: flat(sync), async: flat(async), strict }));
  `;
  const result = run(
    setpriv,
    ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', process.execPath, '--input-type=module', '-e', script],
    { cwd: publicPackage(), env: publicEnv() },
  );
  assert.equal(result.status, 0, result.stderr);
  const doc = JSON.parse(result.stdout);
  if (koffiWithoutCore) {
    // No /proc/PID/limits parser in the koffi backend without its WebAssembly core: the refusal is reported with what was refused.
    assert.deepEqual(doc.koffi, { code: 'ERR_SYSPROBE_NEEDS_ADDON', refused: { code: 'EPERM', errno: -1, syscall: 'prlimit' } });
    return;
  }
  const kernel = Object.fromEntries(
    Object.entries(procLimits(sleeper.pid)).map(([name, v]) => [name, { soft: String(v.soft), hard: String(v.hard) }]),
  );
  assert.equal(doc.source, 'procfs');
  assert.equal(doc.asyncSource, 'procfs');
  assert.deepEqual(doc.fallback, { code: 'EPERM', errno: 1, syscall: 'prlimit' });
  assert.deepEqual(doc.sync, kernel);
  assert.deepEqual(doc.async, kernel);
  assert.equal(doc.strict, 'EPERM', "source: 'syscall' does not fall back");
});

test('setRlimit round trip for this process, checked in /proc/self/limits', async () => {
  const before = getRlimitsSync().limits.core;
  try {
    const set = setRlimitSync('core', { soft: 4096n });
    assert.equal(set.soft, 4096n);
    assert.equal(set.hard, before.hard, 'hard limit kept when omitted');
    assert.deepEqual(procLimits('self').core, { soft: 4096n, hard: before.hard });
    const again = await setRlimit('core', { soft: 8192 });
    assert.equal(again.soft, 8192n);
    assert.deepEqual(procLimits('self').core.soft, 8192n);
    assert.equal((await setRlimit('core', { soft: 'unlimited', hard: 'unlimited' })).soft, 'unlimited');
    assert.deepEqual(procLimits('self').core, { soft: 'unlimited', hard: 'unlimited' });
  } finally {
    setRlimitSync('core', { soft: before.soft, hard: before.hard });
  }
  assert.deepEqual(procLimits('self').core, { soft: before.soft, hard: before.hard });
});

test('setRlimit on another process (prlimit(2)), checked in its /proc/PID/limits', {
  skip: skipUnless(prlimitTool && sleepBin, 'prlimit (util-linux) not installed'),
}, async () => {
  const sleeper = await limitedSleep();
  const set = setRlimitSync('nofile', { soft: 2000n }, { pid: sleeper.pid });
  assert.deepEqual({ soft: set.soft, hard: set.hard }, { soft: 2000n, hard: 4321n });
  assert.deepEqual(procLimits(sleeper.pid).nofile, { soft: 2000n, hard: 4321n });
  await setRlimit('nofile', { soft: 100n, hard: 3000n }, { pid: sleeper.pid });
  assert.deepEqual(procLimits(sleeper.pid).nofile, { soft: 100n, hard: 3000n });
});

test('soft > hard gives EINVAL from the kernel, sync and async', async () => {
  const before = procLimits('self').nofile;
  const isEinval = (error) => error instanceof SysprobeError && error.code === 'EINVAL' && error.syscall === 'setrlimit' && error.errno < 0;
  assert.throws(() => setRlimitSync('nofile', { soft: 200n, hard: 100n }), isEinval);
  await assert.rejects(setRlimit('nofile', { soft: 200n, hard: 100n }), isEinval);
  assert.deepEqual(procLimits('self').nofile, before, 'nothing changed');
});

test('raising the hard limit without CAP_SYS_RESOURCE gives EPERM (setpriv drops every capability)', {
  skip: skipUnless(setpriv, 'setpriv (util-linux) not installed'),
}, (t) => {
  const script = (hardDelta) => `
    import { getRlimitsSync, setRlimitSync, setRlimit } from 'sysprobe';
    const { hard } = getRlimitsSync().limits.nofile;
    const out = { hard: String(hard) };
    try { out.sync = String(setRlimitSync('nofile', { soft: hard, hard: hard + ${hardDelta}n }).hard); } catch (error) { out.sync = error.code; out.syscall = error.syscall; }
    try { out.async = String((await setRlimit('nofile', { soft: hard, hard: hard + ${hardDelta}n })).hard); } catch (error) { out.async = error.code; }
    try { out.lower = String(setRlimitSync('nofile', { soft: 64n, hard: hard - 1n }).hard); } catch (error) { out.lower = error.code; }
    console.log(JSON.stringify(out));
  `;
  const dropped = runCommand(setpriv, ['--inh-caps=-all', '--bounding-set=-all', process.execPath, '--input-type=module', '-e', script(1)]);
  // Dropping the bounding set needs CAP_SETPCAP; without it setpriv itself fails before running Node.
  if (dropped.status !== 0 && /^setpriv:/m.test(dropped.stderr))
    return t.skip(`skipped: setpriv cannot drop capabilities here: ${dropped.stderr.trim()}`);
  assert.equal(dropped.status, 0, dropped.stderr);
  const doc = JSON.parse(dropped.stdout);
  assert.equal(doc.sync, 'EPERM');
  assert.equal(doc.syscall, 'setrlimit');
  assert.equal(doc.async, 'EPERM');
  assert.equal(doc.lower, String(BigInt(doc.hard) - 1n), 'lowering needs no privilege');
  // Control: the same call with CAP_SYS_RESOURCE (this test runner's) succeeds, so EPERM came from the missing capability.
  const hasCap = (BigInt(`0x${/CapEff:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]}`) >> 24n) & 1n;
  if (hasCap === 1n) {
    const control = runNode(script(1));
    assert.equal(control.status, 0, control.stderr);
    assert.equal(JSON.parse(control.stdout).sync, String(BigInt(doc.hard) + 1n));
  }
});

test('invalid arguments are rejected before any system call', () => {
  const invalid = (error) => error instanceof SysprobeError && error.code === 'ERR_SYSPROBE_INVALID_ARG';
  assert.throws(() => setRlimitSync('files', { soft: 1n }), invalid);
  assert.throws(() => setRlimitSync('nofile', { soft: -1n }), invalid);
  assert.throws(() => setRlimitSync('nofile', { soft: 1n << 64n }), invalid);
  assert.throws(() => setRlimitSync('nofile', { soft: 1.5 }), invalid);
  assert.throws(() => setRlimitSync('nofile', { soft: 1n, extra: 1 }), invalid);
  assert.throws(() => getRlimitsSync({ pid: 0 }), invalid);
  assert.throws(() => getRlimitsSync({ pid: '1' }), invalid);
  assert.throws(() => getRlimitsSync({ pid: 2 ** 31 }), invalid, 'pid_t is 32-bit signed');
  assert.throws(() => getRlimitsSync({ source: 'ps' }), invalid);
  assert.throws(() => getRlimitsSync({ pids: 1 }), invalid);
});

test('a Go program raises nofile soft to hard (measured on the Debian gopls), and the notes say so', {
  skip: existsSync('/usr/bin/gopls') && existsSync('/usr/bin/prlimit') ? false : 'needs gopls and prlimit',
}, async () => {
  const child = spawn('/usr/bin/prlimit', ['--nofile=1024:4096', '--', '/usr/bin/gopls', 'serve'], { stdio: ['pipe', 'ignore', 'ignore'] });
  try {
    let info;
    for (let i = 0; i < 200; i++) {
      info = await getRlimits({ pid: child.pid });
      if (readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').startsWith('/usr/bin/gopls') && info.limits.nofile.soft === 4096n) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // The oracle: the kernel's own table for that process.
    assert.match(readFileSync(`/proc/${child.pid}/limits`, 'utf8'), /Max open files\s+4096\s+4096/);
    assert.equal(info.limits.nofile.soft, 4096n);
    assert.match(info.notes.join('\n'), /Go runtime \(>= 1\.19\)/);
    assert.doesNotMatch(info.notes.join('\n'), /hard - 1/);
  } finally {
    child.kill('SIGKILL');
  }
});
