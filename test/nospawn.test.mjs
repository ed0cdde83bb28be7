// No probe starts a process. strace -f watches every process-creating system call of a Node
// process that runs all probes and the CLI; a control run that does spawn proves the check can fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { run, which, skipUnless, root } from './helpers.mjs';

const strace = process.platform === 'linux' ? which('strace') : null;

/** Process creations seen by strace: execve calls beyond the first, and clones that are not threads. */
function processesStarted(script, env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-strace-'));
  try {
    const log = join(dir, 'trace');
    const result = run(
      strace,
      [
        '-f',
        '-qq',
        '-o',
        log,
        '-e',
        'trace=execve,execveat,fork,vfork,clone,clone3',
        process.execPath,
        '--input-type=module',
        '-e',
        script,
      ],
      { cwd: root, env: { ...process.env, SYSPROBE_BINDING: '', ...env } },
    );
    assert.equal(result.status, 0, result.stderr);
    const lines = readFileSync(log, 'utf8')
      .split('\n')
      .filter((line) => /\b(execve|execveat|fork|vfork|clone|clone3)\(/.test(line));
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
  const { main } = createRequire(import.meta.url)('./dist/cli/main.js');
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
  const deps = [sysprobe.resolveDepsSync('/bin/ls'), await sysprobe.resolveDeps('/bin/ls')];
  const compat = [sysprobe.checkCompatSync('/bin/ls'), await sysprobe.checkCompat('/bin/ls'), await sysprobe.checkCompat('/bin/ls', { root: '/' })];
  const caches = [sysprobe.readLdSoCacheSync('/etc/ld.so.cache'), await sysprobe.readLdSoCache('/etc/ld.so.cache')];
  const libcs = [sysprobe.probeGlibcSync({ root: '/' }), await sysprobe.probeGlibc({ pid: process.pid })];
  const facts = [sysprobe.findProcessesSync({ name: 'node' }).length > 0, (await sysprobe.findProcesses({ exe: process.execPath })).length > 0,
    sysprobe.nearestShellAncestor() !== undefined, sysprobe.processNode(process.pid).pid === process.pid,
    sysprobe.probeCgroupMemorySync().pid === process.pid, (await sysprobe.probeCgroupMemory({ pid: 1 })).pid === 1,
    sysprobe.probeFsSpaceSync('/tmp').blockSize > 0, (await sysprobe.probeFsSpace('/nonexistent/x')).exists === false,
    sysprobe.measureDirSizeSync('/etc', { maxEntries: 200 }).dirs > 0, (await sysprobe.measureDirSize('/usr/lib', { maxEntries: 500 })).files > 0,
    sysprobe.matchCrashSignatures('signal: killed').length === 1, sysprobe.readCrashLogSync('/etc/hostname').bytes > 0,
    (await sysprobe.readCrashLog('/etc/hostname')).truncated === false];
  if (!facts.every(Boolean)) throw new Error('doctor facts answered wrongly: ' + JSON.stringify(facts));
  const diagnoses = [await sysprobe.doctor({ pid: process.ppid, shellPid: process.ppid, logText: 'signal: killed', root: '/', binaries: ['/bin/ls'] }),
    sysprobe.doctorSync({ workspace: '/tmp', home: '/tmp' })];
  if (diagnoses.some((d) => d.checks.length !== 12)) throw new Error('doctor: ' + JSON.stringify(diagnoses.map((d) => d.summary)));
  const doctorCodes = [await main(['doctor', '--pid', String(process.ppid), '--log', '/etc/hostname', '--binary', '/bin/ls'], quiet),
    await main(['doctor', '--for', 'vscode-server', '--root', '/', '--json'], quiet)];
  if (doctorCodes.some((code) => code !== 0 && code !== 1)) throw new Error('doctor CLI exit codes ' + doctorCodes);
  const codes = [await main(['report'], quiet), await main(['report', '--json'], quiet), await main(['glibc', '--json'], quiet),
    await main(['limits'], quiet), await main(['limits', '--pid', String(process.ppid), '--json'], quiet),
    await main(['env', '--pid', String(process.pid), '--diff'], quiet),
    await main(['reparse', '/etc', '--json'], quiet), await main(['explain', '/etc/hostname'], quiet),
    await main(['elf', '--json', '--symbols', process.execPath], quiet),
    await main(['compat', '/bin/ls', '--json'], quiet), await main(['compat', '/bin/ls', '--glibc', '2.36'], quiet),
    await main(['deps', '/bin/ls'], quiet)];
  if (deps.some((d) => d.libraries.length === 0) || !compat.every((c) => c.ok) || caches[0].entries.length === 0 || libcs.some((l) => l.family !== 'glibc')) throw new Error('compat probes answered wrongly');
  console.log(JSON.stringify({ version: fresh.version, same: sync.version === fresh.version && elfSync.symbols.length === elfAsync.symbols.length && scanned.every((e) => e.ok), codes }));
`;

test('probes and the CLI start no process (strace -f)', { skip: skipUnless(strace, 'strace not installed') }, () => {
  const seen = processesStarted(everyProbe);
  const output = JSON.parse(seen.stdout);
  assert.equal(output.same, true);
  assert.deepEqual(output.codes, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.ok(seen.threads > 0, 'strace saw no thread creation at all: the trace is not working');
  assert.deepEqual(seen.extraExecs, []);
  assert.deepEqual(seen.forks, []);
});

// The koffi backend (SYSPROBE_BACKEND=koffi): everything it answers, with and without its WebAssembly core.
const everyKoffiProbe = `
  import * as sysprobe from 'sysprobe';
  import { createRequire } from 'node:module';
  const { main } = createRequire(import.meta.url)('./dist/cli/main.js');
  const quiet = { out() {}, err() {} };
  const sync = sysprobe.probeGlibcSync();
  const fresh = await sysprobe.probeGlibc({ refresh: true });
  if (sysprobe.backend().name !== 'koffi') throw new Error('not the koffi backend: ' + sysprobe.backend().reason);
  const limits = sysprobe.getRlimitsSync();
  await sysprobe.getRlimits({ pid: process.ppid });
  sysprobe.setRlimitSync('core', { soft: limits.limits.core.soft });
  await sysprobe.setRlimit('core', { soft: limits.limits.core.soft });
  // The core as WebAssembly, when built: these answer; without it they are refused (ERR_SYSPROBE_NEEDS_ADDON).
  const { existsSync } = await import('node:fs');
  const wasm = existsSync('prebuilds/wasm32/sysprobe.wasm');
  const core = [() => sysprobe.getRlimitsSync({ source: 'procfs' }), () => sysprobe.getRlimits({ pid: process.ppid, source: 'procfs' }),() => sysprobe.probeInotifySync(), () => sysprobe.probeInotify(), () => sysprobe.probeProcessEnvSync(process.pid), () => sysprobe.readElfSync('/bin/ls'), () => sysprobe.scanElf(['/bin/ls']),
    () => sysprobe.resolveDepsSync('/bin/ls'), () => sysprobe.checkCompat('/bin/ls'), () => sysprobe.readLdSoCacheSync('/etc/ld.so.cache'),
    () => sysprobe.decodeReparseBuffer(Buffer.from('1d0000a008000000020000002e2e2f78', 'hex'))];
  for (const probe of core) {
    let outcome = 'answered';
    try { await probe(); } catch (error) { outcome = error.code; }
    if (outcome !== (wasm ? 'answered' : 'ERR_SYSPROBE_NEEDS_ADDON')) throw new Error('core probe: ' + outcome + ' with wasm ' + wasm);
  }
  const reparse = [sysprobe.probeReparsePointSync('/etc'), await sysprobe.probeReparsePoint('/etc/hostname'),
    (await sysprobe.explainPath('/etc/hostname')).components.length];
  if (JSON.stringify(reparse) !== '[null,null,2]') throw new Error('reparse probes: ' + JSON.stringify(reparse));
  const codes = [await main(['report'], quiet), await main(['report', '--json'], quiet), await main(['glibc', '--json'], quiet),
    await main(['limits'], quiet), await main(['limits', '--pid', String(process.ppid), '--json'], quiet),
    await main(['reparse', '/etc', '--json'], quiet), await main(['explain', '/etc/hostname'], quiet)];
  console.log(JSON.stringify({ version: fresh.version, same: sync.version === fresh.version, codes }));
`;

test('the koffi backend starts no process either (strace -f)', { skip: skipUnless(strace, 'strace not installed') }, (t) => {
  try {
    createRequire(join(root, 'package.json')).resolve('koffi');
  } catch {
    return t.skip('skipped: koffi (optional dependency) not installed');
  }
  const seen = processesStarted(everyKoffiProbe, { SYSPROBE_BACKEND: 'koffi' });
  const output = JSON.parse(seen.stdout);
  assert.equal(output.same, true);
  const oracle = sysprobeVersionFromGetconf();
  if (oracle !== undefined) assert.equal(output.version, oracle);
  else assert.match(output.version, /^\d+\.\d+/);
  assert.deepEqual(output.codes, [0, 0, 0, 0, 0, 0, 0]);
  assert.ok(seen.threads > 0, 'strace saw no thread creation at all: the trace is not working');
  assert.deepEqual(seen.extraExecs, []);
  assert.deepEqual(seen.forks, []);
});

/** The glibc version by an independent oracle, so the koffi run is known to have answered for real. */
function sysprobeVersionFromGetconf() {
  const result = run('getconf', ['GNU_LIBC_VERSION']);
  return result === null ? undefined : result.stdout.trim().replace(/^glibc /, '');
}

test('control: the same check sees a child process when one is started', { skip: skipUnless(strace, 'strace not installed') }, () => {
  const seen = processesStarted(`
    import { spawnSync } from 'node:child_process';
    spawnSync(process.execPath, ['-e', '0']);
    console.log('{}');
  `);
  assert.ok(seen.extraExecs.length + seen.forks.length > 0, 'a spawned child went unseen');
});
