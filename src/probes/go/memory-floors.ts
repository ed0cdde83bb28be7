// The memory floors the doctor's mem-as / mem-data checks use: MEASURED, not computed, on Debian 12
// x86-64 with Debian's Go packages (test/go-floors.mjs re-measures them; docs/doctor-floors.md has every
// figure and the stderr seen just below each floor).

const MiB = 1024n * 1024n;

/** One measured tool: the smallest limit (MiB) from which it starts, under --as and under --data. */
export interface GoFloorMeasurement {
  readonly tool: string;
  readonly addressSpaceMiB: number;
  readonly dataMiB: number;
  /**
   * Go >= 1.21 only: below `addressSpaceMiB` there is a band [from, to) where the program never starts
   * (the 512 MiB scavenge index fits, then starves the heap), and under that band it starts again from
   * `lowestStartMiB` (the index does not fit, and the runtime goes on without reserving it).
   */
  readonly failsBetweenMiB?: readonly [number, number];
  readonly lowestStartMiB?: number;
}

/** The floors of one Go minor series. */
export interface GoMemoryFloor {
  /** The minor series, `'go1.19'`. */
  readonly go: string;
  /** RLIMIT_AS (bytes) from which every limit lets the runtime start: `go version`'s floor, rounded up to 16 MiB. */
  readonly addressSpace: bigint;
  /** RLIMIT_DATA (bytes) from which it starts, rounded up to 16 MiB. */
  readonly data: bigint;
  /** Whether the runtime reserves the 512 MiB scavenge index (a second 512 MiB PROT_NONE mapping; strace). */
  readonly scavengeIndex: boolean;
  readonly measured: readonly GoFloorMeasurement[];
}

const floor = (
  go: string,
  addressSpaceMiB: number,
  dataMiB: number,
  scavengeIndex: boolean,
  measured: GoFloorMeasurement[],
): GoMemoryFloor =>
  Object.freeze({
    go,
    addressSpace: BigInt(addressSpaceMiB) * MiB,
    data: BigInt(dataMiB) * MiB,
    scavengeIndex,
    measured: Object.freeze(measured.map((entry) => Object.freeze(entry))),
  });

/**
 * The measured floors, oldest Go first: each tool's figure is the smallest limit at which it started in at
 * least one of five runs. Debian's go1.15 and go1.19 builds (and every gopls and dlv here) are cgo-linked:
 * they were measured with MALLOC_ARENA_MAX=1, because without it glibc's per-thread malloc arenas (128 MiB
 * reservations) make starts above the floor fail at random (`runtime/cgo: pthread_create failed`; go1.19
 * `go version` started 1 in 6 times under 860 MiB, 6 in 6 under 1000 MiB). go1.21 and later are static.
 */
