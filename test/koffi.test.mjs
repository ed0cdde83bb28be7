// The koffi backend: the same answers and the same SysprobeErrors as the addon, compared in the same
// run (one child process per backend, probing the same prlimit'ed process), the automatic fallback
// when no addon can load, what is refused with ERR_SYSPROBE_NEEDS_ADDON, and lazy loading.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { koffiPresent, root, run, runNode, skipUnless, which } from './helpers.mjs';
import { readElfSync } from 'sysprobe';
import { prlimitTool, startProcess } from './limits-helpers.mjs';

const linux = process.platform === 'linux';
const needKoffi = skipUnless(koffiPresent && linux, 'koffi (optional dependency) not installed, or not Linux');
const sleepBin = which('sleep');
const setpriv = linux ? which('setpriv') : null;
const started = [];
const dirs = [];
after(async () => {
  for (const child of started) await child.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const GiB4 = 4n << 30n;

/** Everything both backends can answer, as JSON (bigints as "123n"), errors as their public facts. */
const compareScript = (pid, gonePid) => `
  import * as s from 'sysprobe';
  const json = (value) => JSON.parse(JSON.stringify(value, (k, v) => typeof v === 'bigint' ? v + 'n' : v));
  const facts = (error) => ({ class: error instanceof s.SysprobeError, code: error.code, errno: error.errno, syscall: error.syscall, path: error.path, message: error.message });
  const outcome = async (fn) => { try { return { ok: json(await fn()) }; } catch (error) { return { error: facts(error) }; } };
  const limits = (info) => ({ ...info, pid: info.self ? 'self' : info.pid });
  const out = {};
  out.glibcSync = await outcome(() => s.probeGlibcSync());
  out.glibcAsync = await outcome(() => s.probeGlibc({ refresh: true }));
  out.selfSync = await outcome(() => limits(s.getRlimitsSync()));
  out.selfAsync = await outcome(async () => limits(await s.getRlimits()));
  out.pidSync = await outcome(() => s.getRlimitsSync({ pid: ${pid} }));
  out.pidAsync = await outcome(() => s.getRlimits({ pid: ${pid}, source: 'syscall' }));
  out.gone = await outcome(() => s.getRlimitsSync({ pid: ${gonePid} }));
  out.goneAsync = await outcome(() => s.getRlimits({ pid: ${gonePid} }));
  out.einval = await outcome(() => s.setRlimitSync('nofile', { soft: 200n, hard: 100n }));
  out.einvalAsync = await outcome(() => s.setRlimit('nofile', { soft: 200n, hard: 100n }));
  out.einvalPid = await outcome(() => s.setRlimitSync('core', { soft: 2n, hard: 1n }, { pid: ${pid} }));
  out.setPid = await outcome(() => s.setRlimitSync('core', { soft: 1024n }, { pid: ${pid} }));
  out.setSelf = await outcome(() => s.setRlimit('core', { soft: 0n }));
  out.badName = await outcome(() => s.setRlimitSync('files', { soft: 1n }));
  out.reparseDir = await outcome(() => s.probeReparsePointSync('/etc'));
  out.reparseFile = await outcome(() => s.probeReparsePoint('/etc/hostname'));
  out.reparseMissing = await outcome(() => s.probeReparsePointSync('/nonexistent/sysprobe'));
  out.reparseMissingAsync = await outcome(() => s.probeReparsePoint('/nonexistent/sysprobe'));
  const { hard } = s.getRlimitsSync().limits.nofile;
  out.eperm = await outcome(() => s.setRlimitSync('nofile', { soft: hard, hard: hard === 'unlimited' ? hard : hard + 1n }));
  // Leave the shared process as it was: the other backend's run reads it next.
  out.restore = await outcome(() => s.setRlimitSync('core', { soft: 0n }, { pid: ${pid} }));
  out.backend = s.backend();
  console.log(JSON.stringify(out));
`;

/** Runs the script once per backend (optionally under a wrapper such as setpriv); both answers, parsed. */
function runBoth(script, wrapper = null, wrapperArgs = []) {
  const answers = {};
  const nodeArgs = ['--input-type=module', '-e', script];
  for (const name of ['addon', 'koffi']) {
    const env = { ...process.env, SYSPROBE_BINDING: '', SYSPROBE_BACKEND: name };
    const result =
      wrapper === null
        ? run(process.execPath, nodeArgs, { cwd: root, env })
        : run(wrapper, [...wrapperArgs, process.execPath, ...nodeArgs], { cwd: root, env });
    assert.equal(result.status, 0, result.stderr);
    answers[name] = JSON.parse(result.stdout);
  }
  return answers;
}

/** compiledAgainst is the one fact that is about the addon rather than the system: null under koffi. */
function withoutBuildFacts(glibc) {
  if (glibc.ok === undefined) return glibc;
  return { ok: { ...glibc.ok, compiledAgainst: 'build', evidence: glibc.ok.evidence.filter((e) => e.fact !== 'compiledAgainst') } };
}

test("SYSPROBE_BACKEND=koffi answers exactly as the addon: glibc, limits of self and of a prlimit'ed pid, setRlimit, reparse, errors", {
  skip: needKoffi || skipUnless(prlimitTool && sleepBin, 'prlimit (util-linux) or sleep not installed'),
}, async () => {
  const sleeper = await startProcess(
    prlimitTool,
    [`--as=${GiB4}`, '--nofile=1234:4321', '--stack=16777216:unlimited', '--core=0:unlimited', sleepBin, '600'],
    'sleep',
  );
  started.push(sleeper);
  const gone = await startProcess(sleepBin, ['600'], 'sleep');
  await gone.stop();
  const { addon, koffi } = runBoth(compareScript(sleeper.pid, gone.pid));
  assert.equal(addon.backend.name, 'addon');
  assert.equal(koffi.backend.name, 'koffi');
  assert.match(koffi.backend.reason, /SYSPROBE_BACKEND=koffi asked for koffi; the addon was not tried/);
  assert.deepEqual(
    koffi.backend.attempts.map((a) => [a.source, a.ok]),
    [['koffi', true]],
  );
  assert.match(koffi.backend.path, /koffi\.node$/);
  for (const key of Object.keys(addon)) {
    if (key === 'backend') continue;
    const [a, k] = key.startsWith('glibc') ? [withoutBuildFacts(addon[key]), withoutBuildFacts(koffi[key])] : [addon[key], koffi[key]];
    assert.deepEqual(k, a, key);
  }
  // The comparison is not vacuous: real answers and real kernel errors were compared.
  assert.equal(addon.glibcSync.ok.family, 'glibc');
  assert.equal(koffi.glibcSync.ok.compiledAgainst, null);
  assert.equal(addon.pidSync.ok.limits.nofile.soft, '1234n');
  assert.equal(addon.pidSync.ok.limits.as.hard, `${GiB4}n`);
  assert.equal(addon.setPid.ok.soft, '1024n');
  assert.deepEqual([addon.gone.error.code, addon.gone.error.errno, addon.gone.error.syscall], ['ESRCH', -3, 'prlimit']);
  assert.deepEqual([addon.einval.error.code, addon.einval.error.syscall], ['EINVAL', 'setrlimit']);
  assert.deepEqual([addon.einvalPid.error.code, addon.einvalPid.error.syscall], ['EINVAL', 'prlimit']);
  assert.deepEqual(
    [addon.reparseMissing.error.code, addon.reparseMissing.error.syscall, addon.reparseMissing.error.path],
    ['ENOENT', 'lgetxattr', '/nonexistent/sysprobe'],
  );
  assert.equal(addon.reparseDir.ok, null);
});

test('EPERM (raising the hard limit without CAP_SYS_RESOURCE) is the same SysprobeError from both backends', {
  skip: needKoffi || skipUnless(setpriv, 'setpriv (util-linux) not installed'),
}, (t) => {
  const script = `
    import * as s from 'sysprobe';
    const { hard } = s.getRlimitsSync().limits.nofile;
    const facts = (e) => ({ class: e instanceof s.SysprobeError, code: e.code, errno: e.errno, syscall: e.syscall, message: e.message });
    const out = { backend: s.backend().name };
    try { s.setRlimitSync('nofile', { soft: hard, hard: hard + 1n }); out.sync = 'allowed'; } catch (e) { out.sync = facts(e); }
    try { await s.setRlimit('nofile', { soft: hard, hard: hard + 1n }); out.async = 'allowed'; } catch (e) { out.async = facts(e); }
    console.log(JSON.stringify(out));
  `;
  const probe = run(setpriv, ['--inh-caps=-all', '--bounding-set=-all', process.execPath, '-e', '0']);
  if (probe.status !== 0) return t.skip(`skipped: setpriv cannot drop capabilities here: ${probe.stderr.trim()}`);
  const { addon, koffi } = runBoth(script, setpriv, ['--inh-caps=-all', '--bounding-set=-all']);
  assert.deepEqual([addon.backend, koffi.backend], ['addon', 'koffi']);
  assert.deepEqual(addon.sync, {
    class: true,
    code: 'EPERM',
    errno: -1,
    syscall: 'setrlimit',
    message: 'EPERM: operation not permitted, setrlimit',
  });
  assert.deepEqual(koffi.sync, addon.sync);
  assert.deepEqual(koffi.async, addon.async);
});

const wasmBuilt = existsSync(join(root, 'prebuilds', 'wasm32', 'sysprobe.wasm'));
const needWasm = needKoffi || skipUnless(wasmBuilt, 'needs the core as WebAssembly (npm run prebuild -- wasm32)');

/** The file parsers and the loader model: the addon's C++ and the koffi backend's WebAssembly build of it. */
const coreScript = (files) => `
  import * as s from 'sysprobe';
  import { readFileSync } from 'node:fs';
  const json = (value) => JSON.parse(JSON.stringify(value, (k, v) => typeof v === 'bigint' ? v + 'n' : v));
  const facts = (error) => ({ class: error instanceof s.SysprobeError, code: error.code, errno: error.errno, syscall: error.syscall, path: error.path, offset: error.offset, message: error.message });
  const outcome = async (fn) => { try { return { ok: json(await fn()) }; } catch (error) { return { error: facts(error) }; } };
  const files = ${JSON.stringify(files)};
  const out = {};
  for (const file of files) {
    out['elf ' + file] = await outcome(() => s.readElfSync(file, { symbols: true }));
    out['deps ' + file] = await outcome(() => s.resolveDepsSync(file));
    out['compat ' + file] = await outcome(() => s.checkCompatSync(file));
  }
  out.elfAsync = await outcome(() => s.readElf(process.execPath));
  out.elfBytes = await outcome(() => s.readElf(readFileSync('/bin/ls'), { symbols: true }));
  out.scan = await outcome(async () => (await s.scanElf(files.concat(['/etc/hostname', '/nonexistent']), { symbols: false })));
  out.elfMissing = await outcome(() => s.readElfSync('/nonexistent/sysprobe'));
  out.elfDir = await outcome(() => s.readElfSync('/etc'));
  out.elfText = await outcome(() => s.readElfSync('/etc/hostname'));
  out.elfTruncated = await outcome(() => s.readElfSync(readFileSync('/bin/ls').subarray(0, 2000), { symbols: true }));
  out.cache = await outcome(() => s.readLdSoCacheSync('/etc/ld.so.cache'));
  out.cacheAsync = await outcome(() => s.readLdSoCache('/etc/ld.so.cache'));
  out.cacheBad = await outcome(() => s.readLdSoCacheSync('/bin/ls'));
  out.depsAsync = await outcome(() => s.resolveDeps('/bin/ls', { hwcaps: [], platform: 'x86_64', env: { LD_LIBRARY_PATH: '/opt/none' } }));
  out.compatAsync = await outcome(() => s.checkCompat('/bin/ls', { glibc: '2.17' }));
  out.rootLibc = await outcome(() => s.probeGlibcSync({ root: '/' }));
  out.decode = await outcome(() => s.decodeReparseBuffer(Buffer.from('1d0000a008000000020000002e2e2f78', 'hex')));
  out.decodeBad = await outcome(() => s.decodeReparseBuffer(Buffer.from('0c0000a0ffff0000', 'hex')));
  // Another process with a fixed environment (this one's differs by SYSPROBE_BACKEND).
  const { spawn } = await import('node:child_process');
  const child = spawn('sleep', ['60'], { env: { SYSPROBE_A: 'one', SYSPROBE_B: 'two=2', PATH: '/usr/bin:/bin' }, stdio: 'ignore' });
  await new Promise((resolve) => child.once('spawn', resolve));
  for (let i = 0; i < 100 && !readFileSync('/proc/' + child.pid + '/cmdline', 'latin1').startsWith('sleep'); i++) await new Promise((r) => setTimeout(r, 10));
  const samePid = (env) => ({ ...env, pid: env.pid === child.pid ? 'child' : env.pid });
  out.env = await outcome(() => samePid(s.probeProcessEnvSync(child.pid)));
  out.envAsync = await outcome(async () => samePid(await s.probeProcessEnv(child.pid)));
  out.procfsChild = await outcome(async () => samePid(await s.getRlimits({ pid: child.pid, source: 'procfs' })));
  child.kill();
  out.envGone = await outcome(() => s.probeProcessEnvSync(2 ** 22 + 7));
  out.procfsGone = await outcome(() => s.getRlimitsSync({ pid: 2 ** 22 + 7, source: 'procfs' }));
  // inotify: the limits and how instances are told apart (the use itself changes from run to run).
  const { usage, ...limits } = s.probeInotifySync();
  out.inotify = { ...limits, dedup: usage.dedup, scanned: usage.processesScanned > 0 };
  out.inotifyAsync = await outcome(async () => (await s.probeInotify()).usage.dedup);
  out.backend = s.backend().name;
  console.log(JSON.stringify(out));
`;

test('the koffi backend runs the core as WebAssembly: readElf, scanElf, resolveDeps, checkCompat, readLdSoCache, probeGlibc({ root }), decodeReparseBuffer, probeProcessEnv, probeInotify, getRlimits({ source: procfs }) answer exactly as the addon', {
  skip: needWasm,
}, () => {
  const files = ['/bin/ls', '/lib/x86_64-linux-gnu/libc.so.6', process.execPath, '/usr/bin/gcc', '/bin/sh'].filter((f) => existsSync(f));
  const { addon, koffi } = runBoth(coreScript(files));
  assert.equal(addon.backend, 'addon');
  assert.equal(koffi.backend, 'koffi');
  for (const key of Object.keys(addon)) {
    if (key === 'backend') continue;
    const [a, k] = key === 'rootLibc' ? [withoutBuildFacts(addon[key]), withoutBuildFacts(koffi[key])] : [addon[key], koffi[key]];
    assert.deepEqual(k, a, key);
  }
  // Not vacuous: real answers and real errors were compared.
  assert.ok(addon['elf /bin/ls'].ok.symbols.length > 50);
  assert.ok(addon['deps /bin/ls'].ok.libraries.some((l) => l.name === 'libc.so.6' && l.path !== null));
  assert.equal(addon['compat /bin/ls'].ok.ok, true);
  assert.equal(addon.compatAsync.ok.ok, false);
  assert.ok(addon.cache.ok.entries.length > 50);
  assert.deepEqual([addon.elfMissing.error.code, addon.elfMissing.error.syscall], ['ENOENT', 'open']);
  assert.equal(addon.elfDir.error.code, 'EISDIR');
  assert.equal(addon.elfText.error.code, 'ERR_SYSPROBE_NOT_ELF');
  assert.equal(addon.elfTruncated.error.code, 'ERR_SYSPROBE_TRUNCATED');
  assert.equal(addon.decode.ok.kind, 'lx-symlink');
  assert.equal(addon.decodeBad.error.code, 'ERR_SYSPROBE_BAD_REPARSE');
  assert.equal(addon.env.ok.env.SYSPROBE_B, 'two=2');
  assert.equal(addon.envGone.error.code, 'ESRCH');
  assert.equal(addon.inotify.dedup, 'kcmp');
  assert.equal(addon.procfsChild.ok.source, 'procfs');
  assert.equal(addon.procfsGone.error.code, 'ESRCH');
});

test('without its WebAssembly module the koffi backend refuses the parsers with ERR_SYSPROBE_NEEDS_ADDON and says how to build it', {
  skip: needKoffi,
}, () => {
  const dir = packageWithoutAddon(true);
  const script = `
    import * as s from 'sysprobe';
    const outcome = async (fn) => { try { await fn(); return 'answered'; } catch (e) { return { code: e.code, backend: e.details?.backend, wasm: /WebAssembly core .*npm run prebuild -- wasm32/.test(e.message) }; } };
    console.log(JSON.stringify({
      readElf: await outcome(() => s.readElfSync(process.execPath)), scanElf: await outcome(() => s.scanElf([process.execPath])),
      deps: await outcome(() => s.resolveDeps('/bin/ls')), compat: await outcome(() => s.checkCompatSync('/bin/ls')),
      cache: await outcome(() => s.readLdSoCacheSync('/etc/ld.so.cache')), rootLibc: await outcome(() => s.probeGlibcSync({ root: '/' })),
      ...(process.platform === 'linux' ? { pidLibc: await outcome(() => s.probeGlibcSync({ pid: process.pid })) } : {}),
      decode: await outcome(() => s.decodeReparseBuffer(Buffer.from('1d0000a008000000020000002e2e2f78', 'hex'))),
      env: await outcome(() => s.probeProcessEnvSync(process.pid)),
      inotify: await outcome(() => s.probeInotifySync()),
      procfs: await outcome(() => s.getRlimitsSync({ source: 'procfs' })),
      procfsPid: await outcome(() => s.getRlimits({ pid: process.ppid, source: 'procfs' })),
      glibc: await outcome(() => s.probeGlibcSync()),
    }));
  `;
  const answers = runIn(dir, script);
  assert.equal(answers.glibc, 'answered');
  for (const key of Object.keys(answers)) {
    if (key === 'glibc') continue;
    assert.deepEqual(answers[key], { code: 'ERR_SYSPROBE_NEEDS_ADDON', backend: 'koffi', wasm: true }, key);
  }
});

/** A copy of the package without build/ and prebuilds/ (no addon anywhere), with or without koffi. */
function packageWithoutAddon(withKoffi) {
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-noaddon-'));
  dirs.push(dir);
  cpSync(join(root, 'package.json'), join(dir, 'package.json'));
  cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true });
  if (withKoffi)
    for (const name of ['koffi', '@koromix'])
      cpSync(join(root, 'node_modules', name), join(dir, 'node_modules', name), { recursive: true });
  return dir;
}

