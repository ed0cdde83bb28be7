// Dependency resolution and compatibility verdicts as glibc's loader decides them. The resolver and
// the ld.so.cache parser are native (native/core/resolve.cc, ldcache.cc); this module validates
// options, shapes the results and checks versions the way elf/dl-version.c does.
import { SysprobeError, inRootError, invalidArgument } from './errors.js';
import { readElf, readElfPath, readElfPathSync, readElfSync, shapeElf } from './elf.js';
import { isAbsolutePath, pathArg, pathText } from './paths.js';
import type { PathArg, PathInput } from './paths.js';
import { GLIBC_VERSION_TABLES, type GlibcVersionTable } from './glibc-tables.js';
import { binding } from './loader.js';
import type { RawCache, RawResolve, RawResolveObject, RawResolveOptions } from './native.js';

/** One entry of an ld.so.cache. */
export interface LdSoCacheEntry {
  /** The library's SONAME. */
  key: string;
  /** The full path. */
  value: string;
  /** Type and architecture flags (`0x303` = libc6, x86-64). */
  flags: number;
  /** The flags as `ldconfig -p` prints them: `'libc6,x86-64'`. */
  flagsText: string;
  osVersion: number;
  /** 64-bit hwcap field, exact. */
  hwcap: bigint;
  /** A glibc-hwcaps subdirectory entry (the hwcap extension bit). */
  hwcapExtension: boolean;
  /** Its subdirectory name (`'x86-64-v3'`). */
  hwcapName: string | null;
  /** x86 ISA level bits of an extension entry. */
  isaLevel: number;
}

export interface LdSoCache {
  path: string;
  /** `'old'` (ld.so-1.7.0), `'new'` (glibc-ld.so.cache1.1) or `'compat'` (new inside old). */
  format: 'old' | 'new' | 'compat';
  endian: 'little' | 'big';
  /** The new header's endianness flag: 0 unset, 2 little, 3 big. */
  endianFlag: number;
  /** The table the loader searches (the new one when there is one). */
  entries: LdSoCacheEntry[];
  /** The old-format table of old and compat files. */
  oldEntries: LdSoCacheEntry[];
  /** Who wrote the cache (`'ldconfig (Debian GLIBC 2.36-9) stable release version 2.36'`); evidence only. */
  generator: string | null;
  hwcapNames: string[];
  diagnostics: string[];
}

export type FoundVia = 'rpath' | 'ld_library_path' | 'runpath' | 'cache' | 'default' | 'direct' | 'interpreter';

/** One path the loader tried and what came of it. */
export interface DepsCandidate {
  path: string;
  /** `'found'`, `'ENOENT'`, `'ENOTDIR'`, `'EACCES'`, `'wrong-class'`, `'wrong-machine'`, `'nodeflib'`, `'fatal'`. */
  result: string;
}

/** A library in load order, as `ld.so --list` prints it. */
export interface ResolvedLibrary {
  /** As requested: the DT_NEEDED string (or PT_INTERP for the loader). */
  name: string;
  /** As the loader names it (search directory + name, symlinks kept); `null` when not found. */
  path: string | null;
  /** The file behind it inside the root, symlinks resolved; `null` when not found. */
  realPath: string | null;
  /** How it was found; `null` when not found. */
  foundVia: FoundVia | null;
  /** For `rpath`/`runpath`: whose search path found it. */
  via: string | null;
  /** The glibc-hwcaps (or legacy) subdirectory it came from. */
  hwcaps: string | null;
  /** Paths of the objects whose DT_NEEDED named it. */
  requiredBy: string[];
  /** Every path tried, in order. */
  candidates: DepsCandidate[];
  soname: string | null;
  /** Why it is not loaded (`'cannot open shared object file: No such file or directory'`), or `null`. */
  error: string | null;
}

export interface DepsTreeNode {
  name: string;
  path: string | null;
  foundVia: FoundVia | 'main' | null;
  /** Already loaded earlier: its children are listed where it first appears. */
  reused: boolean;
  children: DepsTreeNode[];
}