export const GO_MEMORY_FLOORS: readonly GoMemoryFloor[] = Object.freeze([
  floor('go1.15', 736, 144, false, [
    { tool: 'go version (Debian 11 golang-1.15-go 1.15.15)', addressSpaceMiB: 730, dataMiB: 133 },
    { tool: 'gopls version (Debian 11 gopls 0.1.0, go1.15.9)', addressSpaceMiB: 745, dataMiB: 134 },
  ]),
  floor('go1.19', 752, 80, false, [
    { tool: 'go version (Debian 12 golang-1.19-go 1.19.8)', addressSpaceMiB: 738, dataMiB: 77 },
    { tool: 'gopls version (Debian 12 gopls 0.5.0, go1.19.5)', addressSpaceMiB: 753, dataMiB: 87 },
    // Delve maps 4 GiB (PROT_READ, anonymous) at start (strace), far above the runtime's floor.
    { tool: 'dlv version (Debian 12 delve 1.20.2, go1.19.8)', addressSpaceMiB: 4836, dataMiB: 78 },
  ]),
  floor('go1.21', 1216, 48, true, [
    {
      tool: 'go version (bookworm-backports golang-1.21-go 1.21.13)',
      addressSpaceMiB: 1208,
      dataMiB: 40,
      failsBetweenMiB: [1109, 1208],
      lowestStartMiB: 696,
    },
  ]),
  floor('go1.22', 1216, 48, true, [
    {
      tool: 'go version (bookworm-backports golang-1.22-go 1.22.12)',
      addressSpaceMiB: 1207,
      dataMiB: 39,
      failsBetweenMiB: [1110, 1207],
      lowestStartMiB: 695,
    },
    {
      tool: 'gopls version (Debian 13 gopls 0.16.1, go1.22.6)',
      addressSpaceMiB: 1258,
      dataMiB: 77,
      failsBetweenMiB: [1123, 1258],
      lowestStartMiB: 746,
    },
  ]),
  floor('go1.23', 1216, 48, true, [
    {
      tool: 'go version (bookworm-backports golang-1.23-go 1.23.5)',
      addressSpaceMiB: 1208,
      dataMiB: 39,
      failsBetweenMiB: [1110, 1208],
      lowestStartMiB: 696,
    },
  ]),
  floor('go1.24', 1216, 48, true, [
    {
      tool: 'go version (Debian 13 golang-1.24-go 1.24.4)',
      addressSpaceMiB: 1209,
      dataMiB: 39,
      failsBetweenMiB: [1111, 1209],
      lowestStartMiB: 697,
    },
  ]),
]);

/** Where the 512 MiB scavenge index is first measured; go1.20 (no Debian package) is not measured. */
const FIRST_WITH_INDEX = 21;
const LAST_WITHOUT_INDEX = 19;

const minorOf = (series: string): number => Number(series.slice('go1.'.length));

function parseMinor(goVersion: string): number | null {
  const match = /(?:^|\s)go1\.(\d+)(?:\D|$)/.exec(goVersion);
  if (match === null) return null;
  const minor = Number(match[1]);
  return Number.isSafeInteger(minor) ? minor : null;
}

// Math.max takes no bigint.
function larger(a: bigint, b: bigint): bigint {
  if (a < b) return b;
  return a;
}

function highest(): { addressSpace: bigint; data: bigint } {
  let addressSpace = 0n;
  let data = 0n;
  for (const entry of GO_MEMORY_FLOORS) {
    addressSpace = larger(addressSpace, entry.addressSpace);
    data = larger(data, entry.data);
  }
  return { addressSpace, data };
}

const byMinor = (minor: number): GoMemoryFloor | undefined => GO_MEMORY_FLOORS.find((entry) => minorOf(entry.go) === minor);

/**
 * The RLIMIT_AS and RLIMIT_DATA a Go program of `goVersion` needs to start, from the measured table.
 *
 * A measured series gives its own floors. An unmeasured one takes the nearest measured series at or below
 * it with the same runtime layout (from go1.21 the 512 MiB scavenge index, which raises the floor to
 * ≈1.2 GiB); go1.20, whose layout was not measured, takes the higher of go1.19 and go1.21; a series older
 * than any measured takes the oldest. `null` or an unreadable version takes the highest floors.
 *
 * @param goVersion - a Go version as build info or `go version` gives it (`'go1.22.2'`, `'go1.23rc1'`), or null.
 * @returns the floors in bytes and `basis`, the measurement they come from in words. Never throws.
 * @example
 * goMemoryFloor('go1.22.2').addressSpace; // 1275068416n (1216 MiB)
 */
export function goMemoryFloor(goVersion: string | null, tool?: string): { addressSpace: bigint; data: bigint; basis: string } {
  const base = seriesFloor(goVersion);
  if (tool === undefined) return base;
  // A tool measured on its own needs what it needed (gopls 0.16.1: 1258 MiB over go1.22's 1207; Delve maps
  // 4 GiB at start), rounded up to 16 MiB as the series are; measurements of that tool in other series do not apply.
  const minor = typeof goVersion === 'string' ? parseMinor(goVersion) : null;
  const series = minor === null ? undefined : byMinor(minor);
  const own = series?.measured.filter((m) => m.tool.startsWith(`${tool} `)) ?? [];
  if (own.length === 0) return base;
  const roundUp = (mib: number): bigint => BigInt(Math.ceil(mib / 16) * 16) * MiB;
  const addressSpace = larger(base.addressSpace, roundUp(Math.max(...own.map((m) => m.addressSpaceMiB))));
  const data = larger(base.data, roundUp(Math.max(...own.map((m) => m.dataMiB))));
  if (addressSpace === base.addressSpace && data === base.data) return base;
  return { addressSpace, data, basis: `measured for ${own[0]!.tool} itself (the ${series!.go} runtime alone: ${base.basis})` };
}

