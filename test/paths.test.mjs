// Paths go to the kernel as bytes, unchanged, on both backends: a Buffer path is accepted wherever a string
// is (its exact bytes, so a name that is not UTF-8 opens that file, not a decoy named with U+FFFD), and
// `..` / a trailing slash are the kernel's to resolve (`s/../x` through the symlink s, `/bin/ls/` ENOTDIR).
// The oracle is the kernel through Node's fs, given the same bytes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readElfSync, scanElf } from 'sysprobe';
import { koffiCoreSkip, koffiPresent, root, run, skipUnless, which } from './helpers.mjs';

const linux = process.platform === 'linux';
const trueBin = which('true');
const lsBin = which('ls');
const skip = skipUnless(linux && trueBin && lsBin, 'Linux with true(1) and ls(1) (two ELF files that differ)');

const dir = mkdtempSync(join(tmpdir(), 'sysprobe-paths-'));
after(() => rmSync(dir, { recursive: true, force: true }));
// The real file's name has the byte 0xff (not UTF-8); the decoy is that name decoded lossily (U+FFFD).
const badName = Buffer.concat([Buffer.from(`${dir}/n`), Buffer.from([0xff])]);
const decoyName = `${dir}/n\ufffd`;
// s -> real/sub, so s/../x is real/x for the kernel and x (the decoy) for a textual resolve.
const layout = () => {
  copyFileSync(trueBin, badName);
  copyFileSync(lsBin, decoyName);
  mkdirSync(join(dir, 'real', 'sub'), { recursive: true });
  copyFileSync(trueBin, join(dir, 'real', 'x'));
  copyFileSync(lsBin, join(dir, 'x'));
  symlinkSync('real/sub', join(dir, 's'));
  mkdirSync(join(dir, 'walk'));
  copyFileSync(trueBin, Buffer.concat([Buffer.from(`${dir}/walk/w`), Buffer.from([0xfe])]));
};
if (!skip) layout();

// Everything one backend answers for these paths, errors as their facts.
const script = `
  import * as s from 'sysprobe';
  const dir = ${JSON.stringify(dir)};
  const bad = Buffer.from(${JSON.stringify(badName.toString('hex'))}, 'hex');
  const facts = (e) => ({ code: e.code, syscall: e.syscall, path: e.path });
  const outcome = async (fn) => { try { return { ok: await fn() }; } catch (e) { return { error: facts(e) }; } };
  const needed = (info) => info.needed;
  const names = (deps) => deps.libraries.map((l) => l.name);
  process.chdir(dir);
  const out = {
    backend: s.backend().name,
    scanBuffer: await outcome(async () => { const [e] = await s.scanElf([bad]); return e.ok ? needed(e.info) : facts(e.error); }),
    depsBuffer: await outcome(() => names(s.resolveDepsSync(bad))),
    depsBufferAsync: await outcome(async () => names(await s.resolveDeps(bad))),
    reparseMissingBuffer: await outcome(() => s.probeReparsePointSync(Buffer.concat([bad, Buffer.from([0xfd])]))),
    dotdotRelative: await outcome(() => needed(s.readElfSync('s/../x'))),
    dotdotAbsolute: await outcome(async () => needed(await s.readElf(dir + '/s/../x'))),
    dotdotDeps: await outcome(() => names(s.resolveDepsSync(dir + '/s/../x'))),
    trailingSlash: await outcome(() => needed(s.readElfSync('/bin/ls/'))),
    trailingSlashAsync: await outcome(async () => needed(await s.readElf('/bin/ls/'))),
    trailingSlashScan: await outcome(async () => { const [e] = await s.scanElf(['/bin/ls/']); return e.ok ? needed(e.info) : facts(e.error); }),
    relativeMissing: await outcome(() => s.readElfSync('no-such-file')),
    relative: await outcome(() => needed(s.readElfSync('real/x'))),
    relativeAsync: await outcome(async () => needed(await s.readElf('real/x'))),
    relativeScan: await outcome(async () => { const [e] = await s.scanElf(['real/x']); return e.ok ? needed(e.info) : facts(e.error); }),
    walkNonUtf8: await outcome(async () => (await s.scanElf(Buffer.from(dir + '/walk'))).map((e) => [e.path, e.ok ? needed(e.info) : facts(e.error)])),
  };
  console.log(JSON.stringify(out));
`;

