// lookPath, probeGoToolchain, readGoMod and findGoModules against the real thing: Go's own exec.LookPath (a
// program built here with the installed go), `which -a` and `command -v`, `go env -json` under crafted
// environments (a go env -w file written by go itself), `go mod edit -json`, `go work edit -json` and
// `go env GOWORK GOMOD`. Where no oracle can run (go.env, read by Go ≥ 1.21 only), a fake GOROOT is checked
// against cmd/go's rules as its source states them (cited in src/probes/go/toolchain.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { root, run, skipUnless } from './helpers.mjs';
import * as sysprobe from '../dist/index.js';

const go = run('/usr/bin/go', ['version']);
const goSkip = skipUnless(go?.status === 0, '/usr/bin/go (the Debian go) not installed');

const scratch = mkdtempSync(join(tmpdir(), 'sysprobe-gofacts-'));
test.after(() => rmSync(scratch, { recursive: true, force: true }));

/** A fresh directory under the scratch dir. */
let dirs = 0;
const fresh = (name) => {
  const dir = join(scratch, `${name}-${dirs++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};
const write = (path, text, mode = 0o644) => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, mode);
};

/** An isolated environment for the real go: its own HOME, cache and module dirs. */
function goEnvFor(home, extra = {}) {
  return { PATH: '/usr/bin:/bin', HOME: home, ...extra };
}
function goRun(args, env, cwd) {
  const result = run('/usr/bin/go', args, { env, cwd });
  assert.equal(result.status, 0, `go ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** Go's exec.LookPath, built once with the installed go. */
let lookPathOracle = null;
function goLookPath(name, pathValue, cwd) {
  if (lookPathOracle === null) {
    const src = fresh('lp-src');
    write(join(src, 'go.mod'), 'module lp\n\ngo 1.19\n');
    write(
      join(src, 'main.go'),
      'package main\n\nimport (\n\t"fmt"\n\t"os"\n\t"os/exec"\n)\n\nfunc main() {\n\tp, err := exec.LookPath(os.Args[1])\n' +
        '\tmsg := ""\n\tif err != nil {\n\t\tmsg = err.Error()\n\t}\n\tfmt.Printf("%s\\x00%s", p, msg)\n}\n',
    );
    lookPathOracle = join(src, 'lookpath');
    const home = fresh('lp-home');
    goRun(
      ['build', '-o', lookPathOracle, '.'],
      goEnvFor(home, { GOCACHE: join(home, 'cache'), GOPATH: join(home, 'gopath'), GOFLAGS: '-mod=mod' }),
      src,
    );
  }
  const result = run(lookPathOracle, [name], { env: pathValue === undefined ? {} : { PATH: pathValue }, cwd });
  assert.equal(result.status, 0, result.stderr);
  const [path, error] = result.stdout.split('\0');
  return { path, error };
}

/** A tree of PATH entries: the cases Go's rules tell apart. */
function pathTree() {
  const t = fresh('path');
  const script = '#!/bin/sh\necho go\n';
  write(join(t, 'good', 'go'), script, 0o755);
  write(join(t, 'other', 'go'), script, 0o755);
  write(join(t, 'noexec', 'go'), script, 0o644);
  mkdirSync(join(t, 'dirgo', 'go'), { recursive: true });
  mkdirSync(join(t, 'link'));
  symlinkSync(join(t, 'good', 'go'), join(t, 'link', 'go'));
  mkdirSync(join(t, 'dangling'));
  symlinkSync(join(t, 'nowhere', 'go'), join(t, 'dangling', 'go'));
  // The process's working directory, with a `go` of its own and a relative entry that holds one.
  const cwd = join(t, 'cwd');
  write(join(cwd, 'go'), script, 0o755);
  write(join(cwd, 'rel', 'go'), script, 0o755);
  mkdirSync(join(cwd, 'relempty'));
  return { t, cwd };
}

function lookPathCases({ t }) {
  return [
    {
      name: 'missing dir, file without x, dir named go, then a hit',
      path: `${t}/missing:${t}/noexec:${t}/dirgo:${t}/good`,
      absolute: true,
    },
    { name: 'a symlink first', path: `${t}/link:${t}/good`, absolute: true },
    { name: 'a dangling symlink, then /usr/bin', path: `${t}/dangling:/usr/bin`, absolute: true },
    { name: 'nothing executable', path: `${t}/noexec:${t}/dirgo:${t}/missing`, absolute: true },
    { name: 'an entry with a trailing slash', path: `${t}/good/:${t}/other`, absolute: true },
    // Go cleans x/.. away lexically (filepath.Join) where the kernel, and so the shell, fails on the missing x.
    { name: 'a dot-dot over a missing directory', path: `${t}/x/../other:${t}/good` },
    { name: 'an empty entry first (the cwd has a go)', path: `:${t}/good` },
    { name: 'an empty entry last', path: `${t}/other::` },
    { name: 'a relative entry that holds go', path: `rel:${t}/good` },
    { name: 'a relative entry without go', path: `relempty:${t}/good` },
    { name: 'an absolute hit before the relative one', path: `${t}/good:rel` },
    { name: 'an empty PATH', path: '' },
    { name: 'no PATH at all', path: undefined },
  ];
}

test("lookPath agrees with Go's exec.LookPath on every PATH case (the oracle gopls and vscode-go follow)", { skip: goSkip }, async () => {
  const tree = pathTree();
  for (const c of lookPathCases(tree)) {
    const oracle = goLookPath('go', c.path, tree.cwd);
    const mine = sysprobe.lookPathSync('go', c.path, { cwd: tree.cwd });
    assert.deepEqual(await sysprobe.lookPath('go', c.path, { cwd: tree.cwd }), mine, `${c.name}: sync and async differ`);
    if (oracle.error === '') {
      assert.equal(mine.path, oracle.path, c.name);
      assert.equal(mine.realPath, realpathSync(resolve(tree.cwd, oracle.path)), c.name);
      assert.equal(mine.dotPath, null, c.name);
    } else if (oracle.error.includes('relative to current directory')) {
      assert.equal(mine.path, null, `${c.name}: Go refuses ${oracle.path} (${oracle.error})`);
      assert.equal(mine.dotPath, oracle.path, c.name);
    } else {
      assert.match(oracle.error, /executable file not found/, c.name);
      assert.deepEqual([mine.path, mine.dotPath], [null, null], c.name);
    }
  }
});

test('lookPath reports every entry as which -a and command -v see the absolute ones', { skip: goSkip }, () => {
  const tree = pathTree();
  const which = run('/usr/bin/which', ['--version']) ?? null;
  for (const c of lookPathCases(tree).filter((x) => x.absolute)) {
    const mine = sysprobe.lookPathSync('go', c.path);
    const all = run('/usr/bin/env', ['-i', `PATH=${c.path}`, '/usr/bin/which', '-a', 'go'], { cwd: tree.cwd });
    if (which !== null) {
      const listed = all.stdout.split('\n').filter(Boolean);
      const found = mine.searched.filter((e) => e.result === 'found').map((e) => e.file);
      // which prints the entry as written joined with '/go'; Go (and lookPath) clean it.
      assert.deepEqual(
        found,
        listed.map((p) => join(p)),
        `${c.name}: which -a`,
      );
    }
    const first = run('/usr/bin/env', ['-i', `PATH=${c.path}`, '/bin/sh', '-c', 'command -v go || true'], { cwd: tree.cwd });
    assert.equal(mine.path ?? '', join(first.stdout.trim() || '.') === '.' ? '' : join(first.stdout.trim()), `${c.name}: command -v`);
  }
  const lexical = sysprobe.lookPathSync('go', `${tree.t}/x/../other:${tree.t}/good`);
  const shell = run('/usr/bin/env', ['-i', `PATH=${tree.t}/x/../other:${tree.t}/good`, '/bin/sh', '-c', 'command -v go'], {
    cwd: tree.cwd,
  });
  assert.deepEqual(
    [lexical.path, shell.stdout.trim()],
    [join(tree.t, 'other', 'go'), join(tree.t, 'good', 'go')],
    'Go and the shell differ here',
  );
  const first = sysprobe.lookPathSync('go', `${tree.t}/missing:${tree.t}/noexec:${tree.t}/dirgo:${tree.t}/good`);
  assert.deepEqual(
    first.searched.map((e) => [e.result, e.code ?? null]),
    [
      ['missing', 'ENOENT'],
      ['not-executable', 'EACCES'],
      ['not-a-file', 'EISDIR'],
      ['found', null],
    ],
  );
  // Without a cwd, relative entries are named, not looked into.
  const unknown = sysprobe.lookPathSync('go', `:rel:${tree.t}/good`);
  assert.deepEqual(
    unknown.searched.slice(0, 2).map((e) => [e.result, e.code]),
    [
      ['empty-entry', 'NOT_CHECKED'],
      ['relative', 'NOT_CHECKED'],
    ],
  );
  // GODEBUG=execerrdot=0 lets Go use the relative hit.
  assert.equal(sysprobe.lookPathSync('go', `rel:${tree.t}/good`, { cwd: tree.cwd, godebug: 'execerrdot=0' }).path, 'rel/go');
  assert.equal(sysprobe.lookPathSync('go', `${tree.t}/good`.repeat(1).concat(':x'.repeat(5000))).truncated, true);
});

test("lookPath applies Windows' rules with platform win32 (PATHEXT, quotes, empty entries skipped)", () => {
  const mine = sysprobe.lookPathSync('go', '"C:\\Program Files\\Go\\bin";;C:\\x', { platform: 'win32', pathext: '.COM;EXE' });
  assert.deepEqual(
    mine.searched.map((e) => [e.dir, e.result]),
    [
      ['C:\\Program Files\\Go\\bin', 'missing'],
      ['', 'empty-entry'],
      ['C:\\x', 'missing'],
    ],
  );
  assert.equal(mine.searched[0].file, 'C:\\Program Files\\Go\\bin\\go.exe');
  assert.equal(mine.path, null);
});

/** go env -json under an environment, with the keys compared. */
const COMPARED = [
  'GOROOT',
  'GOPATH',
  'GOMODCACHE',
  'GOCACHE',
  'GOENV',
  'GOFLAGS',
  'GOPROXY',
  'GOSUMDB',
  'GOPRIVATE',
  'GONOPROXY',
  'GONOSUMDB',
];
const COMPARED_TOO = ['GOINSECURE', 'GOVCS', 'GO111MODULE', 'GOBIN', 'GOEXPERIMENT', 'GOWORK', 'CGO_ENABLED'];
function compareWithGoEnv(env, label) {
  const cwd = fresh('env-cwd');
  const oracle = JSON.parse(goRun(['env', '-json'], env, cwd));
  const mine = sysprobe.probeGoToolchainSync({ env, cwd });
  for (const key of [...COMPARED, ...COMPARED_TOO]) assert.equal(mine.values[key]?.value, oracle[key], `${label}: ${key}`);
  // Go 1.19 has no GOTOOLCHAIN: go env does not print it, and the probe leaves it out for toolchains before 1.21.
  assert.equal('GOTOOLCHAIN' in oracle, false);
  assert.equal(mine.values.GOTOOLCHAIN, undefined, `${label}: GOTOOLCHAIN`);
  assert.equal(mine.goroot.version, oracle.GOVERSION, `${label}: GOVERSION`);
  return { mine, oracle };
}

test('probeGoToolchain resolves what go env -json prints, layer by layer', { skip: goSkip }, async () => {
  const home = fresh('home');
  const base = goEnvFor(home);
  const plain = compareWithGoEnv(base, 'plain');
  assert.equal(plain.mine.go.realPath, '/usr/lib/go-1.19/bin/go');
  assert.deepEqual([plain.mine.goroot.source, plain.mine.derivedGoroot], ['derived', '/usr/lib/go-1.19']);
  assert.deepEqual(
    await sysprobe.probeGoToolchain({ env: base, cwd: plain.mine.go.path }),
    sysprobe.probeGoToolchainSync({ env: base, cwd: plain.mine.go.path }),
  );

  // The real go writes the go env -w file; the probe reads it as go does.
  goRun(['env', '-w', 'GOFLAGS=-mod=mod', 'GOPROXY=off', 'GOPRIVATE=corp.example'], base, home);
  const written = compareWithGoEnv(base, 'go env -w');
  assert.equal(written.mine.goEnvFile.path, join(home, '.config', 'go', 'env'));
  assert.deepEqual(written.mine.values.GOFLAGS, {
    key: 'GOFLAGS',
    value: '-mod=mod',
    source: 'go-env-file',
    file: join(home, '.config', 'go', 'env'),
    overridden: [],
  });
  assert.equal(written.mine.values.GONOPROXY.value, 'corp.example');

  // The process environment beats the file; go env shows the env's value and the probe lists the loser.
  const overridden = compareWithGoEnv({ ...base, GOFLAGS: '-mod=vendor' }, 'env over file');
  assert.deepEqual(overridden.mine.values.GOFLAGS.overridden, [
    { source: 'go-env-file', value: '-mod=mod', file: join(home, '.config', 'go', 'env') },
  ]);
  assert.equal(overridden.mine.values.GOFLAGS.source, 'env');
  // An empty variable does not count as set (cfg.Getenv), so the file wins again.
  assert.equal(compareWithGoEnv({ ...base, GOFLAGS: '' }, 'empty env').mine.values.GOFLAGS.source, 'go-env-file');

  const off = compareWithGoEnv({ ...base, GOENV: 'off' }, 'GOENV=off');
  assert.deepEqual([off.mine.goEnvFile.source, off.mine.goEnvFile.path, off.mine.values.GOFLAGS.source], ['off', null, 'default']);

  // GOENV naming a file, XDG dirs, a GOPATH list, a relative GOCACHE (go says off), GOROOT spelt unclean.
  const custom = join(fresh('goenv'), 'my-env');
  goRun(['env', '-w', 'GOBIN=/opt/gobin'], { ...base, GOENV: custom }, home);
  compareWithGoEnv(
    { ...base, GOENV: custom, XDG_CONFIG_HOME: join(home, 'xdg-config'), XDG_CACHE_HOME: join(home, 'xdg-cache'), GOPATH: '/a/gp:/b/gp' },
    'GOENV file and XDG',
  );
  compareWithGoEnv({ ...base, GOCACHE: 'relative/cache', GOROOT: '/usr/lib/go-1.19/' }, 'relative GOCACHE, GOROOT with a slash');
  // $HOME/go is GOROOT: go/build's default GOPATH is then empty.
  symlinkSync('/usr/lib/go-1.19', join(home, 'go'));
  const rooted = compareWithGoEnv({ ...base, GOROOT: join(home, 'go') }, 'HOME/go is GOROOT');
  assert.deepEqual([rooted.mine.values.GOPATH.value, rooted.mine.values.GOMODCACHE.value], ['', '']);
  compareWithGoEnv({ PATH: '/usr/bin:/bin' }, 'no HOME at all');
});

test('GOROOT from the go env -w file, and a GOROOT that disagrees with the go on PATH', { skip: goSkip }, () => {
  const home = fresh('home-root');
  const base = goEnvFor(home);
  const root = fakeGoroot('go1.22.3', 'GOTOOLCHAIN=local\n');
  goRun(['env', '-w', `GOROOT=${root}`], base, home);
  {
    const mine = sysprobe.probeGoToolchainSync({ env: base });
    assert.deepEqual([mine.goroot.path, mine.goroot.source, mine.goroot.version], [root, 'go-env-file', 'go1.22.3']);
    assert.equal(JSON.parse(goRun(['env', '-json'], base, home)).GOROOT, root);
  }
  // GOROOT in the env names another toolchain than PATH's go: the doctor's mismatch facts.
  const mismatch = sysprobe.probeGoToolchainSync({
    env: { PATH: `${root}/bin:/usr/bin`, HOME: home, GOROOT: '/usr/lib/go-1.19', GOENV: 'off' },
  });
  assert.deepEqual(
    [mismatch.goroot.path, mismatch.goroot.version, mismatch.derivedGoroot, mismatch.derivedVersion],
    ['/usr/lib/go-1.19', 'go1.19.8', root, 'go1.22.3'],
  );
});

/** A GOROOT that looks real to cmd/go's findGOROOT (bin/go, pkg/tool) with a VERSION and a go.env. */
function fakeGoroot(version, goDotEnv) {
  const root = fresh('goroot');
  write(join(root, 'bin', 'go'), '#!/bin/sh\nexit 1\n', 0o755);
  mkdirSync(join(root, 'pkg', 'tool', 'linux_amd64'), { recursive: true });
  write(join(root, 'VERSION'), `${version}\ntime 2024-04-02T20:23:03Z\n`);
  if (goDotEnv !== null) write(join(root, 'go.env'), goDotEnv);
  return root;
}

test('go.env (Go >= 1.21): below the go env -w file, even an empty line there; never GOROOT; not read before 1.21', () => {
  const goDotEnv = '# defaults\nGOPROXY=https://proxy.golang.org,direct\nGOSUMDB=sum.golang.org\nGOTOOLCHAIN=local\nGOROOT=/elsewhere\n';
  const root = fakeGoroot('go1.22.3', goDotEnv);
  const home = fresh('home-dotenv');
  const bin = fresh('bin');
  symlinkSync(join(root, 'bin', 'go'), join(bin, 'go'));
  write(join(home, '.config', 'go', 'env'), 'GOPROXY=off\nGOSUMDB=\n');
  const tc = sysprobe.probeGoToolchainSync({ env: { PATH: bin, HOME: home, GOTOOLCHAIN: 'go1.23.0+auto' } });
  assert.deepEqual([tc.go.path, tc.derivedGoroot, tc.goroot.version], [join(bin, 'go'), root, 'go1.22.3']);
  assert.deepEqual([tc.goDotEnv.path, tc.goDotEnv.applies, tc.goDotEnv.values.GOTOOLCHAIN], [join(root, 'go.env'), true, 'local']);
  assert.deepEqual(tc.values.GOTOOLCHAIN, {
    key: 'GOTOOLCHAIN',
    value: 'go1.23.0+auto',
    source: 'env',
    file: null,
    overridden: [{ source: 'go.env', value: 'local', file: join(root, 'go.env') }],
  });
  assert.deepEqual([tc.values.GOPROXY.value, tc.values.GOPROXY.source], ['off', 'go-env-file']);
  assert.deepEqual(tc.values.GOPROXY.overridden, [], 'go.env is not read for a key the user file names');
  assert.deepEqual([tc.values.GOSUMDB.value, tc.values.GOSUMDB.source], ['', 'default'], 'an empty user line hides go.env');
  assert.equal(tc.values.GOROOT.value, root);

  const old = fakeGoroot('go1.20.14', 'GOTOOLCHAIN=local\nGOFLAGS=-x\n');
  const before = sysprobe.probeGoToolchainSync({ env: { PATH: join(old, 'bin'), HOME: home, GOENV: 'off' } });
  assert.deepEqual([before.goDotEnv.applies, before.values.GOFLAGS.source, before.values.GOTOOLCHAIN], [false, 'default', undefined]);
  assert.equal(before.values.GOPROXY.value, 'https://proxy.golang.org,direct', 'compiled-in default before 1.21');
});

test('the go env file is parsed as cmd/go parses it, and bounded', () => {
  const home = fresh('home-parse');
  write(join(home, '.config', 'go', 'env'), 'GOFLAGS=-a=b=c\r\n# comment=x\nlower=1\n=empty\nGOPROXY="quoted"\nGOFLAGS=-last\nNOEQUALS\n');
  const tc = sysprobe.probeGoToolchainSync({ env: { HOME: home, PATH: '' } });
  assert.deepEqual({ ...tc.goEnvFile.values }, { GOFLAGS: '-last', GOPROXY: '"quoted"' });
  write(join(home, '.config', 'go', 'env'), `GOFLAGS=${'x'.repeat(1 << 20)}\n`);
  const big = sysprobe.probeGoToolchainSync({ env: { HOME: home, PATH: '' } });
  assert.deepEqual([big.goEnvFile.exists, big.goEnvFile.error, big.values.GOFLAGS.source], [true, 'ERR_SYSPROBE_TOO_LARGE', 'default']);
  assert.throws(() => sysprobe.probeGoToolchainSync({}), { code: 'ERR_SYSPROBE_INVALID_ARG' });
});

test('readGoMod agrees with go mod edit -json; toolchain and godebug lines as x/mod reads them', { skip: goSkip }, async () => {
  const dir = fresh('mod');
  const text =
    '// a module\nmodule "example.com/m" // quoted\n\ngo 1.19\n\nrequire (\n\tgolang.org/x/mod v0.8.0 // indirect\n\texample.com/b v1.0.0\n)\n';
  write(join(dir, 'go.mod'), text);
  const oracle = JSON.parse(goRun(['mod', 'edit', '-json'], goEnvFor(fresh('h')), dir));
  const mine = await sysprobe.readGoMod(join(dir, 'go.mod'));
  assert.deepEqual([mine.module, mine.go, mine.toolchain, mine.godebug], [oracle.Module.Path, oracle.Go, null, []]);
  assert.deepEqual(sysprobe.readGoModSync(join(dir, 'go.mod')), mine);

  const newer = join(fresh('mod2'), 'go.mod');
  write(newer, 'module m\ngo 1.22\ntoolchain go1.22.3\ngodebug winsymlink=0\ngodebug (\n\tpanicnil=1 // why\n\t"x509sha1=1"\n)\n');
  assert.deepEqual(sysprobe.readGoModSync(newer), {
    path: newer,
    module: 'm',
    go: '1.22',
    toolchain: 'go1.22.3',
    godebug: [
      { key: 'winsymlink', value: '0' },
      { key: 'panicnil', value: '1' },
      { key: 'x509sha1', value: '1' },
    ],
  });
  write(newer, 'module m\ngo 1.22\nrequire (\n');
  assert.match(sysprobe.readGoModSync(newer).error, /unterminated require block/);
  assert.equal(sysprobe.readGoModSync(newer).go, '1.22');
  assert.throws(() => sysprobe.readGoModSync(join(dir, 'absent', 'go.mod')), { code: 'ENOENT', syscall: 'open' });
  await assert.rejects(sysprobe.readGoMod(dir), { code: 'EISDIR' });
});

test('findGoModules finds the go.mod and go.work go env GOMOD/GOWORK name', { skip: goSkip }, async () => {
  const ws = fresh('ws');
  write(join(ws, 'go.work'), 'go 1.19\n\nuse (\n\t./a\n\t./b // second\n)\n');
  write(join(ws, 'a', 'go.mod'), 'module example.com/a\n\ngo 1.19\n');
  write(join(ws, 'b', 'go.mod'), 'module example.com/b\n\ngo 1.19\n');
  mkdirSync(join(ws, 'a', 'sub', 'deeper'), { recursive: true });
  const env = goEnvFor(fresh('h'));
  const where = join(ws, 'a', 'sub', 'deeper');
  for (const extra of [{}, { GOWORK: 'off' }, { GOWORK: join(ws, 'go.work') }]) {
    const [gomod, gowork] = goRun(['env', 'GOMOD', 'GOWORK'], { ...env, ...extra }, where)
      .trim()
      .split('\n');
    const mine = await sysprobe.findGoModules(where, { ...env, ...extra });
    assert.deepEqual(sysprobe.findGoModulesSync(where, { ...env, ...extra }), mine);
    assert.equal(mine.goMod?.path, gomod, JSON.stringify(extra));
    assert.equal(mine.goWork.source === 'off' ? 'off' : (mine.goWork.path ?? ''), gowork, JSON.stringify(extra));
  }
  const work = JSON.parse(goRun(['work', 'edit', '-json'], env, ws));
  const mine = sysprobe.findGoModulesSync(where, env);
  assert.deepEqual([mine.goWork.source, mine.goWork.go, mine.goWork.use], ['found', work.Go, work.Use.map((u) => u.DiskPath)]);
  assert.equal(mine.goMod.module, 'example.com/a');
  // No go.work above GOROOT's parent: the search stops before entering GOROOT.
  assert.equal(sysprobe.findGoModulesSync(join(ws, 'a'), {}, { goroot: ws }).goWork.source, 'none');
  assert.match(sysprobe.findGoModulesSync(where, { GOWORK: 'rel.work' }).goWork.error, /absolute/);
});

test('the Go probes start no process (strace -f)', {
  skip: skipUnless(run('strace', ['-V'])?.status === 0, 'strace not installed'),
}, () => {
  const log = join(fresh('strace'), 'trace');
  const script = `const s = require('./dist/index.js');
    (async () => { s.probeGoToolchainSync({ env: process.env }); await s.probeGoToolchain({ env: process.env });
    s.lookPathSync('go', process.env.PATH); await s.findGoModules(process.cwd(), process.env);
    s.probeVscodeSettingsSync({ home: process.env.HOME, workspace: process.cwd() }); })();`;
  const result = run('strace', ['-f', '-qq', '-o', log, '-e', 'trace=execve,execveat,fork,vfork', process.execPath, '-e', script], {
    cwd: root,
  });
  assert.equal(result.status, 0, result.stderr);
  const calls = readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => /\b(execve|execveat|v?fork)\(/.test(l));
  assert.equal(calls.length, 1, `only node's own execve expected:\n${calls.join('\n')}`);
});
