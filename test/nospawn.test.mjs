// No probe starts a process. strace -f watches every process-creating system call of a Node
// process that runs all probes and the CLI; a control run that does spawn proves the check can fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, which, skipUnless, root } from './helpers.mjs';

const strace = process.platform === 'linux' ? which('strace') : null;

/** Process creations seen by strace: execve calls beyond the first, and clones that are not threads. */
function processesStarted(script) {
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-strace-'));
  try {
    const log = join(dir, 'trace');
    const result = run(strace, ['-f', '-qq', '-o', log, '-e', 'trace=execve,execveat,fork,vfork,clone,clone3',
      process.execPath, '--input-type=module', '-e', script], { cwd: root, env: { ...process.env, SYSPROBE_BINDING: '' } });
    assert.equal(result.status, 0, result.stderr);
    const lines = readFileSync(log, 'utf8').split('\n').filter((line) => /\b(execve|execveat|fork|vfork|clone|clone3)\(/.test(line));
    const execs = lines.filter((line) => /\bexecve(at)?\(/.test(line));
    const forks = lines.filter((line) => /\b(v?fork)\(/.test(line) || (/\bclone3?\(/.test(line) && !/CLONE_THREAD/.test(line)));
    const threads = lines.filter((line) => /\bclone3?\(/.test(line) && /CLONE_THREAD/.test(line));
    return { extraExecs: execs.slice(1), forks, threads: threads.length, stdout: result.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const everyProbe = `
  import * as sysprobe from 'sysprobe';
  import { createRequire } from 'node:module';
  const { main } = createRequire(import.meta.url)('./dist/cli.js');
  const quiet = { out() {}, err() {} };
  const sync = sysprobe.probeGlibcSync();
  const fresh = await sysprobe.probeGlibc({ refresh: true });
  sysprobe.backend();
  const limits = sysprobe.getRlimitsSync();
  await sysprobe.getRlimits({ pid: process.ppid });
  sysprobe.getRlimitsSync({ source: 'procfs' });
  sysprobe.setRlimitSync('core', { soft: limits.limits.core.soft });
  await sysprobe.setRlimit('core', { soft: limits.limits.core.soft });
  sysprobe.probeInotifySync();
  await sysprobe.probeInotify();
  const env = sysprobe.probeProcessEnvSync(process.pid);
  sysprobe.diffEnv(await sysprobe.probeProcessEnv(process.pid), env);
  const reparse = [sysprobe.probeReparsePointSync('/etc'), await sysprobe.probeReparsePoint('/etc/hostname'),
    sysprobe.decodeReparseBuffer(Buffer.from('1d0000a008000000020000002e2e2f78', 'hex')).kind,
    (await sysprobe.explainPath('/etc/hostname')).components.length,
    (await sysprobe.scanReparsePoints('/etc', { maxDepth: 0 })).found.length];
  if (JSON.stringify(reparse) !== '[null,null,"lx-symlink",2,0]') throw new Error('reparse probes: ' + JSON.stringify(reparse));
  const elfSync = sysprobe.readElfSync(process.execPath, { symbols: true });
  const elfAsync = await sysprobe.readElf(process.execPath, { symbols: true });
  const scanned = await sysprobe.scanElf([process.execPath, '/bin/ls'], { symbols: true });
  const codes = [await main(['report'], quiet), await main(['report', '--json'], quiet), await main(['glibc', '--json'], quiet),
    await main(['limits'], quiet), await main(['limits', '--pid', String(process.ppid), '--json'], quiet),
    await main(['env', '--pid', String(process.pid), '--diff'], quiet),
    await main(['reparse', '/etc', '--json'], quiet), await main(['explain', '/etc/hostname'], quiet),
    await main(['elf', '--json', '--symbols', process.execPath], quiet)];
  console.log(JSON.stringify({ version: fresh.version, same: sync.version === fresh.version && elfSync.symbols.length === elfAsync.symbols.length && scanned.every((e) => e.ok), codes }));
`;

test('probes and the CLI start no process (strace -f)', { skip: skipUnless(strace, 'strace not installed') }, () => {
  const seen = processesStarted(everyProbe);
  const output = JSON.parse(seen.stdout);
  assert.equal(output.same, true);
  assert.deepEqual(output.codes, [0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.ok(seen.threads > 0, 'strace saw no thread creation at all: the trace is not working');
  assert.deepEqual(seen.extraExecs, []);
  assert.deepEqual(seen.forks, []);
});

test('control: the same check sees a child process when one is started', { skip: skipUnless(strace, 'strace not installed') }, () => {
  const seen = processesStarted(`
    import { spawnSync } from 'node:child_process';
    spawnSync(process.execPath, ['-e', '0']);
    console.log('{}');
  `);
  assert.ok(seen.extraExecs.length + seen.forks.length > 0, 'a spawned child went unseen');
});