const fallbackScript = `
  import * as s from 'sysprobe';
  let glibc; try { glibc = s.probeGlibcSync(); } catch (e) { glibc = { error: e.code, message: e.message, attempts: e.details?.attempts }; }
  console.log(JSON.stringify({ glibc, backend: s.backend() }));
`;

function runIn(dir, script, env = {}, args = []) {
  const result = run(process.execPath, [...args, '--input-type=module', '-e', script], {
    cwd: dir,
    env: { ...process.env, SYSPROBE_BINDING: '', SYSPROBE_BACKEND: '', ...env },
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

test('no addon can load (a copy without build/ and prebuilds/): koffi answers automatically, and backend() says why', {
  skip: needKoffi,
}, () => {
  const dir = packageWithoutAddon(true);
  const { glibc, backend } = runIn(dir, fallbackScript);
  assert.equal(backend.name, 'koffi');
  assert.equal(backend.requested, 'auto');
  assert.deepEqual(
    backend.attempts.map((a) => [a.source, a.ok, a.error?.code ?? null]),
    [
      ['prebuild', false, 'ENOENT'],
      ['build/Release', false, 'ENOENT'],
      ['build/Debug', false, 'ENOENT'],
      ['koffi', true, null],
    ],
  );
  assert.match(backend.reason, /no addon could be loaded/);
  const reference = runNode(`import { probeGlibcSync } from 'sysprobe'; console.log(JSON.stringify(probeGlibcSync()));`, {
    SYSPROBE_BINDING: '',
    SYSPROBE_BACKEND: '',
  });
  assert.equal(reference.status, 0, reference.stderr);
  assert.deepEqual(withoutBuildFacts({ ok: glibc }), withoutBuildFacts({ ok: JSON.parse(reference.stdout) }));

  // SYSPROBE_BACKEND=addon: the addon only, no fallback.
  const addonOnly = runIn(dir, fallbackScript, { SYSPROBE_BACKEND: 'addon' });
  assert.equal(addonOnly.glibc.error, 'ERR_SYSPROBE_NO_BACKEND');
  assert.deepEqual(
    addonOnly.backend.attempts.map((a) => a.source),
    ['prebuild', 'build/Release', 'build/Debug'],
  );
  assert.match(addonOnly.backend.reason, /SYSPROBE_BACKEND=addon asked for the addon only/);
});

test('the async parser functions of the koffi backend run the core on a worker thread: the host thread never instantiates it', {
  skip: needWasm,
}, () => {
  const result = runNode(
    `
    import * as s from 'sysprobe';
    import { createRequire } from 'node:module';
    const wasm = createRequire(import.meta.url)('./dist/backends/wasm/index.js');
    const files = ['/bin/ls', '/bin/cat', process.execPath, '/etc/hostname'];
    const scanned = await s.scanElf(files);
    const asyncAnswers = [(await s.readElf('/bin/ls')).needed, (await s.resolveDeps('/bin/ls')).libraries.length > 0,
      (await s.readLdSoCache('/etc/ld.so.cache')).entries.length > 0, (await s.probeProcessEnv(process.pid)).entries.length > 0];
    let missing = null;
    try { await s.readElf('/nonexistent/x'); } catch (error) { missing = [error instanceof s.SysprobeError, error.code, error.errno, error.syscall, error.path, error.message]; }
    const afterAsync = wasm.wasmInstantiatedHere();
    const sync = s.readElfSync('/bin/ls').needed;
    console.log(JSON.stringify({ backend: s.backend().name, ok: scanned.map((e) => e.ok), asyncAnswers, missing, afterAsync, afterSync: wasm.wasmInstantiatedHere(), same: JSON.stringify(sync) === JSON.stringify(asyncAnswers[0]) }));
  `,
    { SYSPROBE_BINDING: '', SYSPROBE_BACKEND: 'koffi' },
  );
  assert.equal(result.status, 0, result.stderr);
  const doc = JSON.parse(result.stdout);
  assert.equal(doc.backend, 'koffi');
  assert.deepEqual(doc.ok, [true, true, true, false]);
  assert.deepEqual(doc.asyncAnswers.slice(1), [true, true, true]);
  assert.deepEqual(doc.missing, [true, 'ENOENT', -2, 'open', '/nonexistent/x', "ENOENT: no such file or directory, open '/nonexistent/x'"]);
  assert.equal(doc.afterAsync, false, 'an async call instantiated the core on the host thread');
  assert.equal(doc.afterSync, true);
  assert.equal(doc.same, true);
});

test('no addon can load but the package has its WebAssembly core: the fallback reads ELF files and resolves dependencies', {
  skip: needWasm,
}, () => {
  const dir = packageWithoutAddon(true);
  cpSync(join(root, 'prebuilds', 'wasm32'), join(dir, 'prebuilds', 'wasm32'), { recursive: true });
  const answers = runIn(
    dir,
    `
    import * as s from 'sysprobe';
    console.log(JSON.stringify({ backend: s.backend().name, needed: s.readElfSync('/bin/ls').needed, libc: s.resolveDepsSync('/bin/ls').libraries.find((l) => l.name === 'libc.so.6')?.path ?? null }));
  `,
  );
  assert.equal(answers.backend, 'koffi');
  assert.ok(answers.needed.includes('libc.so.6'));
  assert.match(answers.libc, /libc\.so\.6$/);
});

test('an explicitly named addon that fails does not fall back to koffi (SYSPROBE_BINDING=/nonexistent)', { skip: needKoffi }, () => {
  const { glibc, backend } = runIn(root, fallbackScript, { SYSPROBE_BINDING: '/nonexistent/sysprobe.node' });
  assert.equal(glibc.error, 'ERR_SYSPROBE_BINDING_LOAD');
  assert.deepEqual(
    backend.attempts.map((a) => a.source),
    ['env:SYSPROBE_BINDING'],
  );
  assert.match(backend.reason, /the koffi fallback is not used when an addon is named/);
  // …unless koffi is asked for explicitly: then the named addon is not tried at all.
  const forced = runIn(root, fallbackScript, { SYSPROBE_BINDING: '/nonexistent/sysprobe.node', SYSPROBE_BACKEND: 'koffi' });
  assert.equal(forced.backend.name, 'koffi');
  assert.equal(forced.glibc.family, 'glibc');
  // An addon named in code (configure({ nativeBinding }), an embedder) wins over SYSPROBE_BACKEND=koffi.
  const embedded = runIn(
    root,
    `
    import { configure, backend, probeGlibcSync } from 'sysprobe';
    configure({ nativeBinding: ${JSON.stringify(join(root, 'build', 'Release', 'sysprobe.node'))} });
    console.log(JSON.stringify({ glibc: probeGlibcSync(), backend: backend() }));
  `,
    { SYSPROBE_BACKEND: 'koffi' },
  );
  assert.equal(embedded.backend.name, 'addon');
  assert.equal(embedded.backend.reason, 'the addon named by configure({ nativeBinding }) loaded');
  assert.equal(embedded.glibc.compiledAgainst !== null, true);
});

test("koffi not installed: the failure lists the addon attempts and koffi's, with what to do", {
  skip: skipUnless(linux, 'Linux only'),
}, () => {
  const dir = packageWithoutAddon(false);
  const { glibc, backend } = runIn(dir, fallbackScript);
  assert.equal(glibc.error, 'ERR_SYSPROBE_NO_BACKEND');
  assert.equal(backend.name, 'none');
  const koffiAttempt = backend.attempts.at(-1);
  assert.equal(koffiAttempt.source, 'koffi');
  assert.equal(koffiAttempt.error.code, 'MODULE_NOT_FOUND');
  assert.match(koffiAttempt.error.explanation, /optional dependency/);
  assert.match(glibc.message, /could not load its native addon or koffi/);
  assert.match(glibc.message, /install koffi/);
});

test('node --no-addons: koffi is an addon too, so nothing loads, and the failure says so for both', { skip: needKoffi }, () => {
  const dir = packageWithoutAddon(true);
  for (const cwd of [dir, root]) {
    const { glibc, backend } = runIn(cwd, fallbackScript, {}, ['--no-addons']);
    assert.equal(glibc.error, 'ERR_SYSPROBE_NO_BACKEND');
    const koffiAttempt = backend.attempts.find((a) => a.source === 'koffi');
    assert.equal(koffiAttempt.error.code, 'ERR_DLOPEN_DISABLED');
    assert.match(koffiAttempt.error.explanation, /koffi is a native addon too/);
  }
  const forced = runIn(root, fallbackScript, { SYSPROBE_BACKEND: 'koffi' }, ['--no-addons']);
  assert.equal(forced.glibc.error, 'ERR_SYSPROBE_NO_BACKEND');
  assert.deepEqual(
    forced.backend.attempts.map((a) => [a.source, a.error.code]),
    [['koffi', 'ERR_DLOPEN_DISABLED']],
  );
});

test('configure({ backend }) switches backends in-process; bad values are rejected; SYSPROBE_BACKEND is validated', {
  skip: needKoffi,
}, () => {
  const result = runNode(
    `
    import { configure, backend, probeGlibcSync, getRlimitsSync } from 'sysprobe';
    const out = { start: backend().name };
    configure({ backend: 'koffi' });
    out.koffi = [backend().name, backend().requestedBy, probeGlibcSync().compiledAgainst, getRlimitsSync().source];
    configure({ backend: 'addon' });
    out.addon = [backend().name, backend().requestedBy, probeGlibcSync().compiledAgainst !== null];
    configure({ backend: 'koffi' });  // koffi a second time in the same process
    out.again = [backend().name, probeGlibcSync().version === probeGlibcSync({ refresh: true }).version];
    for (const bad of [{ backend: 'wasm' }, { backend: 'koffi', nativeBinding: '/x.node' }]) {
      try { configure(bad); out.bad = (out.bad ?? []).concat('accepted'); } catch (e) { out.bad = (out.bad ?? []).concat(e.code); }
    }
    console.log(JSON.stringify(out));
  `,
    { SYSPROBE_BINDING: '', SYSPROBE_BACKEND: '' },
  );
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), {
    start: 'addon',
    koffi: ['koffi', 'option', null, 'getrlimit'],
    addon: ['addon', 'option', true],
    again: ['koffi', true],
    bad: ['ERR_SYSPROBE_INVALID_ARG', 'ERR_SYSPROBE_INVALID_ARG'],
  });
  const { glibc, backend } = runIn(root, fallbackScript, { SYSPROBE_BACKEND: 'wasm' });
  assert.equal(glibc.error, 'ERR_SYSPROBE_INVALID_ARG');
  assert.equal(backend.name, 'none');
  assert.match(backend.reason, /SYSPROBE_BACKEND='wasm'/);
});

test('importing sysprobe with SYSPROBE_BACKEND=koffi loads neither koffi nor the addon until a probe runs', { skip: needKoffi }, () => {
  const result = runNode(
    `
    import { readFileSync } from 'node:fs';
    import { createRequire } from 'node:module';
    const maps = () => readFileSync('/proc/self/maps', 'latin1');
    const state = () => ({ koffi: /koffi\\.node/.test(maps()), addon: /sysprobe(\\.glibc)?\\.node/.test(maps()),
      koffiJs: Object.keys(createRequire(import.meta.url).cache).some((f) => /node_modules[\\/]koffi[\\/]/.test(f)) });
    const sysprobe = await import('sysprobe');
    const afterImport = state();
    sysprobe.probeGlibcSync();
    console.log(JSON.stringify([afterImport, state()]));
  `,
    { SYSPROBE_BINDING: '', SYSPROBE_BACKEND: 'koffi' },
  );
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), [
    { koffi: false, addon: false, koffiJs: false },
    { koffi: true, addon: false, koffiJs: true },
  ]);
});

