// resolveDeps / checkCompat / readLdSoCache against the real glibc loader and ldconfig.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkCompat, checkCompatSync, readLdSoCache, readLdSoCacheSync, resolveDeps, resolveDepsSync } from 'sysprobe';
import { corpusRoot, materializeRoot, run, skipUnless, which } from './helpers.mjs';
import { asList, isElf, parseList } from './ldso-oracle.mjs';

const HOST_LOADER = '/lib64/ld-linux-x86-64.so.2';
const isX64 = process.arch === 'x64';
const haveLoader =
  isX64 &&
  (() => {
    try {
      return statSync(HOST_LOADER).isFile();
    } catch {
      return false;
    }
  })();

/** Loader error lines without the "program: " prefix the loader adds. */
function versionLines(stderr) {
  return stderr
    .split('\n')
    .filter((l) => l.includes("' not found (required by "))
    .map((l) => l.slice(l.indexOf(': ') + 2))
    .sort();
}

test('resolveDeps agrees with ld.so --list on every dynamic ELF in /usr/bin (identical names, paths and order)', {
  skip: skipUnless(haveLoader, 'needs an x86-64 host with /lib64/ld-linux-x86-64.so.2'),
}, async () => {
  let compared = 0;
  const mismatches = [];
  for (const name of readdirSync('/usr/bin').sort()) {
    const path = `/usr/bin/${name}`;
    let st;
    try {
      st = statSync(path);
    } catch {
      continue;
    }
    if (!st.isFile() || !isElf(path)) continue;
    const out = run(HOST_LOADER, ['--list', path]);
    if (out.status !== 0 || out.stdout.includes('statically linked')) continue;
    const want = parseList(out.stdout);
    const got = asList(resolveDepsSync(path));
    compared += 1;
    if (JSON.stringify(want) !== JSON.stringify(got)) mismatches.push({ path, want, got });
  }
  assert.ok(compared > 20, `only ${compared} dynamic ELF files in /usr/bin`);
  assert.deepEqual(mismatches, []);
  // The async form gives the same answer.
  assert.deepEqual(asList(await resolveDeps('/usr/bin/ls')), asList(resolveDepsSync('/usr/bin/ls')));
});

test("trixie binaries on this host: checkCompat reports exactly the loader's missing versions", {
  skip: skipUnless(haveLoader && corpusRoot('trixie-amd64'), 'needs the host loader and ../shared/corpus/roots/trixie-amd64'),
}, async () => {
  const root = materializeRoot('trixie-amd64');
  let withFindings = 0;
  for (const name of ['ls', 'cat', 'cp', 'sort', 'date', 'df', 'dd', 'du', 'id']) {
    const file = join(root, 'usr/bin', name);
    const out = run(HOST_LOADER, ['--list', file]);
    const report = await checkCompat(file);
    assert.deepEqual([...report.messages].filter((m) => m.includes('version `')).sort(), versionLines(out.stderr), name);
    assert.deepEqual(asList(report.deps), parseList(out.stdout), name);
    if (report.missingVersions.length > 0) {
      withFindings += 1;
      assert.equal(report.ok, false);
      for (const m of report.missingVersions)
        assert.ok(m.symbols.length > 0 || m.version.startsWith('GLIBC_ABI'), `${m.version} has no symbols`);
    }
    assert.deepEqual(checkCompatSync(file).messages, report.messages);
  }
  assert.ok(withFindings > 0, 'no trixie binary needs a newer glibc than the host: the test proves nothing');
  const ls = await checkCompat(join(root, 'usr/bin/ls'));
  const v238 = ls.missingVersions.find((m) => m.version === 'GLIBC_2.38');
  assert.ok(v238 && v238.provider === '/lib/x86_64-linux-gnu/libc.so.6' && v238.file === 'libc.so.6' && !v238.weak);
});

