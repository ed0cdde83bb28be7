// probeGlibc against the alternatives, in the same run, each in repeated fresh Node processes:
//   sysprobe        probeGlibcSync()                              (addon: dlsym, confstr, dl_iterate_phdr)
//                   twice: after a plain import (the first call loads the addon, since import is
//                   lazy) and after backend() has loaded the addon (the probe's own cost)
//   detect-libc     familySync() + versionSync()                  (reads /proc/self/exe, /usr/bin/ldd)
//   process.report  process.report.getReport().header.glibcVersionRuntime
// "first answer" is the first call after the import has finished; "cold" is import + first answer.
// Medians over fresh processes, printed with ratios (alternative / sysprobe: > 1 means sysprobe is faster).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_RUNS ?? 41);

const contenders = {
  sysprobe: {
    load: `require(${JSON.stringify(root)})`,
    answer: 'const info = lib.probeGlibcSync(); answer = [info.family, info.version];',
    again: 'lib.probeGlibcSync({ refresh: true })',
  },
  // The same probe once the addon and the libc module are loaded: what the probe itself costs.
  'sysprobe, addon loaded': {
    load: `(() => { const lib = require(${JSON.stringify(root)}); lib.backend(); require(${JSON.stringify(join(root, 'dist', 'probes', 'libc', 'index.js'))}); return lib; })()`,
    answer: 'const info = lib.probeGlibcSync(); answer = [info.family, info.version];',
    again: null,
  },
  'detect-libc': {
    load: `require(${JSON.stringify(createRequire(join(root, 'package.json')).resolve('detect-libc'))})`,
    answer: 'answer = [lib.familySync(), lib.versionSync()];',
    again: null,
  },
  'process.report': {
    load: 'process.report',
    answer: 'const header = lib.getReport().header; answer = [header.glibcVersionRuntime ? "glibc" : null, header.glibcVersionRuntime];',
    again: 'lib.getReport()',
  },
};

function script({ load, answer, again }) {
  return `
    const { performance } = require('node:perf_hooks');
    let answer;
    const t0 = performance.now();
    const lib = ${load};
    const t1 = performance.now();
    ${answer}
    const t2 = performance.now();
    let repeat = null;
    ${again === null ? '' : `{ const n = 200; const s = performance.now(); for (let i = 0; i < n; i++) ${again}; repeat = (performance.now() - s) / n; }`}
    process.stdout.write(JSON.stringify({ importMs: t1 - t0, firstMs: t2 - t1, repeatMs: repeat, answer }));
  `;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
for (let i = 0; i < runs; i++) {
  for (const [name, contender] of Object.entries(contenders)) {
    // process.report repeats are slow (a full report each); measure its repeats on a few runs only.
    const spec = name === 'process.report' && i >= 5 ? { ...contender, again: null } : contender;
    const result = spawnSync(process.execPath, ['-e', script(spec)], { encoding: 'utf8', env: { ...process.env, SYSPROBE_BINDING: '' } });
    if (result.status !== 0) throw new Error(`${name}: ${result.stderr}`);
    samples[name].push(JSON.parse(result.stdout));
  }
}

const answers = Object.fromEntries(Object.entries(samples).map(([name, list]) => [name, list[0].answer.join(' ')]));
const summary = {};
for (const [name, list] of Object.entries(samples)) {
  const repeats = list.map((s) => s.repeatMs).filter((v) => v !== null);
  summary[name] = {
    importMs: median(list.map((s) => s.importMs)),
    firstMs: median(list.map((s) => s.firstMs)),
    coldMs: median(list.map((s) => s.importMs + s.firstMs)),
    repeatMs: repeats.length ? median(repeats) : null,
  };
}

const fmt = (ms) => (ms === null ? '-' : ms < 0.1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(3)} ms`);
const ratio = (other, ours) => (other === null || ours === null ? '-' : `${(other / ours).toFixed(1)}×`);
const base = summary.sysprobe;
console.log(`probeGlibc vs alternatives: medians of ${runs} fresh Node ${process.version} processes (${process.platform}-${process.arch})`);
console.log('answers:', JSON.stringify(answers));
console.log('');
console.log(
  `${'contender'.padEnd(24)}${'import'.padStart(12)}${'first answer'.padStart(15)}${'cold'.padStart(12)}${'repeat call'.padStart(14)}   ratio first / cold / repeat`,
);
for (const [name, s] of Object.entries(summary)) {
  console.log(
    `${name.padEnd(24)}${fmt(s.importMs).padStart(12)}${fmt(s.firstMs).padStart(15)}${fmt(s.coldMs).padStart(12)}${fmt(s.repeatMs).padStart(14)}   ` +
      (name === 'sysprobe'
        ? '(baseline)'
        : `${ratio(s.firstMs, base.firstMs)} / ${ratio(s.coldMs, base.coldMs)} / ${ratio(s.repeatMs, base.repeatMs)}`),
  );
}
console.log(
  '\n"repeat call": sysprobe with refresh (asks the C library again), process.report a new report; detect-libc caches, so it has none.',
);
console.log(
  '"sysprobe, addon loaded": its "import" includes loading the addon and the libc module, its "first answer" is the first probe alone.',
);
console.log('detect-libc 2.1.2 reads /usr/bin/ldd but calls .match() on a Buffer there, so its version comes from process.report.');
