// probeGlibc({ root }) and probeGlibc({ pid }): the C library of a root filesystem or of a running
// process, read from the files themselves (nothing is executed). The root's libc is the file the root's
// own loader would load (resolveDeps inside the root: every path stays inside it); a process's is the
// file it mapped (/proc/PID/maps, read through /proc/PID/root).
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolveDeps, resolveDepsSync, readLdSoCacheSync } from './compat.js';
import type { DepsResult } from './compat.js';
import { readElf, readElfPath, readElfPathSync, readElfSync } from './elf.js';
import type { ElfInfo } from './elf.js';
import { SysprobeError } from './errors.js';
import type { LibcDisagreement, LibcEvidence, LibcInfo } from './libc.js';
import { GLIBC_LOADER, MUSL_LOADER, mappedFiles } from './procmaps.js';
import { compareVersions, maxVersionsOf } from './versions.js';
import { pathText } from './paths.js';
import type { PathArg } from './paths.js';

/** Programs whose dependencies show which libc a root's loader picks, in the order they are tried. */
const ROOT_PROGRAMS = ['/bin/sh', '/usr/bin/sh', '/bin/ls', '/usr/bin/ls', '/usr/bin/env', '/bin/busybox', '/usr/bin/busybox'];
/** musl's loader is its libc: tried when no program of the root names a libc. */
const MUSL_LOADERS = ['x86_64', 'aarch64', 'i386', 'armhf', 'arm', 's390x', 'powerpc64le', 'riscv64'].map((a) => `/lib/ld-musl-${a}.so.1`);

interface Located {
  family: 'glibc' | 'musl';
  /** Inside the root (or the process). */
  libcPath: string;
  loaderPath: string | null;
  /** Where to read it on this host (bytes when the root was given as a Buffer). */
  hostPath: PathArg;
  via: string;
  cacheHostPath: string | null;
}

/** The glibc banner: "GNU C Library (Debian GLIBC 2.36-9) stable release version 2.36." (older: "…version 2.17, by …"). */
const BANNER = /GNU C Library ([^\n\0]*?) ?(?:\b(stable|development|pre-release))? release version (\d+\.\d+(?:\.\d+)?)[.,]/;

function libcOf(deps: DepsResult): { path: string; realPath: string } | null {
  const libc = deps.libraries.find((l) => l.name === 'libc.so.6' && l.path !== null);
  return libc === undefined ? null : { path: libc.path!, realPath: libc.realPath! };
}

function hostPathOf(root: PathArg, inRoot: string): PathArg {
  if (typeof root !== 'string') return Buffer.concat([root, Buffer.from(inRoot)]);  // trailing slashes dropped by probeGlibc
  return root === '/' ? inRoot : `${root.replace(/\/+$/, '')}${inRoot}`;
}

/** glibc: a program of the root, its libc.so.6 as the root's loader finds it; musl: the ld-musl loader. */
function locateFrom(root: PathArg, tryDeps: (program: string) => DepsResult | null): Located {
  for (const program of ROOT_PROGRAMS) {
    const deps = tryDeps(program);
    if (deps === null) continue;
    const libc = libcOf(deps);
    if (libc !== null) {
      return { family: 'glibc', libcPath: libc.path, loaderPath: deps.interpreter, hostPath: hostPathOf(root, libc.realPath), via: `libc.so.6 as the root's loader resolves it for ${program}`, cacheHostPath: deps.cache.hostPath };
    }
    if (deps.interpreter !== null && MUSL_LOADER.test(deps.interpreter)) {
      const loader = deps.libraries.find((l) => l.name === deps.interpreter && l.realPath !== null);
      if (loader !== undefined) return { family: 'musl', libcPath: deps.interpreter, loaderPath: deps.interpreter, hostPath: hostPathOf(root, loader.realPath!), via: `PT_INTERP of ${program}`, cacheHostPath: deps.cache.hostPath };
    }
  }
  for (const loader of MUSL_LOADERS) {
    const deps = tryDeps(loader);
    if (deps === null) continue;
    // The loader itself was found inside the root: its real path is the program's.
    return { family: 'musl', libcPath: loader, loaderPath: loader, hostPath: hostPathOf(root, deps.realPath), via: `${loader} exists in the root`, cacheHostPath: deps.cache.hostPath };
  }
  throw new SysprobeError({ code: 'ERR_SYSPROBE_NOT_FOUND', message: `probeGlibc(): no C library found in the root ${pathText(root)} (tried ${ROOT_PROGRAMS.join(', ')} and the musl loaders)`, path: pathText(root) });
}

/** A program the root does not have (or cannot be read) is skipped; a backend that cannot resolve at all is not. */
function absent(error: unknown): null {
  if (error instanceof SysprobeError && error.code === 'ERR_SYSPROBE_NEEDS_ADDON') throw error;
  return null;
}

/** The version string musl keeps in its file: the only NUL-bounded "X.Y.Z" string beside the loader's "musl libc (" usage text. */
export function muslVersionFromBytes(bytes: Uint8Array): { version: string | null; candidates: string[]; marker: boolean } {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const marker = text.includes('musl libc (');
  const candidates = new Set<string>();
  for (const m of text.matchAll(/\0(\d+\.\d+\.\d+(?:[_+~-][0-9A-Za-z.]+)?)\0/g)) candidates.add(m[1]!);
  const list = [...candidates];
  return { version: marker && list.length === 1 ? list[0]! : null, candidates: list, marker };
}

