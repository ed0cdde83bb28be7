// ESM entry: the same module instance as the CommonJS one, so there is one addon and one
// SysprobeError class whichever way sysprobe is imported.
export {
  SysprobeError, backend, configure, probeGlibc, probeGlibcSync,
  RLIMIT_NAMES, getRlimits, getRlimitsSync, setRlimit, setRlimitSync, probeInotify, probeInotifySync,
  diffEnv, probeProcessEnv, probeProcessEnvSync,
  decodeReparseBuffer, explainPath, probeReparsePoint, probeReparsePointSync, reparseRuntimeViews, scanReparsePoints,
  readElf, readElfSync, scanElf,
} from './index.js';
export type * from './index.js';
