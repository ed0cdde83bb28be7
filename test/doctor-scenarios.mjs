// Real failures for the doctor's tests, each with its healthy twin. Every function CREATES the situation
// with the real tools (Debian's gopls and go, prlimit, a memory cgroup, an ntfs-3g volume, a trixie binary,
// a full tmpfs) and returns what a test needs plus cleanup(). When the machine cannot make a scenario
// (not root, no FUSE, no network for the download) it returns { skip: 'reason' } instead.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { junction } from './reparse-buffers.mjs';

const MiB = 1024 * 1024;
export const goDebs = process.env.SYSPROBE_GO_DEBS ?? '/var/cache/sysprobe-test/go-debs';
export const HOST_GOROOT = '/usr/lib/go-1.19';
export const HOST_GOPLS = '/usr/bin/gopls';
/** A start-floor measurement (docs/doctor-floors.md) put gopls 0.5.0's --as floor at ~765 MiB, --data ~92 MiB. */
export const BELOW_GOPLS_AS = 512 * MiB;
export const BELOW_GOPLS_DATA = 32 * MiB;

const isRoot = process.getuid?.() === 0;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const tool = (name) => [`/usr/bin/${name}`, `/usr/sbin/${name}`, `/sbin/${name}`, `/bin/${name}`].find((p) => existsSync(p)) ?? null;
const sync = (command, args, options = {}) => spawnSync(command, args, { encoding: 'utf8', timeout: 60_000, ...options });

/** Starts a long-lived process whose stdin is a pipe that stays open; returns { child, pid, stop }. */
export function startAlive(command, args, { env, stderrFile, cwd } = {}) {
  const child = spawn(command, args, { env, cwd, stdio: ['pipe', 'ignore', stderrFile ? 'pipe' : 'ignore'] });
  if (stderrFile) {
    const chunks = [];
    child.stderr.on('data', (chunk) => {
      chunks.push(chunk);
      writeFileSync(stderrFile, Buffer.concat(chunks));
    });
  }
  child.on('error', () => {});
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  return { child, pid: child.pid, stop };
}

/** Resolves once /proc/PID/exe names `exePath` (the exec of env/prlimit has happened), or rejects. */
export async function waitForExec(pid, exePath, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmdline[0] === exePath) return;
    } catch {
      throw new Error(`process ${pid} exited before it exec'd ${exePath}`);
    }
    if (Date.now() > deadline) throw new Error(`process ${pid} did not exec ${exePath}`);
    await sleep(20);
  }
}

async function waitForFile(path, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path) || readFileSync(path, 'utf8').trim() === '') {
    if (Date.now() > deadline) throw new Error(`${path} did not appear`);
    await sleep(25);
  }
  return readFileSync(path, 'utf8').trim();
}

function cleanups(list) {
  return async () => {
    for (const step of list.reverse()) {
      try {
        await step();
      } catch {
        // cleanup goes on with the next step
      }
    }
  };
}

/**
 * gopls as a desktop-launched editor starts it: with a launcher's PATH on which there is no `go`, while
 * the user's shell has the SDK's bin first. Layout (this is Debian, where /bin is /usr/bin and
 * /usr/bin/go exists): `go` only in `<home>/sdk/go/bin` (a symlink to the host GOROOT, as a user-unpacked
 * SDK), gopls copied to `<home>/go/bin` (where `go install` puts it); the tool's PATH is
 * `<home>/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/sbin`, a launcher PATH without /usr/bin.
 * The shell is a real `bash --norc --noprofile -i` whose PATH starts with the SDK's bin.
 * @returns {{ goplsPid, shellPid, goDir, toolPath, shellPath, home, healthy: { goplsPid, toolPath }, cleanup }}
 */