function answers(backend) {
  const result = run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    env: { ...process.env, SYSPROBE_BINDING: '', SYSPROBE_BACKEND: backend },
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

// The kernel's answers, through Node's fs with the same bytes, and the parser on the bytes fs read.
const neededOf = (bytes) => readElfSync(bytes).needed;
const truth = skip
  ? null
  : {
      bad: neededOf(readFileSync(badName)),
      decoy: neededOf(readFileSync(decoyName)),
      dotdot: neededOf(readFileSync(join(dir, 's', '..', 'x').replace(/\/x$/, '/s/../x'))),
      textual: neededOf(readFileSync(join(dir, 'x'))),
    };
const kernelTrailingSlash = (() => {
  try {
    openSync('/bin/ls/', 'r');
    return null;
  } catch (error) {
    return error.code;
  }
})();

// The koffi side of these is decided by the WASI host's path_open (src/backends/wasm/host.ts), which hands the bytes to the
// kernel unchanged.

const addonAnswers = skip ? null : answers('addon');

for (const backend of ['addon', 'koffi']) {
  const skipBackend = skip || (backend === 'koffi' && skipUnless(koffiPresent, 'koffi (optional dependency) not installed'));
  const skipCore = skipBackend || (backend === 'koffi' && koffiCoreSkip);
  test(`${backend}: the oracle files differ, so reading the wrong one shows`, { skip: skipBackend }, () => {
    assert.notDeepEqual(truth.bad, truth.decoy);
    assert.notDeepEqual(truth.dotdot, truth.textual);
    assert.equal(kernelTrailingSlash, 'ENOTDIR');
  });

  test(`${backend}: relative paths against the working directory, errors naming paths as given (U+FFFD for bytes that are not UTF-8)`, {
    skip: skipCore,
  }, () => {
    const out = backend === 'addon' ? addonAnswers : answers(backend);
    assert.equal(out.backend, backend);
    for (const key of ['relative', 'relativeAsync', 'relativeScan']) assert.deepEqual(out[key], { ok: truth.bad }, key);
    assert.deepEqual(out.relativeMissing, { error: { code: 'ENOENT', syscall: 'open', path: 'no-such-file' } });
    // A missing path under a non-UTF-8 name: ENOENT, its path the text form (U+FFFD), as Node's fs errors.
    assert.deepEqual(out.reparseMissingBuffer, {
      error: { code: 'ENOENT', syscall: 'lgetxattr', path: `${badName.toString('utf8')}\ufffd` },
    });
  });

  test(`${backend}: Buffer paths are the exact bytes (not the U+FFFD decoy), in scanElf's walk too`, { skip: skipCore }, () => {
    const out = backend === 'addon' ? addonAnswers : answers(backend);
    assert.deepEqual(out.scanBuffer, { ok: truth.bad });
    assert.deepEqual(out.depsBuffer.ok?.[0], truth.bad[0]);
    assert.deepEqual(out.depsBufferAsync, out.depsBuffer);
    assert.ok(!out.depsBuffer.ok.includes(truth.decoy[0]), JSON.stringify(out.depsBuffer));
    assert.deepEqual(out.walkNonUtf8, { ok: [[`${dir}/walk/w\ufffd`, truth.bad]] });
    if (backend === 'koffi') assert.deepEqual(out, { ...addonAnswers, backend: 'koffi' });
  });

  test(`${backend}: .. and a trailing slash are the kernel's: s/../x through the symlink, /bin/ls/ ENOTDIR`, { skip: skipCore }, () => {
    const out = backend === 'addon' ? addonAnswers : answers(backend);
    assert.deepEqual(out.dotdotRelative, { ok: truth.dotdot });
    assert.deepEqual(out.dotdotAbsolute, { ok: truth.dotdot });
    assert.deepEqual(out.dotdotDeps.ok?.[0], truth.dotdot[0]);
    for (const key of ['trailingSlash', 'trailingSlashAsync'])
      assert.deepEqual(out[key], { error: { code: 'ENOTDIR', syscall: 'open', path: '/bin/ls/' } }, key);
    assert.deepEqual(out.trailingSlashScan, { ok: { code: 'ENOTDIR', syscall: 'open', path: '/bin/ls/' } });
    if (backend === 'koffi') assert.deepEqual(out, { ...addonAnswers, backend: 'koffi' });
  });
}

test('a Buffer or a file: URL is accepted wherever a path string is, with the same answer', { skip }, async () => {
  const s = await import('sysprobe');
  const b = (text) => Buffer.from(text);
  const same = async (name, withString, withOther) => assert.deepEqual(await withOther(), await withString(), name);
  await same(
    'readElf URL',
    () => s.readElfSync(trueBin),
    () => s.readElfSync(pathToFileURL(trueBin)),
  );
  await same(
    'readElf async URL',
    () => s.readElf(trueBin),
    () => s.readElf(pathToFileURL(trueBin)),
  );
  await same(
    'scanElf',
    () => scanElf([trueBin]),
    () => scanElf([b(trueBin)]),
  );
  await same(
    'scanElf URL',
    () => scanElf(trueBin),
    () => scanElf(pathToFileURL(trueBin)),
  );
  await same(
    'resolveDeps',
    () => s.resolveDepsSync(trueBin, { root: '/', cwd: '/' }),
    () => s.resolveDepsSync(b(trueBin), { root: b('/'), cwd: b('/') }),
  );
  await same(
    'resolveDeps async',
    () => s.resolveDeps(trueBin),
    () => s.resolveDeps(pathToFileURL(trueBin)),
  );
  await same(
    'checkCompat',
    () => s.checkCompatSync(trueBin, { root: '/' }),
    () => s.checkCompatSync(b(trueBin), { root: b('/') }),
  );
  await same(
    'checkCompat virtual',
    () => s.checkCompat(trueBin, { glibc: '2.17' }),
    () => s.checkCompat(b(trueBin), { glibc: '2.17' }),
  );
  await same(
    'readLdSoCache',
    () => s.readLdSoCacheSync('/etc/ld.so.cache'),
    () => s.readLdSoCacheSync(b('/etc/ld.so.cache')),
  );
  await same(
    'probeGlibc root',
    () => s.probeGlibcSync({ root: '/' }),
    () => s.probeGlibcSync({ root: b('/') }),
  );
  await same(
    'probeReparsePoint',
    () => s.probeReparsePointSync('/etc'),
    () => s.probeReparsePointSync(b('/etc')),
  );
  await same(
    'explainPath',
    () => s.explainPath('/etc'),
    () => s.explainPath(b('/etc')),
  );
  // Invalid paths are typed: empty, NUL inside, another URL scheme, not a path at all.
  for (const bad of [Buffer.alloc(0), Buffer.from('/etc\0x'), new URL('https://example.com/x'), 42]) {
    assert.throws(
      () => s.resolveDepsSync(bad),
      (e) => e instanceof s.SysprobeError && e.code === 'ERR_SYSPROBE_INVALID_ARG',
    );
    assert.throws(
      () => s.probeReparsePointSync(bad),
      (e) => e instanceof s.SysprobeError && e.code === 'ERR_SYSPROBE_INVALID_ARG',
    );
  }
});
