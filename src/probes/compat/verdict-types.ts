// The shapes of a compatibility verdict, shared by the resolution-based check (check.ts) and the
// glibc-release check (glibc-target.ts).
import type { PathInput } from '../../util/paths.js';
import type { DepsResult, MissingLibrary } from './deps.js';

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
