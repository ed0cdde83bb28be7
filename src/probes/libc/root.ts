// probeGlibc({ root }) and probeGlibc({ pid }): the C library of a root filesystem or of a running
// process, read from the files themselves (nothing is executed). The root's libc is the file the root's
// own loader would load (resolveDeps inside the root: every path stays inside it); a process's is the
// file it mapped (src/probes/libc/pid.ts).
import { resolveDeps, resolveDepsSync } from '../compat/deps.js';
import type { DepsResult } from '../compat/deps.js';
import { shapeElf } from '../elf/index.js';
import type { ElfInfo } from '../elf/index.js';
import { SysprobeError, inRootError } from '../../errors.js';
import type { LibcDisagreement, LibcEvidence, LibcInfo } from './types.js';
import { deepFreeze } from '../../util/freeze.js';
import { scanLibcTextWith, scanLibcTextWithAsync, type LibcText } from './banner.js';
import { binding } from '../../backends/loader.js';
import type { RawCache, RawRootReadKind } from '../../backends/binding.js';
import { MUSL_LOADER } from '../../util/procmaps.js';
import { compareVersions, maxVersionsOf } from '../../util/versions.js';
import { pathText } from '../../util/paths.js';
import type { PathArg } from '../../util/paths.js';

/** Programs whose dependencies show which libc a root's loader picks, in the order they are tried. */
const ROOT_PROGRAMS = ['/bin/sh', '/usr/bin/sh', '/bin/ls', '/usr/bin/ls', '/usr/bin/env', '/bin/busybox', '/usr/bin/busybox'];
/** musl's loader is its libc: tried when no program of the root names a libc. */
const MUSL_LOADERS = ['x86_64', 'aarch64', 'i386', 'armhf', 'arm', 's390x', 'powerpc64le', 'riscv64'].map((a) => `/lib/ld-musl-${a}.so.1`);

export interface Located {
  family: 'glibc' | 'musl';
  /** Inside the root (or the process). */
  libcPath: string;
  loaderPath: string | null;
  /** Where to read it on this host; a root's: its canonical path inside the root (read there, see `root`). */
  hostPath: string;
  /** A root's: the root. Its files are read inside it, race-free as resolveDeps reads them, never by a host path. */
  root?: PathArg;
  via: string;
  cacheHostPath: string | null;
  /** A root's ld.so.cache, inside the root (glibc; null when the resolver found none). */
  cacheInRoot?: string | null;
}

function libcOf(deps: DepsResult): { path: string; realPath: string } | null {
  const libc = deps.libraries.find((l) => l.name === 'libc.so.6' && l.path !== null);
  return libc === undefined ? null : { path: libc.path!, realPath: libc.realPath! };
}

/** glibc: a program of the root, its libc.so.6 as the root's loader finds it; musl: the ld-musl loader. */
function locateFrom(root: PathArg, tryDeps: (program: string) => DepsResult | null): Located {
  for (const program of ROOT_PROGRAMS) {
    const deps = tryDeps(program);
    if (deps === null) continue;
    const libc = libcOf(deps);
    if (libc !== null) {
      return { family: 'glibc', libcPath: libc.path, loaderPath: deps.interpreter, hostPath: libc.realPath, root, via: `libc.so.6 as the root's loader resolves it for ${program}`, cacheHostPath: null, cacheInRoot: cacheOf(deps) };
    }
    if (deps.interpreter !== null && MUSL_LOADER.test(deps.interpreter)) {
      const loader = deps.libraries.find((l) => l.name === deps.interpreter && l.realPath !== null);
      if (loader !== undefined) return { family: 'musl', libcPath: deps.interpreter, loaderPath: deps.interpreter, hostPath: loader.realPath!, root, via: `PT_INTERP of ${program}`, cacheHostPath: null, cacheInRoot: cacheOf(deps) };
    }
  }
  for (const loader of MUSL_LOADERS) {
    const deps = tryDeps(loader);
    if (deps === null) continue;
    // The loader itself was found inside the root: its real path is the program's.
    return { family: 'musl', libcPath: loader, loaderPath: loader, hostPath: deps.realPath, root, via: `${loader} exists in the root`, cacheHostPath: null, cacheInRoot: cacheOf(deps) };
  }
  throw new SysprobeError({ code: 'ERR_SYSPROBE_NOT_FOUND', message: `probeGlibc(): no C library found in the root ${pathText(root)} (tried ${ROOT_PROGRAMS.join(', ')} and the musl loaders)`, path: pathText(root) });
}