export interface MissingLibrary {
  name: string;
  requiredBy: string[];
  /** Every path tried. */
  searched: string[];
  error: string;
}

export interface DepsResult {
  program: string;
  /** The root analysed (`null`: this host). */
  root: string | null;
  interpreter: string | null;
  /** Whose rules applied: glibc's, or musl's (an `ld-musl-*` interpreter: no cache, no hwcaps, the path file). */
  libc: 'glibc' | 'musl';
  /** The glibc version of the loader's own banner (`'2.36'`). */
  loaderVersion: string | null;
  systemDirs: string[];
  hwcaps: string[];
  legacyHwcaps: string[];
  platform: string;
  lib: string;
  /** The program inside the root (or on this host), symlinks resolved. */
  realPath: string;
  /** The root's cache: `hostPath` is where it was read on this host (resolved inside the root). */
  cache: { path: string; hostPath: string | null; used: boolean; error: string | null };
  libraries: ResolvedLibrary[];
  tree: DepsTreeNode;
  missing: MissingLibrary[];
  /** The loader would stop with this message (an invalid ELF header, ...). */
  fatal: string | null;
}

export interface ResolveDepsOptions {
  /** A root filesystem (a directory on this host): every path resolves inside it. A Buffer is its exact bytes. */
  root?: PathInput;
  /** The environment the program would start with (only `LD_LIBRARY_PATH` is used). */
  env?: { LD_LIBRARY_PATH?: string };
  /** Working directory (inside the root) for relative paths; default: this process's for the host, `/` for a root. */
  cwd?: PathInput;
  /** Active glibc-hwcaps subdirectories, best first; default: this CPU's x86-64 levels the loader knows. */
  hwcaps?: string[];
  /** `$PLATFORM`; default: as glibc names this CPU. */
  platform?: string;
  /** Use the root's etc/ld.so.cache (default true). */
  useCache?: boolean;
}

const FLAG_TYPES: Record<number, string> = { 0: 'libc4', 1: 'ELF', 2: 'libc5', 3: 'libc6' };
const FLAG_ARCH: Record<number, string> = {
  0x0100: ',64bit', 0x0200: ',IA-64', 0x0300: ',x86-64', 0x0400: ',64bit', 0x0500: ',64bit', 0x0600: ',N32',
  0x0700: ',64bit', 0x0800: ',x32', 0x0900: ',hard-float', 0x0a00: ',AArch64', 0x0b00: ',soft-float',
  0x0c00: ',nan2008', 0x0d00: ',N32,nan2008', 0x0e00: ',64bit,nan2008', 0x0f00: ',soft-float', 0x1000: ',double-float',
  0x1100: ',soft-float', 0x1200: ',double-float',
};

function flagsText(flags: number): string {
  const type = flags & 0xff;
  const arch = flags & 0xff00;
  return `${FLAG_TYPES[type] ?? 'unknown'}${arch === 0 ? '' : FLAG_ARCH[arch] ?? `,${arch}`}`;
}

function checkPath(fn: string, path: unknown, what = 'path'): PathArg {
  return pathArg(fn, path, what);
}

/** A root: absolute, its trailing slashes dropped (the bytes kept otherwise). */
function checkRoot(fn: string, root: unknown): PathArg {
  const path = checkPath(fn, root, 'root');
  if (!isAbsolutePath(path)) throw invalidArgument(`${fn}(): root must be an absolute path`);
  if (typeof path === 'string') return path.replace(/\/+$/, '');
  let end = path.length;
  while (end > 0 && path[end - 1] === 0x2f) end--;
  return path.subarray(0, end);
}

