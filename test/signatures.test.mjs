// matchCrashSignatures and readCrashLog on real stderr: produced here where the tools exist (gopls and Go
// programs under prlimit, the loader on binaries that need what this host lacks, bash on a missing interpreter),
// and on the captures and public-issue quotes in test/fixtures/crash-logs/ (see its README).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matchCrashSignatures, readCrashLog, readCrashLogSync, SysprobeError } from 'sysprobe';
import { run, which, skipUnless } from './helpers.mjs';

const linux = process.platform === 'linux';
const fixtures = new URL('./fixtures/crash-logs/', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'sysprobe-crash-'));
chmodSync(work, 0o755);
after(() => rmSync(work, { recursive: true, force: true }));
const prlimit = linux ? which('prlimit') : null;
const gopls = which('gopls');
const go = which('go');
const readelf = which('readelf');
const MiB = 1024 * 1024;

const ids = (text) => matchCrashSignatures(text).map((s) => s.id);
const stderrOf = (command, args, options) => {
  const result = run(command, args, options);
  return `${result.stdout}${result.stderr}`;
};

const EXPECTED = {
  'gopls-rlimit-as-400m.txt': ['go-page-summary'],
  'gopls-rlimit-data-32m.txt': ['go-heap-arena-map'],
  'gopls-invalid-go-version.txt': ['go-invalid-version', 'go-invalid-version'],
  'go-alloc-rlimit-as.txt': ['go-out-of-memory', 'go-out-of-memory'],
  'go-threads-rlimit-nproc.txt': ['go-thread-create'],
  'go-cgo-rlimit-as.txt': ['go-thread-create'],
  'go-exec-errors.txt': ['fork-exec-enoent', 'go-command-not-found', 'signal-killed'],
  'glibc-2.38-trixie-ls.txt': ['glibc-version'],
  'glibcxx-cxxabi-not-found.txt': ['glibc-version', 'glibc-version'],
  'verneed-version-0.txt': ['verneed-version-0'],
  'interpreter-missing-bash.txt': ['interpreter-missing'],
  'public-issues.txt': [
    'go-invalid-version',
    'go-command-not-found',
    'go-command-not-found',
    'go-command-not-found',
    'verneed-version-0',
    'glibc-version',
  ],
};

test('every fixture yields its signatures, and each names the doctor check', () => {
  const files = readdirSync(fixtures)
    .filter((f) => f.endsWith('.txt'))
    .sort();
  assert.deepEqual(files, Object.keys(EXPECTED).sort(), 'a fixture without expectations, or the reverse');
  for (const file of files) {
    const log = readCrashLogSync(join(fixtures, file));
    assert.deepEqual(
      log.signatures.map((s) => s.id),
      EXPECTED[file],
      file,
    );
    assert.equal(log.truncated, false);
  }
  const issues = matchCrashSignatures(readFileSync(join(fixtures, 'public-issues.txt'), 'utf8'));
  assert.deepEqual(issues[0].captures, { version: 'go1.22.1', expected: 'go1.12' });
  assert.equal(issues[0].check, 'go-bin-version');
  assert.deepEqual(issues[2].captures, { goroot: '', path: '/usr/bin:/bin:/usr/sbin:/sbin' });
  assert.equal(issues[5].captures.version, 'GLIBCXX_3.4.32');
  assert.equal(issues[5].captures.family, 'GLIBCXX');
  const checks = Object.fromEntries(
    issues.concat(matchCrashSignatures(readFileSync(join(fixtures, 'go-exec-errors.txt'), 'utf8'))).map((s) => [s.id, s.check]),
  );
  assert.deepEqual(checks, {
    'go-invalid-version': 'go-bin-version',
    'go-command-not-found': 'go-env-path',
    'verneed-version-0': 'libc-compat',
    'glibc-version': 'libc-compat',
    'fork-exec-enoent': 'go-env-path',
    'signal-killed': 'mem-cgroup',
  });
});

