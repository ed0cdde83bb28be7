// probeGlibc({ root }) on each backend: one call into the core (native/core/libc_root.h). Medians of
// repeated calls in one process after a first (cold) one, for the host root and the corpus roots present
// (../shared/corpus/roots, materialized with their symlinks), with the binding calls each probe makes.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_RUNS ?? 41);
const corpus = ['bullseye-amd64', 'trixie-amd64', 'musl-amd64', 'bookworm-arm64'].filter((name) =>
  existsSync(join(root, '..', 'shared', 'corpus', 'roots', name)),
);

const script = `
  const { createRequire } = require('node:module');
  const { performance } = require('node:perf_hooks');
  const lib = require(${JSON.stringify(root)});
  const { binding } = createRequire(${JSON.stringify(join(root, 'package.json'))})('./dist/backends/loader.js');
  const native = binding();
  let calls = 0;
  for (const [name, fn] of Object.entries(native)) if (typeof fn === 'function') native[name] = (...a) => { calls++; return fn.apply(native, a); };
  const median = (v) => { v.sort((a, b) => a - b); return v[v.length >> 1]; };
  (async () => {
    const { materializeRoot } = await import(${JSON.stringify(join(root, 'test', 'helpers.mjs'))});
    const roots = ['/', ...${JSON.stringify(corpus)}.map((name) => materializeRoot(name))];
    const out = [];
    for (const [i, r] of roots.entries()) {
      let t = performance.now();
      calls = 0;
      const info = lib.probeGlibcSync({ root: r });
      const first = performance.now() - t;
      const perCall = calls;
      const sync = [], async = [];
      for (let k = 0; k < ${runs}; k++) { t = performance.now(); lib.probeGlibcSync({ root: r }); sync.push(performance.now() - t); }
      for (let k = 0; k < ${runs}; k++) { t = performance.now(); await lib.probeGlibc({ root: r }); async.push(performance.now() - t); }
      out.push({ root: i === 0 ? '/' : ${JSON.stringify(corpus)}[i - 1], answer: info.family + ' ' + info.version, calls: perCall, first, sync: median(sync), async: median(async) });
    }
    process.stdout.write(JSON.stringify(out));
  })();
`;

const fmt = (ms) => `${ms.toFixed(3)} ms`;
console.log(
  `probeGlibc({ root }): medians of ${runs} calls per root after a first one, Node ${process.version} (${process.platform}-${process.arch})`,
);
console.log(
  `${'backend'.padEnd(8)}${'root'.padEnd(17)}${'answer'.padEnd(13)}${'calls'.padStart(6)}${'first'.padStart(12)}${'sync'.padStart(12)}${'async'.padStart(12)}`,
);
for (const backend of ['addon', 'koffi']) {
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, SYSPROBE_BACKEND: backend } });
  if (result.status !== 0) {
    console.log(
      `${backend.padEnd(8)}(not available: ${
        result.stderr
          .trim()
          .split('\n')
          .find((line) => /Error|error/.test(line)) ?? result.status
      })`,
    );
    continue;
  }
  for (const row of JSON.parse(result.stdout)) {
    console.log(
      `${backend.padEnd(8)}${row.root.padEnd(17)}${row.answer.padEnd(13)}${String(row.calls).padStart(6)}${fmt(row.first).padStart(12)}${fmt(row.sync).padStart(12)}${fmt(row.async).padStart(12)}`,
    );
  }
}
