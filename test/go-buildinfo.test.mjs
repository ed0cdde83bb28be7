// readGoBuildInfo against `go version -m` (Go 1.19, which reads both blob formats): every Go binary of the Debian
// packages installed here, those of other Debian releases fetched by scripts/fetch-debian-go.sh (bullseye's Go
// 1.15: the pointer format of before Go 1.18; trixie's Go 1.22 and 1.24), and programs built here for Windows,
// macOS, 32-bit and big-endian targets. The whole text is compared, line by line. Then what a broken file gives:
// a typed error, never a crash, never an answer Go would not give.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as sysprobe from '../dist/index.js';
import { buildGoPrograms, executablesUnder, goTool, goVersionM, renderVersionM } from './go-oracle.mjs';
import { goExeVariants } from './go-exe-build.mjs';
import { koffiMode, run, which } from './helpers.mjs';

const { readGoBuildInfo, readGoBuildInfoSync, goBuildSetting, parseGoVersion, SysprobeError } = sysprobe;
const noGo = goTool === null ? 'skipped: no go (golang-go) to compare with' : false;
const debCache = process.env.SYSPROBE_GO_DEBS ?? '/var/cache/sysprobe-test/go-debs';
const work = mkdtempSync(join(tmpdir(), 'sysprobe-gobuild-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** go version -m skips files that are not executable. */
function writeExecutable(file, bytes) {
  writeFileSync(file, bytes);
  chmodSync(file, 0o755);
}

/** Compares every file with go version -m; returns the results by file. Files Go cannot read are left out. */
async function compareAll(t, files) {
  const results = new Map();
  const mismatches = [];
  for (const file of files) {
    const expected = goVersionM(file);
    if (expected === null) continue;
    const info = readGoBuildInfoSync(file);
    assert.deepEqual(await readGoBuildInfo(file), info, `${file}: async and sync differ`);
    const actual = renderVersionM(file, info);
    if (actual !== expected) mismatches.push({ file, expected, actual });
    results.set(file, info);
  }
  assert.deepEqual(mismatches, []);
  const versions = [
    ...new Set([...results.values()].map((i) => `${i.goVersion} ${i.format}${i.inlineStrings ? '' : ' (pointer format)'}`)),
  ];
  t.diagnostic(`${results.size} binaries identical to go version -m: ${versions.join(', ')}`);
  return results;
}

test('backend under test', () => {
  assert.equal(sysprobe.backend().name, koffiMode ? 'koffi' : 'addon');
});

test("Debian's Go binaries (gopls, dlv, the installed Go toolchains) read exactly as go version -m reads them", {
  skip: noGo,
}, async (t) => {
  const toolchains = readdirSync('/usr/lib')
    .filter((name) => /^go-\d/.test(name))
    .flatMap((name) => [...executablesUnder(join('/usr/lib', name, 'bin')), ...executablesUnder(join('/usr/lib', name, 'pkg', 'tool'))]);
  const files = ['/usr/bin/gopls', '/usr/bin/dlv', ...toolchains].filter((f) => existsSync(f));
  const results = await compareAll(t, files);
  // Go's own toolchain at least (here: gopls, dlv and Go 1.19's 20 programs).
  assert.ok(results.size >= Math.min(3, files.length), `only ${results.size} of ${files.length} files read by go version -m`);
  const gofmt = results.get('/usr/lib/go-1.19/bin/gofmt');
  if (gofmt) {
    assert.equal(gofmt.path, 'cmd/gofmt');
    assert.equal(goBuildSetting(gofmt, 'GOARCH'), 'amd64');
    assert.equal(goBuildSetting(gofmt, 'NO_SUCH_KEY'), undefined);
  }
});

test('Go binaries of other Debian releases: bullseye (Go 1.15, pointer format) and trixie (Go 1.22, 1.24)', { skip: noGo }, async (t) => {
  const releases = ['bullseye', 'bookworm-backports', 'trixie'].map((release) => join(debCache, release)).filter((dir) => existsSync(dir));
  if (releases.length === 0)
    return t.skip(`skipped: nothing under ${debCache} (scripts/fetch-debian-go.sh fetches the packages; SYSPROBE_GO_DEBS moves it)`);
  const results = await compareAll(
    t,
    releases.flatMap((dir) => executablesUnder(dir)),
  );
  const infos = [...results.values()];
  const old = infos.filter((i) => !i.inlineStrings);
  if (existsSync(join(debCache, 'bullseye')))
    assert.ok(old.length > 0 && old.every((i) => /^go1\.1[0-7]/.test(i.goVersion)), 'bullseye binaries');
  else t.diagnostic('bullseye packages absent: the pointer format is not compared');
  if (existsSync(join(debCache, 'trixie')))
    assert.ok(
      infos.some((i) => i.goVersion.startsWith('go1.24')),
      'trixie binaries',
    );
});

let built = null;
before(() => {
  if (goTool !== null) built = buildGoPrograms();
});
after(() => built && rmSync(built.dir, { recursive: true, force: true }));

test('programs built here: PE, Mach-O, 32-bit, big-endian, stripped, PIE, with a replaced dependency', { skip: noGo }, async (t) => {
  assert.deepEqual(built.failed, []);
  const results = await compareAll(
    t,
    built.built.map((b) => b.file),
  );
  assert.equal(results.size, built.built.length);
  for (const { file, expect } of built.built) {
    const info = results.get(file);
    for (const [key, value] of Object.entries(expect)) assert.equal(info[key], value, `${file}: ${key}`);
    assert.equal(info.main.path, 'example.com/hello');
    assert.deepEqual(info.deps, [
      { path: 'example.com/dep', version: 'v1.0.0', sum: null, replace: { path: './dep', version: '(devel)', sum: '', replace: null } },
    ]);
  }
  const stripped = results.get(join(built.dir, 'linux-amd64-stripped'));
  assert.equal(goBuildSetting(stripped, '-ldflags'), '-s -w', 'a quoted value is unquoted');
});

test('executables built byte by byte: ELF, PE, Mach-O, 32/64 bit, both byte orders, inline and pointer blobs', {
  skip: noGo,
}, async (t) => {
  const variants = goExeVariants();
  const files = variants.map(({ name, bytes }) => {
    const file = join(work, name);
    writeExecutable(file, bytes);
    return file;
  });
  const results = await compareAll(t, files);
  assert.equal(results.size, variants.length, 'go version -m reads every variant');
  variants.forEach(({ name, expect }, i) => {
    for (const [key, value] of Object.entries(expect)) assert.deepEqual(results.get(files[i])[key], value, `${name}: ${key}`);
  });
  const info = results.get(files[0]);
  assert.deepEqual(
    info.deps.map((d) => [d.path, d.sum, d.replace?.path ?? null, d.replace?.sum ?? null]),
    [
      ['golang.org/x/mod', 'h1:dep1sum=', null, null],
      ['example.com/old', 'h1:oldsum=', 'example.com/new', 'h1:newsum='],
      ['example.com/local', null, '../local', ''],
    ],
  );
  assert.equal(goBuildSetting(info, 'key with space'), 'raw\tvalue');
  assert.equal(goBuildSetting(info, '-ldflags'), '-s -w -X main.v=1');
});

const lipo = ['llvm-lipo-14', 'llvm-lipo', 'lipo'].map(which).find(Boolean) ?? null;
const go124 = join(debCache, 'trixie', 'golang-1.24-go', 'usr', 'lib', 'go-1.24');

test('a universal (fat) Mach-O file: its first architecture, as Go 1.22+ reads it', {
  skip: noGo || (!lipo && 'skipped: no llvm-lipo'),
}, (t) => {
  const thin = { x86_64: join(built.dir, 'darwin-amd64-stripped'), arm64: join(built.dir, 'darwin-arm64') };
  const fat = join(work, 'universal');
  assert.equal(run(lipo, ['-create', thin.arm64, thin.x86_64, '-output', fat]).status, 0);
  const first = run(lipo, ['-archs', fat]).stdout.trim().split(/\s+/)[0];
  const info = readGoBuildInfoSync(fat);
  assert.deepEqual({ ...info, file: thin[first] }, readGoBuildInfoSync(thin[first]));
  assert.equal(goBuildSetting(info, 'GOARCH'), first === 'x86_64' ? 'amd64' : 'arm64');
  // Go 1.19 cannot read universal files; trixie's Go 1.24 (fetched) can.
  if (!existsSync(join(go124, 'bin', 'go'))) return t.diagnostic(`not compared with Go 1.24: ${go124} absent`);
  const oracle = run(join(go124, 'bin', 'go'), ['version', '-m', fat], { env: { ...process.env, GOROOT: go124, GOTOOLCHAIN: 'local' } });
  assert.equal(renderVersionM(fat, info), oracle.stdout);
});

test('an ELF without section headers is searched in its first writable PT_LOAD, as Go does', { skip: noGo }, () => {
  const bytes = Buffer.from(readFileSync(join(built.dir, 'linux-amd64')));
  bytes.writeBigUInt64LE(0n, 0x28); // e_shoff
  bytes.writeUInt16LE(0, 0x3c); // e_shnum
  bytes.writeUInt16LE(0, 0x3e); // e_shstrndx
  const file = join(work, 'no-sections');
  writeExecutable(file, bytes);
  assert.equal(renderVersionM(file, readGoBuildInfoSync(file)), goVersionM(file));
});

test('bytes give the answer the path gives, with file null; results are frozen', async () => {
  const file = '/usr/lib/go-1.19/bin/gofmt';
  if (!existsSync(file)) return;
  const fromPath = readGoBuildInfoSync(new URL(`file://${file}`));
  const bytes = readFileSync(file);
  for (const info of [readGoBuildInfoSync(bytes), await readGoBuildInfo(bytes), await readGoBuildInfo(bytes.buffer.slice(0))]) {
    assert.deepEqual({ ...info, file: fromPath.file }, fromPath);
    assert.equal(info.file, null);
  }
  assert.equal(fromPath.file, file);
  assert.ok(Object.isFrozen(fromPath) && Object.isFrozen(fromPath.settings) && Object.isFrozen(fromPath.settings[0]));
});

const code =
  (expected, extra = {}) =>
  (error) => {
    assert.ok(error instanceof SysprobeError, `not a SysprobeError: ${error}`);
    assert.equal(error.code, expected, error.message);
    for (const [key, value] of Object.entries(extra)) assert.equal(error[key], value);
    return true;
  };

test('errors: not Go, not an executable, missing, a directory, a bad argument', async () => {
  assert.throws(() => readGoBuildInfoSync('/bin/ls'), code('ERR_SYSPROBE_NOT_GO', { path: '/bin/ls' }));
  await assert.rejects(readGoBuildInfo('/bin/ls'), code('ERR_SYSPROBE_NOT_GO', { path: '/bin/ls' }));
  const text = join(work, 'text');
  writeFileSync(text, 'just some text, long enough to be looked at\n');
  assert.throws(() => readGoBuildInfoSync(text), code('ERR_SYSPROBE_UNKNOWN_FORMAT', { path: text, offset: 0 }));
  assert.throws(() => readGoBuildInfoSync(new Uint8Array(0)), code('ERR_SYSPROBE_UNKNOWN_FORMAT'));
  await assert.rejects(readGoBuildInfo(join(work, 'missing')), code('ENOENT', { path: join(work, 'missing') }));
  await assert.rejects(readGoBuildInfo(work), code('EISDIR'));
  assert.throws(() => readGoBuildInfoSync(42), code('ERR_SYSPROBE_INVALID_ARG'));
  assert.throws(() => readGoBuildInfoSync(''), code('ERR_SYSPROBE_INVALID_ARG'));
});

/** The file offset of the blob's header: the first 16-byte aligned magic (its segment offsets are 16-aligned here). */
function blobAt(bytes) {
  for (let at = bytes.indexOf('\xff Go buildinf:', 0, 'latin1'); at >= 0; at = bytes.indexOf('\xff Go buildinf:', at + 1, 'latin1')) {
    if (at % 16 === 0) return at;
  }
  throw new Error('no blob');
}

test('truncated copies: a typed error at every cut, never a crash or a partial answer', () => {
  const bytes = readFileSync('/usr/lib/go-1.19/pkg/tool/linux_amd64/pack');
  const at = blobAt(bytes);
  const cuts = new Set([0, 1, 15, 16, 63, 64]);
  for (let n = at - 8; n <= at + 400; n += 1) cuts.add(n);
  for (let k = 1; k < 200; k += 1) cuts.add(Math.floor((bytes.length * k) / 200));
  for (let n = bytes.length - 300; n < bytes.length; n += 7) cuts.add(n);
  for (const n of cuts) {
    assert.throws(
      () => readGoBuildInfoSync(bytes.subarray(0, n)),
      code(n < 16 ? 'ERR_SYSPROBE_UNKNOWN_FORMAT' : 'ERR_SYSPROBE_TRUNCATED'),
      `cut at ${n}`,
    );
  }
});

// A pointer size other than 4 or 8 is refused although Go ignores it in the inline format (the only
// divergence from go version -m): no linker writes one, and GoBuildInfo.ptrSize is 4 | 8.
test('mutated headers and lengths: typed errors, and go version -m cannot read them either', { skip: noGo }, () => {
  const original = readFileSync('/usr/lib/go-1.19/pkg/tool/linux_amd64/pack');
  const at = blobAt(original);
  const cases = [
    ['pointer size 3', 'ERR_SYSPROBE_BAD_GO_BUILDINFO', (b) => (b[at + 14] = 3), 'go reads it'],
    ['pointer size 0', 'ERR_SYSPROBE_BAD_GO_BUILDINFO', (b) => (b[at + 14] = 0), 'go reads it'],
    ['pointer size 4, pointer format', 'ERR_SYSPROBE_BAD_GO_BUILDINFO', (b) => (b[at + 14] = 4) && (b[at + 15] = 0)],
    ['pointer format with null pointers', 'ERR_SYSPROBE_BAD_GO_BUILDINFO', (b) => (b[at + 15] = 0)],
    ['pointer format, big-endian', 'ERR_SYSPROBE_BAD_GO_BUILDINFO', (b) => (b[at + 15] = 1)],
    ['a varint that never ends', 'ERR_SYSPROBE_BAD_GO_BUILDINFO', (b) => b.fill(0xff, at + 32, at + 44)],
    ['a version of 256 MiB', 'ERR_SYSPROBE_TOO_LARGE', (b) => b.set([0x80, 0x80, 0x80, 0x80, 0x01], at + 32)],
    ['a version of 15 MiB, past its segment', 'ERR_SYSPROBE_BAD_GO_BUILDINFO', (b) => b.set([0x80, 0x80, 0xc0, 0x07], at + 32)],
    ['an empty version', 'ERR_SYSPROBE_NOT_GO', (b) => (b[at + 32] = 0)],
    // Go 1.19's search loops for ever on a misaligned magic ((i+15) &^ 16; Go 1.22 rounds to 16): not asked.
    ['the magic moved off its alignment', 'ERR_SYSPROBE_NOT_GO', (b) => b.copyWithin(at + 1, at, at + 14) && (b[at] = 0), 'go hangs'],
    ['no magic', 'ERR_SYSPROBE_NOT_GO', (b) => (b[at + 3] = 0x20)],
  ];
  for (const [what, expected, mutate, goReadsIt] of cases) {
    const bytes = Buffer.from(original);
    mutate(bytes);
    assert.notDeepEqual(bytes, original, what);
    assert.throws(() => readGoBuildInfoSync(bytes), code(expected), what);
    const file = join(work, 'mutated');
    writeExecutable(file, bytes);
    if (goReadsIt === 'go hangs') continue;
    const go = goVersionM(file);
    if (goReadsIt) assert.equal(go, renderVersionM(file, readGoBuildInfoSync(original)), what);
    else assert.ok(go === null || !go.includes('\tpath\t'), `${what}: go version -m read ${go}`);
  }
});

test('parseGoVersion: releases, release candidates, development builds, go.mod lines', () => {
  assert.deepEqual(parseGoVersion('go1.22.3'), { major: 1, minor: 22, patch: 3, pre: null });
  assert.deepEqual(parseGoVersion('go1.19.8'), { major: 1, minor: 19, patch: 8, pre: null });
  assert.deepEqual(parseGoVersion('go1.21rc2'), { major: 1, minor: 21, patch: 0, pre: 'rc2' });
  assert.deepEqual(parseGoVersion('go1.18beta1'), { major: 1, minor: 18, patch: 0, pre: 'beta1' });
  assert.deepEqual(parseGoVersion('go1.22'), { major: 1, minor: 22, patch: 0, pre: null });
  assert.deepEqual(parseGoVersion('1.22'), { major: 1, minor: 22, patch: 0, pre: null });
  assert.deepEqual(parseGoVersion('go1'), { major: 1, minor: 0, patch: 0, pre: null });
  assert.deepEqual(parseGoVersion('devel go1.23-5a6f2ba Tue Jan 2 +0000'), { major: 1, minor: 23, patch: 0, pre: 'devel' });
  assert.deepEqual(parseGoVersion('go1.20.1 X:boringcrypto'), { major: 1, minor: 20, patch: 1, pre: null });
  for (const bad of ['', 'go', 'gox', 'go1.x', 'java17', 'go1.2.3.4', 42]) assert.equal(parseGoVersion(bad), null, String(bad));
});