test('gopls (Debian’s) under prlimit: --as=400M "failed to reserve page summary memory", --data=32M the arena map', {
  skip: skipUnless(gopls && prlimit, 'needs gopls and prlimit'),
}, () => {
  const as = matchCrashSignatures(stderrOf(prlimit, [`--as=${400 * MiB}`, gopls, 'version']));
  assert.equal(as[0]?.id, 'go-page-summary');
  assert.equal(as[0].check, 'mem-as');
  assert.equal(as[0].line, 'fatal error: failed to reserve page summary memory');
  assert.equal(as[0].lineNumber, 1);
  const data = matchCrashSignatures(stderrOf(prlimit, [`--data=${32 * MiB}`, gopls, 'version']));
  assert.deepEqual(
    data.map((s) => [s.id, s.check]),
    [['go-heap-arena-map', 'mem-data']],
  );
  assert.deepEqual(ids(stderrOf(gopls, ['version'])), [], 'the same binary unlimited: no signature');
});

const CRASHER = `package main
import ("fmt"; "os"; "os/exec"; "runtime"; "time")
func main() {
	switch os.Args[1] {
	case "alloc":
		var keep [][]byte
		for { keep = append(keep, make([]byte, 4<<20)) }
	case "threads":
		for i := 0; i < 10000; i++ { go func() { runtime.LockOSThread(); time.Sleep(time.Hour) }() }
		time.Sleep(2 * time.Second)
	case "exec":
		fmt.Fprintln(os.Stderr, exec.Command("/nonexistent/go/bin/go", "version").Run())
		_, err := exec.LookPath("go")
		fmt.Fprintln(os.Stderr, err)
		cmd := exec.Command("/bin/sleep", "60")
		cmd.Start()
		cmd.Process.Kill()
		fmt.Fprintln(os.Stderr, cmd.Wait())
	}
}
`;

function buildGo(name, source, cgo) {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  run('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'main.go'), source);
  const env = { ...process.env, GOCACHE: join(work, 'gocache'), GO111MODULE: 'off', CGO_ENABLED: cgo ? '1' : '0' };
  const result = run(go, ['build', '-o', join(dir, name), join(dir, 'main.go')], { env });
  assert.equal(result.status, 0, result.stderr);
  chmodSync(dir, 0o755);
  return join(dir, name);
}

test('a Go program: out of memory under --as (the block size captured), fork/exec ENOENT, "go" not on PATH, signal: killed', {
  skip: skipUnless(go && prlimit, 'needs go and prlimit'),
}, () => {
  const crasher = buildGo('crasher', CRASHER, false);
  const oom = matchCrashSignatures(stderrOf(prlimit, [`--as=${1200 * MiB}`, crasher, 'alloc']));
  assert.deepEqual(
    oom.map((s) => s.id),
    ['go-out-of-memory', 'go-out-of-memory'],
  );
  assert.equal(oom[0].captures.bytes, String(4 * MiB), 'the 4 MiB slices it allocates');
  assert.match(oom[0].captures.inUse, /^\d+$/);
  assert.equal(oom[1].line, 'fatal error: out of memory');
  const exec = matchCrashSignatures(stderrOf(crasher, ['exec'], { env: { PATH: '/nonexistent' } }));
  assert.deepEqual(
    exec.map((s) => [s.id, s.check]),
    [
      ['fork-exec-enoent', 'go-env-path'],
      ['go-command-not-found', 'go-env-path'],
      ['signal-killed', 'mem-cgroup'],
    ],
  );
  assert.equal(exec[0].captures.path, '/nonexistent/go/bin/go');
  const setpriv = which('setpriv');
  if (setpriv && process.getuid() === 0) {
    const threads = matchCrashSignatures(
      stderrOf(setpriv, ['--reuid=65534', '--regid=65534', '--clear-groups', prlimit, '--nproc=20', crasher, 'threads']),
    );
    assert.equal(threads[0]?.id, 'go-thread-create');
    assert.equal(threads[0].captures.errno, '11', 'EAGAIN: RLIMIT_NPROC');
  } else process.stderr.write('# the RLIMIT_NPROC case needs root and setpriv: checked from its fixture only\n');
});

test('a cgo program under --as: "runtime/cgo: pthread_create failed"', {
  skip: skipUnless(go && prlimit && which('gcc'), 'needs go, gcc and prlimit'),
}, () => {
  const cgo = buildGo(
    'cgocrasher',
    CRASHER.replace('import (', '// #include <stdlib.h>\nimport "C"\nimport (').replace(
      'case "threads":',
      'case "threads":\n\t\tC.free(C.malloc(16))',
    ),
    true,
  );
  const found = matchCrashSignatures(stderrOf(prlimit, [`--as=${900 * MiB}`, cgo, 'threads']));
  assert.equal(found[0]?.id, 'go-thread-create');
  assert.equal(found[0].captures.reason, 'Resource temporarily unavailable');
});

const trixieLs = '/var/cache/sysprobe-test/go-debs/trixie/coreutils/usr/bin/ls';
test('the loader: trixie’s ls needs GLIBC_2.38 that glibc 2.36 lacks; library and binary captured', {
  skip: skipUnless(existsSync(trixieLs), `${trixieLs} absent (Debian trixie's coreutils, unpacked by the go-debs cache)`),
}, () => {
  const [found, ...rest] = matchCrashSignatures(stderrOf(trixieLs, []));
  assert.equal(rest.length, 0);
  assert.equal(found.id, 'glibc-version');
  assert.equal(found.captures.version, 'GLIBC_2.38');
  assert.equal(found.captures.family, 'GLIBC');
  assert.equal(found.captures.requiredBy, trixieLs);
  assert.match(found.captures.library, /\/libc\.so\.6$/);
});

/** [file offset, size] of an ELF section, from readelf -SW. */
function section(file, name) {
  for (const line of run(readelf, ['-SW', file]).stdout.split('\n')) {
    const m = /\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)/.exec(line);
    if (m && m[1] === name) return [Number.parseInt(m[2], 16), Number.parseInt(m[3], 16)];
  }
  throw new Error(`${name} not in ${file}`);
}

