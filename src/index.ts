// The public API. Importing it loads no native code: the addon is loaded by the first probe.
export { SysprobeError } from './errors.js';
export type { SysprobeErrorInit } from './errors.js';
export { backend, configure } from './loader.js';
export type { BackendInfo, ConfigureOptions, LoadAttempt } from './loader.js';
export { probeGlibc, probeGlibcSync } from './libc.js';
export type { LibcDisagreement, LibcEvidence, LibcFamily, LibcInfo, ProbeGlibcOptions } from './libc.js';
export { decodeReparseBuffer, probeReparsePoint, probeReparsePointSync, scanReparsePoints } from './reparse.js';
export type {
  AppExecLinkInfo, ReparseInfo, ReparseKind, ReparseTarget, ScanProgress, ScanReparseOptions, ScanReparseResult,
} from './reparse.js';
export { explainPath, reparseRuntimeViews } from './reparse-explain.js';
export type { PathComponent, PathExplanation, PathFinding, RuntimeName, RuntimeView, RuntimeViews } from './reparse-explain.js';