function shapeCache(path: string, text: string): LdSoCache {
  const raw = JSON.parse(text) as RawCache;
  const entries = (list: RawCache['entries']): LdSoCacheEntry[] => list.map((e) => ({
    key: e.key, value: e.value, flags: e.flags, flagsText: flagsText(e.flags), osVersion: e.osVersion, hwcap: BigInt(e.hwcap),
    hwcapExtension: e.hwcapExtension, hwcapName: e.hwcapName, isaLevel: e.isaLevel,
  }));
  return {
    path, format: raw.format, endian: raw.endian, endianFlag: raw.endianFlag, entries: entries(raw.entries),
    oldEntries: entries(raw.oldEntries), generator: raw.generator, hwcapNames: raw.hwcapNames, diagnostics: raw.diagnostics,
  };
}

/** Reads an ld.so.cache file (any format, either byte order). Fails with `ERR_SYSPROBE_BAD_LDCACHE` / `ERR_SYSPROBE_TRUNCATED` and the offset. */
export function readLdSoCacheSync(path: PathInput): LdSoCache {
  const file = checkPath('readLdSoCacheSync', path);
  return shapeCache(pathText(file), binding().readLdSoCacheSync(file));
}

/** As {@link readLdSoCacheSync}, on the libuv thread pool. */
export async function readLdSoCache(path: PathInput): Promise<LdSoCache> {
  const file = checkPath('readLdSoCache', path);
  return shapeCache(pathText(file), await binding().readLdSoCache(file));
}

function resolveOptions(fn: string, options: ResolveDepsOptions | undefined): RawResolveOptions {
  if (options === undefined) return { cwd: process.cwd() };
  if (typeof options !== 'object' || options === null) throw invalidArgument(`${fn}(): options must be an object`);
  for (const key of Object.keys(options)) {
    if (!['root', 'env', 'cwd', 'hwcaps', 'platform', 'useCache'].includes(key)) throw invalidArgument(`${fn}(): unknown option '${key}'`);
  }
  const raw: RawResolveOptions = {};
  if (options.root !== undefined) raw.root = checkRoot(fn, options.root);
  if (options.env !== undefined) {
    if (typeof options.env !== 'object' || options.env === null) throw invalidArgument(`${fn}(): env must be an object`);
    const llp = options.env.LD_LIBRARY_PATH;
    if (llp !== undefined && typeof llp !== 'string') throw invalidArgument(`${fn}(): env.LD_LIBRARY_PATH must be a string`);
    if (llp !== undefined) raw.ldLibraryPath = llp;
  }
  const cwd = options.cwd === undefined ? undefined : checkPath(fn, options.cwd, 'cwd');
  if (cwd !== undefined && !isAbsolutePath(cwd)) throw invalidArgument(`${fn}(): cwd must be an absolute path`);
  raw.cwd = cwd ?? (raw.root !== undefined && raw.root.length !== 0 ? '/' : process.cwd());
  if (options.hwcaps !== undefined) {
    if (!Array.isArray(options.hwcaps) || options.hwcaps.some((h) => typeof h !== 'string')) throw invalidArgument(`${fn}(): hwcaps must be an array of names`);
    raw.hwcaps = options.hwcaps;
  }
  if (options.platform !== undefined) {
    if (typeof options.platform !== 'string') throw invalidArgument(`${fn}(): platform must be a string`);
    raw.platform = options.platform;
  }
  if (options.useCache !== undefined) {
    if (typeof options.useCache !== 'boolean') throw invalidArgument(`${fn}(): useCache must be a boolean`);
    raw.useCache = options.useCache;
  }
  return raw;
}

/** The name an object has in the loader's messages: the program as given, a library by its path. */
function objectPath(o: RawResolveObject): string {
  return o.path ?? o.name;
}

/** Fills in the paths the addon leaves out when they repeat (realPath = path, hostPath = realPath). */
function expandPaths(raw: RawResolve): RawResolve {
  for (const o of raw.objects) {
    o.realPath ??= o.path ?? o.name;
    o.hostPath ??= o.realPath;
  }
  return raw;
}

