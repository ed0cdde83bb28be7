// Compatibility verdicts: will a program load on this host, in a root, or on a glibc release? The
// versions are checked over a resolution as elf/dl-version.c does, and worded as the loader words them.
import { invalidArgument } from '../../errors.js';
import { readElf, readElfPath, readElfPathSync, readElfSync, shapeElf } from '../elf/index.js';
import { pathArg, pathText } from '../../util/paths.js';
import type { PathArg, PathInput } from '../../util/paths.js';
import { binding } from '../../backends/loader.js';
import type { RawResolve, RawResolveObject, RawResolveOptions } from '../../backends/binding.js';
import { checkRoot, objectPath, resolveOptions, resolveRaw, resolveRawSync, rootText, shapeDeps } from './deps.js';
import type { DepsResult } from './deps.js';
import { virtualCheck } from './glibc-target.js';
import type { CompatReport, CompatTarget, MissingVersion } from './verdict-types.js';

function checkTarget(fn: string, target: unknown): CompatTarget {
  if (target === undefined || target === 'host') return 'host';
  if (typeof target !== 'object' || target === null) throw invalidArgument(`${fn}(): target must be 'host', { root } or { glibc, arch? }`);
  const t = target as Record<string, unknown>;
  if ('root' in t) {
    if (Object.keys(t).some((k) => k !== 'root')) throw invalidArgument(`${fn}(): a { root } target takes no other keys`);
    checkRoot(fn, t.root);
    return { root: pathArg(fn, t.root, 'root') };
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
      const providerIndex =
        o.deps.find((d) => d >= 0 && matches(objects[d]!, need.file)) ?? objects.findIndex((p) => p.path !== null && matches(p, need.file));
      const provider = providerIndex < 0 ? undefined : objects[providerIndex];
      if (provider === undefined || provider.path === null || provider.elf === null) continue; // not loaded: a missing library
      if (provider.elf.versionDefs.length === 0) {
        result.warnings.push(`${objectPath(provider)}: no version information available (required by ${requirer})`);
        continue;
      }
      for (const v of need.versions) {
        if (provider.elf.versionDefs.some((d) => d.name === v.name && d.hash === v.hash)) continue;
        result.missing.push({
          version: v.name,
          file: need.file,
          requiredBy: requirer,
          provider: objectPath(provider),
          symbols: [],
          weak: v.weak,
        });
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

interface CheckPlan {
  program: PathArg;
  target: CompatTarget;
  virtual: { glibc: string; arch?: string } | null;
  options: RawResolveOptions;
}

function planCheck(fn: string, binary: PathInput, target: CompatTarget | undefined): CheckPlan {
  const program = pathArg(fn, binary);
  const t = checkTarget(fn, target);
  if (typeof t === 'object' && 'glibc' in t) return { program, target: t, virtual: t, options: {} };
  const root = t === 'host' ? undefined : t.root;
  const options = { ...resolveOptions(fn, root === undefined ? undefined : { root }), versions: true };
  return { program, target: t, virtual: null, options };
}

/**
 * Will `binary` load? On this host (`'host'`), in a root filesystem (`{ root }`), or on a glibc
 * release (`{ glibc: '2.31', arch? }`, from tables of the version names real glibc builds define).
 * Versions are checked as elf/dl-version.c does; messages are worded as the loader words them.
 */
export async function checkCompat(binary: PathInput, target?: CompatTarget): Promise<CompatReport> {
  const plan = planCheck('checkCompat', binary, target);
  if (plan.virtual !== null) return virtualCheck(plan.virtual, pathText(plan.program), await readElfPath(plan.program, { symbols: true }));
  const raw = await resolveRaw(plan.program, plan.options);
  // shapeDeps first: it fills in the paths requirersOf reads.
  const deps = shapeDeps(pathText(plan.program), rootText(plan.options), raw);
  const check = versionCheck(raw);
  for (const [requirer, path] of requirersOf(check, raw, plan.options.root)) {
    try {
      attachSymbols(check, requirer, await symbols(plan.options.root, path));
    } catch {
      /* symbols explain the verdict; they do not decide it */
    }
  }
  return compatFromDeps(plan.target, deps, raw, check);
}

/** As {@link checkCompat}, synchronously. */
export function checkCompatSync(binary: PathInput, target?: CompatTarget): CompatReport {
  const plan = planCheck('checkCompatSync', binary, target);
  if (plan.virtual !== null) return virtualCheck(plan.virtual, pathText(plan.program), readElfPathSync(plan.program, { symbols: true }));
  const raw = resolveRawSync(plan.program, plan.options);
  // shapeDeps first: it fills in the paths requirersOf reads.
  const deps = shapeDeps(pathText(plan.program), rootText(plan.options), raw);
  const check = versionCheck(raw);
  for (const [requirer, path] of requirersOf(check, raw, plan.options.root)) {
    try {
      attachSymbols(check, requirer, symbolsSync(plan.options.root, path));
    } catch {
      /* symbols explain the verdict; they do not decide it */
    }
  }
  return compatFromDeps(plan.target, deps, raw, check);
}
