// This process's C library, interpreted from what the backend read in-process (gnu_get_libc_version,
// confstr, the auxiliary vector, the loaded objects): the family, the version, and where they disagree.
import type { RawNamedFile, RawSelfLibc } from '../../backends/binding.js';
import { deepFreeze } from '../../util/freeze.js';
import { GLIBC_LOADER, MUSL_LOADER } from '../../util/procmaps.js';
import type { LibcDisagreement, LibcEvidence, LibcFamily, LibcInfo } from './types.js';

const GCOMPAT = /(^|\/)libgcompat\.so[^/]*$/;

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function fileValue(file: RawNamedFile | null): string | null {
  if (file === null) return null;
  return file.realPath ?? file.name;
}

function fileDetail(file: RawNamedFile): string {
  if (file.realPath === null) return `named ${file.name}; realpath() failed with errno ${file.realPathErrno}`;
  return `mapped as ${file.name}`;
}

function versionFromConfstr(text: string | null): string | null {
  if (text === null) return null;
  const match = /^glibc\s+(\S+)$/.exec(text.trim());
  return match === null ? null : match[1]!;
}

interface Findings {
  evidence: LibcEvidence[];
  disagreements: LibcDisagreement[];
}

function compiledAgainstOf(raw: RawSelfLibc, { evidence }: Findings): string | null {
  const compiledAgainst = raw.compiledFamily === 'glibc' ? raw.compiledVersion : null;
  evidence.push({
    fact: 'compiledAgainst',
    value: compiledAgainst,
    source: 'the addon build: __GLIBC__.__GLIBC_MINOR__',
    ...(compiledAgainst === null
      ? {
          detail:
            raw.compiledFamily === 'koffi'
              ? 'no addon: the koffi backend answered'
              : `built without glibc headers (${raw.compiledFamily || 'unknown'})`,
        }
      : {}),
  });
  return compiledAgainst;
}

/**
 * The loader: the object at AT_BASE; when the program was started through the loader itself (AT_BASE is
 * 0 then), the loaded object named like the program's interpreter.
 */
function loaderOf(raw: RawSelfLibc, { evidence }: Findings): RawNamedFile | null {
  if (raw.loader !== null) {
    evidence.push({
      fact: 'loader',
      value: fileValue(raw.loader),
      source: 'getauxval(AT_BASE) matched in dl_iterate_phdr',
      detail: fileDetail(raw.loader),
    });
    return raw.loader;
  }
  const byName = raw.loadedObjects.find((name) => MUSL_LOADER.test(name) || GLIBC_LOADER.test(name));
  if (byName === undefined) return null;
  evidence.push({ fact: 'loader', value: byName, source: 'dl_iterate_phdr: loaded object named like a loader (AT_BASE was 0)' });
  return { name: byName, realPath: null, realPathErrno: 0 };
}

interface FamilyAnswer {
  family: LibcFamily;
  version: string | null;
  release: string | null;
}

function muslFamily(how: string, gcompat: boolean, gnuVersion: string | null, { evidence, disagreements }: Findings): FamilyAnswer {
  evidence.push({ fact: 'family', value: 'musl', source: how });
  evidence.push({
    fact: 'version',
    value: null,
    source: 'musl exports no version function or symbol',
    detail: 'reading it from the musl file itself comes with file-based probes',
  });
  if (gcompat && gnuVersion !== null) {
    disagreements.push({
      fact: 'family',
      values: [
        { value: 'glibc', source: `gnu_get_libc_version() = ${gnuVersion}` },
        { value: 'musl', source: 'the C library actually mapped' },
      ],
      note: `gnu_get_libc_version() answers ${gnuVersion}, but it is libgcompat's stand-in on musl`,
    });
  }
  return { family: 'musl', version: null, release: null };
}

function glibcFamily(raw: RawSelfLibc, gnuVersion: string, { evidence, disagreements }: Findings): FamilyAnswer {
  const provider = raw.gnuVersionProvider;
  const confstrVersion = versionFromConfstr(raw.confstrVersion);
  evidence.push({ fact: 'family', value: 'glibc', source: 'gnu_get_libc_version() is defined, not by libgcompat' });
  evidence.push({
    fact: 'version',
    value: gnuVersion,
    source: 'gnu_get_libc_version()',
    ...(provider !== null ? { detail: `defined in ${fileValue(provider)}` } : {}),
  });
  if (raw.confstrVersion !== null) {
    evidence.push({
      fact: 'version',
      value: confstrVersion,
      source: 'confstr(_CS_GNU_LIBC_VERSION)',
      detail: `answered '${raw.confstrVersion}'`,
    });
  }
  if (raw.gnuRelease !== null) evidence.push({ fact: 'release', value: raw.gnuRelease, source: 'gnu_get_libc_release()' });
  if (confstrVersion !== gnuVersion) {
    disagreements.push({
      fact: 'version',
      values: [
        { value: gnuVersion, source: 'gnu_get_libc_version()' },
        { value: raw.confstrVersion, source: 'confstr(_CS_GNU_LIBC_VERSION)' },
      ],
      note: raw.confstrVersion === null ? 'confstr() does not know _CS_GNU_LIBC_VERSION' : 'the two glibc version sources differ',
    });
  }
  const providerPath = fileValue(provider);
  const libcPath = fileValue(raw.libcObject);
  if (providerPath !== null && libcPath !== null && providerPath !== libcPath) {
    disagreements.push({
      fact: 'libc',
      values: [
        { value: providerPath, source: 'dladdr() of gnu_get_libc_version()' },
        { value: libcPath, source: 'dladdr() of getpid()' },
      ],
      note: 'the glibc version function and ordinary libc calls come from different files (an interposer is loaded)',
    });
  }
  return { family: 'glibc', version: gnuVersion, release: raw.gnuRelease };
}

