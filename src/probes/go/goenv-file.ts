// The files cmd/go reads its settings from, parsed as golang/go:src/cmd/go/internal/cfg/cfg.go readEnvFile
// does: lines split on '\n' only (a '\r' stays in the value), a line is kept when it has '=' and starts with
// an ASCII capital; KEY is what precedes the first '=', VALUE the rest, verbatim (no quotes, no trimming);
// a later line of the same key wins. The user file is `go env -w`'s (EnvFile: $GOENV, else
// os.UserConfigDir()/go/env); $GOROOT/go.env is the toolchain's defaults (Go 1.21 and later).
import { posix, win32 } from 'node:path';
import { readText, type Steps } from '../../util/fs-steps.js';

/** At most this much of an env file is read; a larger one is reported as an error, as no `go env -w` writes it. */
export const MAX_ENV_FILE = 1 << 20;

export type EnvGetter = (key: string) => string | undefined;

/** A getter over a plain record; Windows environment names are case-insensitive. */
export function envGetter(env: Record<string, string | undefined>, platform: NodeJS.Platform): EnvGetter {
  if (platform !== 'win32') return (key) => (Object.hasOwn(env, key) ? env[key] : undefined);
  const folded = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(env)) if (!folded.has(k.toUpperCase())) folded.set(k.toUpperCase(), v);
  return (key) => folded.get(key.toUpperCase());
}

export function parseGoEnvFile(text: string): Record<string, string> {
  const values = Object.create(null) as Record<string, string>;
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0 || line.charCodeAt(0) < 0x41 || line.charCodeAt(0) > 0x5a) continue;
    values[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return values;
}

const pathFor = (platform: NodeJS.Platform) => (platform === 'win32' ? win32 : posix);

/** Go's os.UserConfigDir: %AppData%; $HOME/Library/Application Support; $XDG_CONFIG_HOME or $HOME/.config. */
export function userConfigDir(get: EnvGetter, platform: NodeJS.Platform, home: string | undefined): string | null {
  if (platform === 'win32') return get('AppData') || null;
  if (platform === 'darwin') return home ? `${home}/Library/Application Support` : null;
  return get('XDG_CONFIG_HOME') || (home ? `${home}/.config` : null);
}

/** Go's os.UserCacheDir: %LocalAppData%; $HOME/Library/Caches; $XDG_CACHE_HOME or $HOME/.cache. */
export function userCacheDir(get: EnvGetter, platform: NodeJS.Platform, home: string | undefined): string | null {
  if (platform === 'win32') return get('LocalAppData') || null;
  if (platform === 'darwin') return home ? `${home}/Library/Caches` : null;
  return get('XDG_CACHE_HOME') || (home ? `${home}/.cache` : null);
}

export interface GoEnvFileFacts {
  /** The file cmd/go reads, or `null` with GOENV=off or without a user config directory. */
  path: string | null;
  /** `'GOENV'` (named by the variable), `'default'` (the user config directory), `'off'` (GOENV=off). */
  source: 'GOENV' | 'default' | 'off';
  exists: boolean;
  values: Record<string, string>;
  /** Why it could not be read: an errno name (not ENOENT, which is `exists: false`), `ERR_SYSPROBE_TOO_LARGE`, or 'missing user-config dir'. */
  error?: string;
}

export interface GoDotEnvFacts {
  /** `$GOROOT/go.env`, or `null` when no GOROOT is known. */
  path: string | null;
  exists: boolean;
  values: Record<string, string>;
  /** Whether this toolchain reads it: Go 1.21 and later (or a version that cannot be told). */
  applies: boolean;
  error?: string;
}

type Read = { exists: boolean; values: Record<string, string>; error?: string };

function* readEnvFile(path: string): Steps<Read> {
  const answer = yield* readText(path, MAX_ENV_FILE);
  if (answer.ok) return { exists: true, values: parseGoEnvFile(answer.text) };
  const empty = Object.create(null) as Record<string, string>;
  if (answer.code === 'ENOENT' || answer.code === 'ENOTDIR') return { exists: false, values: empty };
  return { exists: true, values: empty, error: answer.code };
}

/** cfg.EnvFile, then the file read. GOENV comes from the process environment only, as in cmd/go. */
export function* goEnvFileSteps(get: EnvGetter, platform: NodeJS.Platform, home: string | undefined): Steps<GoEnvFileFacts> {
  const goenv = get('GOENV');
  if (goenv === 'off') return { path: null, source: 'off', exists: false, values: Object.create(null) };
  let path: string;
  let source: GoEnvFileFacts['source'] = 'GOENV';
  if (goenv) path = goenv;
  else {
    const dir = userConfigDir(get, platform, home);
    if (dir === null)
      return { path: null, source: 'default', exists: false, values: Object.create(null), error: 'missing user-config dir' };
    path = pathFor(platform).join(dir, 'go', 'env');
    source = 'default';
  }
  return { path, source, ...(yield* readEnvFile(path)) };
}

export function* goDotEnvSteps(goroot: string | null, platform: NodeJS.Platform, applies: boolean): Steps<GoDotEnvFacts> {
  if (goroot === null) return { path: null, exists: false, values: Object.create(null), applies };
  const path = pathFor(platform).join(goroot, 'go.env');
  return { path, applies, ...(yield* readEnvFile(path)) };
}

/** The first line of `$GOROOT/VERSION` (`go1.19.8`), as cmd/dist and the go command read it. */
export function* readVersionFile(goroot: string, platform: NodeJS.Platform): Steps<{ file: string; version: string | null }> {
  const file = pathFor(platform).join(goroot, 'VERSION');
  const answer = yield* readText(file, 64 * 1024);
  if (!answer.ok) return { file, version: null };
  const first = answer.text.split('\n', 1)[0]?.trim() ?? '';
  return { file, version: first === '' ? null : first };
}

/** go1.21.3 → [1, 21]; `null` for devel or unreadable versions. */
export function goMinor(version: string | null): [number, number] | null {
  const m = /^go(\d+)\.(\d+)/.exec(version ?? '');
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/** Whether `version` is at least go1.`minor` (unknown versions count as new: devel builds are). */
export const atLeast = (version: string | null, minor: number): boolean => {
  const v = goMinor(version);
  return v === null || v[0] > 1 || v[1] >= minor;
};