export async function goplsWithoutGo() {
  if (!existsSync(HOST_GOPLS) || !existsSync(join(HOST_GOROOT, 'bin/go')))
    return { skip: 'needs Debian gopls and golang-go (apt-get install gopls golang-go)' };
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-scn-path-'));
  const home = join(dir, 'home');
  const sdk = join(home, 'sdk');
  const userBin = join(home, 'go', 'bin');
  mkdirSync(sdk, { recursive: true });
  mkdirSync(userBin, { recursive: true });
  sync('ln', ['-s', HOST_GOROOT, join(sdk, 'go')]);
  copyFileSync(HOST_GOPLS, join(userBin, 'gopls'));
  sync('chmod', ['755', join(userBin, 'gopls')]);
  const goDir = join(sdk, 'go', 'bin');
  const launcherPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/sbin';
  const toolPath = `${userBin}:${launcherPath}`;
  const shellPath = `${goDir}:${userBin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
  const steps = [() => rmSync(dir, { recursive: true, force: true })];
  const gopls = join(userBin, 'gopls');
  const start = async (path) => {
    const started = startAlive('/usr/bin/env', ['-i', `PATH=${path}`, `HOME=${home}`, gopls, 'serve'], { cwd: home });
    steps.push(started.stop);
    await waitForExec(started.pid, gopls);
    return started.pid;
  };
  const shell = startAlive(
    '/usr/bin/env',
    ['-i', `PATH=${shellPath}`, `HOME=${home}`, 'TERM=dumb', '/usr/bin/bash', '--norc', '--noprofile', '-i'],
    {
      cwd: home,
    },
  );
  steps.push(shell.stop);
  await waitForExec(shell.pid, '/usr/bin/bash');
  const goplsPid = await start(toolPath);
  const healthyPid = await start(shellPath);
  return {
    goplsPid,
    shellPid: shell.pid,
    goDir,
    toolPath,
    shellPath,
    home,
    healthy: { goplsPid: healthyPid, toolPath: shellPath },
    cleanup: cleanups(steps),
  };
}

/**
 * gopls started by a parent that carries a memory rlimit below gopls's floor: a real bash limited with
 * `prlimit --pid` (the editor or shell "that will start it") starts `gopls serve`, which dies at start
 * with the Go runtime's stderr, captured in `log` (the `--log` case). The healthy twin: an unlimited bash
 * whose gopls is alive.
 * @param {'as'|'data'} resource
 * @returns {{ parentPid, limitBytes, resource, log, exitStatus, stderr, healthy: { parentPid, goplsPid, log }, cleanup }}
 */
export async function goplsUnderLimit(resource, limitBytes) {
  if (!existsSync(HOST_GOPLS)) return { skip: 'needs Debian gopls (apt-get install gopls)' };
  if (!tool('prlimit')) return { skip: 'needs util-linux prlimit' };
  const dir = mkdtempSync(join(tmpdir(), `sysprobe-scn-${resource}-`));
  const steps = [() => rmSync(dir, { recursive: true, force: true })];
  const env = { PATH: `${HOST_GOROOT}/bin:/usr/bin:/bin`, HOME: dir };
  const bash = (name) => {
    const started = startAlive('/usr/bin/bash', ['--norc', '--noprofile'], { env, cwd: dir });
    steps.push(started.stop);
    return started;
  };
  const limited = bash('limited');
  const set = sync(tool('prlimit'), ['--pid', String(limited.pid), `--${resource}=${limitBytes}:${limitBytes}`]);
  if (set.status !== 0) {
    await cleanups(steps)();
    return { skip: `prlimit --pid failed: ${set.stderr.trim()}` };
  }
  const log = join(dir, 'gopls-limited.log');
  const statusFile = join(dir, 'gopls-limited.status');
  limited.child.stdin.write(`${HOST_GOPLS} serve </dev/null 2>${log}; echo $? >${statusFile}\n`);
  const exitStatus = Number(await waitForFile(statusFile));
  const healthyShell = bash('healthy');
  const healthyLog = join(dir, 'gopls-healthy.log');
  const pidFile = join(dir, 'gopls-healthy.pid');
  // A background job of a shell without job control reads /dev/null (gopls serve would see EOF and
  // exit); 0<&0 gives it the shell's own stdin, the pipe this process keeps open.
  healthyShell.child.stdin.write(`${HOST_GOPLS} serve 0<&0 2>${healthyLog} & echo $! >${pidFile}\n`);
  const goplsPid = Number(await waitForFile(pidFile));
  steps.push(() => process.kill(goplsPid, 'SIGKILL'));
  await waitForExec(goplsPid, HOST_GOPLS);
  return {
    parentPid: limited.pid,
    limitBytes,
    resource,
    log,
    exitStatus,
    stderr: readFileSync(log, 'utf8'),
    healthy: { parentPid: healthyShell.pid, goplsPid, log: healthyLog },
    cleanup: cleanups(steps),
  };
}

/** {@link goplsUnderLimit} for RLIMIT_AS (default: 512 MiB, below gopls 0.5.0's measured ~765 MiB). */
export const goplsUnderAs = (limitBytes = BELOW_GOPLS_AS) => goplsUnderLimit('as', limitBytes);
/** {@link goplsUnderLimit} for RLIMIT_DATA (default: 32 MiB, below the measured ~92 MiB). */
export const goplsUnderData = (limitBytes = BELOW_GOPLS_DATA) => goplsUnderLimit('data', limitBytes);

/** This process's cgroup: { version: 1, dir } under the v1 memory hierarchy, { version: 2, dir }, or null. */
function ownMemoryCgroup() {
  const lines = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
  for (const line of lines) {
    const [, controllers, path] = line.split(':');
    if (controllers?.split(',').includes('memory') && existsSync('/sys/fs/cgroup/memory')) {
      return { version: 1, dir: join('/sys/fs/cgroup/memory', path ?? '/') };
    }
  }
  const unified = lines.find((line) => line.startsWith('0::'));
  if (unified && existsSync('/sys/fs/cgroup/cgroup.controllers')) return { version: 2, dir: join('/sys/fs/cgroup', unified.slice(3)) };
  return null;
}

/**
 * A real process (`sleep`) in a child memory cgroup of this one, limited to `maxBytes`
 * (cgroup v1 memory.limit_in_bytes, or v2 memory.max). Healthy twin: a sleep in this process's cgroup.
 * @returns {{ pid, version, cgroupDir, limitFile, maxBytes, healthy: { pid }, cleanup }} or { skip }
 */
export async function cgroupLimited(maxBytes = 256 * MiB) {
  const own = ownMemoryCgroup();
  if (own === null) return { skip: 'no memory cgroup hierarchy' };
  const cgroupDir = join(own.dir, `sysprobe-scenario-${process.pid}-${Date.now()}`);
  const limitFile = join(cgroupDir, own.version === 1 ? 'memory.limit_in_bytes' : 'memory.max');
  try {
    mkdirSync(cgroupDir);
  } catch (error) {
    return { skip: `cannot create a child cgroup under ${own.dir}: ${error.code}` };
  }
  // A cgroup directory is removed with rmdir(2) once empty (cleanup kills the processes first).
  const steps = [() => sync('rmdir', [cgroupDir])];
  try {
    writeFileSync(limitFile, String(maxBytes));
  } catch (error) {
    await cleanups(steps)();
    return { skip: `cannot write ${limitFile}: ${error.code}` };
  }
  const limited = startAlive('/usr/bin/sleep', ['100000']);
  steps.push(limited.stop);
  const healthy = startAlive('/usr/bin/sleep', ['100000']);
  steps.push(healthy.stop);
  try {
    writeFileSync(join(cgroupDir, 'cgroup.procs'), String(limited.pid));
  } catch (error) {
    await cleanups(steps)();
    return { skip: `cannot move a process into ${cgroupDir}: ${error.code}` };
  }
  return {
    pid: limited.pid,
    version: own.version,
    cgroupDir,
    limitFile,
    maxBytes,
    healthy: { pid: healthy.pid },
    cleanup: cleanups(steps),
  };
}

function unmountFuse(mnt) {
  for (const [command, args] of [
    ['fusermount3', ['-u', mnt]],
    ['fusermount', ['-u', mnt]],
    ['umount', [mnt]],
    ['umount', ['-l', mnt]],
  ]) {
    const result = sync(command, args);
    if (!result.error && result.status === 0) return;
  }
}

/**
 * A GOROOT whose path goes through an NTFS junction mid-path: `<mnt>/sdk` is a junction (reparse tag
 * 0xA0000003, substitute name `\??\C:\real-sdk`) whose target `<mnt>/real-sdk/go` holds a small GOROOT
 * (VERSION + bin/go copied from the host). GOROOT = `<mnt>/sdk/go`. The twin: `<mnt>/plain-sdk/go`, the
 * same GOROOT under a plain directory. The volume is an mkntfs image mounted with ntfs-3g, unmounted and
 * mounted again after planting (so what is read is on disk). ntfs-3g shows the junction as a symlink.
 * @returns {{ mnt, image, goroot, junctionPath, junctionTarget, substituteName, healthy: { goroot }, cleanup }}
 */
export async function gorootBehindJunction() {
  const missing = ['mkntfs', 'ntfs-3g', 'setfattr'].filter((name) => tool(name) === null);
  if (missing.length > 0) return { skip: `${missing.join(', ')} not installed (apt-get install ntfs-3g attr)` };
  if (!existsSync('/dev/fuse')) return { skip: 'no /dev/fuse (FUSE is not available)' };
  if (!isRoot) return { skip: 'mounting an ntfs-3g image needs root' };
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-scn-ntfs-'));
  const image = join(dir, 'volume.img');
  const mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  const steps = [() => rmSync(dir, { recursive: true, force: true })];
  const fail = async (why) => {
    await cleanups(steps)();
    return { skip: why };
  };
  sync('truncate', ['-s', '96M', image]);
  const made = sync(tool('mkntfs'), ['-F', '-f', '-q', '-L', 'sysprobe-go', image]);
  if (made.status !== 0) return fail(`mkntfs failed: ${made.stderr.trim()}`);
  const mount = () => sync(tool('ntfs-3g'), [image, mnt]);
  let mounted = mount();
  if (mounted.status !== 0) return fail(`ntfs-3g could not mount the image: ${mounted.stderr.trim()}`);
  steps.push(() => unmountFuse(mnt));
  const version = readFileSync(join(HOST_GOROOT, 'VERSION'), 'utf8');
  for (const parent of ['real-sdk', 'plain-sdk']) {
    mkdirSync(join(mnt, parent, 'go', 'bin'), { recursive: true });
    writeFileSync(join(mnt, parent, 'go', 'VERSION'), version);
    copyFileSync(join(HOST_GOROOT, 'bin', 'go'), join(mnt, parent, 'go', 'bin', 'go'));
  }
  const junctionPath = join(mnt, 'sdk');
  const substituteName = '\\??\\C:\\real-sdk';
  mkdirSync(junctionPath);
  const set = sync(tool('setfattr'), [
    '-h',
    '-n',
    'system.ntfs_reparse_data',
    '-v',
    `0x${junction(substituteName, 'C:\\real-sdk').toString('hex')}`,
    junctionPath,
  ]);
  if (set.status !== 0) return fail(`setfattr failed: ${set.stderr.trim()}`);
  unmountFuse(mnt);
  mounted = mount();
  if (mounted.status !== 0) return fail(`ntfs-3g could not mount the image again: ${mounted.stderr.trim()}`);
  return {
    mnt,
    image,
    goroot: join(junctionPath, 'go'),
    junctionPath,
    junctionTarget: join(mnt, 'real-sdk'),
    substituteName,
    healthy: { goroot: join(mnt, 'plain-sdk', 'go') },
    cleanup: cleanups(steps),
  };
}

/** Trixie's coreutils, unpacked by scripts/fetch-debian-go.sh. */
const trixieCoreutils = () => join(goDebs, 'trixie', 'coreutils');

/** The highest GLIBC_x.y a file's version needs name, read with readelf -V (binutils). */
function highestGlibcNeed(path) {
  const result = sync('readelf', ['-V', '--wide', path]);
  if (result.status !== 0) return null;
  const versions = [...result.stdout.matchAll(/Name: GLIBC_(\d+)\.(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
  versions.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const top = versions.at(-1);
  return top ? `GLIBC_${top[0]}.${top[1]}` : null;
}

/** The host glibc's version, as its loader says it (`ld.so --version`), e.g. '2.36'. */
function hostGlibc() {
  const result = sync('/lib64/ld-linux-x86-64.so.2', ['--version']);
  return /version (\d+\.\d+)/.exec(result.stdout ?? '')?.[1] ?? null;
}

/**
 * A binary from a newer Debian release (trixie's coreutils) that needs a glibc symbol version this host
 * lacks: the smallest one whose needs exceed the host's glibc, run once so the loader's real error is kept.
 * @returns {{ path, needs, hostGlibc, status, stderr, healthy: { path } }} or { skip }
 */
export async function newerDebianBinary() {
  if (process.platform !== 'linux' || process.arch !== 'x64') return { skip: 'the trixie package is amd64' };
  const bin = join(trixieCoreutils(), 'usr', 'bin');
  if (!existsSync(bin)) return { skip: `trixie coreutils not in ${goDebs} (run scripts/fetch-debian-go.sh; needs the network)` };
  const host = hostGlibc();
  if (host === null) return { skip: 'cannot tell the host glibc version' };
  const newer = (need) => {
    const [major, minor] = need.slice('GLIBC_'.length).split('.').map(Number);
    const [hostMajor, hostMinor] = host.split('.').map(Number);
    return major > hostMajor || (major === hostMajor && minor > hostMinor);
  };
  const candidates = readdirSync(bin)
    .map((name) => join(bin, name))
    .map((path) => ({ path, size: readFileSync(path).length }))
    .sort((a, b) => a.size - b.size);
  for (const { path } of candidates) {
    const needs = highestGlibcNeed(path);
    if (needs === null || !newer(needs)) continue;
    const ran = sync(path, ['--version']);
    return {
      path,
      needs,
      hostGlibc: host,
      status: ran.status,
      stderr: ran.stderr,
      healthy: { path: '/usr/bin/nice' },
      cleanup: async () => {},
    };
  }
  return { skip: `no trixie coreutils binary needs more than this host's glibc ${host}` };
}