function shapeDeps(program: string, root: string | null, raw: RawResolve): DepsResult {
  expandPaths(raw);
  const objects = raw.objects;
  const libraries: ResolvedLibrary[] = raw.order.map((index) => {
    const o = objects[index]!;
    return {
      name: o.name,
      path: o.path,
      realPath: o.path === null ? null : o.realPath,
      foundVia: o.path === null ? null : (o.foundVia as FoundVia),
      via: o.viaObject === null ? null : objectPath(objects[o.viaObject]!),
      hwcaps: o.hwcaps,
      requiredBy: o.requiredBy.map((r) => objectPath(objects[r]!)),
      candidates: o.candidates,
      soname: o.elf?.soname ?? null,
      error: o.error,
    };
  });
  // Each object's children are listed under the object that loaded it (the first requester in load
  // order); everywhere else it is marked as reused.
  const expanded = new Set<number>();
  const node = (index: number, parent: number, depth: number): DepsTreeNode => {
    const o = objects[index]!;
    const home = o.loader >= 0 ? o.loader : (o.requiredBy[0] ?? -1);
    const reused = index !== 0 && (parent !== home || expanded.has(index));
    if (!reused) expanded.add(index);
    return {
      name: o.name,
      path: o.path,
      foundVia: index === 0 ? 'main' : o.path === null ? null : (o.foundVia as FoundVia),
      reused,
      children: reused || depth > 64 ? [] : o.deps.filter((d) => d >= 0).map((d) => node(d, index, depth + 1)),
    };
  };
  // The loader fakes one entry per request of a missing library (ld.so --list prints each): `missing`
  // lists each name once, with every requester.
  const missing: MissingLibrary[] = [];
  for (const o of raw.order.map((i) => objects[i]!)) {
    if (o.path !== null) continue;
    const requiredBy = o.requiredBy.map((r) => objectPath(objects[r]!));
    const known = missing.find((m) => m.name === o.name);
    if (known !== undefined) {
      for (const r of requiredBy) if (!known.requiredBy.includes(r)) known.requiredBy.push(r);
      continue;
    }
    missing.push({
      name: o.name, requiredBy, searched: o.candidates.map((c) => c.path),
      error: o.error ?? 'cannot open shared object file: No such file or directory',
    });
  }
  return {
    program, root, interpreter: raw.interpreter, libc: raw.libc, loaderVersion: raw.loaderVersion, systemDirs: raw.systemDirs, hwcaps: raw.hwcaps,
    legacyHwcaps: raw.legacyHwcaps, platform: raw.platform, lib: raw.lib,
    realPath: objects[0]!.realPath!,
    cache: { path: raw.cachePath, hostPath: raw.cacheHostPath, used: raw.cacheUsed, error: raw.cacheError },
    libraries, tree: node(0, -1, 0), missing, fatal: raw.fatalError,
  };
}

/**
 * The libraries `binary` would load, in load order, as glibc's loader finds them (from `opts.root`
 * when given: every path, absolute symlinks included, resolves inside it). Nothing is executed.
 */
export function resolveDepsSync(binary: PathInput, options?: ResolveDepsOptions): DepsResult {
  const program = checkPath('resolveDepsSync', binary);
  const raw = resolveOptions('resolveDepsSync', options);
  try {
    return shapeDeps(pathText(program), rootText(raw), JSON.parse(binding().resolveDepsSync(program, raw)) as RawResolve);
  } catch (error) {
    throw inRootError(error, rootText(raw) ?? undefined);
  }
}

function rootText(raw: RawResolveOptions): string | null {
  return raw.root === undefined ? null : pathText(raw.root);
}

/** As {@link resolveDepsSync}, on the libuv thread pool. */
export async function resolveDeps(binary: PathInput, options?: ResolveDepsOptions): Promise<DepsResult> {
  const program = checkPath('resolveDeps', binary);
  const raw = resolveOptions('resolveDeps', options);
  try {
    return shapeDeps(pathText(program), rootText(raw), JSON.parse(await binding().resolveDeps(program, raw)) as RawResolve);
  } catch (error) {
    throw inRootError(error, rootText(raw) ?? undefined);
  }
}

