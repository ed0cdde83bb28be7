// The shapes of the elf family's answers.
import type { SysprobeError } from '../../errors.js';

/** One version a file needs from a library (a Vernaux entry). */
export interface ElfVersionNeed {
  /** `'GLIBC_2.34'`. */
  name: string;
  /** The ELF hash of the name (`vna_hash`). */
  hash: number;
  /** `VER_FLG_WEAK`: the loader only warns when the version is missing. */
  weak: boolean;
  /** `vna_flags` as stored. */
  flags: number;
  /** `vna_other`: the index `.gnu.version` entries use for this version. */
  index: number;
}

/** The versions needed from one library (a Verneed entry). */
export interface ElfVersionNeedFile {
  /** The library file name (`vn_file`), as in DT_NEEDED: `'libc.so.6'`. */
  file: string;
  /** `vn_version` (1). */
  version: number;
  versions: ElfVersionNeed[];
}

/** A version the file defines (a Verdef entry); the base entry (flag BASE) names the file itself. */
export interface ElfVersionDef {
  index: number;
  name: string;
  hash: number;
  /** `vd_flags` as stored (`VER_FLG_BASE` 1, `VER_FLG_WEAK` 2). */
  flags: number;
  base: boolean;
  weak: boolean;
  /** Further Verdaux names: the versions this one inherits from. */
  parents: string[];
}

/** One dynamic symbol with its version. */
export interface ElfSymbol {
  /** Index in `.dynsym` (0, the null symbol, is left out). */
  index: number;
  /** The name as stored (mangled, for C++). */
  name: string;
  /** With `demangle: true`: the C++ name demangled as `c++filt` prints it, `null` for a name that is not a mangled C++ name (or longer than 4096 bytes). */
  demangled?: string | null;
  /** The version name from `.gnu.version` (Verneed for references, Verdef for definitions), or `null`. */
  version: string | null;
  /** `.gnu.version` entry without the hidden bit: 0 local, 1 global (unversioned), ≥ 2 a version; `null` without `.gnu.version`. */
  versionIndex: number | null;
  /** The hidden bit (0x8000): a non-default version of a definition (`name@VER`, not `name@@VER`). */
  hidden: boolean;
  /** For undefined symbols: the library the version is needed from (`vn_file`). */
  file: string | null;
  /** The needed version is weak (`VER_FLG_WEAK`). */
  weakVersion: boolean;
  defined: boolean;
  /** `'global' | 'weak' | 'local' | 'gnu_unique'`, or `'stb_N'`. */
  binding: string;
  /** `'func' | 'object' | 'tls' | 'gnu_ifunc' | 'notype' | …`, or `'stt_N'`. */
  type: string;
  visibility: 'default' | 'internal' | 'hidden' | 'protected';
  size: number;
  value: bigint;
  /** Section index (`st_shndx`); 0 for undefined symbols. */
  shndx: number;
}

/** DT_FLAGS and DT_FLAGS_1. */
export interface ElfFlags {
  /** DT_FLAGS value, `null` when absent. */
  flags: number | null;
  /** DT_FLAGS_1 value, `null` when absent. */
  flags1: number | null;
  /** The set bits by name: `'DF_BIND_NOW'`, `'DF_1_NOW'`, `'DF_1_PIE'`, `'DF_1_NODEFLIB'`, … */
  names: string[];
}

/** What `readElf` reads from one ELF file. */
export interface ElfInfo {
  /** The file read, or `null` for bytes. */
  path: string | null;
  class: 32 | 64;
  endian: 'little' | 'big';
  /** `'x86_64' | 'i386' | 'aarch64' | 'arm' | 's390x' | 'ppc64le' | 'riscv64' | …`, or `'em_N'` for others. */
  machine: string;
  /** `e_machine`. */
  machineId: number;
  /** `'sysv' | 'gnu' | 'freebsd' | …`, or `'osabi_N'`. */
  osabi: string;
  osabiId: number;
  abiVersion: number;
  /** `e_flags`: processor-specific (ARM float ABI, MIPS ABI, RISC-V float ABI, …). */
  eflags: number;
  /** `'exec' | 'dyn' | 'rel' | 'core' | 'none'`, or `'et_N'`. */
  type: string;
  typeId: number;
  /** ET_DYN with DF_1_PIE: a position-independent executable. */
  pie: boolean;
  /** PT_INTERP: the program interpreter (dynamic loader). */
  interpreter: string | null;
  soname: string | null;
  /** DT_NEEDED, in order. */
  needed: string[];
  /** DT_RPATH as stored (`$ORIGIN` not expanded; several tags joined with `:`), or `null`. */
  rpath: string | null;
  /** DT_RUNPATH as stored, or `null`. */
  runpath: string | null;
  flags: ElfFlags;
  versionNeeds: ElfVersionNeedFile[];
  versionDefs: ElfVersionDef[];
  /** The newest needed version per prefix, compared numerically: `{ GLIBC: '2.34', GLIBCXX: '3.4.30' }`. */
  maxVersions: Record<string, string>;
  /** Dynamic symbols with versions; present when `symbols: true` was asked. */
  symbols?: ElfSymbol[];
  /** Where the dynamic facts came from: the program headers (normal), the section headers (fallback), or none (no dynamic table). */
  dynamicSource: 'program-headers' | 'section-headers' | 'none';
  /** Disagreements between program and section headers, unreadable section headers. Empty for a sound file. */
  diagnostics: string[];
}

export interface ReadElfOptions {
  /** Read every dynamic symbol with its version (`symbols` in the result). Default false. */
  symbols?: boolean;
  /** Read the section headers to cross-check the program headers (they remain the fallback). Default true. */
  crossCheck?: boolean;
  /** With `symbols`: add `demangled` (the C++ name as `c++filt` prints it, or null) to each symbol. Default false. */
  demangle?: boolean;
}

/**
 * One file of a scan. `path` is text; for a file found by walking a directory whose path is not valid
 * UTF-8, `path` shows each invalid byte as U+FFFD and `pathBytes` holds the path's exact bytes (a Buffer,
 * usable with node:fs); `pathBytes` is absent for every other path.
 */
export type ElfScanEntry =
  | { path: string; pathBytes?: Buffer; ok: true; info: ElfInfo }
  | { path: string; pathBytes?: Buffer; ok: false; error: SysprobeError };

export interface ElfScanProgress {
  /** Files finished so far, and the total. */
  done: number;
  total: number;
  /** The file just finished. */
  path: string;
}

export interface ScanElfOptions extends ReadElfOptions {
  /** Files read at the same time on the libuv thread pool. Default: min(4, available parallelism). */
  concurrency?: number;
  /** Called after each file. */
  onProgress?: (progress: ElfScanProgress) => void;
  /** Keep entries for files of walked directories that are not ELF (default false: only ELF files and broken ELF files). Paths given explicitly always get an entry. */
  includeNonElf?: boolean;
}

/** An ElfInfo as the core's ELF text carries it, before `maxVersions` is computed (shape.ts). */
export type RawElf = Omit<ElfInfo, 'maxVersions'> & { maxVersions?: Record<string, string> };