function seriesFloor(goVersion: string | null): { addressSpace: bigint; data: bigint; basis: string } {
  const minor = typeof goVersion === 'string' ? parseMinor(goVersion) : null;
  if (minor === null) {
    const top = highest();
    const what = goVersion === null ? 'the Go version is unknown' : `'${goVersion}' is not a Go version`;
    return { ...top, basis: `${what}: the highest measured floors (${GO_MEMORY_FLOORS.map((entry) => entry.go).join(', ')})` };
  }
  const exact = byMinor(minor);
  if (exact !== undefined) {
    return { addressSpace: exact.addressSpace, data: exact.data, basis: `measured for ${exact.go} (${exact.measured[0]?.tool})` };
  }
  if (minor > LAST_WITHOUT_INDEX && minor < FIRST_WITH_INDEX) {
    const before = byMinor(LAST_WITHOUT_INDEX);
    const after = byMinor(FIRST_WITH_INDEX);
    if (before !== undefined && after !== undefined) {
      return {
        addressSpace: larger(before.addressSpace, after.addressSpace),
        data: larger(before.data, after.data),
        basis: `go1.${minor} not measured, nor whether its runtime reserves the 512 MiB scavenge index: the higher of the go1.${LAST_WITHOUT_INDEX} and go1.${FIRST_WITH_INDEX} floors`,
      };
    }
  }
  const sameLayout = GO_MEMORY_FLOORS.filter((entry) => minorOf(entry.go) >= FIRST_WITH_INDEX === minor >= FIRST_WITH_INDEX);
  const atOrBelow = sameLayout.filter((entry) => minorOf(entry.go) <= minor).at(-1);
  if (atOrBelow !== undefined) {
    return {
      addressSpace: atOrBelow.addressSpace,
      data: atOrBelow.data,
      basis: `go1.${minor} not measured: the floors of ${atOrBelow.go}, the nearest measured release at or below it with the same runtime layout`,
    };
  }
  const oldest = GO_MEMORY_FLOORS[0] as GoMemoryFloor;
  return {
    addressSpace: oldest.addressSpace,
    data: oldest.data,
    basis: `go1.${minor} is older than any measured release: the floors of ${oldest.go}`,
  };
}

/**
 * RLIMIT_AS (bytes) under which sysprobe's own CLI (`node bin/sysprobe.js limits --json`: Node 20, the
 * addon loaded) may not start. It never started below 747 MiB (`node -e 0`: 712 MiB; V8 says `Fatal process
 * OOM in Failed to reserve virtual memory for CodeRange` lower down), and above that it failed at random
 * (SIGABRT, no message; 2 in 6 runs started under 800 MiB, 5 in 6 under 1000 MiB); from 1024 MiB 10 in 10
 * did. This is 1024 MiB plus one 64 MiB step.
 */
export const NODE_ADDRESS_SPACE_FLOOR: bigint = 1088n * MiB;

/**
 * The heap room over a Go floor below which mem-as warns: measured with Debian's gopls 0.5.0 (go1.19)
 * running `gopls check` on net/http/server.go (a real package): it needed 2702 MiB of RLIMIT_AS (below it,
 * `runtime: out of memory: cannot allocate 4194304-byte block (1474658304 in use)`), 1949 MiB over gopls's
 * own start floor (753 MiB); rounded up to 256 MiB. A generated 4000-type package needed 1147 MiB.
 */
export const GO_HEAP_MARGIN: bigint = 2048n * MiB;
