// probeProcessEnv and diffEnv against processes started with a known environment (env -i, and a
// helper that execve()s with any bytes); the bytes passed to execve() are the oracle.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { probeProcessEnv, probeProcessEnvSync, diffEnv, SysprobeError } from 'sysprobe';
import { run, which, skipUnless } from './helpers.mjs';
import { helper, publicEnv, publicPackage, startProcess } from './limits-helpers.mjs';

const linux = process.platform === 'linux';
const envBin = linux ? which('env') : null;
const sleepBin = which('sleep');
const setpriv = linux ? which('setpriv') : null;
const started = [];
after(async () => {
  for (const process of started) await process.stop();
});

async function sleeperWith(command, args) {
  const process = await startProcess(command, args, 'sleep');
  started.push(process);
  return process;
}

/** A sleep whose environment is exactly `entries` (Buffers or strings), via the compiled helper. */
async function sleeperWithBytes(entries) {
  const hex = entries.map((entry) => Buffer.from(entry).toString('hex'));
  return sleeperWith(helper(), ['env', ...hex]);
}

test("env -i A=1 'B=x y' C= 'D=a=b': exactly that environment, sync and async", {
  skip: skipUnless(envBin && sleepBin, 'env or sleep not installed'),
}, async () => {
  const sleeper = await sleeperWith(envBin, ['-i', 'A=1', 'B=x y', 'C=', 'D=a=b', sleepBin, '600']);
  const sync = probeProcessEnvSync(sleeper.pid);
  const async = await probeProcessEnv(sleeper.pid);
  assert.equal(sync.pid, sleeper.pid);
  assert.equal(sync.source, 'procfs');
  assert.deepEqual(
    sync.entries.map((e) => e.raw.toString('latin1')),
    ['A=1', 'B=x y', 'C=', 'D=a=b'],
  );
  assert.deepEqual(
    sync.entries.map((e) => [e.name, e.value]),
    [
      ['A', '1'],
      ['B', 'x y'],
      ['C', ''],
      ['D', 'a=b'],
    ],
  );
  assert.deepEqual({ ...sync.env }, { A: '1', B: 'x y', C: '', D: 'a=b' });
  assert.equal(Object.getPrototypeOf(sync.env), null);
  assert.deepEqual(sync.duplicates, []);
  assert.ok(sync.entries.every((e) => e.utf8));
  assert.deepEqual(async, sync);
});

test('bytes that are not UTF-8, duplicates, entries without = and empty entries are kept exactly', {
  skip: skipUnless(linux && helper(), 'no C compiler for the test helper'),
}, async () => {
  const entries = [
    Buffer.from('PATH=/usr/bin'),
    Buffer.concat([Buffer.from('LATIN='), Buffer.from([0xe9, 0x74, 0xe9])]), // "été" in Latin-1
    Buffer.concat([Buffer.from([0xff]), Buffer.from('KEY=v')]),
    Buffer.from('DUP=first'),
    Buffer.from('NOEQUALS'),
    Buffer.from('DUP=second'),
    Buffer.from('EMPTY='),
    Buffer.from('=startswithequals'),
  ];
  const sleeper = await sleeperWithBytes(entries);
  const probed = probeProcessEnvSync(sleeper.pid);
  assert.deepEqual(
    probed.entries.map((e) => e.raw),
    entries,
  );
  const latin = probed.entries[1];
  assert.equal(latin.utf8, false);
  assert.equal(latin.name, 'LATIN');
  assert.deepEqual(latin.valueRaw, Buffer.from([0xe9, 0x74, 0xe9]));
  assert.equal(latin.value, '\ufffdt\ufffd');
  assert.equal(probed.entries[2].utf8, false);
  assert.deepEqual(probed.entries[4], { name: 'NOEQUALS', value: null, raw: Buffer.from('NOEQUALS'), valueRaw: null, utf8: true });
  assert.equal(probed.env.DUP, 'first', 'the first occurrence wins, as getenv()');
  assert.deepEqual(probed.duplicates, ['DUP']);
  assert.equal(probed.env.EMPTY, '');
  assert.equal(probed.env[''], 'startswithequals');
  assert.equal(Object.hasOwn(probed.env, 'NOEQUALS'), false);
  assert.deepEqual(await probeProcessEnv(sleeper.pid), probed);

  const empty = await sleeperWithBytes([]);
  assert.deepEqual(probeProcessEnvSync(empty.pid).entries, []);
});

