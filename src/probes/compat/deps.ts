// Dependency resolution as glibc's loader decides it, and the ld.so.cache. The resolver and the
// ld.so.cache parser are native (native/core/resolve.cc, ldcache.cc); this module validates options
// and shapes the results.
import { inRootError, invalidArgument } from '../../errors.js';
import { isAbsolutePath, pathArg, pathText } from '../../util/paths.js';
import type { PathArg, PathInput } from '../../util/paths.js';
import { binding } from '../../backends/loader.js';
import type { RawCache, RawResolve, RawResolveObject, RawResolveOptions } from '../../backends/binding.js';

/** One entry of an ld.so.cache. */
import type {
  DepsResult,
  LdSoCache,
  LdSoCacheEntry,
  MissingLibrary,
  ResolveDepsOptions,
  ResolvedLibrary,
  DepsTreeNode,
  FoundVia,
} from './deps-types.js';
export type * from './deps-types.js';

const FLAG_TYPES: Record<number, string> = { 0: 'libc4', 1: 'ELF', 2: 'libc5', 3: 'libc6' };
const FLAG_ARCH: Record<number, string> = {
  0x0100: ',64bit',
  0x0200: ',IA-64',
  0x0300: ',x86-64',
  0x0400: ',64bit',
  0x0500: ',64bit',
  0x0600: ',N32',
  0x0700: ',64bit',
  0x0800: ',x32',
  0x0900: ',hard-float',
  0x0a00: ',AArch64',
  0x0b00: ',soft-float',
  0x0c00: ',nan2008',
  0x0d00: ',N32,nan2008',
  0x0e00: ',64bit,nan2008',
  0x0f00: ',soft-float',
  0x1000: ',double-float',
  0x1100: ',soft-float',
  0x1200: ',double-float',
};

function flagsText(flags: number): string {
  const type = flags & 0xff;
  const arch = flags & 0xff00;
  return `${FLAG_TYPES[type] ?? 'unknown'}${arch === 0 ? '' : (FLAG_ARCH[arch] ?? `,${arch}`)}`;
}

/** A root: absolute, its trailing slashes dropped (the bytes kept otherwise). */
export function checkRoot(fn: string, root: unknown): PathArg {
  const path = pathArg(fn, root, 'root');
  if (!isAbsolutePath(path)) throw invalidArgument(`${fn}(): root must be an absolute path`);
  if (typeof path === 'string') return path.replace(/\/+$/, '');
  let end = path.length;
  while (end > 0 && path[end - 1] === 0x2f) end--;
  return path.subarray(0, end);
}

function shapeCache(path: string, text: string): LdSoCache {
  const raw = JSON.parse(text) as RawCache;
  const entries = (list: RawCache['entries']): LdSoCacheEntry[] =>
    list.map((e) => ({
      key: e.key,
      value: e.value,
      flags: e.flags,
      flagsText: flagsText(e.flags),
      osVersion: e.osVersion,
      hwcap: BigInt(e.hwcap),
      hwcapExtension: e.hwcapExtension,
      hwcapName: e.hwcapName,
      isaLevel: e.isaLevel,
    }));
  return {
    path,
    format: raw.format,
    endian: raw.endian,
    endianFlag: raw.endianFlag,
    entries: entries(raw.entries),
    oldEntries: entries(raw.oldEntries),
    generator: raw.generator,
    hwcapNames: raw.hwcapNames,
    diagnostics: raw.diagnostics,
  };
}

/** Reads an ld.so.cache file (any format, either byte order). Fails with `ERR_SYSPROBE_BAD_LDCACHE` / `ERR_SYSPROBE_TRUNCATED` and the offset. */
export function readLdSoCacheSync(path: PathInput): LdSoCache {
  const file = pathArg('readLdSoCacheSync', path);
  return shapeCache(pathText(file), binding().readLdSoCacheSync(file));
}

/** As {@link readLdSoCacheSync}, on the libuv thread pool. */
export async function readLdSoCache(path: PathInput): Promise<LdSoCache> {
  const file = pathArg('readLdSoCache', path);
  return shapeCache(pathText(file), await binding().readLdSoCache(file));
}

export function resolveOptions(fn: string, options: ResolveDepsOptions | undefined): RawResolveOptions {
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
  const cwd = options.cwd === undefined ? undefined : pathArg(fn, options.cwd, 'cwd');
  if (cwd !== undefined && !isAbsolutePath(cwd)) throw invalidArgument(`${fn}(): cwd must be an absolute path`);
  raw.cwd = cwd ?? (raw.root !== undefined && raw.root.length !== 0 ? '/' : process.cwd());
  if (options.hwcaps !== undefined) {
    if (!Array.isArray(options.hwcaps) || options.hwcaps.some((h) => typeof h !== 'string'))
      throw invalidArgument(`${fn}(): hwcaps must be an array of names`);
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
export function objectPath(o: RawResolveObject): string {
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

export function shapeDeps(program: string, root: string | null, raw: RawResolve): DepsResult {
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
      name: o.name,
      requiredBy,
      searched: o.candidates.map((c) => c.path),
      error: o.error ?? 'cannot open shared object file: No such file or directory',
    });
  }
  return {
    program,
    root,
    interpreter: raw.interpreter,
    libc: raw.libc,
    loaderVersion: raw.loaderVersion,
    systemDirs: raw.systemDirs,
    hwcaps: raw.hwcaps,
    legacyHwcaps: raw.legacyHwcaps,
    platform: raw.platform,
    lib: raw.lib,
    realPath: objects[0]!.realPath!,
    cache: { path: raw.cachePath, hostPath: raw.cacheHostPath, used: raw.cacheUsed, error: raw.cacheError },
    libraries,
    tree: node(0, -1, 0),
    missing,
    fatal: raw.fatalError,
  };
}

export function rootText(raw: RawResolveOptions): string | null {
  return raw.root === undefined ? null : pathText(raw.root);
}

/** The resolver's answer for `program`, its errors naming the root they happened in. */
export function resolveRawSync(program: PathArg, raw: RawResolveOptions): RawResolve {
  try {
    return JSON.parse(binding().resolveDepsSync(program, raw)) as RawResolve;
  } catch (error) {
    throw inRootError(error, rootText(raw) ?? undefined);
  }
}

/** As {@link resolveRawSync}, on the libuv thread pool. */
export async function resolveRaw(program: PathArg, raw: RawResolveOptions): Promise<RawResolve> {
  try {
    return JSON.parse(await binding().resolveDeps(program, raw)) as RawResolve;
  } catch (error) {
    throw inRootError(error, rootText(raw) ?? undefined);
  }
}

/**
 * The libraries `binary` would load, in load order, as glibc's loader finds them (from `opts.root`
 * when given: every path, absolute symlinks included, resolves inside it). Nothing is executed.
 */
export function resolveDepsSync(binary: PathInput, options?: ResolveDepsOptions): DepsResult {
  const program = pathArg('resolveDepsSync', binary);
  const raw = resolveOptions('resolveDepsSync', options);
  return shapeDeps(pathText(program), rootText(raw), resolveRawSync(program, raw));
}

/** As {@link resolveDepsSync}, on the libuv thread pool. */
export async function resolveDeps(binary: PathInput, options?: ResolveDepsOptions): Promise<DepsResult> {
  const program = pathArg('resolveDeps', binary);
  const raw = resolveOptions('resolveDeps', options);
  return shapeDeps(pathText(program), rootText(raw), await resolveRaw(program, raw));
}