function patched(name, edit) {
  const path = join(work, name);
  copyFileSync('/usr/bin/true', path);
  const bytes = readFileSync(path);
  edit(bytes, path);
  writeFileSync(path, bytes);
  chmodSync(path, 0o755);
  return path;
}

test('the loader on edited copies of /usr/bin/true: Verneed version 0; a missing interpreter as bash words it', {
  skip: skipUnless(linux && readelf && existsSync('/usr/bin/true') && which('bash'), 'needs Linux, readelf, bash and /usr/bin/true'),
}, () => {
  const verneed = patched('verneed0', (bytes, path) => {
    const [offset] = section(path, '.gnu.version_r');
    bytes.writeUInt16LE(0, offset);
  });
  const v0 = matchCrashSignatures(stderrOf(verneed, []));
  assert.deepEqual(
    v0.map((s) => [s.id, s.captures.version, s.captures.record]),
    [['verneed-version-0', '0', 'Verneed']],
  );
  const musl = patched('musl-true', (bytes, path) => {
    const [offset, size] = section(path, '.interp');
    bytes.fill(0, offset, offset + size);
    bytes.write('/lib/ld-musl-x86_64.so.1', offset, 'latin1');
  });
  assert.ok(!existsSync('/lib/ld-musl-x86_64.so.1'), 'this host has no musl loader');
  const missing = matchCrashSignatures(stderrOf('bash', ['-c', musl]));
  assert.equal(missing[0]?.id, 'interpreter-missing', JSON.stringify(missing));
  assert.equal(missing[0].captures.path, musl);
  assert.equal(missing[0].check, 'libc-compat');
});