// ---- compatibility -------------------------------------------------------------------------------------

export type CompatTarget = 'host' | { root: PathInput } | { glibc: string; arch?: string };

export interface MissingVersion {
  version: string;
  /** The library the version is needed from (`vn_file`). */
  file: string;
  /** The object that needs it (its path). */
  requiredBy: string;
  /** The file that was checked (its path; the SONAME for a virtual target). */
  provider: string;
  /** The dynamic symbols of `requiredBy` bound to this version (none for marker versions like GLIBC_ABI_DT_RELR). */
  symbols: string[];
  /** VER_FLG_WEAK: the loader only warns. */
  weak: boolean;
}

export interface CompatReport {
  ok: boolean;
  target: { kind: 'host' | 'root' | 'virtual'; root: string | null; glibc: string | null; arch: string | null };
  missingLibraries: MissingLibrary[];
  missingVersions: MissingVersion[];
  /** Worded as the loader words them, all at once (fatal ones first in load order, then warnings). */
  messages: string[];
  /** Non-fatal findings: weak versions, providers without version definitions, unchecked libraries. */
  warnings: string[];
  /** The resolution behind the verdict (`null` for a virtual target). */
  deps: DepsResult | null;
}

function checkTarget(fn: string, target: unknown): CompatTarget {
  if (target === undefined || target === 'host') return 'host';
  if (typeof target !== 'object' || target === null) throw invalidArgument(`${fn}(): target must be 'host', { root } or { glibc, arch? }`);
  const t = target as Record<string, unknown>;
  if ('root' in t) {
    if (Object.keys(t).some((k) => k !== 'root')) throw invalidArgument(`${fn}(): a { root } target takes no other keys`);
    checkRoot(fn, t.root);
    return { root: checkPath(fn, t.root, 'root') };
  }
  if ('glibc' in t) {
    if (Object.keys(t).some((k) => k !== 'glibc' && k !== 'arch')) throw invalidArgument(`${fn}(): unknown key in { glibc, arch } target`);
    if (typeof t.glibc !== 'string' || !/^\d+\.\d+$/.test(t.glibc)) throw invalidArgument(`${fn}(): glibc must look like '2.28'`);
    if (t.arch !== undefined && typeof t.arch !== 'string') throw invalidArgument(`${fn}(): arch must be a string`);
    return { glibc: t.glibc, ...(t.arch !== undefined ? { arch: t.arch as string } : {}) };
  }
  throw invalidArgument(`${fn}(): target must be 'host', { root } or { glibc, arch? }`);
}

type VersionCheck = { missing: MissingVersion[]; messages: string[]; warnings: string[] };
type SymbolList = Array<{ name: string; version: string | null; file: string | null; defined: boolean }>;

/** dl-version.c over a resolution: per object in load order, each Verneed against the loaded provider's Verdefs. */
function versionCheck(raw: RawResolve): VersionCheck {
  const objects = raw.objects;
  const result: VersionCheck = { missing: [], messages: [], warnings: [] };
  if (raw.libc === 'musl') {
    result.warnings.push('musl does not check symbol versions: none were checked');
    return result;
  }
  const sequence = [0, ...raw.order.filter((i) => i !== 0)];
  for (const index of sequence) {
    const o = objects[index]!;
    if (o.elf === null || o.path === null) continue;
    const requirer = objectPath(o);
    for (const need of o.elf.versionNeeds) {
      // find_needed(): among the loaded objects, by name, path or SONAME.
      const providerIndex = o.deps.find((d) => d >= 0 && matches(objects[d]!, need.file))
        ?? objects.findIndex((p) => p.path !== null && matches(p, need.file));
      const provider = providerIndex < 0 ? undefined : objects[providerIndex];
      if (provider === undefined || provider.path === null || provider.elf === null) continue;  // not loaded: a missing library
      if (provider.elf.versionDefs.length === 0) {
        result.warnings.push(`${objectPath(provider)}: no version information available (required by ${requirer})`);
        continue;
      }
      for (const v of need.versions) {
        if (provider.elf.versionDefs.some((d) => d.name === v.name && d.hash === v.hash)) continue;
        result.missing.push({ version: v.name, file: need.file, requiredBy: requirer, provider: objectPath(provider), symbols: [], weak: v.weak });
        if (v.weak) result.warnings.push(`${objectPath(provider)}: weak version \`${v.name}' not found (required by ${requirer})`);
        else result.messages.push(`${objectPath(provider)}: version \`${v.name}' not found (required by ${requirer})`);
      }
    }
  }
  return result;
}

