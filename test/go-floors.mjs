// Measures, on this machine, the smallest memory rlimit under which a program starts: the figures behind
// src/probes/go/memory-floors.ts. The oracle is the program itself, run under util-linux prlimit.
//   node test/go-floors.mjs            prints every measurement as JSON lines
//   node test/go-floors.mjs --markdown prints them as the table of docs/doctor-floors.md
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MiB = 1024 * 1024;
export const goDebs = process.env.SYSPROBE_GO_DEBS ?? '/var/cache/sysprobe-test/go-debs';
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** Runs a command to its end; never rejects for a failing program (status/signal say how it ended). */
export function runCommand(command, args = [], { env = process.env, cwd, timeout = 180_000, input } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    let size = 0;
    const keep = (into) => (chunk) => {
      size += chunk.length;
      if (size < 64 * MiB) into.push(chunk);
    };
    child.stdout.on('data', keep(out));
    child.stderr.on('data', keep(err));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ status: null, signal: null, stdout: '', stderr: '', error });
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    if (input !== undefined) {
      child.stdin.on('error', () => {}); // a program that died at start closed its stdin (EPIPE)
      child.stdin.end(input);
    }
  });
}

/** Runs `command` under `prlimit --<resource>=bytes:bytes`. */
export function runLimited(resource, bytes, command, args = [], options = {}) {
  return runCommand('prlimit', [`--${resource}=${bytes}:${bytes}`, '--', command, ...args], options);
}

const exitedZero = (result) => result.status === 0;

/** How a failed run ended, in the program's words: its fatal stderr line, else the signal or status. */
export function describeFailure(result) {
  if (!result) return null;
  // Go's log package prefixes a date and time; the message is what stays the same from run to run.
  const cause = firstCause(result.stderr ?? '').replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /, '');
  if (cause !== '') return cause;
  return result.signal ? `(no stderr; killed by ${result.signal})` : `(no stderr; exit status ${result.status})`;
}

