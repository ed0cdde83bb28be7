// probeGlibc({ root }) and probeGlibc({ pid }): the C library of a root filesystem or of a running
// process, read from the files themselves (nothing is executed). The root's libc is the file the root's
// own loader would load: the core answers in one call (native/core/libc_root.h: the resolver inside the
// root, the file's banner and version definitions, the cache generator; every path stays inside the
// root); a process's is the file it mapped (src/probes/libc/pid.ts). Both are interpreted here.
import { SysprobeError, inRootError } from '../../errors.js';
import type { LibcDisagreement, LibcEvidence, LibcInfo } from './types.js';
import { deepFreeze } from '../../util/freeze.js';
import { binding } from '../../backends/loader.js';
import type { RawLibcFile, RawLibcRoot, RawLibcText } from '../../backends/binding.js';
import { compareVersions, maxVersionsOf } from '../../util/versions.js';
import { pathText } from '../../util/paths.js';
import type { PathArg } from '../../util/paths.js';

export interface Located {
  family: 'glibc' | 'musl';
  /** Inside the root (or the process). */
  libcPath: string;
  loaderPath: string | null;
  /** Where it was read; a root's: its canonical path inside the root (read there, see `root`). */
  hostPath: string;
  /** A root's: the root. Its files are read inside it, race-free as resolveDeps reads them, never by a host path. */
  root?: PathArg;
  via: string;
}

/** A file beyond what a C library can be was not scanned (the core's limit). */
export function checkLibcSize(text: RawLibcText, path: string): void {
  if (text.size > text.limit) {
    throw new SysprobeError({
      code: 'ERR_SYSPROBE_TOO_LARGE',
      message: `${path}: ${text.size} bytes, more than a C library can be (limit ${text.limit})`,
      path,
      details: { size: text.size, limit: text.limit },
    });
  }
}

/** What a pid probe adds: how the file was read, and whether the file on disk is still the mapped one. */
export interface InterpretExtra {
  readDetail?: string;
  evidence?: LibcEvidence[];
  disagreements?: LibcDisagreement[];
  /** The bytes read are not the process's (its mapping could not be read and the disk file differs). */
  versionUnknown?: boolean;
}

/** The ld.so.cache generator string and the version in it. */
export interface Generator {
  text: string;
  version: string | null;
}