function interpret(located: Located, bytes: Buffer, elf: ElfInfo | null, subject: 'root' | 'pid', generator: string | null): LibcInfo {
  const evidence: LibcEvidence[] = [];
  const disagreements: LibcDisagreement[] = [];
  evidence.push({ fact: 'libc', value: located.libcPath, source: located.via, detail: `read at ${located.hostPath}` });
  if (located.loaderPath !== null) evidence.push({ fact: 'loader', value: located.loaderPath, source: subject === 'root' ? 'PT_INTERP, resolved inside the root' : '/proc/PID/maps' });
  let version: string | null = null;
  let release: string | null = null;
  let family: 'glibc' | 'musl' | 'unknown' = located.family;
  if (located.family === 'glibc') {
    const banner = BANNER.exec(bytes.toString('latin1'));
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
    const musl = muslVersionFromBytes(bytes);
    version = musl.version;
    evidence.push({ fact: 'family', value: 'musl', source: 'the loader is ld-musl', detail: musl.marker ? 'the file carries musl\'s "musl libc (ARCH)" usage text' : 'no musl usage text found in the file' });
    evidence.push({
      fact: 'version', value: version, source: 'the version string musl keeps in .rodata (src/internal/version.c, printed by the loader as "Version %s")',
      detail: musl.candidates.length === 1 ? 'the only NUL-bounded X.Y.Z string in the file' : `candidates: ${musl.candidates.join(', ') || 'none'}`,
    });
    if (version === null) family = 'musl';
  }
  if (generator !== null) {
    evidence.push({ fact: 'version', value: (/release version (\d+\.\d+)/.exec(generator) ?? [])[1] ?? null, source: 'the ld.so.cache generator string (evidence only: a stale cache lies)', detail: generator });
  }
  return deepFreeze({
    family, version, release, static: false, gcompat: false, loaderPath: located.loaderPath, libcPath: located.libcPath, compiledAgainst: null,
    subject, evidence, disagreements,
  }) as LibcInfo;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function cacheGenerator(cacheHostPath: string | null): string | null {
  if (cacheHostPath === null) return null;
  try { return readLdSoCacheSync(cacheHostPath).generator; } catch { return null; }
}

/** The C library of a root filesystem, statically. */
export function probeRootSync(root: PathArg): LibcInfo {
  const located = locateFrom(root, (program) => {
    try { return resolveDepsSync(program, { root }); } catch (error) { return absent(error); }
  });
  const bytes = readFileSync(located.hostPath);
  let elf: ElfInfo | null = null;
  try { elf = readElfPathSync(located.hostPath); } catch { elf = null; }
  return interpret(located, bytes, elf, 'root', cacheGenerator(located.cacheHostPath));
}

/** As {@link probeRootSync}, with the file work off the main thread. */
export async function probeRoot(root: PathArg): Promise<LibcInfo> {
  const tried = new Map<string, DepsResult | null>();
  for (const program of [...ROOT_PROGRAMS, ...MUSL_LOADERS]) {
    try { tried.set(program, await resolveDeps(program, { root })); } catch (error) { tried.set(program, absent(error)); }
    const deps = tried.get(program);
    if (deps !== null && deps !== undefined && (libcOf(deps) !== null || (deps.interpreter !== null && MUSL_LOADER.test(deps.interpreter)) || MUSL_LOADERS.includes(program))) break;
  }
  const located = locateFrom(root, (program) => tried.get(program) ?? null);
  const bytes = await readFile(located.hostPath);
  let elf: ElfInfo | null = null;
  try { elf = await readElfPath(located.hostPath); } catch { elf = null; }
  return interpret(located, bytes, elf, 'root', cacheGenerator(located.cacheHostPath));
}

function locatePid(pid: number): Located {
  let files: string[];
  try {
    files = mappedFiles(pid);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new SysprobeError({ ...(typeof e.errno === 'number' ? { errno: Math.abs(e.errno) } : { code: 'ERR_SYSPROBE' }), syscall: 'open', path: `/proc/${pid}/maps` });
  }
  const loader = files.find((f) => MUSL_LOADER.test(f) || GLIBC_LOADER.test(f)) ?? null;
  const root = `/proc/${pid}/root`;
  if (loader !== null && MUSL_LOADER.test(loader)) {
    return { family: 'musl', libcPath: loader, loaderPath: loader, hostPath: `${root}${loader}`, via: '/proc/PID/maps: the mapped musl loader', cacheHostPath: null };
  }
  const libc = files.find((f) => /(^|\/)libc(\.so\.6|-2\.\d+\.so)$/.test(f));
  if (libc === undefined) {
    throw new SysprobeError({ code: 'ERR_SYSPROBE_NOT_FOUND', message: `probeGlibc(): process ${pid} has no C library mapped (static, or not glibc/musl)`, path: `/proc/${pid}/maps` });
  }
  return { family: 'glibc', libcPath: libc, loaderPath: loader, hostPath: `${root}${libc}`, via: '/proc/PID/maps: the mapped libc.so.6', cacheHostPath: null };
}

/** The C library a running process actually mapped. */
export function probePidSync(pid: number): LibcInfo {
  const located = locatePid(pid);
  const bytes = readFileSync(located.hostPath);
  let elf: ElfInfo | null = null;
  try { elf = readElfPathSync(located.hostPath); } catch { elf = null; }
  return interpret(located, bytes, elf, 'pid', null);
}

/** As {@link probePidSync}, with the file work off the main thread. */
export async function probePid(pid: number): Promise<LibcInfo> {
  const located = locatePid(pid);
  const bytes = await readFile(located.hostPath);
  let elf: ElfInfo | null = null;
  try { elf = await readElfPath(located.hostPath); } catch { elf = null; }
  return interpret(located, bytes, elf, 'pid', null);
}