test("a pid that has exited gives ESRCH; another user's process gives EACCES", {
  skip: skipUnless(sleepBin && linux, 'sleep not installed'),
}, async (t) => {
  const gone = await startProcess(sleepBin, ['600'], 'sleep');
  await gone.stop();
  const isCode = (code) => (error) => error instanceof SysprobeError && error.code === code && error.syscall === 'open';
  assert.throws(() => probeProcessEnvSync(gone.pid), isCode('ESRCH'));
  await assert.rejects(probeProcessEnv(gone.pid), isCode('ESRCH'));
  assert.throws(
    () => probeProcessEnvSync(0),
    (error) => error.code === 'ERR_SYSPROBE_INVALID_ARG',
  );
  assert.throws(
    () => probeProcessEnvSync(1.5),
    (error) => error.code === 'ERR_SYSPROBE_INVALID_ARG',
  );

  if (!setpriv || process.getuid() !== 0) return t.skip('skipped: EACCES needs root and setpriv to probe as another uid');
  const sleeper = await sleeperWith(sleepBin, ['600']);
  const script = `
    import { probeProcessEnvSync, probeProcessEnv } from 'sysprobe';
    const out = {};
    try { probeProcessEnvSync(${sleeper.pid}); out.sync = 'read'; } catch (error) { out.sync = error.code; out.path = error.path; }
    try { await probeProcessEnv(${sleeper.pid}); out.async = 'read'; } catch (error) { out.async = error.code; }
    console.log(JSON.stringify(out));
  `;
  const result = run(
    setpriv,
    ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', process.execPath, '--input-type=module', '-e', script],
    { cwd: publicPackage(), env: publicEnv() },
  );
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), { sync: 'EACCES', path: `/proc/${sleeper.pid}/environ`, async: 'EACCES' });
});

test('diffEnv: what one process sees that the other does not, byte for byte', {
  skip: skipUnless(linux && envBin && sleepBin && helper(), 'env, sleep or a C compiler missing'),
}, async () => {
  const shell = { HOME: '/root', PATH: '/usr/local/bin:/usr/bin', GOROOT: '/usr/lib/go', SAME: 'x' };
  const sleeper = await sleeperWith(envBin, ['-i', 'HOME=/root', 'PATH=/usr/bin', 'SAME=x', 'EXTRA=1', sleepBin, '600']);
  const probed = await probeProcessEnv(sleeper.pid);
  const diff = diffEnv(shell, probed);
  assert.deepEqual({ ...diff.added }, { EXTRA: '1' });
  assert.deepEqual({ ...diff.removed }, { GOROOT: '/usr/lib/go' });
  assert.deepEqual({ ...diff.changed }, { PATH: { a: '/usr/local/bin:/usr/bin', b: '/usr/bin' } });
  assert.equal(diff.unchanged, 2);

  // Two values that decode to the same text (U+FFFD) but differ in bytes are still different.
  const one = await probeProcessEnv((await sleeperWithBytes([Buffer.from([0x56, 0x3d, 0xff])])).pid);
  const two = await probeProcessEnv((await sleeperWithBytes([Buffer.from([0x56, 0x3d, 0xfe])])).pid);
  assert.equal(one.env.V, two.env.V);
  assert.deepEqual(Object.keys(diffEnv(one, two).changed), ['V']);
  assert.equal(diffEnv(one, one).unchanged, 1);
  assert.throws(
    () => diffEnv(null, one),
    (error) => error.code === 'ERR_SYSPROBE_INVALID_ARG',
  );
});