/**
 * A `go env -w GOFLAGS=-mod=mod` file written by the real go into a temp HOME, and a process started with
 * GOFLAGS=-mod=vendor in its environment (the OS env wins; go only warns). Healthy twin: a process with
 * the same HOME and no GOFLAGS.
 * @returns {{ pid, home, envFile, fileValue, envValue, healthy: { pid }, cleanup }}
 */
export async function goEnvFileOverridden() {
  const go = join(HOST_GOROOT, 'bin', 'go');
  if (!existsSync(go)) return { skip: 'needs golang-go' };
  const home = mkdtempSync(join(tmpdir(), 'sysprobe-scn-goenv-'));
  const base = { PATH: `${HOST_GOROOT}/bin:/usr/bin:/bin`, HOME: home };
  const wrote = sync(go, ['env', '-w', 'GOFLAGS=-mod=mod'], { env: base });
  if (wrote.status !== 0) {
    rmSync(home, { recursive: true, force: true });
    return { skip: `go env -w failed: ${wrote.stderr.trim()}` };
  }
  const envFile = join(home, '.config', 'go', 'env');
  const steps = [() => rmSync(home, { recursive: true, force: true })];
  const overridden = startAlive('/usr/bin/sleep', ['100000'], { env: { ...base, GOFLAGS: '-mod=vendor' } });
  steps.push(overridden.stop);
  const healthy = startAlive('/usr/bin/sleep', ['100000'], { env: base });
  steps.push(healthy.stop);
  await waitForExec(overridden.pid, '/usr/bin/sleep');
  await waitForExec(healthy.pid, '/usr/bin/sleep');
  return {
    pid: overridden.pid,
    home,
    envFile,
    fileValue: '-mod=mod',
    envValue: '-mod=vendor',
    healthy: { pid: healthy.pid },
    cleanup: cleanups(steps),
  };
}

