// Symbol-version names (GLIBC_2.2.5, GLIBCXX_3.4.30, CXXABI_1.3.9, OPENSSL_3.0.0): the one place that
// splits them into a prefix and a numeric version and compares them. Comparison is numeric per
// component (GLIBC_2.2.5 < GLIBC_2.17 < GLIBC_2.38), never lexical; names without a numeric tail
// (GLIBC_PRIVATE, GLIBC_ABI_DT_RELR) have no order.

/** A version name split at its numeric tail: `GLIBC_2.17` → `{ prefix: 'GLIBC', version: '2.17', parts: [2, 17] }`. */
export interface VersionName {
  prefix: string;
  version: string;
  parts: number[];
}

const NUMERIC_TAIL = /^(.+?)_(\d+(?:\.\d+)*)$/;

// The same few hundred names (GLIBC_2.2.5, …) recur in every file of a scan: parse each once.
const parsed = new Map<string, VersionName | null>();

/** Splits a version name, or `null` when it has no numeric tail. The result is shared: do not modify it. */
export function parseVersionName(name: string): VersionName | null {
  const known = parsed.get(name);
  if (known !== undefined) return known;
  const match = NUMERIC_TAIL.exec(name);
  const result =
    match === null
      ? null
      : Object.freeze({ prefix: match[1]!, version: match[2]!, parts: Object.freeze(match[2]!.split('.').map(Number)) as number[] });
  if (parsed.size > 50_000) parsed.clear();
  parsed.set(name, result);
  return result;
}

/** Compares the numeric parts of two parsed names. */
function compareParts(left: readonly number[], right: readonly number[]): number {
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  return 0;
}

/** Compares two dotted numeric versions (`'2.2.5'` vs `'2.17'`): negative, 0 or positive. Missing components count as 0. */
export function compareVersions(a: string, b: string): number {
  return compareParts(a.split('.').map(Number), b.split('.').map(Number));
}

/**
 * Compares two version names of the same prefix (`GLIBC_2.2.5` < `GLIBC_2.17`); `null` when the
 * prefixes differ or either name has no numeric tail.
 */
export function compareVersionNames(a: string, b: string): number | null {
  const left = parseVersionName(a);
  const right = parseVersionName(b);
  if (left === null || right === null || left.prefix !== right.prefix) return null;
  return compareParts(left.parts, right.parts);
}

/** The newest version per prefix among `names`: `{ GLIBC: '2.34', GLIBCXX: '3.4.30' }` (prefixes sorted). */
export function maxVersionsOf(names: Iterable<string>): Record<string, string> {
  const best = new Map<string, VersionName>();
  for (const name of names) {
    const version = parseVersionName(name);
    if (version === null) continue;
    const current = best.get(version.prefix);
    if (current === undefined || compareParts(version.parts, current.parts) > 0) best.set(version.prefix, version);
  }
  const out: Record<string, string> = {};
  for (const prefix of [...best.keys()].sort()) out[prefix] = best.get(prefix)!.version;
  return out;
}
