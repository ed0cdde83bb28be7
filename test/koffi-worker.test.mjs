// The koffi backend on worker threads: a Worker terminated while its first probe runs must never take the
// process down. koffi aborts the process when its thread is stopped during any koffi call (its module init
// above all), so sysprobe does not load koffi on worker threads; what the core and /proc answer still works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { koffiCoreSkip, koffiPresent, runNode, skipUnless } from './helpers.mjs';

const needKoffi = skipUnless(koffiPresent && process.platform === 'linux', 'koffi (optional dependency) not installed, or not Linux');

// What the worker does: its first probes, the koffi backend chosen (SYSPROBE_BACKEND=koffi is inherited).
const workerCode = `
  const s = require('sysprobe');
  try { s.probeGlibcSync(); } catch {}
  try { s.getRlimitsSync(); } catch {}
  try { s.readElfSync(process.execPath); } catch {}
  // The async form starts sysprobe's own WebAssembly worker inside this one: it is terminated with it.
  s.readElf(process.execPath).catch(() => {});
  require('node:worker_threads').parentPort.postMessage('probed');
`;

test('Workers terminated at varying delays during their first koffi-backend probe: zero aborts', {
  skip: needKoffi,
  timeout: 90_000,
}, () => {
  // In a child, so an abort is an exit status, not the end of this runner. The delays cover the whole
  // window, scaled to the time a Worker takes to finish here: Worker start (~25 ms on an idle machine),
  // koffi's module init in it (~7 ms) on the old code, the probes.
  const script = `
    import { Worker } from 'node:worker_threads';
    const code = ${JSON.stringify(workerCode)};
    // How long a Worker takes to finish its probes on this machine now (the median of three), so that the
    // delays below straddle it however loaded the machine is.
    const times = [];
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const worker = new Worker(code, { eval: true, execArgv: [] });
      await new Promise((resolve) => worker.once('message', resolve));
      times.push(Date.now() - started);
      await worker.terminate();
    }
    const full = times.sort((a, b) => a - b)[1];
    const deadline = Date.now() + 40_000;
    let n = 0;
    let probed = 0;
    for (; n < 300 && Date.now() < deadline; n++) {
      const worker = new Worker(code, { eval: true, execArgv: [] });
      worker.on('message', () => probed++);
      worker.on('error', (error) => { if (!/terminat/i.test(error.message)) { console.error('worker error', error); process.exit(3); } });
      await new Promise((resolve) => setTimeout(resolve, 1 + (((n * 7919) % 1000) / 1000) * 2 * full));
      await worker.terminate();
    }
    console.log(JSON.stringify({ terminated: n, probed, full }));
  `;
  const result = runNode(script, { SYSPROBE_BACKEND: 'koffi', SYSPROBE_BINDING: '' });
  assert.doesNotMatch(result.stderr, /FATAL ERROR/, result.stderr.slice(0, 2000));
  assert.equal(result.signal, null, `the child died by ${result.signal}: ${result.stderr.slice(0, 2000)}`);
  assert.equal(result.status, 0, result.stderr.slice(0, 2000));
  const { terminated, probed, full } = JSON.parse(result.stdout);
  process.stderr.write(`# ${terminated} Workers terminated at delays of 1 to ${2 * full + 1} ms, ${probed} of them after their probes\n`);
  assert.ok(terminated >= 200, `only ${terminated} Workers in the time bound`);
  // The delays straddle the probes: some Workers finished them, others were stopped before or in them.
  assert.ok(probed >= 10 && probed <= terminated - 10, `${probed} of ${terminated} Workers finished their probes`);
});

test('on a worker thread: koffi is not loaded, the core and /proc answer, the FFI probes are typed refusals', {
  skip: needKoffi || koffiCoreSkip,
}, () => {
  const script = `
    import { Worker } from 'node:worker_threads';
    const code = \`
      const { parentPort } = require('node:worker_threads');
      const s = require('sysprobe');
      const outcome = (fn) => { try { return { ok: fn() }; } catch (e) { return { code: e.code, thread: e.details?.thread, backend: e.details?.backend }; } };
      const out = {
        glibc: outcome(() => s.probeGlibcSync().version),
        setRlimit: outcome(() => s.setRlimitSync('core', { soft: 0n })),
        reparse: outcome(() => s.probeReparsePointSync('/etc')),
        limits: outcome(() => { const l = s.getRlimitsSync(); return { source: l.source, nofile: String(l.limits.nofile.soft) }; }),
        syscallLimits: outcome(() => s.getRlimitsSync({ source: 'syscall' }).source),
        elf: outcome(() => s.readElfSync(process.execPath).machine),
        inotify: outcome(() => s.probeInotifySync().usage.dedup),
        backend: s.backend(),
        koffiNode: Object.keys(require.cache).filter((f) => f.endsWith('.node')),
      };
      parentPort.postMessage(out);
    \`;
    const worker = new Worker(code, { eval: true, execArgv: [] });
    const out = await new Promise((resolve, reject) => { worker.on('message', resolve); worker.on('error', reject); });
    await worker.terminate();
    const s = await import('sysprobe');
    out.main = { nofile: String(s.getRlimitsSync().limits.nofile.soft), glibc: s.probeGlibcSync().version, backend: s.backend().name };
    console.log(JSON.stringify(out));
  `;
  const result = runNode(script, { SYSPROBE_BACKEND: 'koffi', SYSPROBE_BINDING: '' });
  assert.equal(result.status, 0, result.stderr);
  const out = JSON.parse(result.stdout);
  assert.deepEqual(out.koffiNode, [], 'no koffi.node loaded on the worker thread');
  const refused = { code: 'ERR_SYSPROBE_NEEDS_ADDON', thread: 'worker', backend: 'koffi' };
  assert.deepEqual(out.glibc, refused);
  assert.deepEqual(out.setRlimit, refused);
  assert.deepEqual(out.reparse, refused);
  assert.deepEqual(out.syscallLimits, refused);
  // The answers the worker can give are the main thread's (limits are per process).
  assert.deepEqual(out.limits, { ok: { source: 'procfs', nofile: out.main.nofile } });
  assert.deepEqual(out.elf, { ok: process.arch === 'x64' ? 'x86_64' : out.elf.ok });
  // Without kcmp(2) shared inotify instances cannot be told apart: said, as where kcmp is refused.
  assert.ok(out.inotify.ok !== undefined && out.inotify.ok !== 'kcmp', JSON.stringify(out.inotify));
  assert.equal(out.backend.name, 'koffi');
  assert.match(out.backend.reason, /worker thread/);
  assert.equal(out.main.backend, 'koffi');
  assert.match(out.main.glibc, /^2\.\d+$/, 'the main thread still answers probeGlibc through koffi');
});