/** The first lines of a program's stderr that name why it stopped (the Go runtime's fatal line, V8's). */
export function firstCause(stderr) {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  const fatal = lines.find((line) => /fatal|out of memory|OOM|failed to reserve|pthread_create|cannot allocate/i.test(line));
  return (fatal ?? lines[0] ?? '').replace(/^#\s*/, '').trim();
}

/**
 * Finds the smallest limit (to `stepBytes`) from which `ok(result)` holds, between `lo` (assumed failing)
 * and `hi` (must work). Each limit is tried `repeats` times: with need 'all' every run must pass, with
 * 'any' one is enough (cgo-linked Go binaries fail at random in pthread_create a little above their floor:
 * glibc's per-thread malloc arenas reserve 64 MiB each, and they and the thread stacks count against
 * RLIMIT_AS).
 *
 * Plain bisection assumes one boundary. Go >= 1.21 under RLIMIT_AS has two: its 512 MiB scavenge-index
 * reservation is skipped when it does not fit (the program then starts), and fits but starves the heap a
 * little higher (it does not). With `scanBytes`, the limit is first lowered from `hi` in steps of
 * `scanBytes` until a run fails; `floor` is then the boundary above that failure (every limit scanned from
 * there up works), and below it the scan goes on to find the band's lower edge and the smallest start.
 *
 * @returns {{ floor, below, at, band: null | { fromBytes, toBytes, stderr }, lowestStart: null | { bytes, below }, probes }}
 *   `floor` null when even `hi` fails; `below` the run one step under `floor` (its stderr is what users
 *   see); `band` the failing range [fromBytes, toBytes) found under the floor, `lowestStart` the smallest
 *   limit under that band at which the program starts.
 */
export async function bisectLimit({
  command,
  args = [],
  env = process.env,
  cwd,
  resource,
  lo,
  hi,
  ok = exitedZero,
  stepBytes = MiB,
  repeats = 1,
  need = 'all',
  scanBytes = null,
  timeout,
}) {
  if (resource !== 'as' && resource !== 'data') throw new TypeError(`resource must be 'as' or 'data', not ${resource}`);
  const probes = [];
  const runs = new Map();
  const works = async (steps) => {
    const bytes = steps * stepBytes;
    for (let i = 0; i < repeats; i++) {
      const result = await runLimited(resource, bytes, command, args, { env, cwd, timeout });
      const good = ok(result);
      probes.push({ bytes, ok: good, status: result.status, signal: result.signal });
      runs.set(steps, result);
      if (good && need === 'any') return true;
      if (!good && need === 'all') return false;
    }
    return need === 'all';
  };
  // The boundary between `failing` (fails) and `working` (works), failing < working.
  const boundary = async (failing, working) => {
    while (working - failing > 1) {
      const mid = failing + Math.floor((working - failing) / 2);
      if (await works(mid)) working = mid;
      else failing = mid;
    }
    return { failing, working };
  };
  // The same boundary the other way up: `working` < `failing` (the lower edge of a failing band).
  const bandEdge = async (working, failing) => {
    while (failing - working > 1) {
      const mid = working + Math.floor((failing - working) / 2);
      if (await works(mid)) working = mid;
      else failing = mid;
    }
    return { working, failing };
  };
  const low = Math.floor(lo / stepBytes);
  const high = Math.ceil(hi / stepBytes);
  const result = (floorSteps, belowSteps, extra = {}) => ({
    floor: floorSteps * stepBytes,
    below: belowSteps === null ? null : runs.get(belowSteps),
    at: runs.get(floorSteps),
    band: null,
    lowestStart: null,
    probes,
    ...extra,
  });
  if (!(await works(high))) return { floor: null, below: runs.get(high), at: null, band: null, lowestStart: null, probes };
  const scan = scanBytes === null ? null : Math.max(1, Math.round(scanBytes / stepBytes));
  let failAt = null;
  let okAbove = high;
  if (scan !== null) {
    for (let steps = high - scan; steps > low; steps -= scan) {
      if (!(await works(steps))) {
        failAt = steps;
        break;
      }
      okAbove = steps;
    }
  }
  if (failAt === null) {
    if (await works(low)) return result(low, null);
    const edge = await boundary(low, okAbove);
    return result(edge.working, edge.failing);
  }
  const top = await boundary(failAt, okAbove);
  const bandTop = { floor: top.working, below: top.failing };
  // Under the floor: go on down until the program starts again, if it does above `lo`.
  let okUnder = null;
  for (let steps = failAt - scan; steps > low; steps -= scan) {
    if (await works(steps)) {
      okUnder = steps;
      break;
    }
    failAt = steps;
  }
  if (okUnder === null) return result(bandTop.floor, bandTop.below);
  const bottom = await bandEdge(okUnder, failAt);
  const lowestEdge = (await works(low)) ? { working: low, failing: null } : await boundary(low, okUnder);
  return result(bandTop.floor, bandTop.below, {
    band: { fromBytes: bottom.failing * stepBytes, toBytes: bandTop.floor * stepBytes, stderr: describeFailure(runs.get(bandTop.below)) },
    lowestStart: { bytes: lowestEdge.working * stepBytes, below: lowestEdge.failing === null ? null : runs.get(lowestEdge.failing) },
  });
}

/** Go toolchains available here: the host's, and the Debian packages scripts/fetch-debian-go.sh unpacked. */
export function goToolchains() {
  const candidates = [
    ['go1.15', `${goDebs}/bullseye/golang-1.15-go/usr/lib/go-1.15`, 'Debian 11 golang-1.15-go 1.15.15'],
    ['go1.19', '/usr/lib/go-1.19', 'Debian 12 golang-1.19-go 1.19.8'],
    ['go1.21', `${goDebs}/bookworm-backports/golang-1.21-go/usr/lib/go-1.21`, 'bookworm-backports golang-1.21-go 1.21.13'],
    ['go1.22', `${goDebs}/bookworm-backports/golang-1.22-go/usr/lib/go-1.22`, 'bookworm-backports golang-1.22-go 1.22.12'],
    ['go1.23', `${goDebs}/bookworm-backports/golang-1.23-go/usr/lib/go-1.23`, 'bookworm-backports golang-1.23-go 1.23.5'],
    ['go1.24', `${goDebs}/trixie/golang-1.24-go/usr/lib/go-1.24`, 'Debian 13 golang-1.24-go 1.24.4'],
  ];
  return candidates.map(([go, goroot, label]) => ({
    go,
    goroot,
    label,
    bin: join(goroot, 'bin', 'go'),
    present: existsSync(join(goroot, 'bin', 'go')),
  }));
}

/** A private GOPATH/GOCACHE/HOME so a measurement neither reads nor writes the user's. */
export function goSandbox() {
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-floors-'));
  for (const sub of ['home', 'gopath', 'gocache']) mkdirSync(join(dir, sub));
  const env = {
    PATH: '/usr/bin:/bin',
    HOME: join(dir, 'home'),
    GOPATH: join(dir, 'gopath'),
    GOCACHE: join(dir, 'gocache'),
    GOFLAGS: '-mod=mod',
    GOPROXY: 'off',
    GOTOOLCHAIN: 'local',
    GO111MODULE: 'on',
  };
  return { dir, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Whether an executable is dynamically linked (has PT_INTERP): for a Go binary, that it uses cgo and glibc. */
export function dynamicallyLinked(path) {
  const result = spawnSync('readelf', ['-l', '--wide', path], { encoding: 'utf8' });
  return result.status === 0 && /\bINTERP\b/.test(result.stdout);
}

/**
 * The environment a glibc-linked program (a cgo Go binary, Node) is measured in: MALLOC_ARENA_MAX=1.
 * Without it glibc gives threads their own malloc arenas (a 128 MiB reservation each, trimmed to 64 MiB)
 * and whether they and the 8 MiB thread stacks fit is a matter of timing: `go version` (go1.19) started
 * 1 time in 6 under 860 MiB and 6 in 6 under 1000 MiB; sysprobe's CLI 2 in 6 under 800 MiB, 5 in 6 under
 * 1000 MiB. With one arena every one of those runs started: the floor is the program's own, reproducible.
 */
export const ONE_ARENA_ENV = Object.freeze({ MALLOC_ARENA_MAX: '1' });

/** Every start-floor measurement: a tool, the Go it was built with, the command that starts it. */
export function startMeasurements() {
  const list = [];
  for (const chain of goToolchains()) {
    list.push({
      tool: `go version (${chain.label})`,
      go: chain.go,
      command: chain.bin,
      args: ['version'],
      present: chain.present,
      goroot: chain.goroot,
    });
  }
  const tools = [
    ['gopls version (Debian 12 gopls 0.5.0, go1.19.5)', 'go1.19', '/usr/bin/gopls'],
    ['gopls version (Debian 11 gopls 0.1.0, go1.15.9)', 'go1.15', `${goDebs}/bullseye/gopls/usr/bin/gopls`],
    ['gopls version (Debian 13 gopls 0.16.1, go1.22.6)', 'go1.22', `${goDebs}/trixie/gopls/usr/bin/gopls`],
    // Delve reserves far more than the Go runtime: its floor is above 4 GiB.
    ['dlv version (Debian 12 delve 1.20.2, go1.19.8)', 'go1.19', '/usr/bin/dlv', 8192, 64],
  ];
  for (const [tool, go, command, hiMiB = 2048, scanMiB] of tools) {
    list.push({ tool, go, command, args: ['version'], present: existsSync(command), hiMiB, scanMiB });
  }
  return list;
}

/** Measures one start floor under --as and --data; `repeats` guards against runs that fail by chance. */
export async function measureStart(entry, { repeats = 5, need = 'any' } = {}) {
  const sandbox = goSandbox();
  try {
    const cgo = entry.present && dynamicallyLinked(entry.command);
    const env = { ...sandbox.env, ...(entry.goroot && { GOROOT: entry.goroot }), ...(cgo && ONE_ARENA_ENV) };
    const as = await bisectLimit({
      command: entry.command,
      args: entry.args,
      env,
      resource: 'as',
      lo: 64 * MiB,
      hi: (entry.hiMiB ?? 2048) * MiB,
      repeats,
      need,
      scanBytes: entry.scanMiB === undefined ? 16 * MiB : entry.scanMiB * MiB,
    });
    const data = await bisectLimit({
      command: entry.command,
      args: entry.args,
      env,
      resource: 'data',
      lo: 1 * MiB,
      hi: 1024 * MiB,
      repeats,
      need,
    });
    return {
      tool: entry.tool,
      go: entry.go,
      cgo,
      addressSpaceMiB: as.floor === null ? null : as.floor / MiB,
      dataMiB: data.floor === null ? null : data.floor / MiB,
      asBelow: describeFailure(as.below),
      dataBelow: describeFailure(data.below),
      ...(as.band && {
        failsBetweenMiB: [as.band.fromBytes / MiB, as.band.toBytes / MiB],
        bandStderr: as.band.stderr,
        lowestStartMiB: as.lowestStart.bytes / MiB,
        lowestStartBelow: describeFailure(as.lowestStart.below),
      }),
    };
  } finally {
    sandbox.cleanup();
  }
}

/** A generated package big enough that type-checking it needs a real heap: `functions` functions. */
export function writeLargePackage(dir, functions = 4000) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'go.mod'), 'module example.com/large\n\ngo 1.15\n');
  const body = ['package large', '', 'import "fmt"', ''];
  for (let i = 0; i < functions; i++) {
    body.push(`type T${i} struct { A, B int; S string; M map[string]int }`);
    body.push(`func (t *T${i}) F${i}(x int) string { t.A += x; return fmt.Sprintf("%d %s %v", t.A+t.B, t.S, t.M) }`);
  }
  writeFileSync(join(dir, 'large.go'), `${body.join('\n')}\n`);
  return join(dir, 'large.go');
}

