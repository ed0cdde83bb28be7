// Shared pieces of the limits and env tests: the kernel's own answers (/proc/PID/limits,
// util-linux prlimit(1)) and long-running processes to probe.
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { backend } from 'sysprobe';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, which, root } from './helpers.mjs';

const temporary = [];
process.once('exit', () => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** A temporary directory removed when the test process exits. */
function temporaryDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

/** The row descriptions of /proc/PID/limits (fs/proc/base.c, lnames[]) by prlimit(1) name. */
export const KERNEL_ROWS = {
  'Max cpu time': 'cpu',
  'Max file size': 'fsize',
  'Max data size': 'data',
  'Max stack size': 'stack',
  'Max core file size': 'core',
  'Max resident set': 'rss',
  'Max processes': 'nproc',
  'Max open files': 'nofile',
  'Max locked memory': 'memlock',
  'Max address space': 'as',
  'Max file locks': 'locks',
  'Max pending signals': 'sigpending',
  'Max msgqueue size': 'msgqueue',
  'Max nice priority': 'nice',
  'Max realtime priority': 'rtprio',
  'Max realtime timeout': 'rttime',
};

const toLimit = (text) => (text === 'unlimited' ? 'unlimited' : BigInt(text));

/** name -> { soft, hard } from the text of a /proc/PID/limits file. */
export function kernelLimits(text) {
  const out = {};
  for (const line of text.split('\n').slice(1)) {
    if (line.trim() === '') continue;
    const match = /^(Max [a-z ]+?) +(unlimited|\d+) +(unlimited|\d+)/.exec(line);
    const name = KERNEL_ROWS[match?.[1]];
    if (name === undefined) throw new Error(`unknown row in limits: ${line}`);
    out[name] = { soft: toLimit(match[2]), hard: toLimit(match[3]) };
  }
  return out;
}

export const procLimits = (pid) => kernelLimits(readFileSync(`/proc/${pid}/limits`, 'utf8'));

export const prlimitTool = process.platform === 'linux' ? which('prlimit') : null;

/** name -> { soft, hard } as util-linux prlimit(1) reads them for pid (its own name mapping). */
export function prlimitOf(pid) {
  const result = run(prlimitTool, ['--pid', String(pid), '--raw', '--noheadings', '-o', 'RESOURCE,SOFT,HARD']);
  if (result.status !== 0) throw new Error(`prlimit failed: ${result.stderr}`);
  const out = {};
  for (const line of result.stdout.trim().split('\n')) {
    const [name, soft, hard] = line.trim().split(/\s+/);
    out[name.toLowerCase()] = { soft: toLimit(soft), hard: toLimit(hard) };
  }
  return out;
}

/** The { soft, hard } pairs of a getRlimits() answer. */
export function pairs(info) {
  return Object.fromEntries(Object.values(info.limits).map((l) => [l.name, { soft: l.soft, hard: l.hard }]));
}

let helperPath = null;
/** Compiles test/fixtures/limits-helper.c once (null when no C compiler). */
export function helper() {
  if (helperPath !== null) return helperPath;
  const cc = which('cc') ?? which('gcc');
  if (cc === null) return null;
  const out = join(temporaryDir('sysprobe-helper-'), 'limits-helper');
  const result = run(cc, ['-O1', '-Wall', '-o', out, join(root, 'test', 'fixtures', 'limits-helper.c')]);
  if (result.status !== 0) throw new Error(`cc failed: ${result.stderr}`);
  helperPath = out;
  return out;
}

/** Starts a process, waits until /proc/PID/comm says `comm` (exec done), returns { pid, child, stop() }. */
export async function startProcess(command, args, comm, options = {}) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'], ...options });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const pid = child.pid;
  for (;;) {
    let current = null;
    try {
      current = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}`);
    }
    if (current === comm) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return {
    pid,
    child,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

let publicRoot = null;
/**
 * A copy of the package (package.json, dist/, the addon in use) that any uid can read, for children that
 * drop to another uid: the checkout itself may sit under a directory only its owner can enter (/root).
 * Run such children with cwd = this directory and SYSPROBE_BINDING unset.
 */
export function publicPackage() {
  if (publicRoot !== null) return publicRoot;
  const dir = temporaryDir('sysprobe-public-');
  cpSync(join(root, 'package.json'), join(dir, 'package.json'));
  cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true });
  if (backend().name === 'koffi') {
    // The koffi backend (SYSPROBE_BACKEND=koffi): the copy needs koffi and its native package instead.
    for (const name of ['koffi', '@koromix'])
      cpSync(join(root, 'node_modules', name), join(dir, 'node_modules', name), { recursive: true });
    // ...and the core as WebAssembly, when it is built (probeProcessEnv reads /proc/PID/environ with it).
    const wasm = join(root, 'prebuilds', 'wasm32');
    if (existsSync(wasm)) cpSync(wasm, join(dir, 'prebuilds', 'wasm32'), { recursive: true });
  } else {
    mkdirSync(join(dir, 'build', 'Release'), { recursive: true });
    cpSync(backend().path, join(dir, 'build', 'Release', 'sysprobe.node'));
  }
  const open = (path) => {
    chmodSync(path, statSync(path).isDirectory() ? 0o755 : 0o644);
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) open(join(path, name));
  };
  open(dir);
  publicRoot = dir;
  return dir;
}

/** Environment for a child run from publicPackage(): the addon is found there, not through SYSPROBE_BINDING. */
export function publicEnv() {
  const env = { ...process.env };
  delete env.SYSPROBE_BINDING;
  return env;
}
