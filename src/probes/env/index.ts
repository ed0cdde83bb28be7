import { isUtf8 } from 'node:buffer';
import { checkPid } from '../../util/validate.js';
import { invalidArgument } from '../../errors.js';
import { binding } from '../../backends/loader.js';
import type { RawProcessEnv } from '../../backends/binding.js';

/** One entry of a process's environment, exactly as the kernel keeps it. */
export interface EnvEntry {
  /** The text before the first `=` (UTF-8 decoded; see `raw` when `utf8` is false). */
  name: string;
  /** The text after the first `=` (further `=` belong to the value); `''` for `NAME=`; `null` when the entry has no `=`. */
  value: string | null;
  /** The entry's exact bytes (`NAME=value`), for values that are not UTF-8. */
  raw: Buffer;
  /** The value's exact bytes (`null` when there is no `=`). */
  valueRaw: Buffer | null;
  /** The entry is valid UTF-8; when false, `name`/`value` hold U+FFFD where bytes did not decode and `raw` is authoritative. */
  utf8: boolean;
}

export interface ProcessEnv {
  pid: number;
  /** `'procfs'` (`/proc/PID/environ`), `'kern.procargs2'` (macOS), `'kern.proc.env'` (FreeBSD). */
  source: 'procfs' | 'kern.procargs2' | 'kern.proc.env';
  /** Every entry in order, duplicates and entries without `=` included. */
  entries: EnvEntry[];
  /** name → value, as getenv() would answer (the first entry of a name wins); null prototype. */
  env: Record<string, string>;
  /** Names that occur more than once. */
  duplicates: string[];
}

function shapeEnv(raw: RawProcessEnv): ProcessEnv {
  const entries: EnvEntry[] = [];
  const env = Object.create(null) as Record<string, string>;
  const duplicates: string[] = [];
  for (const bytes of raw.entries) {
    const eq = bytes.indexOf(0x3d);
    const utf8 = isUtf8(bytes);
    const name = (eq < 0 ? bytes : bytes.subarray(0, eq)).toString('utf8');
    const valueRaw = eq < 0 ? null : Buffer.from(bytes.subarray(eq + 1));
    const value = valueRaw === null ? null : valueRaw.toString('utf8');
    entries.push({ name, value, raw: bytes, valueRaw, utf8 });
    if (value === null) continue;
    if (Object.hasOwn(env, name)) {
      if (!duplicates.includes(name)) duplicates.push(name);
    } else {
      env[name] = value;
    }
  }
  return { pid: raw.pid, source: raw.source as ProcessEnv['source'], entries, env, duplicates };
}

/**
 * The environment process `pid` was started with (Linux `/proc/PID/environ`, macOS `KERN_PROCARGS2`). It is
 * the environment block handed to execve(): later setenv() calls inside the process do not show.
 * Errors: `ESRCH` (no such process), `EACCES` (another user's process).
 */
export function probeProcessEnvSync(pid: number): ProcessEnv {
  return shapeEnv(binding().processEnvSync(checkPid('probeProcessEnv', pid)));
}

/** As {@link probeProcessEnvSync}, read on the libuv thread pool. */
export async function probeProcessEnv(pid: number): Promise<ProcessEnv> {
  return shapeEnv(await binding().processEnv(checkPid('probeProcessEnv', pid)));
}

/** What {@link diffEnv} compares: a probed environment, or a plain `name → value` record such as `process.env`. */
export type EnvLike = ProcessEnv | Record<string, string | undefined>;

export interface EnvDiff {
  /** In `b`, not in `a` (e.g. what gopls sees that the shell does not). */
  added: Record<string, string>;
  /** In `a`, not in `b`. */
  removed: Record<string, string>;
  /** In both, with different values. */
  changed: Record<string, { a: string; b: string }>;
  /** Names with the same value in both. */
  unchanged: number;
}

function isProcessEnv(value: EnvLike): value is ProcessEnv {
  return (
    Array.isArray((value as ProcessEnv).entries) &&
    typeof (value as ProcessEnv).env === 'object' &&
    typeof (value as ProcessEnv).pid === 'number'
  );
}

/** name → [text, exact bytes] (the first occurrence of a name, as getenv()). */
function valueMap(value: EnvLike, which: string): Map<string, { text: string; bytes: Buffer }> {
  if (typeof value !== 'object' || value === null) throw invalidArgument(`diffEnv(): ${which} must be an environment`);
  const map = new Map<string, { text: string; bytes: Buffer }>();
  if (isProcessEnv(value)) {
    for (const entry of value.entries) {
      if (entry.valueRaw === null || entry.value === null || map.has(entry.name)) continue;
      map.set(entry.name, { text: entry.value, bytes: entry.valueRaw });
    }
  } else {
    for (const [name, text] of Object.entries(value)) {
      if (typeof text === 'string') map.set(name, { text, bytes: Buffer.from(text, 'utf8') });
    }
  }
  return map;
}

/** Differences between two environments, compared byte for byte (so values that are not UTF-8 are not confused). */
export function diffEnv(a: EnvLike, b: EnvLike): EnvDiff {
  const left = valueMap(a, 'a');
  const right = valueMap(b, 'b');
  const diff: EnvDiff = {
    added: Object.create(null) as Record<string, string>,
    removed: Object.create(null) as Record<string, string>,
    changed: Object.create(null) as Record<string, { a: string; b: string }>,
    unchanged: 0,
  };
  for (const name of [...left.keys()].sort()) {
    const l = left.get(name)!;
    const r = right.get(name);
    if (r === undefined) diff.removed[name] = l.text;
    else if (l.bytes.equals(r.bytes)) diff.unchanged += 1;
    else diff.changed[name] = { a: l.text, b: r.text };
  }
  for (const name of [...right.keys()].sort()) {
    if (!left.has(name)) diff.added[name] = right.get(name)!.text;
  }
  return diff;
}