test('the CLI report works under koffi and says what it could not answer (inotify without the WebAssembly core)', {
  skip: needKoffi,
}, () => {
  const result = run(process.execPath, [join(root, 'bin', 'sysprobe.js'), 'report', '--json'], {
    cwd: root,
    env: { ...process.env, SYSPROBE_BINDING: '', SYSPROBE_BACKEND: 'koffi' },
  });
  assert.equal(result.status, 0, result.stderr);
  const doc = JSON.parse(result.stdout);
  assert.equal(doc.backend.name, 'koffi');
  assert.equal(doc.libc.family, 'glibc');
  if (wasmBuilt) {
    assert.equal(doc.inotify.usage.dedup, 'kcmp');
  } else {
    assert.equal(doc.inotify, null);
    assert.equal(doc.inotifyError.code, 'ERR_SYSPROBE_NEEDS_ADDON');
  }
  assert.equal(doc.limits.self.source, 'getrlimit');
  assert.equal(doc.limits.shell.source, 'prlimit');
});

test('the existing suites pass with SYSPROBE_BACKEND=koffi (glibc, limits, interpretation; with the WebAssembly core also ELF against readelf, deps and compat against ld.so, ld.so.cache against ldconfig, probeGlibc of a root and a pid, reparse, env, Go build info against go version -m, the doctor)', {
  skip: needKoffi,
}, (t) => {
  const coreSuites = [
    'elf.test.mjs',
    'elf.readelf.test.mjs',
    'elf.mutation.test.mjs',
    'elf.cli.test.mjs',
    'compat-fixtures.test.mjs',
    'compat-oracle.test.mjs',
    'compat.cli.test.mjs',
    'glibc-root.test.mjs',
    'glibc-pid.test.mjs',
    'libc-banner.test.mjs',
    'reparse.test.mjs',
    'env.test.mjs',
    'inotify.test.mjs',
    'go-buildinfo.test.mjs',
    'doctor.test.mjs',
  ];
  if (!wasmBuilt)
    t.diagnostic('the WebAssembly core is not built: ELF, compat, glibc root and pid, reparse and env suites not run under koffi');
  const files = [
    'glibc.test.mjs',
    'portable-glibc.test.mjs',
    'interpret.test.mjs',
    'limits.test.mjs',
    ...(wasmBuilt ? coreSuites : []),
  ].map((f) => join('test', f));
  for (const file of files) assert.ok(existsSync(join(root, file)), file);
  const env = { ...process.env, SYSPROBE_BINDING: '', SYSPROBE_BACKEND: 'koffi' };
  delete env.NODE_TEST_CONTEXT; // a fresh runner that prints its own TAP summary, not a subprocess of this one
  const result = run(process.execPath, ['--test', '--test-reporter=tap', ...files], { cwd: root, timeout: 300_000, env });
  const summary = /# pass (\d+)[\s\S]*# fail (\d+)/.exec(result.stdout);
  assert.equal(
    result.status,
    0,
    result.stdout
      .split('\n')
      .filter((l) => /^not ok|error:|code:/.test(l.trim()))
      .join('\n'),
  );
  assert.ok(summary !== null && Number(summary[1]) > (wasmBuilt ? 80 : 20), `too few tests ran: ${summary?.[0]}`);
  assert.equal(summary[2], '0');
});

