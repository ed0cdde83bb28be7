// Each failure the doctor names, made to happen for real (test/doctor-scenarios.mjs: a Debian gopls under
// env -i, under a parent's prlimit, in a memory cgroup, behind a junction planted on an ntfs-3g volume, a
// trixie binary on this glibc, a go env -w file overridden, a settings.json naming nothing, a full
// GOMODCACHE) — and the doctor must name the cause, and say ok on the healthy twin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as sysprobe from '../dist/index.js';
import { run } from './helpers.mjs';
import { assertValidReport, checkOf, line } from './doctor-helpers.mjs';
import * as scenarios from './doctor-scenarios.mjs';

/** Runs the scenario, skips visibly when the machine cannot make it, always cleans up. */
async function withScenario(t, make, body) {
  const made = await make();
  if (made.skip) {
    t.skip(made.skip);
    return;
  }
  try {
    await body(made);
  } finally {
    await made.cleanup?.();
  }
}

async function diagnose(options) {
  return assertValidReport(await sysprobe.doctor({ for: 'go', ...options }));
}

test('go-env-path: gopls started as from a desktop icon, without go on its PATH, next to a shell that has it', async (t) => {
  await withScenario(t, scenarios.goplsWithoutGo, async (s) => {
    const broken = checkOf(await diagnose({ pid: s.goplsPid, shellPid: s.shellPid }), 'go-env-path');
    assert.equal(broken.status, 'error', line(broken));
    assert.ok(broken.message.includes(`PATH=${s.toolPath}`), line(broken));
    assert.ok(broken.message.includes(join(s.goDir, 'go').replace(s.home, '~')), line(broken));
    assert.ok(
      broken.fix.some((f) => f.setting === 'go.alternateTools'),
      JSON.stringify(broken.fix),
    );
    // The oracle: a shell under each PATH.
    const toolShell = run('/usr/bin/env', ['-i', `PATH=${s.toolPath}`, '/bin/sh', '-c', 'command -v go']);
    assert.notEqual(toolShell.status, 0);
    assert.equal(toolShell.stdout, '');
    assert.equal(run('/usr/bin/env', ['-i', `PATH=${s.shellPath}`, '/bin/sh', '-c', 'command -v go']).stdout.trim(), join(s.goDir, 'go'));
    const healthy = checkOf(await diagnose({ pid: s.healthy.goplsPid, shellPid: s.shellPid }), 'go-env-path');
    assert.equal(healthy.status, 'ok', line(healthy));
  });
});

test('mem-as and mem-data: the shell that starts gopls is limited below the Go runtime floor, and its stderr fed to --log', async (t) => {
  await withScenario(t, scenarios.goplsUnderAs, async (s) => {
    assert.notEqual(s.exitStatus, 0, 'gopls really died under the limit');
    const report = await diagnose({ pid: s.parentPid, log: s.log });
    const as = checkOf(report, 'mem-as');
    assert.equal(as.status, 'error', line(as));
    assert.match(as.message, /failed to reserve page summary memory/);
    assert.ok(
      as.signatures?.some((sig) => sig.id === 'go-page-summary'),
      JSON.stringify(as.signatures),
    );
    // The log alone, with no limited process to look at: the log's evidence is still named.
    const logOnly = checkOf(await diagnose({ log: s.log }), 'mem-as');
    assert.equal(logOnly.status, 'warning', line(logOnly));
    const healthy = checkOf(await diagnose({ pid: s.healthy.parentPid }), 'mem-as');
    assert.equal(healthy.status, 'ok', line(healthy));
    const goplsItself = checkOf(await diagnose({ pid: s.healthy.goplsPid }), 'mem-as');
    assert.equal(goplsItself.status, 'ok', line(goplsItself));
  });
  await withScenario(t, scenarios.goplsUnderData, async (s) => {
    assert.notEqual(s.exitStatus, 0);
    const data = checkOf(await diagnose({ pid: s.parentPid, log: s.log }), 'mem-data');
    assert.equal(data.status, 'error', line(data));
    assert.equal(checkOf(await diagnose({ pid: s.healthy.parentPid }), 'mem-data').status, 'ok');
  });
});

test('mem-cgroup: a process in a memory cgroup with little room is named; the unlimited twin is ok', async (t) => {
  await withScenario(
    t,
    () => scenarios.cgroupLimited(32 * 1024 * 1024),
    async (s) => {
      const tight = checkOf(await diagnose({ pid: s.pid }), 'mem-cgroup');
      assert.equal(tight.status, 'error', line(tight));
      assert.match(tight.message, /32 MiB/);
      assert.equal(checkOf(await diagnose({ pid: s.healthy.pid }), 'mem-cgroup').status, 'ok');
    },
  );
  await withScenario(
    t,
    () => scenarios.cgroupLimited(256 * 1024 * 1024),
    async (s) => {
      const small = checkOf(await diagnose({ pid: s.pid }), 'mem-cgroup');
      assert.equal(small.status, 'warning', line(small));
      assert.match(small.message, /256 MiB/);
    },
  );
});

