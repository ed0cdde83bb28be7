// probeGlibc({ pid }) on real processes: a libc upgraded (renamed over) or deleted while the process
// runs, chrooted processes (chroot, unshare --root), a process that exits before or during the call,
// and the reading without /proc/PID/map_files (no CAP_SYS_ADMIN / CAP_CHECKPOINT_RESTORE).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SysprobeError, probeGlibc, probeGlibcSync } from 'sysprobe';
import { corpusRoot, materializeRoot, root as repoRoot, run, skipUnless, which } from './helpers.mjs';

const require = createRequire(import.meta.url);
const LIBDIR = '/lib/x86_64-linux-gnu';
const ready = process.platform === 'linux' && process.arch === 'x64' && corpusRoot('bullseye-amd64') && corpusRoot('trixie-amd64');
const skip = skipUnless(ready, 'needs Linux x64 and ../shared/corpus/roots/{bullseye,trixie}-amd64');
const isRoot = process.getuid?.() === 0;

/** A private writable copy of a corpus root (the tests replace files in it). */
function freshRoot(name) {
  const target = mkdtempSync(join(tmpdir(), `sysprobe-pid-${name}-`));
  cpSync(materializeRoot(name), target, { recursive: true, verbatimSymlinks: true });
  process.once('exit', () => rmSync(target, { recursive: true, force: true }));
  return target;
}

/** The version a glibc prints about itself, run under its own loader (the oracle). */
function bannerVersion(rootDir, libc, loader) {
  const out = run(join(rootDir, loader), ['--library-path', join(rootDir, LIBDIR), join(rootDir, libc)]);
  const m = /release version (\d+\.\d+)/.exec(out?.stdout ?? '');
  assert.ok(m, `banner of ${libc}: ${out?.stdout}${out?.stderr}`);
  return m[1];
}

/** The libc line of /proc/PID/maps, read independently. */
function mapsLibcLine(pid) {
  return (
    readFileSync(`/proc/${pid}/maps`, 'latin1')
      .split('\n')
      .find((line) => /\/libc[-.][^/]*$|\/libc-2\.31\.so( \(deleted\))?$/.test(line)) ?? null
  );
}