// Windows: the kernel32 path (CreateFileW, GetFileInformationByHandleEx, placeholders exposed) in the npm
// registry's Windows Node under wine, with koffi's win32 package (scripts/fetch-koffi-platform.mjs), against the
// win32 prebuild in the same wine prefix. Wine 8 cannot make reparse points: plain entries and missing paths only.
const wine = [which('wine64'), '/usr/lib/wine/wine64'].find((path) => path && existsSync(path));
const winNode = join(root, '.cache', 'node', 'win32-x64', 'package', 'bin', 'node.exe');
const koffiWin = join(root, '.cache', 'koffi', 'win32-x64', 'package');
const winPrebuild = join(root, 'prebuilds', 'win32-x64', 'sysprobe.node');

test('koffi in Windows Node under wine: probeReparsePoint answers as the win32 addon (null, ENOENT with winerror 2/3, long paths)', {
  skip:
    needKoffi ||
    skipUnless(
      wine && existsSync(winNode) && existsSync(koffiWin) && existsSync(winPrebuild),
      "needs wine64, the Windows Node (node scripts/fetch-node.mjs win32-x64), koffi's win32 package (node scripts/fetch-koffi-platform.mjs win32-x64) and prebuilds/win32-x64",
    ),
  timeout: 300_000,
}, () => {
  const dir = packageWithoutAddon(true);
  cpSync(koffiWin, join(dir, 'node_modules', '@koromix', 'koffi-win32-x64'), { recursive: true });
  if (wasmBuilt) cpSync(join(root, 'prebuilds', 'wasm32'), join(dir, 'prebuilds', 'wasm32'), { recursive: true });
  const toWindows = (path) => `Z:${path.replaceAll('/', '\\')}`;
  const longDir = 'a'.repeat(250);
  const script = join(dir, 'probe.cjs');
  writeFileSync(
    script,
    `
    const s = require('sysprobe');
    const out = { backend: s.backend().name, glibc: s.probeGlibcSync().family };
    const paths = { dir: 'C:\\\\windows', file: 'C:\\\\windows\\\\win.ini', missingFile: 'C:\\\\windows\\\\nope.txt',
      missingDir: 'Z:\\\\nonexistent\\\\x', long: 'Z:${toWindows(dir).slice(2).replaceAll('\\', '\\\\')}\\\\${longDir}\\\\${longDir}\\\\x' };
    for (const [key, path] of Object.entries(paths)) {
      try { out[key] = s.probeReparsePointSync(path); } catch (e) { out[key] = { code: e.code, errno: e.errno, winerror: e.winerror, syscall: e.syscall, path: e.path, message: e.message }; }
    }
    // The file parsers (the core as WebAssembly under koffi): a Linux ELF file read from Windows, errors, a reparse buffer.
    const attempt = (fn) => { try { const v = fn(); return JSON.parse(JSON.stringify(v, (k, x) => typeof x === 'bigint' ? String(x) : x)); } catch (e) { return { code: e.code, errno: e.errno, syscall: e.syscall, path: e.path }; } };
    if (${JSON.stringify(wasmBuilt)}) {
      out.elf = attempt(() => { const e = s.readElfSync('${toWindows('/bin/ls').replaceAll('\\', '\\\\')}', { symbols: true }); return { ...e, path: 'ls' }; });
      out.elfMissing = attempt(() => s.readElfSync('Z:\\\\nonexistent\\\\ls'));
      out.decode = attempt(() => s.decodeReparseBuffer(Buffer.from('1d0000a008000000020000002e2e2f78', 'hex')));
      out.deps = attempt(() => s.resolveDepsSync('Z:\\\\bin\\\\ls'));
    }
    s.probeReparsePoint('C:\\\\windows').then((r) => { out.async = r; console.log(JSON.stringify(out)); });
  `,
  );
  const prefix = mkdtempSync(join(tmpdir(), 'sysprobe-wine-koffi-'));
  dirs.push(prefix);
  const { NODE_TEST_CONTEXT: _runner, ...parentEnv } = process.env;
  const answers = {};
  try {
    for (const name of ['addon', 'koffi']) {
      const env = {
        ...parentEnv,
        WINEPREFIX: prefix,
        WINEDEBUG: '-all',
        NODE_SKIP_PLATFORM_CHECK: '1',
        SYSPROBE_BACKEND: name,
        SYSPROBE_BINDING: name === 'addon' ? toWindows(winPrebuild) : '',
      };
      // Pipes to wine's console fail; the output goes through a file.
      const outPath = join(prefix, `${name}.txt`);
      const out = openSync(outPath, 'w');
      const result = spawnSync(wine, [winNode, toWindows(script)], { cwd: dir, env, stdio: ['ignore', out, out], timeout: 240_000 });
      closeSync(out);
      const output = readFileSync(outPath, 'utf8');
      assert.equal(result.status, 0, output);
      answers[name] = JSON.parse(output.trim().split(/\r?\n/).pop());
    }
  } finally {
    spawnSync(join(dirname(wine), 'wineserver64'), ['-k'], { env: { ...parentEnv, WINEPREFIX: prefix } });
  }
  const { addon, koffi } = answers;
  assert.deepEqual([addon.backend, koffi.backend], ['addon', 'koffi']);
  assert.deepEqual([addon.glibc, koffi.glibc], ['unknown', 'unknown']);
  assert.equal(addon.dir, null);
  assert.equal(addon.file, null);
  assert.deepEqual([addon.missingFile.code, addon.missingFile.winerror, addon.missingFile.syscall], ['ENOENT', 2, 'CreateFileW']);
  assert.deepEqual([addon.missingDir.code, addon.missingDir.winerror], ['ENOENT', 3]);
  assert.equal(addon.long.winerror, 3, 'a path beyond MAX_PATH reaches CreateFileW through \\\\?\\');
  for (const key of Object.keys(addon)) if (key !== 'backend') assert.deepEqual(koffi[key], addon[key], key);
  if (wasmBuilt) {
    assert.deepEqual(addon.elf.needed, readElfSync('/bin/ls').needed);
    assert.ok(addon.elf.symbols.length > 50);
    assert.equal(addon.elfMissing.code, 'ENOENT');
    assert.equal(addon.decode.kind, 'lx-symlink');
    assert.equal(addon.deps.code, 'ERR_SYSPROBE_UNSUPPORTED');
  }
});