/**
 * gopls doing real work (`gopls check` on a file) under --as: its floor, and the margin over the start
 * floor of `gopls version`. ok = exit 0 and no "out of memory" (gopls check prints diagnostics, exit 0).
 */
export async function measureGoplsCheck({
  gopls = '/usr/bin/gopls',
  file,
  goroot = '/usr/lib/go-1.19',
  repeats = 1,
  hiMiB = 4096,
  scanMiB = 128,
} = {}) {
  const sandbox = goSandbox();
  try {
    const target = file ?? writeLargePackage(join(sandbox.dir, 'large'));
    const env = { ...sandbox.env, GOROOT: goroot, PATH: `${goroot}/bin:/usr/bin:/bin` };
    // The standard library is its own module with a vendor directory: -mod=mod would make gopls try
    // (and, with GOPROXY=off, fail) to fetch golang.org/x/crypto and /net.
    if (file?.startsWith(goroot) || file?.startsWith('/usr/share/go')) delete env.GOFLAGS;
    const cwd = join(target, '..');
    const ok = (result) => result.status === 0 && !/out of memory/.test(result.stderr);
    const baseline = await runCommand(gopls, ['check', target], { env, cwd });
    const as = await bisectLimit({
      command: gopls,
      args: ['check', target],
      env,
      cwd,
      resource: 'as',
      lo: 256 * MiB,
      hi: hiMiB * MiB,
      ok,
      repeats,
      scanBytes: scanMiB * MiB,
    });
    return {
      tool: `gopls check ${file ? target.replace(/^.*\/src\//, '') : 'generated 4000-type package'}`,
      baselineStatus: baseline.status,
      baselineStderr: firstCause(baseline.stderr),
      addressSpaceMiB: as.floor === null ? null : as.floor / MiB,
      asBelow: describeFailure(as.below),
    };
  } finally {
    sandbox.cleanup();
  }
}

