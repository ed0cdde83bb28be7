// npm run bench -- elf: scanElf over every ELF file under /usr (or SYSPROBE_BENCH_ELF_DIR) against, in the
// same run: a minimal unchecked C loop (bench/elf_verneed_loop.c, compiled here: open, mmap, walk
// .gnu.version_r), `readelf -V` over the same files, and pyelftools (python3-pyelftools) when installed.
// Medians of SYSPROBE_BENCH_RUNS runs (default 5) after a warm-up, ratios, and peak RSS of each.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const work = join(root, '.bench');

// --- child mode: one timed scanElf in a fresh process ---------------------------------------------
if (process.argv[2] === '--child-scan') {
  const { scanElf, readElfSync } = await import('sysprobe');
  const files = readFileSync(process.argv[3], 'utf8').trim().split('\n');
  const concurrency = Number(process.argv[4]);
  readElfSync('/proc/self/exe'); // load the addon outside the timed part
  const timed = async () => {
    const start = process.hrtime.bigint();
    const entries = await scanElf(files, { concurrency });
    return { ms: Number(process.hrtime.bigint() - start) / 1e6, entries };
  };
  // The first scan of a fresh process (JIT and heap still cold), then the median of three more.
  const cold = await timed();
  const warm = [];
  for (let i = 0; i < 3; i += 1) warm.push((await timed()).ms);
  warm.sort((a, b) => a - b);
  const needs = cold.entries.reduce((n, e) => n + (e.ok ? e.info.versionNeeds.reduce((k, v) => k + v.versions.length, 0) : 0), 0);
  process.stdout.write(
    JSON.stringify({
      coldMs: cold.ms,
      warmMs: warm[1],
      ok: cold.entries.filter((e) => e.ok).length,
      needs,
      maxRssKb: process.resourceUsage().maxRSS,
    }),
  );
  process.exit(0);
}

const { elfFilesUnder } = await import('../test/elf-oracle.mjs');
const runs = Number(process.env.SYSPROBE_BENCH_RUNS ?? 5);
const dir = process.env.SYSPROBE_BENCH_ELF_DIR ?? '/usr';
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
const timeTool = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** Runs a command; with /usr/bin/time, also its peak RSS in KiB. */
function measured(command, args, options = {}) {
  const start = process.hrtime.bigint();
  const result = timeTool
    ? spawnSync(timeTool, ['-f', '%M', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, ...options })
    : spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 30, ...options });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  let rssKb = null;
  if (timeTool) rssKb = Number(result.stderr.trim().split('\n').at(-1));
  return { ms, rssKb, result };
}

process.stdout.write(`collecting ELF files under ${dir} ...\n`);
const files = elfFilesUnder(dir);
const list = join(work, 'elf-files.txt');
writeFileSync(list, `${files.join('\n')}\n`);
let totalBytes = 0;
for (const file of files) {
  try {
    totalBytes += (await import('node:fs')).statSync(file).size;
  } catch {
    /* vanished */
  }
}
process.stdout.write(
  `${files.length} ELF files, ${(totalBytes / 2 ** 30).toFixed(2)} GiB; ${runs} runs each after a warm-up; load average ${(
    await import('node:os')
  )
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n\n`,
);

const contenders = [];

// sysprobe scanElf in a fresh process (4 threads and 1): its first scan, and the median of three more
// in the same process (the JIT and the heap warmed up, as in a long-running editor extension).
for (const concurrency of [4, 1]) {
  let last = null;
  const child = () => {
    const { result } = measured(process.execPath, [join(here, 'elf.mjs'), '--child-scan', list, String(concurrency)], { cwd: root });
    if (result.status !== 0) throw new Error(result.stderr);
    last = JSON.parse(result.stdout);
    return last;
  };
  contenders.push({
    name: `sysprobe scanElf, warm (concurrency ${concurrency})`,
    run() {
      const out = child();
      return { ms: out.warmMs, rssKb: out.maxRssKb, files: out.ok };
    },
  });
  contenders.push({
    name: `sysprobe scanElf, first scan (concurrency ${concurrency})`,
    run() {
      return { ms: last.coldMs, rssKb: last.maxRssKb, files: last.ok };
    },
  });
}

// The same scanElf through the koffi backend, whose ELF parser is the core compiled to WebAssembly
// (prebuilds/wasm32/sysprobe.wasm; on the main thread).
if (existsSync(join(root, 'prebuilds', 'wasm32', 'sysprobe.wasm'))) {
  let last = null;
  contenders.push({
    name: 'sysprobe scanElf, koffi backend (core as WebAssembly), warm',
    run() {
      const { result } = measured(process.execPath, [join(here, 'elf.mjs'), '--child-scan', list, '4'], {
        cwd: root,
        env: { ...process.env, SYSPROBE_BINDING: '', SYSPROBE_BACKEND: 'koffi' },
      });
      if (result.status !== 0) throw new Error(result.stderr);
      last = JSON.parse(result.stdout);
      return { ms: last.warmMs, rssKb: last.maxRssKb, files: last.ok };
    },
  });
  contenders.push({
    name: 'sysprobe scanElf, koffi backend (core as WebAssembly), first scan',
    run() {
      return { ms: last.coldMs, rssKb: last.maxRssKb, files: last.ok };
    },
  });
} else {
  process.stdout.write('koffi backend not measured: prebuilds/wasm32/sysprobe.wasm is not built (npm run prebuild -- wasm32)\n');
}