/** The requirers whose symbols explain the missing versions (host paths), each once. */
/** Where each requirer of a missing version is read: its host path, or inside the root its canonical path. */
function requirersOf(check: VersionCheck, raw: RawResolve, root: PathArg | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of check.missing) {
    const object = raw.objects.find((o) => objectPath(o) === m.requiredBy);
    if (object !== undefined) out.set(m.requiredBy, root !== undefined ? object.realPath! : object.hostPath!);
  }
  return out;
}

// Inside a root the requirer's symbols are read as resolveDeps reads its files (the core's race-free
// open inside the root), not by its host path.
const SYMBOLS_ONLY = 1;

function symbolsSync(root: PathArg | undefined, path: string): SymbolList {
  if (root === undefined) return readElfSync(path, { symbols: true, crossCheck: false }).symbols ?? [];
  return shapeElf(binding().readInRootSync(root, path, 'elf', SYMBOLS_ONLY, 0, 0) as string, path).symbols ?? [];
}

async function symbols(root: PathArg | undefined, path: string): Promise<SymbolList> {
  if (root === undefined) return (await readElf(path, { symbols: true, crossCheck: false })).symbols ?? [];
  return shapeElf((await binding().readInRoot(root, path, 'elf', SYMBOLS_ONLY, 0, 0)) as string, path).symbols ?? [];
}

function attachSymbols(check: VersionCheck, requirer: string, symbols: SymbolList): void {
  for (const m of check.missing) {
    if (m.requiredBy !== requirer) continue;
    m.symbols = symbols.filter((s) => !s.defined && s.version === m.version && s.file === m.file).map((s) => s.name);
  }
}

function matches(o: RawResolveObject, name: string): boolean {
  return o.name === name || o.path === name || (o.elf?.soname ?? null) === name;
}

function compatFromDeps(target: CompatTarget, deps: DepsResult, raw: RawResolve, check: VersionCheck): CompatReport {
  const messages: string[] = [];
  if (raw.fatalError !== null) messages.push(raw.fatalError);
  for (const m of deps.missing) messages.push(`${m.name}: ${m.error}`);
  messages.push(...check.messages);
  return {
    ok: raw.fatalError === null && deps.missing.length === 0 && check.messages.length === 0,
    target: targetInfo(target),
    missingLibraries: deps.missing,
    missingVersions: check.missing,
    messages,
    warnings: check.warnings,
    deps,
  };
}

function targetInfo(target: CompatTarget): CompatReport['target'] {
  if (target === 'host') return { kind: 'host', root: null, glibc: null, arch: null };
  if ('root' in target) return { kind: 'root', root: pathText(target.root as PathArg), glibc: null, arch: null };
  return { kind: 'virtual', root: null, glibc: target.glibc, arch: target.arch ?? null };
}

function releaseKey(version: string): number[] {
  return version.split('.').map(Number);
}

