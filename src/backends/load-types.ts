// What the loader reports: each candidate it tried, the backend it chose and why (backend()).

export interface LoadAttempt {
  /** Where this candidate came from. */
  source: 'option' | 'env:SYSPROBE_BINDING' | 'prebuild' | 'build/Release' | 'build/Debug' | 'koffi';
  path: string;
  ok: boolean;
  /** Why it was not used: the loader's error code and text, and what it means. */
  error?: { code: string; message: string; explanation?: string };
}

/** Which backend to use: `'auto'` (the addon, else koffi), `'addon'` (the addon only) or `'koffi'` (koffi only). */
export type BackendChoice = 'auto' | 'addon' | 'koffi';

export interface BackendInfo {
  /**
   * The backend that answers probes: the compiled `'addon'`, `'koffi'` (calls into the C library through the
   * koffi FFI; some probes throw `ERR_SYSPROBE_NEEDS_ADDON` there), or `'none'` when nothing could be loaded.
   */
  name: 'addon' | 'koffi' | 'none';
  /** What was asked for, and by whom (`configure({ backend })`, `SYSPROBE_BACKEND`, or the default `'auto'`). */
  requested: BackendChoice;
  requestedBy: 'default' | 'option' | 'env:SYSPROBE_BACKEND';
  /** Why this backend answers and the others were not used, in words. */
  reason: string;
  /** The addon file, or koffi's native module. */
  path: string | null;
  /** The sysprobe version the addon was built from (koffi: this package's version), and the addon's Node-API version (null for koffi). */
  version: string | null;
  napiVersion: number | null;
  /** The koffi version, when the koffi backend answers. */
  koffiVersion?: string;
  platform: NodeJS.Platform;
  arch: string;
  /** Every candidate tried, in order, with the reason each was or was not used. */
  attempts: LoadAttempt[];
  /** The C library of this process, as far as it can be told without the addon (only on failure). */
  libc?: { family: 'glibc' | 'musl' | 'unknown'; loader: string | null; source: string };
}

export interface ConfigureOptions {
  /** Path of a `sysprobe.node` to load, or an already loaded addon module; nothing else is tried. */
  nativeBinding?: string | object;
  /** `'auto'` (default: the addon, else koffi), `'addon'` or `'koffi'`; overrides `SYSPROBE_BACKEND`. */
  backend?: BackendChoice;
}