test("host binaries in the bullseye root: checkCompat(file, { root }) matches the root's own loader under chroot (LD_TRACE_LOADED_OBJECTS)", {
  skip: skipUnless(
    haveLoader && process.getuid?.() === 0 && corpusRoot('bullseye-amd64'),
    'needs root (chroot), an x86-64 host and ../shared/corpus/roots/bullseye-amd64',
  ),
}, async () => {
  const root = materializeRoot('bullseye-amd64');
  let findings = 0;
  mkdirSync(join(root, 'tmp'), { recursive: true });
  for (const name of ['ls', 'cat', 'sort', 'node', 'readelf', 'gcc', 'strace', 'python3']) {
    const host = which(name);
    if (host === null || !isElf(host)) continue;
    const inRoot = `/tmp/sysprobe-${name}`;
    copyFileSync(host, join(root, inRoot));
    // What ldd does (bullseye's 2.31 loader stops at the first missing library with --list).
    const out = run('chroot', [root, '/usr/bin/env', 'LD_TRACE_LOADED_OBJECTS=1', '/lib64/ld-linux-x86-64.so.2', inRoot]);
    const report = await checkCompat(inRoot, { root });
    assert.deepEqual(asList(report.deps), parseList(out.stdout), name);
    assert.deepEqual(report.messages.filter((m) => m.includes('version `')).sort(), versionLines(out.stderr), name);
    assert.deepEqual(
      report.missingLibraries.map((m) => m.name).sort(),
      [
        ...new Set(
          parseList(out.stdout)
            .filter((l) => l.endsWith('=> not found'))
            .map((l) => l.split(' => ')[0]),
        ),
      ].sort(),
      name,
    );
    if (!report.ok) findings += 1;
  }
  assert.ok(findings > 0, 'every host binary loads in bullseye: the test proves nothing');
});

// ---- ld.so.cache ---------------------------------------------------------------------------------------

/** ldconfig -p's entry lines, rebuilt from our parse (cache.c print_entry). */
function printLike(cache) {
  return cache.entries.map((e) => {
    const hw =
      e.hwcapName !== null ? `, hwcap: "${e.hwcapName}"` : e.hwcap !== 0n ? `, hwcap: 0x${e.hwcap.toString(16).padStart(16, '0')}` : '';
    return `\t${e.key} (${e.flagsText}${hw}) => ${e.value}`;
  });
}

function ldconfigLines(file) {
  const out = run('ldconfig', ['-p', '-C', file]);
  assert.equal(out.status, 0, out.stderr);
  const lines = out.stdout.split('\n');
  return {
    count: Number(/^(\d+) libs found/.exec(lines[0])[1]),
    entries: lines.filter((l) => l.startsWith('\t')),
    generator: (/^Cache generated by: (.*)$/m.exec(out.stdout) ?? [])[1] ?? null,
  };
}

