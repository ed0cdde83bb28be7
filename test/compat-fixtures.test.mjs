// Self-made libraries (gcc at test time) for the search rules, each checked against the real loader;
// and the sandbox: nothing outside a root is ever read.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkCompatSync, readElfSync, resolveDepsSync } from 'sysprobe';
import { root as repoRoot, run, skipUnless, which } from './helpers.mjs';
import { asList, parseList } from './ldso-oracle.mjs';

const HOST_LOADER = '/lib64/ld-linux-x86-64.so.2';
const canBuild = process.arch === 'x64' && which('gcc') !== null;
const dir = mkdtempSync(join(tmpdir(), 'sysprobe-fixtures-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function gcc(args) {
  const out = run('gcc', args);
  assert.equal(out.status, 0, out.stderr);
}

function lib(path, soname, source, extra = []) {
  const c = `${path}.c`;
  writeFileSync(c, source);
  gcc(['-shared', '-fPIC', '-o', path, c, `-Wl,-soname,${soname}`, ...extra]);
}

function list(file, env = {}) {
  // As ldd runs it: `ld.so --list` stops at the first missing library, tracing mode lists it as not found.
  const out = run(HOST_LOADER, [file], { env: { PATH: process.env.PATH, LD_TRACE_LOADED_OBJECTS: '1', ...env } });
  return parseList(out.stdout);
}

test('RPATH chains, RUNPATH of the requester only, $ORIGIN/${ORIGIN}, LD_LIBRARY_PATH with : and ;, NODEFLIB: as the loader', {
  skip: skipUnless(canBuild, 'needs gcc on x86-64'),
}, () => {
  for (const d of ['a', 'b', 'c', 'env1', 'env2', 'bin', 'ORIGINAL']) mkdirSync(join(dir, d), { recursive: true });
  // libc3 in c/ (found only through the RPATH of the program, inherited by libb's lookup).
  lib(join(dir, 'c/libc3.so'), 'libc3.so', 'int c3(void){return 3;}');
  lib(join(dir, 'b/libb.so'), 'libb.so', 'int c3(void); int b(void){return c3();}', [`-L${dir}/c`, '-lc3', '-Wl,--disable-new-dtags']);
  // liba has RUNPATH to b/: its own dependency libb is found there; libb's dependency libc3 is not found via liba's RUNPATH.
  lib(join(dir, 'a/liba.so'), 'liba.so', 'int b(void); int a(void){return b();}', [
    `-L${dir}/b`,
    '-lb',
    `-Wl,-rpath,${dir}/b`,
    '-Wl,--enable-new-dtags',
  ]);
  writeFileSync(join(dir, 'main.c'), 'int a(void); int main(void){return a();}');
  // Program with DT_RPATH ($ORIGIN/../a and ${ORIGIN}/../c, plus a $ORIGINAL element that is not a DST).
  gcc([
    '-o',
    join(dir, 'bin/rpath'),
    join(dir, 'main.c'),
    `-L${dir}/a`,
    '-la',
    `-Wl,-rpath,$ORIGINAL/x:$ORIGIN/../a:\${ORIGIN}/../c`,
    '-Wl,--disable-new-dtags',
  ]);
  const r1 = resolveDepsSync(join(dir, 'bin/rpath'));
  assert.deepEqual(asList(r1), list(join(dir, 'bin/rpath')));
  assert.equal(r1.libraries.find((l) => l.name === 'libc3.so').foundVia, 'rpath');
  // Program with DT_RUNPATH: libc3 (needed by libb) is not searched in the program's RUNPATH -> not found.
  gcc([
    '-o',
    join(dir, 'bin/runpath'),
    join(dir, 'main.c'),
    `-L${dir}/a`,
    '-la',
    `-Wl,-rpath,$ORIGIN/../a:$ORIGIN/../c`,
    '-Wl,--enable-new-dtags',
  ]);
  const r2 = resolveDepsSync(join(dir, 'bin/runpath'));
  assert.deepEqual(asList(r2), list(join(dir, 'bin/runpath')));
  assert.ok(
    r2.missing.some((m) => m.name === 'libc3.so'),
    'RUNPATH must not be inherited',
  );
  // LD_LIBRARY_PATH split on ':' and ';' finds libc3.
  const env = `${dir}/env1;${dir}/c:${dir}/env2`;
  const r3 = resolveDepsSync(join(dir, 'bin/runpath'), { env: { LD_LIBRARY_PATH: env } });
  assert.deepEqual(asList(r3), list(join(dir, 'bin/runpath'), { LD_LIBRARY_PATH: env }));
  assert.equal(r3.libraries.find((l) => l.name === 'libc3.so').foundVia, 'ld_library_path');
  // DF_1_NODEFLIB on the program: libz from the cache/system dirs is refused.
  gcc([
    '-o',
    join(dir, 'bin/nodeflib'),
    join(dir, 'main.c'),
    `-L${dir}/a`,
    '-la',
    '-Wl,--no-as-needed',
    '-lz',
    `-Wl,-rpath,${dir}/a:${dir}/c`,
    '-Wl,--disable-new-dtags',
    '-Wl,-z,nodefaultlib',
  ]);
  const r4 = resolveDepsSync(join(dir, 'bin/nodeflib'));
  assert.deepEqual(asList(r4), list(join(dir, 'bin/nodeflib')));
  assert.ok(r4.missing.some((m) => m.name === 'libz.so.1'));
  // Two libraries needing the same missing one: the loader fakes an entry per request, after itself.
  lib(join(dir, 'c/libm1.so'), 'libm1.so', 'int m1(void){return 0;}');
  lib(join(dir, 'c/libx1.so'), 'libx1.so', 'int m1(void); int x1(void){return m1();}', [`-L${dir}/c`, '-lm1']);
  lib(join(dir, 'c/libx2.so'), 'libx2.so', 'int m1(void); int x2(void){return m1();}', [`-L${dir}/c`, '-lm1']);
  writeFileSync(join(dir, 'x.c'), 'int x1(void); int main(void){return x1();}');
  gcc(['-o', join(dir, 'bin/twice'), join(dir, 'x.c'), '-Wl,--no-as-needed', `-L${dir}/c`, '-lx1', '-lx2', `-Wl,-rpath,${dir}/c`]);
  rmSync(join(dir, 'c/libm1.so'));
  const r5 = resolveDepsSync(join(dir, 'bin/twice'));
  assert.deepEqual(asList(r5), list(join(dir, 'bin/twice')));
  assert.deepEqual(
    r5.missing.map((m) => [m.name, m.requiredBy.length]),
    [['libm1.so', 2]],
  );
  // The tree and requiredBy.
  assert.equal(r1.tree.children[0].name, 'liba.so');
  assert.deepEqual(r1.libraries.find((l) => l.name === 'libb.so').requiredBy, [`${dir}/bin/../a/liba.so`]);
});

test('glibc-hwcaps subdirectories: the best level this CPU supports wins, as the loader picks it', {
  skip: skipUnless(canBuild, 'needs gcc on x86-64'),
}, () => {
  const base = join(dir, 'hw');
  for (const level of ['x86-64-v2', 'x86-64-v3']) mkdirSync(join(base, 'glibc-hwcaps', level), { recursive: true });
  for (const where of ['', 'glibc-hwcaps/x86-64-v2', 'glibc-hwcaps/x86-64-v3'])
    lib(join(base, where, 'libhw.so'), 'libhw.so', 'int hw(void){return 1;}');
  writeFileSync(join(dir, 'hw.c'), 'int hw(void); int main(void){return hw();}');
  gcc(['-o', join(dir, 'hwmain'), join(dir, 'hw.c'), `-L${base}`, '-lhw', `-Wl,-rpath,${base}`]);
  const r = resolveDepsSync(join(dir, 'hwmain'));
  assert.deepEqual(asList(r), list(join(dir, 'hwmain')));
  const hw = r.libraries.find((l) => l.name === 'libhw.so');
  if (r.hwcaps.includes('x86-64-v3')) assert.equal(hw.hwcaps, 'x86-64-v3');
  assert.ok(hw.candidates.length >= 1);
  // Told that no level is active, the plain directory wins.
  assert.equal(
    resolveDepsSync(join(dir, 'hwmain'), { hwcaps: [] }).libraries.find((l) => l.name === 'libhw.so').path,
    join(base, 'libhw.so'),
  );
});

test('weak version requirements are warnings, strong ones fatal, as dl-version.c decides', {
  skip: skipUnless(canBuild, 'needs gcc on x86-64'),
}, () => {
  const v = join(dir, 'ver');
  mkdirSync(v, { recursive: true });
  writeFileSync(join(v, 'new.map'), 'VER_1 { global: f; local: *; };\nVER_2 { global: g; } VER_1;\n');
  writeFileSync(join(v, 'old.map'), 'VER_1 { global: f; g; local: *; };\n');
  lib(join(v, 'libv.so'), 'libv.so', 'int f(void){return 1;} int g(void){return 2;}', [`-Wl,--version-script,${join(v, 'new.map')}`]);
  writeFileSync(join(v, 'm.c'), 'int f(void); int g(void); int main(void){return f()+g();}');
  gcc(['-o', join(v, 'main'), join(v, 'm.c'), `-L${v}`, '-lv', `-Wl,-rpath,${v}`]);
  // Replace the library with one that lacks VER_2: the loader reports it.
  lib(join(v, 'libv.so'), 'libv.so', 'int f(void){return 1;} int g(void){return 2;}', [`-Wl,--version-script,${join(v, 'old.map')}`]);
  const report = checkCompatSync(join(v, 'main'));
  const trace = (file) => run(HOST_LOADER, [file], { env: { PATH: process.env.PATH, LD_TRACE_LOADED_OBJECTS: '1' } });
  const out = trace(join(v, 'main'));
  assert.equal(report.ok, false);
  assert.deepEqual(report.messages, [`${join(v, 'libv.so')}: version \`VER_2' not found (required by ${join(v, 'main')})`]);
  assert.ok(out.stderr.includes(report.messages[0]), out.stderr);
  assert.deepEqual(report.missingVersions[0].symbols, ['g']);
  // The same requirement marked weak (VER_FLG_WEAK set by hand in the Vernaux) is only a warning.
  const bytes = Buffer.from(readFileSync(join(v, 'main')));
  const patched = markWeak(bytes, 'VER_2');
  writeFileSync(join(v, 'weakmain'), patched, { mode: 0o755 });
  const weak = checkCompatSync(join(v, 'weakmain'));
  assert.equal(weak.ok, true);
  assert.equal(weak.missingVersions[0].weak, true);
  // In tracing mode the loader is verbose: it words the weak miss as a warning, exactly like ours.
  const traced = trace(join(v, 'weakmain'));
  assert.equal(traced.status, 0);
  assert.ok(weak.warnings.length === 1 && traced.stderr.includes(weak.warnings[0]), traced.stderr);
  assert.ok(!/[^k] version `VER_2' not found/.test(traced.stderr));
});

/** Sets VER_FLG_WEAK on the Vernaux named `name` (found through readelf-independent parsing: sysprobe's verneed hash). */
function markWeak(bytes, name) {
  const info = readElfSync(bytes);
  const need = info.versionNeeds.flatMap((n) => n.versions).find((x) => x.name === name);
  // Vernaux = { vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32 }: find by hash + other.
  for (let i = 0; i + 16 <= bytes.length; i += 4) {
    if (bytes.readUInt32LE(i) === need.hash && bytes.readUInt16LE(i + 6) === need.index) {
      bytes.writeUInt16LE(bytes.readUInt16LE(i + 4) | 2, i + 4);
      return bytes;
    }
  }
  throw new Error('Vernaux not found');
}

test('a root is a sandbox: links to /etc/passwd, ../../.. and loops stay inside it', {
  skip: skipUnless(canBuild, 'needs gcc on x86-64'),
}, () => {
  const root = join(dir, 'sandbox');
  for (const d of ['bin', 'lib64', 'lib/x86_64-linux-gnu', 'etc', 'deep/a/b']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(dir, 'p.c'), 'int main(void){return 0;}');
  // Build a program whose DT_NEEDED names are the traps.
  mkdirSync(join(dir, 'stubs'), { recursive: true });
  for (const n of ['passwd', 'up', 'loop', 'hostc']) lib(join(dir, 'stubs', `lib${n}.so`), `lib${n}.so`, 'int x;');
  gcc([
    '-o',
    join(root, 'bin/prog'),
    join(dir, 'p.c'),
    '-Wl,--no-as-needed',
    `-L${dir}/stubs`,
    '-lpasswd',
    '-lup',
    '-lloop',
    '-lhostc',
    '-Wl,-rpath,/deep/a/b:/../../../..:/lib/x86_64-linux-gnu',
  ]);
  // Traps: an absolute link to the host's /etc/passwd, a relative escape, a loop, and an absolute link to
  // a real host library (which exists on the host: found would mean the root leaked).
  symlinkSync('/etc/passwd', join(root, 'lib/x86_64-linux-gnu/libpasswd.so'));
  symlinkSync('../../../../../../../../lib/x86_64-linux-gnu/libc.so.6', join(root, 'deep/a/b/libup.so'));
  symlinkSync('libloop.so', join(root, 'lib/x86_64-linux-gnu/libloop.so'));
  const secret = join(dir, 'outside-secret.so');
  copyFileSync(join(dir, 'stubs/libhostc.so'), secret);
  symlinkSync(secret, join(root, 'lib/x86_64-linux-gnu/libhostc.so'));
  symlinkSync('/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', join(root, 'lib64/ld-linux-x86-64.so.2'));
  const strace = which('strace');
  const r = resolveDepsSync('/bin/prog', { root });
  for (const name of ['libpasswd.so', 'libup.so', 'libloop.so', 'libhostc.so']) {
    const l = r.libraries.find((x) => x.name === name);
    assert.equal(l.path, null, `${name} must not be found outside the root`);
  }
  assert.ok(r.libraries.find((x) => x.name === 'libloop.so').candidates.some((c) => c.result === 'ELOOP'));
  assert.equal(r.interpreter, '/lib64/ld-linux-x86-64.so.2');
  if (strace !== null) {
    // Every file the resolver touches is under the root.
    const script = `import { resolveDepsSync } from 'sysprobe'; resolveDepsSync('/bin/prog', { root: ${JSON.stringify(root)} });`;
    const out = run(
      strace,
      [
        '-f',
        '-qq',
        '-e',
        'trace=open,openat,stat,lstat,newfstatat,readlink,readlinkat,statx',
        process.execPath,
        '--input-type=module',
        '-e',
        script,
      ],
      { cwd: repoRoot },
    );
    const touched = out.stderr
      .split('\n')
      .map((l) => /"([^"]*)"/.exec(l)?.[1])
      .filter((p) => p !== undefined && p.includes('/'));
    const outside = touched.filter((p) => p === '/etc/passwd' || p === secret || p.startsWith(join(dir, 'stubs')));
    assert.deepEqual(outside, []);
    assert.ok(
      touched.some((p) => p.startsWith(root)),
      'strace saw the root being read',
    );
  }
});
