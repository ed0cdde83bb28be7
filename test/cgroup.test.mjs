// probeCgroupMemory against real memory cgroups this test makes under its own (v1 here; v2 where the memory
// controller is on the unified hierarchy), with the cgroup files and /proc/PID/cgroup read directly as the oracle,
// and a real OOM kill inside a 64 MiB cgroup (the "signal: killed" a Go parent reports) counted afterwards.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { probeCgroupMemory, probeCgroupMemorySync, matchCrashSignatures, SysprobeError } from 'sysprobe';
import { run, which, skipUnless } from './helpers.mjs';
import { startProcess } from './limits-helpers.mjs';

const require = createRequire(import.meta.url);
const linux = process.platform === 'linux';
const MiB = 1024n * 1024n;

/** The v1 memory hierarchy of this process, read with nothing from sysprobe: { mount, path, dir } or null. */
function myV1Memory() {
  if (!linux) return null;
  const line = readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .find((l) => l.split(':')[1]?.split(',').includes('memory'));
  if (!line) return null;
  const path = line.split(':').slice(2).join(':');
  const mountLine = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find((l) => / - cgroup /.test(l) && /[ ,]memory(,|$)/.test(l.split(' - ')[1]));
  if (!mountLine) return null;
  const [, , , root, mount] = mountLine.split(' ');
  if (root !== '/') return null;
  return { mount, path, dir: path === '/' ? mount : mount + path };
}

const v1 = myV1Memory();
const unifiedHasMemory =
  linux && existsSync('/sys/fs/cgroup/unified/cgroup.controllers')
    ? readFileSync('/sys/fs/cgroup/unified/cgroup.controllers', 'utf8').split(/\s+/).includes('memory')
    : false;