/** A byte-swapped copy of a new-format cache (header, entries, extension directory; strings kept). */
function swapNewCache(bytes) {
  const b = Buffer.from(bytes);
  const big = (b[28] & 3) === 3;
  const r32 = (o) => (big ? b.readUInt32BE(o) : b.readUInt32LE(o));
  const w32 = (o, v) => (big ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  const swap32 = (o) => w32(o, r32(o));
  const nlibs = r32(20);
  const ext = r32(32);
  for (const o of [20, 24, 32]) swap32(o);
  b[28] = (b[28] & ~3) | (big ? 2 : 3);
  for (let i = 0; i < nlibs; i += 1) {
    const at = 48 + i * 24;
    for (const o of [0, 4, 8, 12]) swap32(at + o);
    const hi = r32(at + 16 + (big ? 0 : 4)),
      lo = r32(at + 16 + (big ? 4 : 0));
    if (big) {
      b.writeUInt32LE(lo, at + 16);
      b.writeUInt32LE(hi, at + 20);
    } else {
      b.writeUInt32BE(hi, at + 16);
      b.writeUInt32BE(lo, at + 20);
    }
  }
  if (ext !== 0) {
    const count = r32(ext + 4);
    const sections = [];
    for (let i = 0; i < count; i += 1) sections.push([r32(ext + 8 + i * 16), r32(ext + 16 + i * 16), r32(ext + 20 + i * 16)]);
    swap32(ext);
    swap32(ext + 4);
    for (let i = 0; i < count; i += 1) for (const o of [0, 4, 8, 12]) swap32(ext + 8 + i * 16 + o);
    for (const [tag, offset, size] of sections) if (tag === 1) for (let k = 0; k < size; k += 4) swap32(offset + k);
  }
  return b;
}

test("readLdSoCache agrees with ldconfig -p -C for every corpus cache and this host's", {
  skip: skipUnless(which('ldconfig') || which('/usr/sbin/ldconfig'), 'needs ldconfig'),
}, async () => {
  const files = ['/etc/ld.so.cache'];
  for (const name of ['bullseye-amd64', 'trixie-amd64', 'bookworm-arm64', 'bookworm-i386', 'bookworm-s390x']) {
    const r = corpusRoot(name);
    if (r !== null) files.push(join(r, 'etc/ld.so.cache'));
  }
  const tmp = mkdtempSync(join(tmpdir(), 'sysprobe-ldcache-'));
  try {
    let compared = 0;
    for (const file of files) {
      const cache = readLdSoCacheSync(file);
      let oracleFile = file;
      if (cache.endian !== (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 'little' : 'big')) {
        // ldconfig -p reads only the host's byte order ("Cache file has wrong endianness"): compare the
        // big-endian cache through a byte-swapped copy; the swap is checked by parsing it back.
        oracleFile = join(tmp, 'swapped.cache');
        writeFileSync(oracleFile, swapNewCache(readFileSync(file)));
        const swapped = readLdSoCacheSync(oracleFile);
        assert.deepEqual(swapped.entries, cache.entries);
        assert.equal(swapped.generator, cache.generator);
      }
      const oracle = ldconfigLines(oracleFile);
      assert.equal(cache.entries.length, oracle.count, file);
      assert.deepEqual(printLike(cache), oracle.entries, file);
      assert.equal(cache.generator, oracle.generator, file);
      compared += 1;
    }
    assert.ok(compared >= 1);
    assert.deepEqual(await readLdSoCache('/etc/ld.so.cache'), readLdSoCacheSync('/etc/ld.so.cache'));
    // Old and compat formats, written by this host's ldconfig for a directory of libraries.
    const libs = join(tmp, 'libs');
    const conf = join(tmp, 'ld.so.conf');
    run('mkdir', ['-p', libs]);
    for (const lib of ['libz.so.1', 'libc.so.6', 'libm.so.6']) {
      const src = join('/lib/x86_64-linux-gnu', lib);
      try {
        copyFileSync(src, join(libs, lib));
      } catch {
        /* not on this host */
      }
    }
    writeFileSync(conf, `${libs}\n`);
    const byFormat = {};
    for (const format of ['old', 'compat', 'new']) {
      const out = join(tmp, `${format}.cache`);
      const made = run('ldconfig', ['-X', '-c', format, '-C', out, '-f', conf]);
      if (made === null || made.status !== 0) continue;
      const cache = readLdSoCacheSync(out);
      assert.equal(cache.format, format);
      const oracle = ldconfigLines(out);
      assert.deepEqual(printLike(cache), oracle.entries, format);
      byFormat[format] = cache;
    }
    // The old table of a compat cache names the same libraries as its new table (which ldconfig -p
    // checked above), but need not list them the same number of times (seen: glibc 2.36's ldconfig
    // listing ld-linux-x86-64.so.2 twice in the old table of a compat cache, once in the new table).
    const pairs = (entries) => entries.map((e) => `${e.key} => ${e.value}`);
    if (byFormat.old) assert.deepEqual(pairs(byFormat.old.oldEntries), pairs(byFormat.old.entries));
    if (byFormat.compat) {
      assert.deepEqual([...new Set(pairs(byFormat.compat.oldEntries))].sort(), [...new Set(pairs(byFormat.compat.entries))].sort());
      assert.ok(byFormat.compat.oldEntries.length >= byFormat.compat.entries.length);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('readLdSoCache: the fuzz regression inputs (test/fixtures/ldcache) are typed errors with an offset', () => {
  const dir = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'fixtures', 'ldcache');
  const files = readdirSync(dir);
  assert.ok(files.length >= 10);
  for (const name of files) {
    assert.throws(
      () => readLdSoCacheSync(join(dir, name)),
      (e) => /^ERR_SYSPROBE_(BAD_LDCACHE|TRUNCATED)$/.test(e.code) && typeof e.offset === 'number',
      name,
    );
  }
});

test('readLdSoCache: malformed caches are typed errors with an offset, never a crash', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sysprobe-ldcache-bad-'));
  try {
    const good = readFileSync('/etc/ld.so.cache');
    const cases = {
      empty: Buffer.alloc(0),
      magic: Buffer.from('not a cache at all, really'),
      nlibs: (() => {
        const b = Buffer.from(good.subarray(0, 200));
        b.writeUInt32LE(0xffffffff, 20);
        return b;
      })(),
      strings: (() => {
        const b = Buffer.from(good);
        b.writeUInt32LE(0x7fffffff, 48 + 4);
        return b;
      })(),
      extension: (() => {
        const b = Buffer.from(good);
        b.writeUInt32LE(b.length - 4, 32);
        return b;
      })(),
      truncated: good.subarray(0, 60),
    };
    for (const [name, bytes] of Object.entries(cases)) {
      const file = join(tmp, name);
      writeFileSync(file, bytes);
      assert.throws(
        () => readLdSoCacheSync(file),
        (e) => /^ERR_SYSPROBE_(BAD_LDCACHE|TRUNCATED)$/.test(e.code) && e.path === file,
        name,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('virtual targets: { glibc: "2.36" } reports what the real 2.36 loader of this host reports; 2.41 and arm64 2.36 accept their own binaries', {
  skip: skipUnless(
    haveLoader && corpusRoot('trixie-amd64') && corpusRoot('bookworm-arm64'),
    'needs the host loader and the trixie/bookworm-arm64 corpus roots',
  ),
}, async () => {
  const host = run(HOST_LOADER, ['--version']).stdout;
  const hostVersion = /release version (\d+\.\d+)/.exec(host)[1];
  const trixie = materializeRoot('trixie-amd64');
  for (const name of ['ls', 'cat', 'sort', 'date']) {
    const file = join(trixie, 'usr/bin', name);
    const real = await checkCompat(file);
    const virtual = await checkCompat(file, { glibc: hostVersion });
    // The same (version, file) pairs as the real loader; providers are named by SONAME in a virtual target.
    const pairs = (r) => r.missingVersions.map((m) => `${m.file} ${m.version} ${m.weak}`).sort();
    assert.deepEqual(pairs(virtual), pairs(real), name);
    assert.equal(virtual.ok, real.ok);
    assert.deepEqual(
      virtual.missingVersions.map((m) => m.symbols.length > 0 || m.version.startsWith('GLIBC_ABI')),
      virtual.missingVersions.map(() => true),
    );
    assert.equal((await checkCompat(file, { glibc: '2.41' })).ok, true, `${name} on its own glibc`);
    assert.equal(checkCompatSync(file, { glibc: '2.31', arch: 'amd64' }).ok, false);
  }
  const arm = materializeRoot('bookworm-arm64');
  const armLs = await checkCompat(join(arm, 'bin/ls'), { glibc: '2.36', arch: 'aarch64' });
  assert.equal(armLs.ok, true, armLs.messages.join('\n'));
  assert.equal(armLs.target.arch, 'aarch64');
  // Older than every aarch64 table: cut from the 2.36 one (bookworm's ls needs GLIBC_2.34), and said so.
  const older = await checkCompat(join(arm, 'bin/ls'), { glibc: '2.28' });
  assert.equal(older.ok, false);
  assert.ok(
    older.missingVersions.some((m) => m.version === 'GLIBC_2.34'),
    JSON.stringify(older.missingVersions),
  );
  assert.ok(older.warnings.some((w) => w.includes('derived from the glibc 2.36 table')));
  await assert.rejects(checkCompat(join(arm, 'bin/ls'), { glibc: '2.99' }), (e) => e.code === 'ERR_SYSPROBE_UNSUPPORTED');
  await assert.rejects(checkCompat(join(arm, 'bin/ls'), { glibc: 'two' }), (e) => e.code === 'ERR_SYSPROBE_INVALID_ARG');
});

test("virtual 2.31 agrees with bullseye's real loader on host binaries", {
  skip: skipUnless(
    haveLoader && process.getuid?.() === 0 && corpusRoot('bullseye-amd64'),
    'needs root (chroot) and the bullseye corpus root',
  ),
}, async () => {
  const root = materializeRoot('bullseye-amd64');
  mkdirSync(join(root, 'tmp'), { recursive: true });
  for (const name of ['ls', 'cat', 'sort']) {
    const host = which(name);
    if (host === null || !isElf(host)) continue;
    const inRoot = `/tmp/sysprobe-v-${name}`;
    copyFileSync(host, join(root, inRoot));
    const out = run('chroot', [root, '/usr/bin/env', 'LD_TRACE_LOADED_OBJECTS=1', '/lib64/ld-linux-x86-64.so.2', inRoot]);
    const real = versionLines(out.stderr)
      .filter((l) => l.includes(`(required by ${inRoot})`))
      .map((l) => /version `([^']+)'/.exec(l)[1])
      .sort();
    const virtual = (await checkCompat(host, { glibc: '2.31' })).missingVersions
      .filter((m) => m.file === 'libc.so.6')
      .map((m) => m.version)
      .sort();
    assert.deepEqual(virtual, real, name);
  }
});

// Foreign roots: the root's own loader under qemu-user (-L ROOT maps absolute paths into the root) in
// tracing mode. Covers AArch64, 32-bit x86 and big-endian s390x (cache flags, byte order, load order).
const FOREIGN = [
  ['bookworm-arm64', 'qemu-aarch64-static', '/lib/ld-linux-aarch64.so.1', 'aarch64-linux-gnu'],
  ['bookworm-s390x', 'qemu-s390x-static', '/lib/ld64.so.1', 's390x-linux-gnu'],
  ['bookworm-i386', 'qemu-i386-static', '/lib/ld-linux.so.2', 'i386-linux-gnu'],
];
for (const [name, qemu, loader, triplet] of FOREIGN) {
  test(`resolveDeps in ${name} equals its own loader run under ${qemu}`, {
    skip: skipUnless(which(qemu) && corpusRoot(name), `needs ${qemu} and ../shared/corpus/roots/${name}`),
  }, () => {
    const root = materializeRoot(name);
    for (const program of ['/bin/ls', '/bin/cat', '/usr/bin/sort', '/usr/bin/stdbuf', `/usr/lib/${triplet}/libstdc++.so.6`]) {
      const out = run(qemu, ['-L', root, '-E', 'LD_TRACE_LOADED_OBJECTS=1', join(root, loader), program]);
      // The loader was started by its host path: it names itself so; inside the root it is `loader`.
      const want = parseList(out.stdout).map((l) =>
        l.endsWith(`=> ${join(root, loader)}`) || l === `${join(root, loader)} => ${join(root, loader)}` ? `${loader} => ${loader}` : l,
      );
      assert.deepEqual(asList(resolveDepsSync(program, { root })), want, `${name} ${program}`);
    }
    assert.equal(checkCompatSync('/bin/cat', { root }).ok, true);
    assert.deepEqual(
      checkCompatSync('/bin/ls', { root }).missingLibraries.map((m) => m.name),
      ['libselinux.so.1'],
    );
  });
}

test("musl root: resolveDeps follows musl's rules and equals its loader's --list under chroot", {
  skip: skipUnless(
    process.getuid?.() === 0 && corpusRoot('musl-amd64') && isX64,
    'needs root (chroot), x86-64 and ../shared/corpus/roots/musl-amd64',
  ),
}, () => {
  const root = materializeRoot('musl-amd64');
  const out = run('chroot', [root, '/lib/ld-musl-x86_64.so.1', '--list', '/usr/bin/hello']);
  assert.equal(out.status, 0, out.stderr);
  const deps = resolveDepsSync('/usr/bin/hello', { root });
  assert.equal(deps.libc, 'musl');
  assert.deepEqual(asList(deps), parseList(out.stdout));
  // The path file of the root, not glibc's directories or a cache.
  assert.deepEqual(
    deps.systemDirs,
    readFileSync(join(root, 'etc/ld-musl-x86_64.path'), 'utf8')
      .split(/[:\n]/)
      .filter(Boolean)
      .map((d) => `${d}/`),
  );
  const report = checkCompatSync('/usr/bin/hello', { root });
  assert.equal(report.ok, true);
  assert.ok(report.warnings.some((w) => w.includes('musl does not check symbol versions')));
});
