// The public API. Importing it loads no native code: the addon is loaded by the first probe.
export { SysprobeError } from './errors.js';
export type { SysprobeErrorInit } from './errors.js';
export { backend, configure } from './loader.js';
export type { BackendInfo, ConfigureOptions, LoadAttempt } from './loader.js';
export { probeGlibc, probeGlibcSync } from './libc.js';
export type { LibcDisagreement, LibcEvidence, LibcFamily, LibcInfo, ProbeGlibcOptions } from './libc.js';
export { GO_MIN_ADDRESS_SPACE, RLIMIT_NAMES, getRlimits, getRlimitsSync, probeInotify, probeInotifySync, setRlimit, setRlimitSync } from './limits.js';
export type {
  GetRlimitsOptions, InotifyInfo, InotifyProcessUse, Limit, ResourceLimit, RlimitName, RlimitSource, RlimitUnit, RlimitsInfo,
  SetRlimitOptions, SetRlimitValues,
} from './limits.js';
export { diffEnv, probeProcessEnv, probeProcessEnvSync } from './env.js';
export type { EnvDiff, EnvEntry, EnvLike, ProcessEnv } from './env.js';
