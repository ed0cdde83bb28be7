// The shapes of the libc family's answers.
import type { PathInput } from '../../util/paths.js';

export type LibcFamily = 'glibc' | 'musl' | 'unknown';

/** One fact, the value found, and how it was obtained. */
export interface LibcEvidence {
  fact: 'family' | 'version' | 'release' | 'loader' | 'interpreter' | 'libc' | 'gcompat' | 'static' | 'compiledAgainst';
  value: string | boolean | null;
  source: string;
  detail?: string;
}

/** Two sources that answered the same question differently. */
export interface LibcDisagreement {
  fact: LibcEvidence['fact'];
  values: Array<{ value: string | null; source: string }>;
  note: string;
}

export interface LibcInfo {
  family: LibcFamily;
  /** `'2.36'` as the C library reports it, or `null` when it cannot be told. */
  version: string | null;
  /** `gnu_get_libc_release()`: `'stable'` for releases. */
  release: string | null;
  /** The process has no dynamic C library (statically linked). */
  static: boolean;
  /** glibc symbols are served by libgcompat on musl. */
  gcompat: boolean;
  /** The dynamic loader of this process, symlinks resolved. */
  loaderPath: string | null;
  /** The C library file of this process, symlinks resolved. */
  libcPath: string | null;
  /** The glibc the addon was built against (`__GLIBC__.__GLIBC_MINOR__`), `null` for other C libraries. */
  compiledAgainst: string | null;
  /** What the answer is about: `'self'` (this process). */
  /** What the answer is about: this process, a root filesystem, or another process. */
  subject: 'self' | 'root' | 'pid';
  evidence: LibcEvidence[];
  disagreements: LibcDisagreement[];
}

export interface ProbeGlibcOptions {
  /** Ask the C library again instead of returning the cached answer. */
  refresh?: boolean;
  /** Probe a root filesystem statically: the libc.so.6 its own loader would load (or its musl loader); nothing is executed. A Buffer is the path's exact bytes. */
  root?: PathInput;
  /**
   * Probe the libc a running process mapped: read through /proc/PID/map_files (the mapped file itself,
   * even when replaced or deleted on disk since; needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE), else the
   * file at the path /proc/PID/maps names, checked against the mapped device and inode. A file on disk
   * that differs from the mapping is reported as a disagreement.
   */
  pid?: number;
}
