// Each scenario of test/doctor-scenarios.mjs builds a real failure and its healthy twin; here the OS is the
// oracle that the failure is real (/proc/PID/environ and /limits, the tool's own stderr, the cgroup files,
// getfattr, the loader, `go env`, df). The doctor's own tests (the lead's) use the same scenarios.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, realpathSync, lstatSync } from 'node:fs';
import { run } from './helpers.mjs';
import * as scenarios from './doctor-scenarios.mjs';

const environ = (pid) =>
  Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'latin1')
      .split('\0')
      .filter(Boolean)
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
/** `command -v go` under a PATH, as a POSIX shell answers it. */
const goUnder = (path) => run('/usr/bin/sh', ['-c', 'command -v go || echo none'], { env: { PATH: path } }).stdout.trim();
/** A limit line of /proc/PID/limits: { soft, hard } as text. */
function limitOf(pid, label) {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((row) => row.startsWith(label));
  const [soft, hard] = line.slice(26).trim().split(/\s+/);
  return { soft, hard };
}
const alive = (pid) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

async function withScenario(t, make, check) {
  const scenario = await make();
  if (scenario.skip) {
    t.skip(scenario.skip);
    return;
  }
  try {
    await check(scenario);
  } finally {
    await scenario.cleanup();
  }
}

test('goplsWithoutGo: gopls got a PATH without go, the shell has it first', (t) =>
  withScenario(t, scenarios.goplsWithoutGo, (s) => {
    const gopls = environ(s.goplsPid);
    const shell = environ(s.shellPid);
    assert.equal(gopls.PATH, s.toolPath);
    assert.equal(shell.PATH, s.shellPath);
    assert.equal(goUnder(gopls.PATH), 'none', 'no go on the PATH gopls got');
    assert.equal(goUnder(shell.PATH), `${s.goDir}/go`);
    assert.equal(realpathSync(`${s.goDir}/go`), `${scenarios.HOST_GOROOT}/bin/go`);
    assert.ok(alive(s.goplsPid) && alive(s.shellPid) && alive(s.healthy.goplsPid));
    assert.match(readFileSync(`/proc/${s.shellPid}/cmdline`, 'utf8'), /^\/usr\/bin\/bash\0--norc\0--noprofile\0-i\0$/);
    assert.equal(goUnder(environ(s.healthy.goplsPid).PATH), `${s.goDir}/go`, 'the twin finds go');
  }));

for (const [name, make, label, resource] of [
  ['goplsUnderAs', scenarios.goplsUnderAs, 'Max address space', 'as'],
  ['goplsUnderData', scenarios.goplsUnderData, 'Max data size', 'data'],
]) {
  test(`${name}: the limited parent's gopls dies at start with the Go runtime's error; the twin runs`, (t) =>
    withScenario(t, make, (s) => {
      assert.equal(s.resource, resource);
      assert.ok(alive(s.parentPid), 'the limited parent stays alive');
      assert.deepEqual(limitOf(s.parentPid, label), { soft: String(s.limitBytes), hard: String(s.limitBytes) });
      assert.equal(limitOf(s.healthy.parentPid, label).soft, 'unlimited');
      assert.notEqual(s.exitStatus, 0);
      // Go 1.19's runtime, below the floor: the reservation or the first allocation fails (docs/doctor-floors.md).
      assert.match(
        s.stderr,
        /fatal error: (runtime: cannot allocate memory|out of memory|failed to reserve page summary memory)|runtime\/cgo: pthread_create failed|out of memory allocating heap arena map/,
      );
      assert.ok(alive(s.healthy.goplsPid), 'the unlimited twin gopls runs');
      assert.equal(limitOf(s.healthy.goplsPid, label).soft, 'unlimited');
      t.diagnostic(`${resource}=${s.limitBytes}: ${s.stderr.split('\n')[0]}`);
    }));
}

test('cgroupLimited: the process is in a memory cgroup with the limit', (t) =>
  withScenario(t, scenarios.cgroupLimited, (s) => {
    assert.equal(BigInt(readFileSync(s.limitFile, 'utf8').trim()), BigInt(s.maxBytes));
    const procs = readFileSync(`${s.cgroupDir}/cgroup.procs`, 'utf8').trim().split('\n').map(Number);
    assert.ok(procs.includes(s.pid));
    assert.ok(!procs.includes(s.healthy.pid));
    const own = readFileSync(`/proc/${s.pid}/cgroup`, 'utf8');
    const relative = s.cgroupDir.replace(s.version === 1 ? '/sys/fs/cgroup/memory' : '/sys/fs/cgroup', '');
    assert.ok(
      own.split('\n').some((line) => line.endsWith(`:${relative}`)),
      own,
    );
    t.diagnostic(`cgroup v${s.version} ${s.limitFile}`);
  }));