/**
 * VS Code user settings (JSONC: a comment and a trailing comma) whose `go.goroot` names a folder that does
 * not exist; the twin names the host GOROOT.
 * @returns {{ home, settingsFile, goroot, healthy: { home, settingsFile, goroot }, cleanup }}
 */
export async function settingsGorootMissing() {
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-scn-settings-'));
  const make = (name, goroot) => {
    const home = join(dir, name);
    const userDir = join(home, '.config', 'Code', 'User');
    mkdirSync(userDir, { recursive: true });
    const settingsFile = join(userDir, 'settings.json');
    writeFileSync(
      settingsFile,
      `{\n  // set by the Go extension's "Choose Go environment"\n  "go.goroot": ${JSON.stringify(goroot)},\n  "go.toolsManagement.autoUpdate": true,\n  "editor.formatOnSave": true,\n}\n`,
    );
    return { home, settingsFile, goroot };
  };
  const broken = make('broken', join(dir, 'broken', 'sdk', 'go1.22.1'));
  const healthy = make('healthy', HOST_GOROOT);
  return { ...broken, healthy, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * GOMODCACHE on a small tmpfs (size=512k, nr_inodes=32) filled until the kernel says ENOSPC, and a twin
 * on a tmpfs of the same size left empty. Both are unmounted by cleanup().
 * @returns {{ gomodcache, filledWith, healthy: { gomodcache }, cleanup }}
 */
export async function fullModCache() {
  if (!isRoot) return { skip: 'mounting a tmpfs needs root' };
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-scn-modcache-'));
  const steps = [() => rmSync(dir, { recursive: true, force: true })];
  const mountTmpfs = (name) => {
    const mnt = join(dir, name);
    mkdirSync(mnt);
    const result = sync('mount', ['-t', 'tmpfs', '-o', 'size=512k,nr_inodes=32', 'sysprobe-modcache', mnt]);
    if (result.status !== 0) return { error: result.stderr.trim() };
    steps.push(() => sync('umount', [mnt]));
    return { mnt };
  };
  const full = mountTmpfs('full');
  const twin = mountTmpfs('healthy');
  if (full.error || twin.error) {
    await cleanups(steps)();
    return { skip: `mount -t tmpfs failed: ${full.error ?? twin.error}` };
  }
  // What a module download leaves: cache/download/<module>/@v/<version>.zip, then until the disk is full.
  const target = join(full.mnt, 'cache', 'download', 'example.com', 'm', '@v');
  mkdirSync(target, { recursive: true });
  let code = null;
  let filledWith = 0;
  for (let i = 0; i < 1000 && code === null; i++) {
    try {
      writeFileSync(join(target, `v1.0.${i}.zip`), Buffer.alloc(64 * 1024, 0x5a));
      filledWith++;
    } catch (error) {
      code = error.code;
    }
  }
  if (code !== 'ENOSPC') {
    await cleanups(steps)();
    return { skip: `filling the tmpfs ended with ${code}, not ENOSPC` };
  }
  return { gomodcache: full.mnt, filledWith, error: code, healthy: { gomodcache: twin.mnt }, cleanup: cleanups(steps) };
}
