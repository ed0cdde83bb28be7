// The oracle of the Go build info tests: `go version -m` (the host's Go, /usr/bin/go), the same text rendered from
// a readGoBuildInfo result, and Go programs built here for other systems and architectures.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, which } from './helpers.mjs';

export const goTool = ['/usr/bin/go', which('go')].find((path) => path && existsSync(path)) ?? null;

/** Go's build cache for these tests, kept between runs (a cross build of the standard library takes seconds). */
const goCache = process.env.SYSPROBE_GO_CACHE ?? join(tmpdir(), 'sysprobe-test-gocache');

/** Go's environment for offline builds. */
export function goEnv(dir) {
  return { ...process.env, GOCACHE: goCache, GOPATH: join(dir, 'gopath'), GOPROXY: 'off', GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' };
}

/** `go version -m FILE`: its stdout, or null when Go cannot read the file (not Go, or broken). */
export function goVersionM(file) {
  const result = run(goTool, ['version', '-m', file], { env: { ...process.env, GOTOOLCHAIN: 'local' } });
  if (result === null || result.status !== 0 || !result.stdout.startsWith(`${file}: `)) return null;
  return result.stdout;
}

/** strconv.Quote for the ASCII-and-printable text build settings hold. */
function goQuote(text) {
  const escapes = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0);
    if (escapes[ch] !== undefined) out += escapes[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
const quoteKey = (key) => key === '' || /[= \t\r\n"`]/.test(key);
const quoteValue = (value) => /[ \t\r\n"`]/.test(value);

/**
 * The text Go 1.19's `go version -m` prints for `file`, rebuilt from a GoBuildInfo: runtime/debug's
 * BuildInfo.String() (a replaced module ends with an empty line there, which this keeps), each line after the
 * first indented by a tab.
 */
export function renderVersionM(file, info) {
  let mod = '';
  if (info.path !== null && info.path !== '') mod += `path\t${info.path}\n`;
  const formatMod = (word, m) => {
    mod += `${word}\t${m.path}\t${m.version}`;
    if (m.replace === null) mod += `\t${m.sum ?? ''}`;
    else {
      mod += '\n';
      formatMod('=>', m.replace);
    }
    mod += '\n';
  };
  const main = info.main;
  if (main !== null && (main.path !== '' || main.version !== '' || (main.sum ?? '') !== '' || main.replace !== null))
    formatMod('mod', main);
  for (const dep of info.deps) formatMod('dep', dep);
  for (const { key, value } of info.settings) {
    mod += `build\t${quoteKey(key) ? goQuote(key) : key}=${quoteValue(value) ? goQuote(value) : value}\n`;
  }
  let text = `${file}: ${info.goVersion}\n`;
  if (mod.length > 0) text += `\t${mod.slice(0, -1).replaceAll('\n', '\n\t')}\n`;
  return text;
}

/** Executable regular files under `dir` (recursively). */
export function executablesUnder(dir) {
  const out = [];
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && (statSync(path).mode & 0o111) !== 0) out.push(path);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

/**
 * The builds of a small module (a dependency replaced by a directory: `dep` and `=>` lines) for other targets:
 * `{ name, file, goos, goarch, expect }` each, into a new temporary directory. Needs no network.
 */
export function buildGoPrograms() {
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-go-'));
  const src = join(dir, 'src');
  mkdirSync(join(src, 'dep'), { recursive: true });
  writeFileSync(
    join(src, 'go.mod'),
    'module example.com/hello\n\ngo 1.19\n\nrequire example.com/dep v1.0.0\n\nreplace example.com/dep => ./dep\n',
  );
  writeFileSync(join(src, 'dep', 'go.mod'), 'module example.com/dep\n\ngo 1.19\n');
  writeFileSync(join(src, 'dep', 'dep.go'), 'package dep\n\nfunc Greeting() string { return "hello" }\n');
  writeFileSync(
    join(src, 'main.go'),
    'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/dep"\n)\n\nfunc main() { fmt.Println(dep.Greeting()) }\n',
  );
  const targets = [
    { name: 'linux-amd64', goos: 'linux', goarch: 'amd64', expect: { format: 'elf', ptrSize: 8, bigEndian: false } },
    { name: 'linux-amd64-stripped', goos: 'linux', goarch: 'amd64', flags: ['-ldflags=-s -w'], expect: { format: 'elf', ptrSize: 8 } },
    { name: 'linux-amd64-trimpath-pie', goos: 'linux', goarch: 'amd64', flags: ['-trimpath', '-buildmode=pie'], expect: { format: 'elf' } },
    { name: 'linux-386', goos: 'linux', goarch: '386', expect: { format: 'elf', ptrSize: 4, bigEndian: false } },
    { name: 'linux-arm', goos: 'linux', goarch: 'arm', expect: { format: 'elf', ptrSize: 4, bigEndian: false } },
    { name: 'linux-ppc64', goos: 'linux', goarch: 'ppc64', expect: { format: 'elf', ptrSize: 8, bigEndian: true } },
    { name: 'linux-s390x', goos: 'linux', goarch: 's390x', expect: { format: 'elf', ptrSize: 8, bigEndian: true } },
    { name: 'linux-mips', goos: 'linux', goarch: 'mips', expect: { format: 'elf', ptrSize: 4, bigEndian: true } },
    { name: 'windows-amd64.exe', goos: 'windows', goarch: 'amd64', expect: { format: 'pe', ptrSize: 8, bigEndian: false } },
    { name: 'windows-386.exe', goos: 'windows', goarch: '386', expect: { format: 'pe', ptrSize: 4 } },
    { name: 'windows-amd64-stripped.exe', goos: 'windows', goarch: 'amd64', flags: ['-ldflags=-s -w'], expect: { format: 'pe' } },
    { name: 'darwin-arm64', goos: 'darwin', goarch: 'arm64', expect: { format: 'macho', ptrSize: 8, bigEndian: false } },
    { name: 'darwin-amd64-stripped', goos: 'darwin', goarch: 'amd64', flags: ['-ldflags=-s -w'], expect: { format: 'macho' } },
  ];
  const built = [];
  const failed = [];
  for (const target of targets) {
    const file = join(dir, target.name);
    const env = { ...goEnv(dir), GOOS: target.goos, GOARCH: target.goarch, CGO_ENABLED: '0' };
    const result = run(goTool, ['build', ...(target.flags ?? []), '-o', file, '.'], { cwd: src, env, timeout: 300_000 });
    if (result?.status === 0) built.push({ ...target, file });
    else failed.push(`${target.name}: ${result?.stderr ?? 'go not run'}`);
  }
  return { dir, built, failed };
}