test('gorootBehindJunction: a mid-path junction on an ntfs-3g volume, and a plain twin', (t) =>
  withScenario(t, scenarios.gorootBehindJunction, (s) => {
    const tag = (path) =>
      run('getfattr', ['-h', '-e', 'hex', '--only-values', '-n', 'system.ntfs_reparse_data', path], { encoding: 'buffer' });
    const got = tag(s.junctionPath);
    assert.equal(got.status, 0, got.stderr.toString());
    assert.equal(got.stdout.readUInt32LE(0), 0xa0000003, 'IO_REPARSE_TAG_MOUNT_POINT');
    assert.ok(got.stdout.toString('utf16le').includes('real-sdk'));
    assert.notEqual(tag(`${s.mnt}/plain-sdk`).status, 0, 'the twin has no reparse point');
    assert.ok(lstatSync(s.junctionPath).isSymbolicLink(), 'ntfs-3g shows the junction as a symlink');
    assert.equal(readFileSync(`${s.goroot}/VERSION`, 'utf8'), readFileSync(`${s.healthy.goroot}/VERSION`, 'utf8'));
    const version = run(`${s.healthy.goroot}/bin/go`, ['version'], {
      env: { PATH: '/usr/bin:/bin', HOME: s.mnt, GOROOT: s.healthy.goroot },
    });
    assert.equal(version.status, 0, version.stderr);
    t.diagnostic(`junction ${s.junctionPath} -> ${s.substituteName}; readlink: ${run('readlink', [s.junctionPath]).stdout.trim()}`);
  }));

test('newerDebianBinary: the loader refuses it for a GLIBC version this host lacks', (t) =>
  withScenario(t, scenarios.newerDebianBinary, (s) => {
    assert.equal(s.status, 1);
    assert.ok(s.stderr.includes(`version \`${s.needs}' not found (required by ${s.path})`), s.stderr);
    assert.equal(run(s.healthy.path, ['--version']).status, 0);
    t.diagnostic(`${s.path} needs ${s.needs}; host glibc ${s.hostGlibc}: ${s.stderr.trim().split('\n')[0]}`);
  }));

test('goEnvFileOverridden: go env -w wrote GOFLAGS; the process env overrides it', (t) =>
  withScenario(t, scenarios.goEnvFileOverridden, (s) => {
    assert.match(readFileSync(s.envFile, 'utf8'), /^GOFLAGS=-mod=mod$/m);
    const env = environ(s.pid);
    assert.equal(env.GOFLAGS, s.envValue);
    const go = `${scenarios.HOST_GOROOT}/bin/go`;
    assert.equal(run(go, ['env', 'GOFLAGS'], { env }).stdout.trim(), s.envValue, 'the OS env wins');
    const twin = environ(s.healthy.pid);
    assert.equal(twin.GOFLAGS, undefined);
    assert.equal(run(go, ['env', 'GOFLAGS'], { env: twin }).stdout.trim(), s.fileValue, 'the file applies');
  }));

test('settingsGorootMissing: JSONC settings name a go.goroot that does not exist; the twin exists', (t) =>
  withScenario(t, scenarios.settingsGorootMissing, (s) => {
    const text = readFileSync(s.settingsFile, 'utf8');
    assert.throws(() => JSON.parse(text), 'JSONC, not JSON');
    assert.match(text, /\/\/ /);
    assert.match(text, /,\n}/);
    assert.ok(text.includes(JSON.stringify(s.goroot)));
    assert.equal(existsSync(s.goroot), false);
    assert.ok(readFileSync(s.healthy.settingsFile, 'utf8').includes(JSON.stringify(s.healthy.goroot)));
    assert.ok(existsSync(`${s.healthy.goroot}/bin/go`));
  }));

test('fullModCache: df shows GOMODCACHE full, the twin has room', (t) =>
  withScenario(t, scenarios.fullModCache, (s) => {
    const df = (path) => {
      const [, row] = run('df', ['-P', '-k', path]).stdout.trim().split('\n');
      const [, size, used, avail, , mountedOn] = row.split(/\s+/);
      return { size: Number(size), used: Number(used), avail: Number(avail), mountedOn };
    };
    const full = df(s.gomodcache);
    assert.equal(full.mountedOn, s.gomodcache);
    assert.equal(s.error, 'ENOSPC');
    // Full by bytes, or by inodes (nr_inodes=32): either way a download cannot be written.
    const inodes = run('df', ['-P', '-i', s.gomodcache]).stdout.trim().split('\n')[1].split(/\s+/);
    assert.ok(full.avail === 0 || Number(inodes[3]) === 0, JSON.stringify({ full, inodes }));
    const twin = df(s.healthy.gomodcache);
    assert.equal(twin.mountedOn, s.healthy.gomodcache);
    assert.ok(twin.avail > 0);
    t.diagnostic(`filled with ${s.filledWith} files: ${JSON.stringify(full)}`);
  }));
