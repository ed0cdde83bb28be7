// One side of the sandbox race (test/sandbox-race.test.mjs): resolves /bin/app inside the root for
// `seconds` while the test's helper swaps the root's /libdir with a symlink to a host directory, and
// prints how the answers went. A library with the decoy's SONAME in an answer is a read outside the root.
import { probeGlibc, probeGlibcSync, resolveDeps, resolveDepsSync } from 'sysprobe';

const [root, mode, seconds] = process.argv.slice(2);
const options = { root, env: { LD_LIBRARY_PATH: '/libdir' }, useCache: false };
const counts = { calls: 0, escapes: 0, found: 0, notFound: 0, errors: {}, candidates: {} };
const tally = (deps) => {
  counts.calls++;
  const lib = deps.libraries.find((l) => l.name === 'libfoo.so');
  for (const c of lib?.candidates ?? []) counts.candidates[c.result] = (counts.candidates[c.result] ?? 0) + 1;
  if (deps.libraries.some((l) => l.soname === 'libdecoy.so')) counts.escapes++;
  else if (lib?.path != null) counts.found++;
  else counts.notFound++;
};
const failed = (error) => {
  counts.calls++;
  const key = `${error.code} ${error.syscall ?? ''}`;
  counts.errors[key] = (counts.errors[key] ?? 0) + 1;
};
// probeGlibc: the root's libc says 2.99 in its banner, the decoy 1.11.
const glibc = (info) => {
  counts.calls++;
  if (info.version === '1.11') counts.escapes++;
  else if (info.version === '2.99') counts.found++;
  else counts.notFound++;
};
const end = Date.now() + Number(seconds) * 1000;
while (Date.now() < end) {
  if (mode === 'glibc-sync') {
    for (let i = 0; i < 20; i++) {
      try {
        glibc(probeGlibcSync({ root }));
      } catch (error) {
        failed(error);
      }
    }
  } else if (mode === 'glibc-async') {
    await Promise.all(Array.from({ length: 8 }, () => probeGlibc({ root }).then(glibc, failed)));
  } else if (mode === 'sync') {
    for (let i = 0; i < 50; i++) {
      try {
        tally(resolveDepsSync('/bin/app', options));
      } catch (error) {
        failed(error);
      }
    }
  } else {
    await Promise.all(Array.from({ length: 16 }, () => resolveDeps('/bin/app', options).then(tally, failed)));
  }
}
process.stdout.write(`${JSON.stringify(counts)}\n`);
