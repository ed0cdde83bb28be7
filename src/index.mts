// ESM entry: the same module instance as the CommonJS one, so there is one addon and one
// SysprobeError class whichever way sysprobe is imported.
export {
  SysprobeError, backend, checkCompat, checkCompatSync, configure, probeGlibc, probeGlibcSync, readElf, readElfSync, readLdSoCache,
  readLdSoCacheSync, resolveDeps, resolveDepsSync, scanElf,
} from './index.js';
export type * from './index.js';