/** The root's cache when the resolver read it (glibc); musl's path file is no cache. */
function cacheOf(deps: DepsResult): string | null {
  return deps.cache.hostPath !== null && deps.libc === 'glibc' ? deps.cache.path : null;
}

/**
 * A program the root does not have (or cannot be read) is skipped; a backend that cannot resolve at all
 * is not, and neither is a root that cannot be opened (ENOENT, ENOTDIR… for the root itself).
 */
function absent(error: unknown, root: PathArg): null {
  if (error instanceof SysprobeError && error.code === 'ERR_SYSPROBE_NEEDS_ADDON') throw error;
  if (error instanceof SysprobeError && error.errno !== undefined && error.syscall === 'open' && error.path === pathText(root)) throw error;
  return null;
}

/** What a pid probe adds: how the file was read, and whether the file on disk is still the mapped one. */
export interface InterpretExtra {
  readDetail?: string;
  evidence?: LibcEvidence[];
  disagreements?: LibcDisagreement[];
  /** The bytes read are not the process's (its mapping could not be read and the disk file differs). */
  versionUnknown?: boolean;
}

export function interpret(located: Located, text: LibcText, elf: ElfInfo | null, subject: 'root' | 'pid', generator: string | null, extra: InterpretExtra = {}): LibcInfo {
  const evidence: LibcEvidence[] = [];
  const disagreements: LibcDisagreement[] = [];
  evidence.push({ fact: 'libc', value: located.libcPath, source: located.via, detail: extra.readDetail ?? (located.root !== undefined ? `read at ${located.hostPath} inside the root` : `read at ${located.hostPath}`) });
  if (located.loaderPath !== null) evidence.push({ fact: 'loader', value: located.loaderPath, source: subject === 'root' ? 'PT_INTERP, resolved inside the root' : '/proc/PID/maps' });
  let version: string | null = null;
  let release: string | null = null;
  let family: 'glibc' | 'musl' | 'unknown' = located.family;
  if (located.family === 'glibc') {
    const banner = text.banner;
    if (banner !== null) {
      version = banner[3]!;
      release = banner[2] ?? null;
      evidence.push({ fact: 'version', value: version, source: 'the banner in libc.so.6', detail: banner[0] });
      if (release !== null) evidence.push({ fact: 'release', value: release, source: 'the banner in libc.so.6' });
    } else {
      evidence.push({ fact: 'version', value: null, source: 'the banner in libc.so.6', detail: 'no "GNU C Library … release version" text found' });
    }
    const glibcMax = elf === null ? undefined : maxVersionsOf(elf.versionDefs.map((d) => d.name)).GLIBC;
    if (glibcMax !== undefined) {
      evidence.push({ fact: 'version', value: glibcMax, source: 'the highest GLIBC_x.y version definition of libc.so.6', detail: 'a lower bound of the release: releases without new symbols add no version' });
      if (version === null) version = glibcMax;
      else if (compareVersions(glibcMax, version) > 0) {
        disagreements.push({ fact: 'version', values: [{ value: version, source: 'banner' }, { value: glibcMax, source: 'highest GLIBC version definition' }], note: 'libc.so.6 defines a version newer than its banner' });
      }
    }
    evidence.push({ fact: 'family', value: 'glibc', source: 'the root loader resolves libc.so.6 (glibc SONAME)' });
  } else {
    const musl = text.musl;
    version = musl.version;
    evidence.push({ fact: 'family', value: 'musl', source: 'the loader is ld-musl', detail: musl.marker ? 'the file carries musl\'s "musl libc (ARCH)" usage text' : 'no musl usage text found in the file' });
    evidence.push({
      fact: 'version', value: version, source: 'the version string musl keeps in .rodata (src/internal/version.c, printed by the loader as "Version %s")',
      detail: musl.candidates.length === 1 ? 'the only NUL-bounded X.Y.Z string in the file' : `candidates: ${musl.candidates.join(', ') || 'none'}`,
    });
    if (version === null) family = 'musl';
  }
  evidence.push(...(extra.evidence ?? []));
  disagreements.push(...(extra.disagreements ?? []));
  if (extra.versionUnknown === true) { version = null; release = null; }
  if (generator !== null) {
    evidence.push({ fact: 'version', value: (/release version (\d+\.\d+)/.exec(generator) ?? [])[1] ?? null, source: 'the ld.so.cache generator string (evidence only: a stale cache lies)', detail: generator });
  }
  return deepFreeze({
    family, version, release, static: false, gcompat: false, loaderPath: located.loaderPath, libcPath: located.libcPath, compiledAgainst: null,
    subject, evidence, disagreements,
  }) as LibcInfo;
}