/** Trixie's dlv (go1.24, DefaultGODEBUG winsymlink=0), unpacked by scripts/fetch-debian-go.sh. */
const trixieDlv = join(scenarios.goDebs, 'trixie', 'delve', 'usr', 'bin', 'dlv');

test("fs-reparse: a GOROOT behind a junction on an ntfs-3g volume, with the verdict for the tool's Go version", async (t) => {
  await withScenario(t, scenarios.gorootBehindJunction, async (s) => {
    const started = [];
    const start = (command, args, env) => {
      const child = scenarios.startAlive(command, args, { env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent-home', ...env } });
      started.push(child);
      return child.pid;
    };
    const reparse = async (command, args, env) => {
      const pid = start(command, args, env);
      await scenarios.waitForExec(pid, command);
      return checkOf(await diagnose({ pid }), 'fs-reparse');
    };
    try {
      // Debian's gopls (go1.19) reads the junction as a symlink and follows it; a Go >= 1.23 build would fail.
      const old = await reparse(scenarios.HOST_GOPLS, ['serve'], { GOROOT: s.goroot });
      assert.equal(old.status, 'warning', line(old));
      assert.ok(old.message.includes(s.junctionPath), line(old));
      assert.match(old.message, /go1\.19\.\d+ with winsymlink=0/);
      if (existsSync(trixieDlv)) {
        // go1.24, but its module's go line bakes winsymlink=0 into DefaultGODEBUG: still the old reading.
        const baked = await reparse(trixieDlv, ['dap', '--listen', '127.0.0.1:0'], { GOROOT: s.goroot });
        assert.equal(baked.status, 'warning', line(baked));
        assert.ok(
          baked.facts.some((f) => f.name === 'winsymlink' && f.value === '0' && /DefaultGODEBUG/.test(f.source)),
          JSON.stringify(baked.facts),
        );
        // GODEBUG=winsymlink=1 in its environment: Go 1.23's reading, and the walk below the junction fails.
        const failing = await reparse(trixieDlv, ['dap', '--listen', '127.0.0.1:0'], { GOROOT: s.goroot, GODEBUG: 'winsymlink=1' });
        assert.equal(failing.status, 'error', line(failing));
        assert.match(failing.message, /go1\.24\.\d+ with winsymlink=1 sees it as .*not a directory/);
      } else {
        t.diagnostic(`no trixie dlv in ${scenarios.goDebs} (scripts/fetch-debian-go.sh): the Go 1.24 verdicts are not reproduced`);
      }
      const plain = await reparse(scenarios.HOST_GOPLS, ['serve'], { GOROOT: s.healthy.goroot });
      assert.equal(plain.status, 'ok', line(plain));
    } finally {
      for (const child of started) await child.stop();
    }
  });
});

test('libc-compat: a binary of a newer Debian release on this glibc, with the symbols that raise the floor', async (t) => {
  await withScenario(t, scenarios.newerDebianBinary, async (s) => {
    const check = checkOf(await diagnose({ binaries: [s.path] }), 'libc-compat');
    assert.equal(check.status, 'error', line(check));
    // The oracle: the real loader's words, and readelf's symbol versions.
    const loaderVersion = /version `(GLIBC_[\d.]+)' not found/.exec(s.stderr)?.[1];
    assert.ok(loaderVersion, s.stderr);
    assert.ok(check.message.includes(loaderVersion), line(check));
    const syms = run('readelf', ['--dyn-syms', '--wide', s.path]).stdout;
    const named = [...check.message.matchAll(/([\w.]+)@(GLIBC_[\d.]+)/g)];
    assert.ok(named.length > 0, line(check));
    for (const [, symbol, version] of named) assert.ok(syms.includes(`${symbol}@${version}`), `${symbol}@${version} is in readelf's table`);
    assert.equal(checkOf(await diagnose({ binaries: [s.healthy.path] }), 'libc-compat').status, 'ok');
  });
});

test('go-env-file: a go env -w setting overridden by the environment the process got', async (t) => {
  await withScenario(t, scenarios.goEnvFileOverridden, async (s) => {
    const check = checkOf(await diagnose({ pid: s.pid }), 'go-env-file');
    assert.equal(check.status, 'warning', line(check));
    assert.ok(check.message.includes(`GOFLAGS=${s.fileValue}`) && check.message.includes(`GOFLAGS=${s.envValue}`), line(check));
    // The oracle: go itself, under the same environment, takes the environment's value.
    const go = run(join(scenarios.HOST_GOROOT, 'bin', 'go'), ['env', 'GOFLAGS'], {
      env: { PATH: '/usr/bin:/bin', HOME: s.home, GOFLAGS: s.envValue },
    });
    assert.equal(go.stdout.trim(), s.envValue);
    assert.equal(checkOf(await diagnose({ pid: s.healthy.pid }), 'go-env-file').status, 'ok');
  });
});

test('go-settings: a user settings.json whose go.goroot names a missing folder', async (t) => {
  await withScenario(t, scenarios.settingsGorootMissing, async (s) => {
    const check = checkOf(await diagnose({ home: s.home }), 'go-settings');
    assert.equal(check.status, 'error', line(check));
    assert.ok(check.message.includes(s.goroot), line(check));
    assert.equal(checkOf(await diagnose({ home: s.healthy.home }), 'go-settings').status, 'ok');
  });
});

test('go-cache: GOMODCACHE on a full small file system; the twin with room is ok', async (t) => {
  await withScenario(t, scenarios.fullModCache, async (s) => {
    const child = scenarios.startAlive('/usr/bin/sleep', ['100000'], {
      env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent-home', GOMODCACHE: s.gomodcache },
    });
    const roomy = mkdtempSync(join(tmpdir(), 'sysprobe-roomy-'));
    const twin = scenarios.startAlive('/usr/bin/sleep', ['100000'], {
      env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent-home', GOMODCACHE: roomy },
    });
    try {
      const check = checkOf(await diagnose({ pid: child.pid }), 'go-cache');
      assert.equal(check.status, 'error', line(check));
      assert.ok(check.message.includes(`GOMODCACHE ${s.gomodcache}`), line(check));
      assert.match(check.message, /no space left on device/);
      const ok = checkOf(await diagnose({ pid: twin.pid }), 'go-cache');
      assert.equal(ok.status, 'ok', line(ok));
    } finally {
      await child.stop();
      await twin.stop();
      rmSync(roomy, { recursive: true, force: true });
    }
  });
});

test("vscode-server: an installed server whose node needs a newer glibc than this host's, and one whose node loads", async (t) => {
  await withScenario(t, scenarios.newerDebianBinary, async (s) => {
    const home = mkdtempSync(join(tmpdir(), 'sysprobe-vscode-home-'));
    try {
      const serverNode = (name) => join(home, '.vscode-server', 'bin', name, 'node');
      const plant = (name, from) => {
        mkdirSync(dirname(serverNode(name)), { recursive: true });
        copyFileSync(from, serverNode(name));
        chmodSync(serverNode(name), 0o755);
      };
      plant('0123456789abcdef', s.path);
      const broken = checkOf(assertValidReport(await sysprobe.doctor({ home, for: 'vscode-server' })), 'vscode-server');
      assert.equal(broken.status, 'error', line(broken));
      assert.ok(broken.message.includes(serverNode('0123456789abcdef').replace(home, '~')), line(broken));
      assert.match(broken.message, /GLIBC_2\.38/);
      // The oracle: the real loader refuses that file.
      assert.match(run(serverNode('0123456789abcdef'), ['--version']).stderr, /GLIBC_2\.38' not found/);
      rmSync(join(home, '.vscode-server'), { recursive: true });
      plant('fedcba9876543210', process.execPath);
      const healthy = checkOf(assertValidReport(await sysprobe.doctor({ home, for: 'vscode-server' })), 'vscode-server');
      assert.equal(healthy.status, 'ok', line(healthy));
      assert.match(healthy.message, /installed server's node loads/);
      assert.equal(run(serverNode('fedcba9876543210'), ['-e', '0']).status, 0);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

test("go-bin-version: Debian's gopls (go1.19) running in a module that says go 1.22.1, and in one that says go 1.19", async (t) => {
  if (!existsSync(scenarios.HOST_GOPLS)) return t.skip('needs Debian gopls (apt-get install gopls)');
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-gbv-'));
  const started = [];
  try {
    const module = (name, go) => {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'go.mod'), `module example.com/${name}\n\ngo ${go}\n`);
      writeFileSync(join(dir, name, 'main.go'), 'package main\n\nfunc main() {}\n');
      return join(dir, name);
    };
    const env = { PATH: '/usr/lib/go-1.19/bin:/usr/bin:/bin', HOME: dir, GOCACHE: join(dir, 'cache'), GOPATH: join(dir, 'gopath') };
    const newer = module('newer', '1.22.1');
    // The oracle: the same gopls refuses the module.
    const check = run(scenarios.HOST_GOPLS, ['check', 'main.go'], { cwd: newer, env });
    assert.notEqual(check.status, 0);
    assert.match(check.stderr, /invalid go version '1\.22\.1'/);
    writeFileSync(join(dir, 'gopls.log'), check.stderr);
    const serve = async (cwd) => {
      const child = spawn(scenarios.HOST_GOPLS, ['serve'], { cwd, env, stdio: ['pipe', 'ignore', 'ignore'] });
      started.push(child);
      await scenarios.waitForExec(child.pid, scenarios.HOST_GOPLS);
      return child.pid;
    };
    const broken = assertValidReport(await sysprobe.doctor({ pid: await serve(newer), log: join(dir, 'gopls.log'), for: 'go' }));
    const verdict = checkOf(broken, 'go-bin-version');
    assert.equal(verdict.status, 'error', line(verdict));
    assert.match(verdict.message, /built with go1\.19\.\d+; .*go 1\.22\.1/);
    assert.ok(
      verdict.signatures?.some((s) => s.id === 'go-invalid-version'),
      JSON.stringify(verdict.signatures),
    );
    const healthy = checkOf(await diagnose({ pid: await serve(module('same', '1.19')) }), 'go-bin-version');
    assert.equal(healthy.status, 'ok', line(healthy));
  } finally {
    for (const child of started) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
