// The committed memory floors (src/probes/go/memory-floors.ts) against a fresh measurement on this
// machine: each program is run under prlimit (test/go-floors.mjs) and the table must be at or above what
// it needs, and within 64 MiB of it, so the table can neither be too low nor drift high.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { GO_HEAP_MARGIN, GO_MEMORY_FLOORS, NODE_ADDRESS_SPACE_FLOOR, goMemoryFloor } from '../dist/probes/go/memory-floors.js';
import {
  MiB,
  goSandbox,
  measureGoplsCheck,
  measureNode,
  measureStart,
  nodeStartsReliably,
  runLimited,
  startMeasurements,
} from './go-floors.mjs';
import { skipUnless, which } from './helpers.mjs';

const TOLERANCE_MIB = 64;
// The floors do not depend on sysprobe's build or backend: .ci/run measures them in its first npm test and sets
// SYSPROBE_FLOORS_MEASURED=1 for the runs against the other builds and Node versions (each takes ~2.5 min).
const noPrlimit =
  process.env.SYSPROBE_FLOORS_MEASURED === '1'
    ? 'measured in the first npm test of this run (SYSPROBE_FLOORS_MEASURED=1)'
    : skipUnless(process.platform === 'linux' && which('prlimit') !== null, 'needs Linux and util-linux prlimit');
const series = (go) => GO_MEMORY_FLOORS.find((entry) => entry.go === go);
const mib = (bytes) => Number(bytes / BigInt(MiB));
const larger = (a, b) => [a, b].sort((x, y) => (x < y ? 1 : -1))[0];
/** What the Go runtime (or glibc under it) says when a limit is too low to start. */
const GO_START_FAILURE =
  /failed to reserve page summary memory|out of memory allocating heap arena map|runtime: cannot allocate memory|pageAlloc: out of memory|runtime: out of memory|pthread_create failed|mmap: cannot allocate memory/;

function assertWithin(committedMiB, measuredMiB, what) {
  assert.ok(committedMiB >= measuredMiB, `${what}: committed ${committedMiB} MiB is below the measured ${measuredMiB} MiB`);
  assert.ok(
    committedMiB - measuredMiB <= TOLERANCE_MIB,
    `${what}: committed ${committedMiB} MiB is over ${TOLERANCE_MIB} MiB above the measured ${measuredMiB} MiB`,
  );
}

/** A tool's own figure, re-measured: the same within the tolerance either way. */
function assertNear(committedMiB, measuredMiB, what) {
  assert.ok(Math.abs(committedMiB - measuredMiB) <= TOLERANCE_MIB, `${what}: committed ${committedMiB} MiB, measured ${measuredMiB} MiB`);
}

for (const entry of startMeasurements()) {
  const skip = noPrlimit || skipUnless(entry.present, `${entry.command} absent (scripts/fetch-debian-go.sh fetches the Debian packages)`);
  test(`start floor: ${entry.tool}`, { skip }, async (t) => {
    const row = await measureStart(entry);
    t.diagnostic(JSON.stringify(row));
    const floors = series(entry.go);
    assert.ok(floors, `no ${entry.go} row in GO_MEMORY_FLOORS`);
    const committed = floors.measured.find((m) => m.tool === entry.tool);
    assert.ok(committed, `no measured entry for ${entry.tool} in ${entry.go}`);
    assert.ok(row.addressSpaceMiB !== null && row.dataMiB !== null, 'the program starts at the highest limit tried');
    assertNear(committed.addressSpaceMiB, row.addressSpaceMiB, `${committed.tool} --as`);
    assertNear(committed.dataMiB, row.dataMiB, `${committed.tool} --data`);
    assert.match(row.asBelow, GO_START_FAILURE);
    assert.match(row.dataBelow, GO_START_FAILURE);
    if (entry.tool.startsWith('go version')) {
      assertWithin(mib(floors.addressSpace), row.addressSpaceMiB, `${entry.go} addressSpace`);
      assertWithin(mib(floors.data), row.dataMiB, `${entry.go} data`);
      // The 512 MiB scavenge index shows as a band under the floor where the runtime never starts.
      if (floors.scavengeIndex) {
        assert.ok(row.failsBetweenMiB, 'a failing band under the floor');
        assert.ok(
          row.failsBetweenMiB[1] - row.failsBetweenMiB[0] >= 64,
          `the band ${row.failsBetweenMiB} is the index's, not a stray failure`,
        );
        assertNear(committed.lowestStartMiB, row.lowestStartMiB, `${committed.tool} lowest start`);
      }
    }
  });
}

const goplsSkip =
  noPrlimit || skipUnless(existsSync('/usr/bin/gopls') && existsSync('/usr/lib/go-1.19/bin/go'), 'needs Debian gopls and golang-go');

test('gopls check of a generated package needs heap above the start floor, within GO_HEAP_MARGIN', { skip: goplsSkip }, async (t) => {
  const check = await measureGoplsCheck({ hiMiB: 2048, scanMiB: 64 });
  t.diagnostic(JSON.stringify(check));
  const start = series('go1.19').measured.find((m) => m.tool.startsWith('gopls version'));
  assert.equal(check.baselineStatus, 0, check.baselineStderr);
  assert.ok(check.addressSpaceMiB > start.addressSpaceMiB, 'real work needs more than starting');
  assert.ok(check.addressSpaceMiB - mib(series('go1.19').addressSpace) <= mib(GO_HEAP_MARGIN));
  assert.match(check.asBelow, /out of memory|cannot allocate memory/);
});

