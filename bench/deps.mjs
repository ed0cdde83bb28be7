// npm run bench -- deps: resolveDeps over every dynamic ELF in /usr/bin (or SYSPROBE_BENCH_DEPS_DIR) in one
// process, against, in the same run: the glibc loader run once per binary (`ld.so --list FILE`, the
// oracle), and lddtree (pax-utils) and libtree when installed (each given all files in one process).
// Medians of SYSPROBE_BENCH_RUNS runs (default 5), ratios, and how many results are identical to the loader.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const work = join(root, '.bench');
const LOADER = '/lib64/ld-linux-x86-64.so.2';

const { asList, isElf, parseList } = await import('../test/ldso-oracle.mjs');

// --- child mode: resolveDeps over all files in a fresh process ------------------------------------
if (process.argv[2] === '--child') {
  const { resolveDepsSync, resolveDeps, readElfSync } = await import('sysprobe');
  const files = readFileSync(process.argv[3], 'utf8').trim().split('\n');
  readElfSync('/proc/self/exe'); // load the addon outside the timed part
  const timedSync = () => {
    const start = process.hrtime.bigint();
    const results = files.map((f) => asList(resolveDepsSync(f)));
    return { ms: Number(process.hrtime.bigint() - start) / 1e6, results };
  };
  const timedAsync = async () => {
    const start = process.hrtime.bigint();
    await Promise.all(files.map((f) => resolveDeps(f)));
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  // The first pass of a fresh process (caches of parsed files empty), then warm passes.
  const cold = timedSync();
  const warm = [];
  for (let i = 0; i < 3; i += 1) warm.push(timedSync().ms);
  warm.sort((a, b) => a - b);
  const asyncMs = await timedAsync();
  writeFileSync(process.argv[4], JSON.stringify({ coldMs: cold.ms, warmMs: warm[1], asyncMs, results: cold.results }));
  process.exit(0);
}

if (!existsSync(LOADER)) {
  console.log(`skipped: needs ${LOADER} (an x86-64 glibc host)`);
  process.exit(0);
}
const runs = Number(process.env.SYSPROBE_BENCH_RUNS ?? 5);
const dir = process.env.SYSPROBE_BENCH_DEPS_DIR ?? '/usr/bin';
mkdirSync(work, { recursive: true });
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const which = (name) =>
  (process.env.PATH ?? '')
    .split(':')
    .map((d) => join(d, name))
    .find((p) => existsSync(p)) ?? null;
// The files: dynamic ELF executables the loader lists (static ones say "statically linked").
const candidates = readdirSync(dir)
  .sort()
  .map((n) => join(dir, n))
  .filter((p) => {
    try {
      return statSync(p).isFile() && isElf(p);
    } catch {
      return false;
    }
  });
const loaderResults = new Map();
const loaderOnce = () => {
  const start = process.hrtime.bigint();
  for (const file of candidates) {
    const out = spawnSync(LOADER, ['--list', file], { encoding: 'utf8' });
    if (out.status === 0 && !out.stdout.includes('statically linked')) loaderResults.set(file, parseList(out.stdout));
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const loaderFirst = loaderOnce();
const files = candidates.filter((f) => loaderResults.has(f));
writeFileSync(join(work, 'deps-files.txt'), `${files.join('\n')}\n`);
console.log(`${files.length} dynamic ELF files in ${dir} (${candidates.length - files.length} static or refused by the loader left out)`);

const loaderTimes = [loaderFirst];
for (let i = 1; i < runs; i += 1) loaderTimes.push(loaderOnce());

const sysprobe = [];
let identical = 0;
for (let i = 0; i < runs; i += 1) {
  const result = join(work, 'deps-result.json');
  const out = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', join(work, 'deps-files.txt'), result], {
    cwd: root,
    encoding: 'utf8',
  });
  if (out.status !== 0) throw new Error(out.stderr);
  const doc = JSON.parse(readFileSync(result, 'utf8'));
  sysprobe.push(doc);
  if (i === 0) identical = files.filter((f, k) => JSON.stringify(doc.results[k]) === JSON.stringify(loaderResults.get(f))).length;
}

const rows = [
  ['ld.so --list, once per binary', median(loaderTimes)],
  ['sysprobe resolveDepsSync, fresh process (cold caches)', median(sysprobe.map((d) => d.coldMs))],
  ['sysprobe resolveDepsSync, warm', median(sysprobe.map((d) => d.warmMs))],
  ['sysprobe resolveDeps (async, all at once)', median(sysprobe.map((d) => d.asyncMs))],
];
// lddtree is a Python script (pyelftools): run by the system python3 that has python3-pyelftools.
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : which('python3');
for (const [tool, args] of [
  ['lddtree', ['-l']],
  ['libtree', ['-p', '-vv']],
]) {
  const found = which(tool);
  const path = found === null ? null : tool === 'lddtree' && python !== null ? python : found;
  if (tool === 'lddtree' && found !== null) args.unshift(found);
  if (path === null) {
    console.log(`${tool}: not installed (apt-get install ${tool === 'lddtree' ? 'pax-utils' : 'libtree'})`);
    continue;
  }
  const times = [];
  for (let i = 0; i < runs; i += 1) {
    const start = process.hrtime.bigint();
    const out = spawnSync(path, [...args, ...files], { encoding: 'utf8', maxBuffer: 1 << 28 });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (out.status !== 0 && i === 0)
      console.log(`${tool} exited ${out.status}: ${out.stderr.split('\n').filter(Boolean).slice(-1)[0] ?? ''} (timed anyway)`);
  }
  rows.push([`${tool} ${args.filter((a) => a.startsWith('-')).join(' ')} (all files, one process)`, median(times)]);
}
const loaderMedian = rows[0][1];
console.log(`median of ${runs} runs over ${files.length} files:`);
for (const [name, ms] of rows) {
  console.log(
    `  ${name.padEnd(56)} ${ms.toFixed(1).padStart(9)} ms  ${((ms / files.length) * 1000).toFixed(0).padStart(6)} µs/file  loader/this = ${(loaderMedian / ms).toFixed(1)}x`,
  );
}
console.log(`identical to the loader (names, paths, order): ${identical}/${files.length}`);