/** Starts a process and waits until it has mapped the libc named by `mapped` (chroot/unshare map the host's first). */
async function started(command, args, mapped = '/libc') {
  const child = spawn(command, args, { stdio: 'ignore' });
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${command} exited ${child.exitCode}`);
    try {
      if (mapsLibcLine(child.pid)?.includes(mapped)) return child;
    } catch {
      /* not yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
  throw new Error(`${command} did not map its libc`);
}

/** bullseye's sleep under bullseye's loader and libc, from a root copy, without chroot. */
function bullseyeSleep(rootDir) {
  return started(
    join(rootDir, LIBDIR, 'ld-2.31.so'),
    ['--library-path', join(rootDir, LIBDIR), join(rootDir, 'bin/sleep'), '30'],
    `${rootDir}${LIBDIR}/libc-2.31.so`,
  );
}

/** Replaces the root's libc-2.31.so with trixie's libc.so.6 by rename, as a package upgrade does. */
function upgradeLibc(rootDir) {
  const trixie = materializeRoot('trixie-amd64');
  const target = join(rootDir, LIBDIR, 'libc-2.31.so');
  copyFileSync(realpathSync(join(trixie, 'usr/lib/x86_64-linux-gnu/libc.so.6')), `${target}.dpkg-new`);
  renameSync(`${target}.dpkg-new`, target);
  return target;
}

/** Runs a probe in a fresh Node without CAP_SYS_ADMIN and CAP_CHECKPOINT_RESTORE: /proc/PID/map_files cannot be opened. */
function probeWithoutMapFiles(pid) {
  const script = `import { probeGlibcSync } from 'sysprobe';
    try { console.log(JSON.stringify({ ok: true, info: probeGlibcSync({ pid: ${pid} }) })); }
    catch (e) { console.log(JSON.stringify({ ok: false, error: { name: e.name, code: e.code, syscall: e.syscall, path: e.path, message: e.message } })); }`;
  const out = run(
    'setpriv',
    [
      '--bounding-set=-sys_admin,-checkpoint_restore',
      '--inh-caps=-sys_admin,-checkpoint_restore',
      process.execPath,
      '--input-type=module',
      '-e',
      script,
    ],
    { cwd: repoRoot },
  );
  assert.equal(out.status, 0, out.stderr);
  return JSON.parse(out.stdout);
}

test('an upgrade while the process runs: the mapped (old) version, and the replaced file on disk as a disagreement', { skip }, async () => {
  const rootDir = freshRoot('bullseye-amd64');
  const old = bannerVersion(rootDir, `${LIBDIR}/libc-2.31.so`, `${LIBDIR}/ld-2.31.so`);
  const child = await bullseyeSleep(rootDir);
  try {
    const before = probeGlibcSync({ pid: child.pid });
    assert.equal(before.version, old);
    assert.deepEqual(before.disagreements, []);
    upgradeLibc(rootDir);
    assert.match(mapsLibcLine(child.pid), / \(deleted\)$/, 'the kernel marks the replaced mapping');
    const newer = bannerVersion(
      materializeRoot('trixie-amd64'),
      'usr/lib/x86_64-linux-gnu/libc.so.6',
      'usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
    );
    assert.notEqual(newer, old);
    for (const info of [probeGlibcSync({ pid: child.pid }), await probeGlibc({ pid: child.pid })]) {
      assert.equal(info.version, old, 'the version the process runs, not the file now on disk');
      assert.equal(info.libcPath, join(rootDir, LIBDIR, 'libc-2.31.so'));
      const differs = info.disagreements.find((d) => d.fact === 'version');
      assert.ok(differs, JSON.stringify(info.disagreements));
      assert.deepEqual(
        differs.values.map((v) => v.value),
        [old, newer],
      );
      assert.ok(
        info.evidence.some((e) => e.fact === 'libc' && /map_files/.test(e.detail ?? '')),
        'says the mapping was read',
      );
    }
    if (isRoot && which('setpriv')) {
      // Without map_files the old bytes cannot be read: the version is not guessed from the new file.
      const capless = probeWithoutMapFiles(child.pid);
      assert.ok(capless.ok, JSON.stringify(capless));
      assert.equal(capless.info.version, null);
      const differs = capless.info.disagreements.find((d) => d.fact === 'version');
      assert.deepEqual(
        differs.values.map((v) => v.value),
        [null, newer],
      );
      assert.match(differs.values[0].source, /EPERM/);
    }
  } finally {
    child.kill('SIGKILL');
  }
});

test('a deleted libc: the version from the mapping, the deletion as a disagreement; without map_files a typed ENOENT', {
  skip,
}, async () => {
  const rootDir = freshRoot('bullseye-amd64');
  const child = await bullseyeSleep(rootDir);
  try {
    const file = join(rootDir, LIBDIR, 'libc-2.31.so');
    rmSync(file);
    assert.match(mapsLibcLine(child.pid), / \(deleted\)$/);
    for (const info of [probeGlibcSync({ pid: child.pid }), await probeGlibc({ pid: child.pid })]) {
      assert.equal(info.version, '2.31');
      assert.ok(
        info.disagreements.some((d) => d.fact === 'libc' && /deleted/.test(d.note)),
        JSON.stringify(info.disagreements),
      );
    }
    if (isRoot && which('setpriv')) {
      const capless = probeWithoutMapFiles(child.pid);
      assert.equal(capless.ok, false);
      assert.equal(capless.error.name, 'SysprobeError');
      assert.equal(capless.error.code, 'ENOENT');
      assert.equal(capless.error.path, file);
    }
  } finally {
    child.kill('SIGKILL');
  }
});

const chrootSkip = skip || skipUnless(isRoot && which('chroot') && which('unshare'), 'needs root, chroot and unshare (util-linux)');
for (const [label, command, args] of [
  ['chroot ROOT sleep', 'chroot', (r) => [r, '/bin/sleep', '30']],
  ['unshare --root ROOT sleep', 'unshare', (r) => ['--root', r, '/bin/sleep', '30']],
  ['unshare --mount --root ROOT sleep (another mount namespace)', 'unshare', (r) => ['--mount', '--root', r, '/bin/sleep', '30']],
]) {
  test(`a chrooted process (${label}): its libc inside its root, the root not prefixed twice`, { skip: chrootSkip }, async () => {
    const rootDir = materializeRoot('bullseye-amd64');
    const child = await started(command, args(rootDir), `${rootDir}${LIBDIR}/libc-2.31.so`);
    try {
      // What the kernel prints to us: the path from our root (the chroot's prefix included).
      assert.ok(mapsLibcLine(child.pid).endsWith(`${rootDir}${LIBDIR}/libc-2.31.so`), mapsLibcLine(child.pid));
      const results = [probeGlibcSync({ pid: child.pid }), await probeGlibc({ pid: child.pid })];
      if (which('setpriv')) results.push(probeWithoutMapFiles(child.pid).info);
      for (const info of results) {
        assert.ok(info, 'answered');
        assert.equal(info.family, 'glibc');
        assert.equal(info.version, '2.31');
        assert.equal(info.libcPath, `${LIBDIR}/libc-2.31.so`, 'the path as the process names it');
        assert.deepEqual(info.disagreements, []);
        const text = JSON.stringify(info);
        assert.ok(!text.includes(`${rootDir}${rootDir}`) && !text.includes(`/root${rootDir}`), text);
      }
    } finally {
      child.kill('SIGKILL');
    }
  });
}

test('a process that has exited: ESRCH, typed, on both calls', {
  skip: skipUnless(process.platform === 'linux', 'needs Linux /proc'),
}, async () => {
  const child = spawn('true', [], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  const esrch = (e) => e instanceof SysprobeError && e.code === 'ESRCH' && e.errno === -3 && e.path === `/proc/${child.pid}`;
  assert.throws(() => probeGlibcSync({ pid: child.pid }), esrch);
  await assert.rejects(probeGlibc({ pid: child.pid }), esrch);
});

test('a process that exits between reading its maps and opening its libc: ESRCH, not a plain ENOENT', {
  skip: skipUnless(process.platform === 'linux', 'needs Linux /proc'),
}, async () => {
  const { probePid, probePidSync } = require('../dist/probes/libc/pid.js');
  const sleepUntil = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const killed = (pid) => {
    process.kill(pid, 'SIGKILL');
    // Our child stays a zombie until Node reaps it: its mappings are gone either way.
    for (let i = 0; i < 200; i++) {
      let state = null;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
        state = stat[stat.lastIndexOf(')') + 2];
      } catch {
        return;
      }
      if (state === 'Z') return;
      sleepUntil(10);
    }
    throw new Error('did not exit');
  };
  for (const sync of [true, false]) {
    const child = await started('sleep', ['30']);
    const call = () => (sync ? probePidSync : probePid)(child.pid, { afterMaps: () => killed(child.pid) });
    const esrch = (e) => e instanceof SysprobeError && e.code === 'ESRCH' && e.syscall === 'open';
    if (sync) assert.throws(call, esrch);
    else await assert.rejects(call(), esrch);
  }
});

test("another user's process: EACCES with the syscall and path", {
  skip: skipUnless(isRoot && which('setpriv'), 'needs root and setpriv to run as nobody'),
}, (t) => {
  const script = `import { probeGlibcSync } from 'sysprobe';
    try { probeGlibcSync({ pid: 1 }); console.log('{}'); } catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, syscall: e.syscall, path: e.path })); }`;
  const out = run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', script], {
    cwd: repoRoot,
  });
  if (out.status !== 0 && /EACCES|permission/i.test(out.stderr)) return t.skip('the checkout is not readable by nobody');
  assert.deepEqual(JSON.parse(out.stdout), { name: 'SysprobeError', code: 'EACCES', syscall: 'open', path: '/proc/1/maps' });
});