test('a C++ program whose GLIBCXX/CXXABI needs were renamed: the loader names both, families captured', {
  skip: skipUnless(which('g++'), 'needs g++'),
}, () => {
  const source = join(work, 'cxx.cc');
  writeFileSync(source, '#include <iostream>\n#include <string>\nint main() { std::string s = "x"; std::cout << s << std::endl; }\n');
  const binary = join(work, 'cxx');
  assert.equal(run('g++', ['-O1', '-o', binary, source]).status, 0);
  const bytes = readFileSync(binary);
  for (const [from, to] of [
    ['GLIBCXX_3.4.21', 'GLIBCXX_3.4.32'],
    ['CXXABI_1.3', 'CXXABI_1.9'],
  ]) {
    const at = bytes.indexOf(Buffer.from(`\0${from}\0`));
    assert.ok(at >= 0, `${from} in .dynstr`);
    bytes.write(to, at + 1, 'latin1');
  }
  writeFileSync(binary, bytes);
  const found = matchCrashSignatures(stderrOf(binary, []));
  assert.deepEqual(found.map((s) => s.captures.version).sort(), ['CXXABI_1.9', 'GLIBCXX_3.4.32']);
  assert.deepEqual([...new Set(found.map((s) => s.captures.family))].sort(), ['CXXABI', 'GLIBCXX']);
  for (const s of found) assert.match(s.captures.library, /libstdc\+\+\.so\.6$/);
});

test('bounds: the last 4 MiB only, lines cut at 64 KiB, maxMatches, CRLF; readCrashLog reads the tail of a large file', async () => {
  const line = 'fatal error: failed to reserve page summary memory';
  const filler = `${'x'.repeat(1023)}\n`.repeat(5 * 1024);
  assert.deepEqual(ids(`${line}\n${filler}`), [], 'beyond the last 4 MiB');
  assert.deepEqual(ids(`${filler}${line}\n`), ['go-page-summary']);
  assert.deepEqual(ids(`${'y'.repeat(70 * 1024)}${line}`), [], 'past 64 KiB of one line');
  assert.deepEqual(ids(`signal: killed\r\n${line}\r\n`), ['signal-killed', 'go-page-summary']);
  assert.equal(matchCrashSignatures(`${line}\n`.repeat(100)).length, 64);
  assert.equal(matchCrashSignatures(`${line}\n`.repeat(100), { maxMatches: 3 }).length, 3);
  assert.deepEqual(matchCrashSignatures(`ok\n\n${line}`)[0].lineNumber, 3);
  assert.throws(
    () => matchCrashSignatures(42),
    (e) => e instanceof SysprobeError && e.code === 'ERR_SYSPROBE_INVALID_ARG',
  );
  assert.throws(
    () => matchCrashSignatures('', { maxMatches: -1 }),
    (e) => e.code === 'ERR_SYSPROBE_INVALID_ARG',
  );

  // Hostile 64 KiB lines built from the patterns' own pieces: every repetition is bounded, so this returns
  // (the first, backtracking patterns took seconds per 4 MiB of such lines).
  const pieces = ['fork/exec ', ': version `G_', 'Failed to find the "go" binary in either GOROOT(', ': ', 'invalid Go version "'];
  const hostile = pieces.map((piece) => piece.repeat(Math.floor(65536 / piece.length))).join('\n');
  assert.equal(matchCrashSignatures(hostile).length, 1, 'only the last line matches (its quotes enclose a "version")');

  const big = join(work, 'big.log');
  writeFileSync(big, `signal: killed\n${filler}runtime: out of memory: cannot allocate 8192-byte block (1 in use)\n`);
  const log = await readCrashLog(big);
  assert.equal(log.truncated, true);
  assert.equal(log.bytes, readFileSync(big).length);
  assert.deepEqual(
    log.signatures.map((s) => [s.id, s.captures.bytes]),
    [['go-out-of-memory', '8192']],
  );
  assert.deepEqual(readCrashLogSync(big), log);
  await assert.rejects(readCrashLog(join(work, 'absent.log')), (e) => e instanceof SysprobeError && e.code === 'ENOENT');
  assert.throws(
    () => readCrashLogSync(work),
    (e) => e.code === 'ERR_SYSPROBE_NOT_REGULAR',
  );
  const mkfifo = which('mkfifo');
  if (mkfifo) {
    const fifo = join(work, 'fifo');
    run(mkfifo, [fifo]);
    assert.throws(
      () => readCrashLogSync(fifo),
      (e) => e.code === 'ERR_SYSPROBE_NOT_REGULAR',
      'a FIFO is refused, not waited on',
    );
  }
});
