// Verdicts against a glibc release this host does not have: the version names real glibc builds
// define (glibc-tables.ts), cut at older releases, as elf/dl-version.c would check them.
import { SysprobeError } from '../../errors.js';
import { compareVersions } from '../../util/versions.js';
import type { ElfInfo } from '../elf/index.js';
import type { MissingLibrary } from './deps.js';
import { GLIBC_VERSION_TABLES, type GlibcVersionTable } from './glibc-tables.js';
import type { CompatReport, MissingVersion } from './verdict-types.js';

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
export function glibcTableFor(
  release: string,
  arch: string,
  tables: readonly GlibcVersionTable[] = GLIBC_VERSION_TABLES,
): (GlibcVersionTable & { derivedFrom?: string }) | null {
  const exact = tables.find((t) => t.glibc === release && t.arch === arch);
  if (exact !== undefined) return exact;
  const newer = tables
    .filter((t) => t.arch === arch && compareVersions(t.glibc, release) > 0)
    .sort((a, b) => compareVersions(a.glibc, b.glibc))[0];
  if (newer === undefined) return null;
  const files: Record<string, string[]> = {};
  for (const [soname, names] of Object.entries(newer.files)) {
    const since = LIBRARY_SINCE[soname];
    if (since !== undefined && compareVersions(release, since) < 0) continue;
    const kept = names.filter((name) => {
      const m = /^GLIBC_(\d+(?:\.\d+)+)$/.exec(name);
      const introduced = m !== null ? m[1]! : MARKER_SINCE[name];
      return introduced !== undefined && compareVersions(introduced, release) <= 0;
    });
    if (kept.length === 0) continue;
    if (names.includes('GLIBC_PRIVATE')) kept.push('GLIBC_PRIVATE');
    files[soname] = kept;
  }
  return { glibc: release, arch, from: `${newer.from}, cut at GLIBC_${release}`, files, derivedFrom: newer.glibc };
}

const ARCH_ALIASES: Record<string, string> = {
  x86_64: 'x86_64',
  amd64: 'x86_64',
  x64: 'x86_64',
  aarch64: 'aarch64',
  arm64: 'aarch64',
  i386: 'i386',
  i686: 'i386',
  x86: 'i386',
  ia32: 'i386',
  s390x: 's390x',
};

export function virtualCheck(target: { glibc: string; arch?: string }, binary: string, elf: ElfInfo): CompatReport {
  const arch = ARCH_ALIASES[target.arch ?? elf.machine] ?? target.arch ?? elf.machine;
  const table = glibcTableFor(target.glibc, arch);
  if (table === null) {
    const known = GLIBC_VERSION_TABLES.map((t) => `${t.glibc}/${t.arch}`).join(', ');
    throw new SysprobeError({
      code: 'ERR_SYSPROBE_UNSUPPORTED',
      message: `checkCompat(): no table of glibc ${target.glibc} for ${arch}, and none newer to derive it from (tables: ${known})`,
    });
  }
  const missing: MissingVersion[] = [];
  const messages: string[] = [];
  const warnings: string[] = [];
  if (table.derivedFrom !== undefined) {
    warnings.push(
      `glibc ${table.glibc} (${arch}): version names derived from the glibc ${table.derivedFrom} table (every GLIBC_X.Y up to ${table.glibc}); ` +
        'symbols that moved between libraries since (libpthread, libdl, librt into libc in 2.34) are not checked',
    );
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
      missingLibraries.push({
        name,
        requiredBy: [binary],
        searched: [],
        error: 'cannot open shared object file: No such file or directory',
      });
      messages.unshift(`${name}: cannot open shared object file: No such file or directory`);
    }
  }
  return {
    ok: messages.length === 0,
    target: { kind: 'virtual', root: null, glibc: table.glibc, arch },
    missingLibraries,
    missingVersions: missing,
    messages,
    warnings,
    deps: null,
  };
}