const netHttp = '/usr/lib/go-1.19/src/net/http/server.go';
test('gopls check net/http/server.go works at the go1.19 floor + GO_HEAP_MARGIN and runs out of memory 512 MiB under it', {
  skip: goplsSkip || skipUnless(existsSync(netHttp), `${netHttp} absent`),
}, async (t) => {
  const sandbox = goSandbox();
  try {
    const env = { ...sandbox.env, GOROOT: '/usr/lib/go-1.19', PATH: '/usr/lib/go-1.19/bin:/usr/bin:/bin' };
    delete env.GOFLAGS; // the standard library is vendored
    const enough = series('go1.19').addressSpace + GO_HEAP_MARGIN;
    const run = (limit) => runLimited('as', limit, '/usr/bin/gopls', ['check', netHttp], { env, cwd: '/usr/lib/go-1.19/src/net/http' });
    const works = await run(enough);
    assert.equal(works.status, 0, works.stderr.slice(0, 2000));
    assert.doesNotMatch(works.stderr, /out of memory/);
    const short = await run(enough - 512n * BigInt(MiB));
    assert.notEqual(short.status, 0);
    assert.match(short.stderr, /runtime: out of memory/);
    t.diagnostic(
      `at ${mib(enough)} MiB: exit 0; at ${mib(enough) - 512} MiB: ${short.stderr.split('\n').find((l) => /out of memory/.test(l))}`,
    );
  } finally {
    sandbox.cleanup();
  }
});

const addonBuilt =
  existsSync(new URL('../build/Release/sysprobe.node', import.meta.url)) || existsSync(new URL('../prebuilds', import.meta.url));
test("Node's own floor: sysprobe's CLI never starts below its measured floor, and starts 5 in 5 at NODE_ADDRESS_SPACE_FLOOR", {
  skip:
    noPrlimit ||
    skipUnless(addonBuilt, 'needs the addon built (npm run build:native)') ||
    skipUnless(
      process.versions.node.startsWith('20.'),
      `NODE_ADDRESS_SPACE_FLOOR was measured with Node 20, this is Node ${process.versions.node}`,
    ),
}, async (t) => {
  const [bare, cli] = await measureNode();
  t.diagnostic(JSON.stringify({ bare, cli }));
  assert.ok(bare.addressSpaceMiB !== null && cli.addressSpaceMiB !== null);
  assert.ok(cli.addressSpaceMiB >= bare.addressSpaceMiB - TOLERANCE_MIB / 2, 'the CLI needs at least what bare node needs');
  assert.match(bare.asBelow, /OOM|Failed to reserve|killed by SIG/);
  // The floor is where it starts reliably, above the random zone: not below the lowest start, not far above it.
  const floorMiB = mib(NODE_ADDRESS_SPACE_FLOOR);
  assert.ok(floorMiB >= cli.addressSpaceMiB && floorMiB - cli.addressSpaceMiB <= 512, `${floorMiB} vs ${cli.addressSpaceMiB}`);
  assert.equal(await nodeStartsReliably(NODE_ADDRESS_SPACE_FLOOR, 5), 5);
});

test('goMemoryFloor: measured, in between, newer, older and unknown versions', () => {
  const exact = goMemoryFloor('go1.22.2');
  assert.equal(exact.addressSpace, series('go1.22').addressSpace);
  assert.match(exact.basis, /measured for go1\.22/);
  assert.equal(goMemoryFloor('go1.23rc1').addressSpace, series('go1.23').addressSpace);
  const between = goMemoryFloor('go1.20.14');
  assert.equal(between.addressSpace, larger(series('go1.21').addressSpace, series('go1.19').addressSpace));
  assert.equal(between.data, larger(series('go1.19').data, series('go1.21').data));
  assert.match(between.basis, /go1\.20 not measured/);
  const newer = goMemoryFloor('go1.26.0');
  assert.equal(newer.addressSpace, series('go1.24').addressSpace);
  assert.match(newer.basis, /go1\.24, the nearest measured release at or below/);
  const mid = goMemoryFloor('go1.17.13');
  assert.equal(mid.addressSpace, series('go1.15').addressSpace);
  assert.match(mid.basis, /go1\.15/);
  const old = goMemoryFloor('go1.12');
  assert.equal(old.addressSpace, series('go1.15').addressSpace);
  assert.match(old.basis, /older than any measured/);
  const maxAs = GO_MEMORY_FLOORS.map((e) => e.addressSpace).reduce(larger, 0n);
  const maxData = GO_MEMORY_FLOORS.map((e) => e.data).reduce(larger, 0n);
  for (const unknown of [null, 'devel +abc', '']) {
    const got = goMemoryFloor(unknown);
    assert.equal(got.addressSpace, maxAs);
    assert.equal(got.data, maxData);
    assert.match(got.basis, /highest measured/);
  }
  for (const entry of GO_MEMORY_FLOORS) {
    assert.equal(entry.addressSpace % (16n * BigInt(MiB)), 0n, `${entry.go} rounded to 16 MiB`);
    assert.equal(entry.data % (16n * BigInt(MiB)), 0n);
  }
  assert.ok(Object.isFrozen(GO_MEMORY_FLOORS) && Object.isFrozen(GO_MEMORY_FLOORS[0].measured));
});