// The root's files are read as resolveDeps reads them: opened inside the root by the core's fd walk,
// never by a host path string (which would follow a symlink swapped into the root).
const ELF_FLAGS = 2;  // readElf's defaults: no symbols, sections cross-checked

function inRootSync(root: PathArg, path: string, what: RawRootReadKind, offset = 0, length = 0): string | Uint8Array {
  try {
    return binding().readInRootSync(root, path, what, ELF_FLAGS, offset, length);
  } catch (error) {
    throw inRootError(error, pathText(root));
  }
}

async function inRoot(root: PathArg, path: string, what: RawRootReadKind, offset = 0, length = 0): Promise<string | Uint8Array> {
  try {
    return await binding().readInRoot(root, path, what, ELF_FLAGS, offset, length);
  } catch (error) {
    throw inRootError(error, pathText(root));
  }
}

const textOf = (json: string | Uint8Array): string => json as string;
const sizeOf = (json: string | Uint8Array): number => (JSON.parse(textOf(json)) as { size: number }).size;
const generatorOf = (json: string | Uint8Array): string | null => (JSON.parse(textOf(json)) as RawCache).generator;

/** The C library of a root filesystem, statically. */
export function probeRootSync(root: PathArg): LibcInfo {
  const located = locateFrom(root, (program) => {
    try { return resolveDepsSync(program, { root }); } catch (error) { return absent(error, root); }
  });
  const path = located.hostPath;
  const text = scanLibcTextWith((position, length) => inRootSync(root, path, 'bytes', position, length) as Uint8Array, sizeOf(inRootSync(root, path, 'size')), path);
  let elf: ElfInfo | null = null;
  try { elf = shapeElf(textOf(inRootSync(root, path, 'elf')), path); } catch { elf = null; }
  let generator: string | null = null;
  if (located.cacheInRoot) try { generator = generatorOf(inRootSync(root, located.cacheInRoot, 'ldcache')); } catch { generator = null; }
  return interpret(located, text, elf, 'root', generator);
}

/** As {@link probeRootSync}, with the file work off the main thread. */
export async function probeRoot(root: PathArg): Promise<LibcInfo> {
  const tried = new Map<string, DepsResult | null>();
  for (const program of [...ROOT_PROGRAMS, ...MUSL_LOADERS]) {
    try { tried.set(program, await resolveDeps(program, { root })); } catch (error) { tried.set(program, absent(error, root)); }
    const deps = tried.get(program);
    if (deps !== null && deps !== undefined && (libcOf(deps) !== null || (deps.interpreter !== null && MUSL_LOADER.test(deps.interpreter)) || MUSL_LOADERS.includes(program))) break;
  }
  const located = locateFrom(root, (program) => tried.get(program) ?? null);
  const path = located.hostPath;
  const text = await scanLibcTextWithAsync(async (position, length) => (await inRoot(root, path, 'bytes', position, length)) as Uint8Array, sizeOf(await inRoot(root, path, 'size')), path);
  let elf: ElfInfo | null = null;
  try { elf = shapeElf(textOf(await inRoot(root, path, 'elf')), path); } catch { elf = null; }
  let generator: string | null = null;
  if (located.cacheInRoot) try { generator = generatorOf(await inRoot(root, located.cacheInRoot, 'ldcache')); } catch { generator = null; }
  return interpret(located, text, elf, 'root', generator);
}
