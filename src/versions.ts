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

/** Splits a version name, or `null` when it has no numeric tail. */
export function parseVersionName(name: string): VersionName | null {
  const match = NUMERIC_TAIL.exec(name);
  if (match === null) return null;
  const version = match[2]!;
  return { prefix: match[1]!, version, parts: version.split('.').map(Number) };
}

/** Compares two dotted numeric versions (`'2.2.5'` vs `'2.17'`): negative, 0 or positive. Missing components count as 0. */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  return 0;
}

/**
 * Compares two version names of the same prefix (`GLIBC_2.2.5` < `GLIBC_2.17`); `null` when the
 * prefixes differ or either name has no numeric tail.
 */
export function compareVersionNames(a: string, b: string): number | null {
  const left = parseVersionName(a);
  const right = parseVersionName(b);
  if (left === null || right === null || left.prefix !== right.prefix) return null;
  return compareVersions(left.version, right.version);
}

/** The newest version per prefix among `names`: `{ GLIBC: '2.34', GLIBCXX: '3.4.30' }` (prefixes sorted). */
export function maxVersionsOf(names: Iterable<string>): Record<string, string> {
  const best = new Map<string, string>();
  for (const name of names) {
    const parsed = parseVersionName(name);
    if (parsed === null) continue;
    const current = best.get(parsed.prefix);
    if (current === undefined || compareVersions(parsed.version, current) > 0) best.set(parsed.prefix, parsed.version);
  }
  const out: Record<string, string> = {};
  for (const prefix of [...best.keys()].sort()) out[prefix] = best.get(prefix)!;
  return out;
}