export function interpret(
  located: Located,
  file: RawLibcFile,
  subject: 'root' | 'pid',
  generator: Generator | null,
  extra: InterpretExtra = {},
): LibcInfo {
  const { text } = file;
  const evidence: LibcEvidence[] = [];
  const disagreements: LibcDisagreement[] = [];
  evidence.push({
    fact: 'libc',
    value: located.libcPath,
    source: located.via,
    detail:
      extra.readDetail ?? (located.root !== undefined ? `read at ${located.hostPath} inside the root` : `read at ${located.hostPath}`),
  });
  if (located.loaderPath !== null)
    evidence.push({
      fact: 'loader',
      value: located.loaderPath,
      source: subject === 'root' ? 'PT_INTERP, resolved inside the root' : '/proc/PID/maps',
    });
  let version: string | null = null;
  let release: string | null = null;
  let family: 'glibc' | 'musl' | 'unknown' = located.family;
  if (located.family === 'glibc') {
    const banner = text.banner;
    if (banner !== null) {
      version = banner.version;
      release = banner.release;
      evidence.push({ fact: 'version', value: version, source: 'the banner in libc.so.6', detail: banner.text });
      if (release !== null) evidence.push({ fact: 'release', value: release, source: 'the banner in libc.so.6' });
    } else {
      evidence.push({
        fact: 'version',
        value: null,
        source: 'the banner in libc.so.6',
        detail: 'no "GNU C Library … release version" text found',
      });
    }
    const glibcMax = file.versionDefs === null ? undefined : maxVersionsOf(file.versionDefs).GLIBC;
    if (glibcMax !== undefined) {
      evidence.push({
        fact: 'version',
        value: glibcMax,
        source: 'the highest GLIBC_x.y version definition of libc.so.6',
        detail: 'a lower bound of the release: releases without new symbols add no version',
      });
      if (version === null) version = glibcMax;
      else if (compareVersions(glibcMax, version) > 0) {
        disagreements.push({
          fact: 'version',
          values: [
            { value: version, source: 'banner' },
            { value: glibcMax, source: 'highest GLIBC version definition' },
          ],
          note: 'libc.so.6 defines a version newer than its banner',
        });
      }
    }
    evidence.push({ fact: 'family', value: 'glibc', source: 'the root loader resolves libc.so.6 (glibc SONAME)' });
  } else {
    const musl = text.musl;
    version = musl.version;
    evidence.push({
      fact: 'family',
      value: 'musl',
      source: 'the loader is ld-musl',
      detail: musl.marker ? 'the file carries musl\'s "musl libc (ARCH)" usage text' : 'no musl usage text found in the file',
    });
    evidence.push({
      fact: 'version',
      value: version,
      source: 'the version string musl keeps in .rodata (src/internal/version.c, printed by the loader as "Version %s")',
      detail:
        musl.candidates.length === 1
          ? 'the only NUL-bounded X.Y.Z string in the file'
          : `candidates: ${musl.candidates.join(', ') || 'none'}`,
    });
    if (version === null) family = 'musl';
  }
  evidence.push(...(extra.evidence ?? []));
  disagreements.push(...(extra.disagreements ?? []));
  if (extra.versionUnknown === true) {
    version = null;
    release = null;
  }
  if (generator !== null) {
    evidence.push({
      fact: 'version',
      value: generator.version,
      source: 'the ld.so.cache generator string (evidence only: a stale cache lies)',
      detail: generator.text,
    });
  }
  return deepFreeze({
    family,
    version,
    release,
    static: false,
    gcompat: false,
    loaderPath: located.loaderPath,
    libcPath: located.libcPath,
    compiledAgainst: null,
    subject,
    evidence,
    disagreements,
  }) as LibcInfo;
}

/** The core's answer for a root, interpreted: where the libc was found, then what it says. */
function interpretRoot(root: PathArg, raw: RawLibcRoot): LibcInfo {
  const found = raw.found;
  if (found === null) {
    throw new SysprobeError({
      code: 'ERR_SYSPROBE_NOT_FOUND',
      message: `probeGlibc(): no C library found in the root ${pathText(root)} (tried ${raw.programs.join(', ')} and the musl loaders)`,
      path: pathText(root),
    });
  }
  const via =
    found.how === 'needed'
      ? `libc.so.6 as the root's loader resolves it for ${found.program}`
      : found.how === 'interpreter'
        ? `PT_INTERP of ${found.program}`
        : `${found.program} exists in the root`;
  checkLibcSize(found.text, found.realPath);
  const located: Located = {
    family: found.family,
    libcPath: found.libcPath,
    loaderPath: found.loaderPath,
    hostPath: found.realPath,
    root,
    via,
  };
  return interpret(located, found, 'root', found.generator === null ? null : { text: found.generator, version: found.generatorVersion });
}

/** Relative search paths resolve against the root's "/", or this process's working directory on the host (as resolveDeps). */
const cwdFor = (root: PathArg): string => (root === '/' ? process.cwd() : '/');

/** The C library of a root filesystem, statically. */
export function probeRootSync(root: PathArg): LibcInfo {
  let json: string;
  try {
    json = binding().probeLibcRootSync(root, cwdFor(root));
  } catch (error) {
    throw inRootError(error, pathText(root));
  }
  return interpretRoot(root, JSON.parse(json) as RawLibcRoot);
}

/** As {@link probeRootSync}, with the file work off the main thread. */
export async function probeRoot(root: PathArg): Promise<LibcInfo> {
  let json: string;
  try {
    json = await binding().probeLibcRoot(root, cwdFor(root));
  } catch (error) {
    throw inRootError(error, pathText(root));
  }
  return interpretRoot(root, JSON.parse(json) as RawLibcRoot);
}