/** The CLI ran: exit 0, or 1 for a finding (its own `as` limit below Go's needs), with JSON that parses. */
function cliAnswered(result) {
  if (result.status !== 0 && result.status !== 1) return false;
  try {
    return typeof JSON.parse(result.stdout) === 'object';
  } catch {
    return false;
  }
}

/** `node bin/sysprobe.js limits --json` (the addon loaded, a probe run) and bare `node -e 0`. */
export const NODE_COMMANDS = Object.freeze([
  { tool: 'node -e 0', args: ['-e', '0'], ok: exitedZero },
  { tool: 'node bin/sysprobe.js limits --json', args: [join(repoRoot, 'bin', 'sysprobe.js'), 'limits', '--json'], ok: cliAnswered },
]);

/**
 * Node's own --as floor: the smallest limit at which it started in one of `repeats` runs (below it, it
 * never does). Above it, Node (glibc malloc arenas for its threads, V8's reservations) still fails at
 * random for a while: see {@link nodeStartsReliably}. lo is 384 MiB: under 128 MiB node hangs in a futex
 * wait instead of exiting.
 */
export async function measureNode({ repeats = 3 } = {}) {
  const results = [];
  for (const { tool, args, ok } of NODE_COMMANDS) {
    const as = await bisectLimit({
      command: process.execPath,
      args,
      resource: 'as',
      lo: 384 * MiB,
      hi: 2048 * MiB,
      ok,
      repeats,
      need: 'any',
      cwd: repoRoot,
      timeout: 30_000,
    });
    results.push({
      tool,
      node: process.version,
      addressSpaceMiB: as.floor === null ? null : as.floor / MiB,
      asBelow: describeFailure(as.below),
    });
  }
  return results;
}