function compareReleases(a: string, b: string): number {
  const x = releaseKey(a);
  const y = releaseKey(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

// Libraries whose version names are older than the library (libc_malloc_debug.so.0 came in 2.34 with
// GLIBC_2.2.5 and up), and marker versions without a number, with the release that brought them.
const LIBRARY_SINCE: Record<string, string> = { 'libc_malloc_debug.so.0': '2.34' };
const MARKER_SINCE: Record<string, string> = { GLIBC_ABI_DT_RELR: '2.36' };

/**
 * The version names glibc `release` defines on `arch`: a table read from a real build, or for a release
 * older than every table of that arch, the oldest newer table cut at the release. glibc names each version
 * node after the release that introduced it and never removes one, so GLIBC_X.Y <= release is exactly the
 * set that release defined; a library with no such name did not exist yet (libmvec before 2.22). One thing a
 * cut cannot undo: in 2.34 libpthread, libdl and librt moved into libc, and libc took their names along
 * (GLIBC_2.31 on x86_64, pthread_clockjoin_np), so a cut across 2.34 can accept such a name from libc.so.6;
 * the nearest newer table is used, so this happens only where no pre-2.34 table of the arch exists.
 * GLIBC_PRIVATE stays with its library.
 * null: no table of that arch is newer.
 */
export function glibcTableFor(release: string, arch: string, tables: readonly GlibcVersionTable[] = GLIBC_VERSION_TABLES): (GlibcVersionTable & { derivedFrom?: string }) | null {
  const exact = tables.find((t) => t.glibc === release && t.arch === arch);
  if (exact !== undefined) return exact;
  const newer = tables.filter((t) => t.arch === arch && compareReleases(t.glibc, release) > 0)
    .sort((a, b) => compareReleases(a.glibc, b.glibc))[0];
  if (newer === undefined) return null;
  const files: Record<string, string[]> = {};
  for (const [soname, names] of Object.entries(newer.files)) {
    const since = LIBRARY_SINCE[soname];
    if (since !== undefined && compareReleases(release, since) < 0) continue;
    const kept = names.filter((name) => {
      const m = /^GLIBC_(\d+(?:\.\d+)+)$/.exec(name);
      const introduced = m !== null ? m[1]! : MARKER_SINCE[name];
      return introduced !== undefined && compareReleases(introduced, release) <= 0;
    });
    if (kept.length === 0) continue;
    if (names.includes('GLIBC_PRIVATE')) kept.push('GLIBC_PRIVATE');
    files[soname] = kept;
  }
  return { glibc: release, arch, from: `${newer.from}, cut at GLIBC_${release}`, files, derivedFrom: newer.glibc };
}

const ARCH_ALIASES: Record<string, string> = {
  x86_64: 'x86_64', amd64: 'x86_64', x64: 'x86_64', aarch64: 'aarch64', arm64: 'aarch64', i386: 'i386', i686: 'i386', x86: 'i386',
  ia32: 'i386', s390x: 's390x',
};

function virtualCheck(target: { glibc: string; arch?: string }, binary: string, elf: import('./elf.js').ElfInfo): CompatReport {
  const arch = ARCH_ALIASES[target.arch ?? elf.machine] ?? target.arch ?? elf.machine;
  const table = glibcTableFor(target.glibc, arch);
  if (table === null) {
    const known = GLIBC_VERSION_TABLES.map((t) => `${t.glibc}/${t.arch}`).join(', ');
    throw new SysprobeError({ code: 'ERR_SYSPROBE_UNSUPPORTED', message: `checkCompat(): no table of glibc ${target.glibc} for ${arch}, and none newer to derive it from (tables: ${known})` });
  }
  const missing: MissingVersion[] = [];
  const messages: string[] = [];
  const warnings: string[] = [];
  if (table.derivedFrom !== undefined) {
    warnings.push(`glibc ${table.glibc} (${arch}): version names derived from the glibc ${table.derivedFrom} table (every GLIBC_X.Y up to ${table.glibc}); ` +
      'symbols that moved between libraries since (libpthread, libdl, librt into libc in 2.34) are not checked');
  }
  const missingLibraries: MissingLibrary[] = [];
  for (const need of elf.versionNeeds) {
    const defs = table.files[need.file];
    if (defs === undefined) {
      warnings.push(`${need.file}: not part of glibc ${table.glibc}; its versions are not checked`);
      continue;
    }
    for (const v of need.versions) {
      if (defs.includes(v.name)) continue;
      const symbols = (elf.symbols ?? []).filter((s) => !s.defined && s.version === v.name && s.file === need.file).map((s) => s.name);
      missing.push({ version: v.name, file: need.file, requiredBy: binary, provider: need.file, symbols, weak: v.weak });
      if (v.weak) warnings.push(`${need.file}: weak version \`${v.name}' not found (required by ${binary})`);
      else messages.push(`${need.file}: version \`${v.name}' not found (required by ${binary})`);
    }
  }
  for (const name of elf.needed) {
    if (table.files[name] === undefined && /^(libc|libm|libdl|libpthread|librt|libutil|libresolv|libanl|ld-linux.*|ld64)\.so/.test(name)) {
      missingLibraries.push({ name, requiredBy: [binary], searched: [], error: 'cannot open shared object file: No such file or directory' });
      messages.unshift(`${name}: cannot open shared object file: No such file or directory`);
    }
  }
  return { ok: messages.length === 0, target: { kind: 'virtual', root: null, glibc: table.glibc, arch }, missingLibraries, missingVersions: missing, messages, warnings, deps: null };
}

/**
 * Will `binary` load? On this host (`'host'`), in a root filesystem (`{ root }`), or on a glibc
 * release (`{ glibc: '2.31', arch? }`, from tables of the version names real glibc builds define).
 * Versions are checked as elf/dl-version.c does; messages are worded as the loader words them.
 */
export async function checkCompat(binary: PathInput, target?: CompatTarget): Promise<CompatReport> {
  const program = checkPath('checkCompat', binary);
  const t = checkTarget('checkCompat', target);
  if (typeof t === 'object' && 'glibc' in t) return virtualCheck(t, pathText(program), await readElfPath(program, { symbols: true }));
  const root = t === 'host' ? undefined : t.root;
  const rawOptions = { ...resolveOptions('checkCompat', root === undefined ? undefined : { root }), versions: true };
  const raw = JSON.parse(await binding().resolveDeps(program, rawOptions).catch((error: unknown) => { throw inRootError(error, rootText(rawOptions) ?? undefined); })) as RawResolve;
  const deps = shapeDeps(pathText(program), rootText(rawOptions), raw);
  const check = versionCheck(raw);
  for (const [requirer, path] of requirersOf(check, raw, rawOptions.root)) {
    try {
      attachSymbols(check, requirer, await symbols(rawOptions.root, path));
    } catch { /* symbols explain the verdict; they do not decide it */ }
  }
  return compatFromDeps(t, deps, raw, check);
}

/** As {@link checkCompat}, synchronously. */
export function checkCompatSync(binary: PathInput, target?: CompatTarget): CompatReport {
  const program = checkPath('checkCompatSync', binary);
  const t = checkTarget('checkCompatSync', target);
  if (typeof t === 'object' && 'glibc' in t) return virtualCheck(t, pathText(program), readElfPathSync(program, { symbols: true }));
  const root = t === 'host' ? undefined : t.root;
  const rawOptions = { ...resolveOptions('checkCompatSync', root === undefined ? undefined : { root }), versions: true };
  let raw: RawResolve;
  try {
    raw = JSON.parse(binding().resolveDepsSync(program, rawOptions)) as RawResolve;
  } catch (error) {
    throw inRootError(error, rootText(rawOptions) ?? undefined);
  }
  const deps = shapeDeps(pathText(program), rootText(rawOptions), raw);
  const check = versionCheck(raw);
  for (const [requirer, path] of requirersOf(check, raw, rawOptions.root)) {
    try {
      attachSymbols(check, requirer, symbolsSync(rawOptions.root, path));
    } catch { /* symbols explain the verdict; they do not decide it */ }
  }
  return compatFromDeps(t, deps, raw, check);
}
