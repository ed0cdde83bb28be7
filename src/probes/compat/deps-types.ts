// The shapes of a dependency resolution and of an ld.so.cache.
import type { PathInput } from '../../util/paths.js';

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