/** How many of `runs` runs of sysprobe's CLI under `--as=bytes` answered. */
export async function nodeStartsReliably(bytes, runs = 5) {
  const { args, ok } = NODE_COMMANDS[1];
  let started = 0;
  for (let i = 0; i < runs; i++) {
    if (ok(await runLimited('as', bytes, process.execPath, args, { cwd: repoRoot, timeout: 30_000 }))) started++;
  }
  return started;
}

async function main() {
  const markdown = process.argv.includes('--markdown');
  const rows = [];
  for (const entry of startMeasurements()) {
    if (!entry.present) {
      process.stderr.write(`absent: ${entry.tool} (${entry.command}); run scripts/fetch-debian-go.sh\n`);
      continue;
    }
    const row = await measureStart(entry);
    rows.push(row);
    if (!markdown) console.log(JSON.stringify(row));
  }
  const checks = [
    await measureGoplsCheck({ hiMiB: 2048, scanMiB: 64 }),
    await measureGoplsCheck({ file: '/usr/lib/go-1.19/src/net/http/server.go' }),
  ];
  const node = await measureNode();
  if (!markdown) {
    for (const row of [...checks, ...node]) console.log(JSON.stringify(row));
    return;
  }
  console.log(
    '| Tool | Go | cgo (measured with MALLOC_ARENA_MAX=1) | --as floor (MiB) | stderr just below (--as) | --as: also starts from, fails in [a, b) | --data floor (MiB) | stderr just below (--data) |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of rows) {
    const band = row.failsBetweenMiB ? `${row.lowestStartMiB}; [${row.failsBetweenMiB.join(', ')}) \`${row.bandStderr}\`` : '-';
    console.log(
      `| ${row.tool} | ${row.go} | ${row.cgo ? 'yes' : 'no'} | ${row.addressSpaceMiB} | \`${row.asBelow}\` | ${band} | ${row.dataMiB} | \`${row.dataBelow}\` |`,
    );
  }
  console.log('\n| Workload | --as floor (MiB) | stderr just below |\n|---|---|---|');
  for (const row of [...checks, ...node]) {
    const band = row.failsBetweenMiB ? ` (also starts from ${row.lowestStartMiB}; fails in [${row.failsBetweenMiB.join(', ')}))` : '';
    console.log(`| ${row.tool}${row.node ? ` (${row.node})` : ''} | ${row.addressSpaceMiB}${band} | \`${row.asBelow}\` |`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