function canMakeChild() {
  if (v1 === null || process.getuid?.() !== 0) return false;
  const probe = join(v1.dir, `sysprobe-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}
const writable = canMakeChild();
const skipV1 = skipUnless(writable, 'needs root and a writable cgroup v1 memory hierarchy (mkdir under this process’s memory cgroup)');

const made = [];
const started = [];
after(async () => {
  for (const p of started) {
    try {
      writeFileSync(join(v1.dir, 'cgroup.procs'), String(p.pid));
    } catch {}
    await p.stop();
  }
  for (const dir of made.reverse()) {
    try {
      rmdirSync(dir);
    } catch {}
  }
});

const read = (dir, file) => readFileSync(join(dir, file), 'utf8').trim();
const v1Bytes = (text) => (BigInt(text) >= 2n ** 63n - 65536n ? 'max' : BigInt(text));

function child(parent, name) {
  const dir = join(parent, `${name}-${process.pid}`);
  mkdirSync(dir);
  made.push(dir);
  return dir;
}

test('this process: the same levels, limits and usage as the cgroup files, nearest first up to the mount', {
  skip: skipUnless(v1 !== null, 'no cgroup v1 memory hierarchy mounted at its root'),
}, async () => {
  const info = probeCgroupMemorySync();
  assert.equal(info.pid, process.pid);
  assert.equal(info.version, unifiedHasMemory ? 2 : 1);
  if (info.version !== 1) return;
  assert.equal(info.mount, v1.mount);
  assert.equal(info.levels[0].path, v1.path);
  assert.equal(info.levels[0].dir, v1.dir);
  const depth = v1.path === '/' ? 0 : v1.path.split('/').length - 1;
  assert.equal(info.levels.length, depth + 1);
  assert.equal(info.levels.at(-1).path, '/');
  assert.equal(info.levels.at(-1).dir, v1.mount);
  for (const level of info.levels) {
    assert.equal(level.max, v1Bytes(read(level.dir, 'memory.limit_in_bytes')), level.dir);
    assert.equal(level.high, v1Bytes(read(level.dir, 'memory.soft_limit_in_bytes')));
    assert.equal(typeof level.current, 'bigint');
    assert.equal(level.events.failcnt, BigInt(read(level.dir, 'memory.failcnt')));
  }
  if (!unifiedHasMemory && existsSync('/sys/fs/cgroup/unified'))
    assert.ok(
      info.notes.some((n) => /no memory controller/.test(n)),
      info.notes.join('\n'),
    );
  const async = await probeCgroupMemory({ pid: process.pid });
  assert.deepEqual(
    async.levels.map((l) => [l.path, l.max, l.high]),
    info.levels.map((l) => [l.path, l.max, l.high]),
  );
});

test('v1: a 64 MiB cgroup with a looser child: the probe of a sleep in the child reads both, effective = the parent’s', {
  skip: skipV1,
}, async () => {
  const outer = child(v1.dir, 'sysprobe-outer');
  writeFileSync(join(outer, 'memory.limit_in_bytes'), String(64n * MiB));
  writeFileSync(join(outer, 'memory.soft_limit_in_bytes'), String(32n * MiB));
  const inner = child(outer, 'sysprobe-inner');
  writeFileSync(join(inner, 'memory.limit_in_bytes'), String(256n * MiB));
  writeFileSync(join(inner, 'memory.soft_limit_in_bytes'), String(128n * MiB));
  const sleeper = await startProcess(which('sleep'), ['600'], 'sleep');
  started.push(sleeper);
  writeFileSync(join(inner, 'cgroup.procs'), String(sleeper.pid));

  const procLine = readFileSync(`/proc/${sleeper.pid}/cgroup`, 'utf8')
    .split('\n')
    .find((l) => /:memory:/.test(l));
  const innerPath = procLine.split(':').slice(2).join(':');
  assert.equal(join(v1.mount, innerPath), inner, 'cat /proc/PID/cgroup names the child');

  for (const info of [probeCgroupMemorySync({ pid: sleeper.pid }), await probeCgroupMemory({ pid: sleeper.pid })]) {
    assert.equal(info.version, 1);
    const [nearest, parent] = info.levels;
    assert.equal(nearest.path, innerPath);
    assert.equal(nearest.dir, inner);
    assert.equal(nearest.max, 256n * MiB);
    assert.equal(nearest.max, BigInt(read(inner, 'memory.limit_in_bytes')));
    assert.equal(nearest.high, 128n * MiB);
    assert.equal(nearest.current, BigInt(read(inner, 'memory.usage_in_bytes')));
    assert.equal(parent.dir, outer);
    assert.equal(parent.max, 64n * MiB);
    assert.equal(info.effective.max, 64n * MiB);
    assert.equal(info.effective.from, parent.path);
    assert.equal(info.effective.high, 32n * MiB);
    assert.equal(info.effective.highFrom, parent.path);
    if (existsSync(join(inner, 'memory.memsw.limit_in_bytes'))) assert.equal(nearest.swapMax, 'max');
  }
  writeFileSync(join(v1.dir, 'cgroup.procs'), String(sleeper.pid));
  await sleeper.stop();
});

test('v1: a process allocating past memory.limit_in_bytes is OOM-killed ("signal: killed"), and the probe counts the kill', {
  skip: skipV1,
}, async (t) => {
  const box = child(v1.dir, 'sysprobe-oom');
  writeFileSync(join(box, 'memory.limit_in_bytes'), String(64n * MiB));
  if (existsSync(join(box, 'memory.memsw.limit_in_bytes'))) writeFileSync(join(box, 'memory.memsw.limit_in_bytes'), String(64n * MiB));
  const witness = await startProcess(which('sleep'), ['600'], 'sleep');
  started.push(witness);
  writeFileSync(join(box, 'cgroup.procs'), String(witness.pid));
  const before = probeCgroupMemorySync({ pid: witness.pid }).levels[0].events.oom_kill ?? 0n;

  // `tail /dev/zero` keeps an ever longer line: it grows until the cgroup's OOM killer takes it.
  const hog = ['sh', '-c', `echo $$ > ${join(box, 'cgroup.procs')} && exec tail /dev/zero`];
  const go = which('go');
  let stderr;
  if (go) {
    const work = mkdtempSync(join(tmpdir(), 'sysprobe-oom-go-'));
    t.after(() => rmSync(work, { recursive: true, force: true }));
    writeFileSync(
      join(work, 'main.go'),
      'package main\nimport ("fmt"; "os"; "os/exec")\nfunc main() { err := exec.Command(os.Args[1], os.Args[2:]...).Run(); fmt.Fprintln(os.Stderr, err) }\n',
    );
    const built = run(go, ['build', '-o', join(work, 'runner'), join(work, 'main.go')], {
      env: { ...process.env, GOCACHE: join(work, 'cache'), GO111MODULE: 'off' },
    });
    assert.equal(built.status, 0, built.stderr);
    const result = run(join(work, 'runner'), hog);
    stderr = result.stderr;
    assert.equal(stderr.trim(), 'signal: killed', 'the Go parent’s words for the OOM kill');
  } else {
    const result = run(hog[0], hog.slice(1));
    assert.equal(result.signal, 'SIGKILL');
    process.stderr.write('# go not installed: the "signal: killed" wording comes from the fixture only\n');
    stderr = readFileSync(new URL('./fixtures/crash-logs/go-exec-errors.txt', import.meta.url), 'utf8');
  }
  assert.ok(matchCrashSignatures(stderr).some((s) => s.id === 'signal-killed' && s.check === 'mem-cgroup'));

  const oomControl = Object.fromEntries(
    read(box, 'memory.oom_control')
      .split('\n')
      .map((l) => l.split(' ')),
  );
  const info = await probeCgroupMemory({ pid: witness.pid });
  const level = info.levels[0];
  assert.equal(level.dir, box);
  assert.equal(level.events.oom_kill, BigInt(oomControl.oom_kill), 'the count the kernel keeps');
  assert.ok(level.events.oom_kill > before, `oom_kill ${before} → ${level.events.oom_kill}`);
  assert.equal(info.effective.max, 64n * MiB);
  assert.ok(
    info.notes.some((n) => /OOM-killed/.test(n)),
    info.notes.join('\n'),
  );
  assert.ok(level.peak >= 60n * MiB, `peak ${level.peak}`);
  writeFileSync(join(v1.dir, 'cgroup.procs'), String(witness.pid));
  await witness.stop();
});

test('v2: a child with memory.max where the unified hierarchy has the memory controller', {
  skip: skipUnless(
    unifiedHasMemory,
    `cgroup2 has no memory controller here (controllers: ${
      linux && existsSync('/sys/fs/cgroup/unified/cgroup.controllers')
        ? readFileSync('/sys/fs/cgroup/unified/cgroup.controllers', 'utf8').trim() || 'none'
        : 'no cgroup2 mount'
    }); memory is bound to the v1 hierarchy and cannot be enabled in a v2 subtree`,
  ),
}, async (t) => {
  const path = readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('0::'))
    .slice(3);
  const base = join('/sys/fs/cgroup/unified', path);
  const box = child(base, 'sysprobe-v2');
  try {
    writeFileSync(join(base, 'cgroup.subtree_control'), '+memory');
    writeFileSync(join(box, 'memory.max'), String(64n * MiB));
  } catch (error) {
    return t.skip(`cannot enable memory below ${base}: ${error.code} (a cgroup with processes cannot delegate controllers)`);
  }
  const sleeper = await startProcess(which('sleep'), ['600'], 'sleep');
  started.push(sleeper);
  writeFileSync(join(box, 'cgroup.procs'), String(sleeper.pid));
  const info = await probeCgroupMemory({ pid: sleeper.pid });
  assert.equal(info.version, 2);
  assert.equal(info.levels[0].dir, box);
  assert.equal(info.levels[0].max, BigInt(read(box, 'memory.max')));
  assert.equal(info.effective.max, 64n * MiB);
  writeFileSync(join(base, 'cgroup.procs'), String(sleeper.pid));
  await sleeper.stop();
});

test('a container’s mount (root /docker/abc at /sys/fs/cgroup/memory): paths map below it, levels stop at its root', () => {
  const { cgroupMemoryFromTexts } = require('../dist/probes/limits/cgroup.js');
  const files = {
    '/sys/fs/cgroup/memory/app/memory.limit_in_bytes': '536870912\n',
    '/sys/fs/cgroup/memory/memory.limit_in_bytes': '1073741824\n',
    '/sys/fs/cgroup/memory/app/memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 3\n',
    '/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes': '9223372036854771712\n',
  };
  const info = cgroupMemoryFromTexts(
    42,
    '12:memory:/docker/abc/app\n0::/\n',
    '30 25 0:26 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory\n',
    (path) => files[path] ?? null,
  );
  assert.equal(info.version, 1);
  assert.deepEqual(
    info.levels.map((l) => [l.path, l.dir]),
    [
      ['/docker/abc/app', '/sys/fs/cgroup/memory/app'],
      ['/docker/abc', '/sys/fs/cgroup/memory'],
    ],
  );
  assert.equal(info.effective.max, 536870912n);
  assert.equal(info.effective.from, '/docker/abc/app');
  assert.equal(info.levels[1].swapMax, 'max');
  assert.equal(info.levels[0].events.oom_kill, 3n);
  const outside = cgroupMemoryFromTexts(
    42,
    '12:memory:/other\n',
    '30 25 0:26 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n',
    () => null,
  );
  assert.equal(outside.version, null);
  assert.ok(outside.notes.some((n) => /no mount of the memory hierarchy shows it/.test(n)));
  const v2 = cgroupMemoryFromTexts(
    7,
    '0::/user.slice/app.scope\n',
    '40 31 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n',
    (path) =>
      ({
        '/sys/fs/cgroup/cgroup.controllers': 'cpu memory pids\n',
        '/sys/fs/cgroup/user.slice/app.scope/memory.max': 'max\n',
        '/sys/fs/cgroup/user.slice/memory.max': '2147483648\n',
        '/sys/fs/cgroup/user.slice/memory.high': '1073741824\n',
        '/sys/fs/cgroup/user.slice/app.scope/memory.events': 'low 0\nhigh 5\nmax 2\noom 1\noom_kill 1\noom_group_kill 0\n',
      })[path] ?? null,
  );
  assert.equal(v2.version, 2);
  assert.deepEqual(
    v2.levels.map((l) => l.dir),
    ['/sys/fs/cgroup/user.slice/app.scope', '/sys/fs/cgroup/user.slice', '/sys/fs/cgroup'],
  );
  assert.deepEqual(v2.effective, { max: 2147483648n, from: '/user.slice', high: 1073741824n, highFrom: '/user.slice', swapMax: 'max' });
  assert.equal(v2.levels[0].events.oom_kill, 1n);
  assert.equal(v2.levels[2].max, null, 'the v2 root has no memory.max');
});

test('errors: ESRCH for a pid that does not exist, ERR_SYSPROBE_INVALID_ARG for one that is not a pid', {
  skip: skipUnless(linux, 'Linux only'),
}, async () => {
  await assert.rejects(probeCgroupMemory({ pid: 2 ** 22 + 12345 }), (e) => e instanceof SysprobeError && e.code === 'ESRCH');
  assert.throws(
    () => probeCgroupMemorySync({ pid: 0 }),
    (e) => e.code === 'ERR_SYSPROBE_INVALID_ARG',
  );
});