// The unchecked C loop, compiled now.
const cc = which('cc') ?? which('gcc');
const loop = join(work, 'elf_verneed_loop');
if (cc) {
  const built = spawnSync(cc, ['-O2', '-o', loop, join(here, 'elf_verneed_loop.c')], { encoding: 'utf8' });
  if (built.status === 0) {
    contenders.push({
      name: 'unchecked C loop (mmap, .gnu.version_r)',
      run() {
        const { result, rssKb } = measured(loop, [list]);
        const out = JSON.parse(result.stdout);
        return { ms: out.ms, rssKb: rssKb ?? out.maxRssKb, files: out.files };
      },
    });
  } else {
    process.stdout.write(`C loop not built: ${built.stderr}\n`);
  }
}

// readelf -V over the same files, 256 files per process.
const readelf = which('readelf');
if (readelf) {
  contenders.push({
    name: 'readelf -V (256 files per process)',
    run() {
      let ms = 0;
      let rssKb = 0;
      for (let i = 0; i < files.length; i += 256) {
        const batch = measured(readelf, ['-V', '-W', ...files.slice(i, i + 256)]);
        ms += batch.ms;
        rssKb = Math.max(rssKb, batch.rssKb ?? 0);
      }
      return { ms, rssKb: rssKb || null, files: files.length };
    },
  });
}

// pyelftools on an evenly spaced sample (it is slow), compared per file.
const python = ['/usr/bin/python3', which('python3')].find(
  (p) => p && spawnSync(p, ['-c', 'import elftools'], { stdio: 'ignore' }).status === 0,
);
const sampleSize = Math.min(files.length, Number(process.env.SYSPROBE_BENCH_PYELFTOOLS_FILES ?? 300));
if (python) {
  const sample = files.filter((_, i) => i % Math.ceil(files.length / sampleSize) === 0);
  const sampleList = join(work, 'elf-files-sample.txt');
  writeFileSync(sampleList, `${sample.join('\n')}\n`);
  const script = `
import sys, time
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection
files = open(sys.argv[1]).read().split()
start = time.perf_counter(); needs = 0; ok = 0
for path in files:
    try:
        with open(path, 'rb') as f:
            elf = ELFFile(f)
            for section in elf.iter_sections():
                if isinstance(section, GNUVerNeedSection):
                    for verneed, auxes in section.iter_versions():
                        for aux in auxes:
                            needs += 1
            ok += 1
    except Exception:
        pass
print('{"ms": %f, "files": %d, "needs": %d}' % ((time.perf_counter() - start) * 1000, ok, needs))
`;
  contenders.push({
    name: `pyelftools (${sample.length}-file sample, scaled to all)`,
    runs: Math.min(runs, 3),
    run() {
      const { result, rssKb } = measured(python, ['-c', script, sampleList]);
      if (result.status !== 0) throw new Error(result.stderr);
      const out = JSON.parse(result.stdout.trim().split('\n').at(-1));
      return { ms: (out.ms / sample.length) * files.length, rssKb, files: out.files, scaled: true };
    },
  });
} else {
  process.stdout.write('pyelftools not installed (apt-get install python3-pyelftools): left out\n');
}

// Warm-up (page cache, addon), then the timed runs, interleaved so that load changes hit all alike.
for (const contender of contenders) contender.run();
const samples = new Map(contenders.map((c) => [c.name, []]));
for (let r = 0; r < runs; r += 1) {
  for (const contender of contenders) {
    if (r < (contender.runs ?? runs)) samples.get(contender.name).push(contender.run());
  }
}

const results = contenders.map((c) => {
  const s = samples.get(c.name);
  return {
    name: c.name,
    ms: median(s.map((x) => x.ms)),
    rssKb: median(s.filter((x) => x.rssKb !== null).map((x) => x.rssKb)),
    files: s[0].files,
  };
});
const base = results[0];
const cLoop = results.find((r) => r.name.startsWith('unchecked C loop'));
const width = Math.max(...results.map((r) => r.name.length));
process.stdout.write(
  `${'contender'.padEnd(width)}  ${'median ms'.padStart(10)}  ${'µs/file'.padStart(8)}  ${'× sysprobe'.padStart(10)}  ${'peak RSS'.padStart(9)}\n`,
);
for (const r of results) {
  const rss = Number.isFinite(r.rssKb) ? `${(r.rssKb / 1024).toFixed(1)} MB` : 'n/a';
  process.stdout.write(
    `${r.name.padEnd(width)}  ${r.ms.toFixed(1).padStart(10)}  ${((r.ms * 1000) / files.length).toFixed(1).padStart(8)}  ${(r.ms / base.ms).toFixed(2).padStart(10)}  ${rss.padStart(9)}\n`,
  );
}
if (cLoop) {
  const first = results[1];
  process.stdout.write(
    `\nsysprobe / unchecked C loop = ${(base.ms / cLoop.ms).toFixed(2)}× warm, ${(first.ms / cLoop.ms).toFixed(2)}× first scan of a fresh process (goal ≤ 1.0×, never above 1.5×)\n`,
  );
}
const py = results.find((r) => r.name.startsWith('pyelftools'));
if (py) process.stdout.write(`pyelftools / sysprobe = ${(py.ms / base.ms).toFixed(1)}× (goal ≥ 50×)\n`);
const rl = results.find((r) => r.name.startsWith('readelf'));
if (rl) process.stdout.write(`readelf -V / sysprobe = ${(rl.ms / base.ms).toFixed(1)}×\n`);