/** PT_INTERP names a path; the loader actually mapped should be that file. */
function checkInterpreter(raw: RawSelfLibc, loader: RawNamedFile | null, { disagreements }: Findings): void {
  if (raw.interpreter === null || loader === null || loader.realPath === null) return;
  const interpreterBase = basename(raw.interpreter);
  if (interpreterBase === basename(loader.name) || interpreterBase === basename(loader.realPath)) return;
  disagreements.push({
    fact: 'loader',
    values: [
      { value: raw.interpreter, source: 'PT_INTERP' },
      { value: loader.realPath, source: 'getauxval(AT_BASE)' },
    ],
    note: 'the executable asks for one loader but another is mapped',
  });
}

const NOT_LINUX: Record<string, string> = {
  darwin: "macOS: the C library is Apple's libSystem, neither glibc nor musl",
  win32: 'Windows: the C runtime is the UCRT/MSVCRT, neither glibc nor musl',
};

/**
 * Turns the addon's raw facts into a LibcInfo. Every rule that names a family or a version lives
 * here, so that every backend answers alike. Exported for tests that feed it the facts of systems
 * this machine is not (musl, gcompat, static, macOS).
 */
export function interpretSelfLibc(raw: RawSelfLibc): LibcInfo {
  const findings: Findings = { evidence: [], disagreements: [] };
  const { evidence, disagreements } = findings;
  const compiledAgainst = compiledAgainstOf(raw, findings);

  if (raw.platform !== 'linux') {
    evidence.push({
      fact: 'family',
      value: 'unknown',
      source: `platform ${raw.platform}`,
      detail: NOT_LINUX[raw.platform] ?? 'not a Linux system',
    });
    return deepFreeze({
      family: 'unknown',
      version: null,
      release: null,
      static: false,
      gcompat: false,
      loaderPath: fileValue(raw.loader),
      libcPath: fileValue(raw.libcObject),
      compiledAgainst,
      subject: 'self',
      evidence,
      disagreements,
    });
  }

  const loader = loaderOf(raw, findings);
  if (raw.interpreter !== null) {
    evidence.push({
      fact: 'interpreter',
      value: raw.interpreter,
      source: 'PT_INTERP of the running executable (its mapped program headers)',
    });
  }
  const isStatic = raw.mainProgramSeen && raw.atBase === 0n && raw.interpreter === null && loader === null;
  evidence.push({
    fact: 'static',
    value: isStatic,
    source: isStatic
      ? 'no PT_INTERP, AT_BASE is 0 and no loader is loaded'
      : 'a dynamic loader is mapped (AT_BASE, PT_INTERP or a loaded ld.so)',
  });

  const libcObject = raw.libcObject;
  if (libcObject !== null) {
    evidence.push({
      fact: 'libc',
      value: fileValue(libcObject),
      source: 'dladdr() of getpid(): the object serving C library calls',
      detail: fileDetail(libcObject),
    });
  }

  const provider = raw.gnuVersionProvider;
  const gcompat = provider !== null && GCOMPAT.test(provider.realPath ?? provider.name);
  evidence.push({
    fact: 'gcompat',
    value: gcompat,
    source: 'dladdr() of gnu_get_libc_version()',
    ...(provider !== null
      ? { detail: `defined in ${fileValue(provider)}` }
      : { detail: 'gnu_get_libc_version is not defined in this process' }),
  });

  const loaderIsMusl = loader !== null && (MUSL_LOADER.test(loader.name) || MUSL_LOADER.test(loader.realPath ?? ''));
  const libcIsMusl =
    libcObject !== null &&
    (MUSL_LOADER.test(libcObject.name) || /(^|\/)libc\.musl-[^/]+\.so\.1$/.test(libcObject.realPath ?? libcObject.name));

  let answer: FamilyAnswer = { family: 'unknown', version: null, release: null };
  if (loaderIsMusl || libcIsMusl || gcompat) {
    const how = loaderIsMusl
      ? 'the loader is ld-musl'
      : libcIsMusl
        ? 'getpid() is served by musl'
        : 'gnu_get_libc_version() is served by libgcompat';
    answer = muslFamily(how, gcompat, raw.gnuVersion, findings);
  } else if (raw.gnuVersion !== null) {
    answer = glibcFamily(raw, raw.gnuVersion, findings);
  } else if (isStatic) {
    evidence.push({
      fact: 'family',
      value: 'unknown',
      source: 'static program: no dynamic C library to ask',
      detail: compiledAgainst === null ? 'not built against glibc' : `the addon was built against glibc ${compiledAgainst}`,
    });
  } else {
    evidence.push({ fact: 'family', value: 'unknown', source: 'neither gnu_get_libc_version() nor a musl loader was found' });
  }
  checkInterpreter(raw, loader, findings);

  return deepFreeze({
    ...answer,
    static: isStatic,
    gcompat,
    loaderPath: fileValue(loader),
    libcPath: answer.family === 'glibc' ? (fileValue(provider) ?? fileValue(libcObject)) : fileValue(libcObject),
    compiledAgainst,
    subject: 'self',
    evidence,
    disagreements,
  });
}
