// The public API. Importing it loads no native code: the addon is loaded by the first probe.
export { SysprobeError } from './errors.js';
export type { SysprobeErrorInit } from './errors.js';
export { backend, configure } from './loader.js';
export type { BackendInfo, ConfigureOptions, LoadAttempt } from './loader.js';
export { probeGlibc, probeGlibcSync } from './libc.js';
export type { LibcDisagreement, LibcEvidence, LibcFamily, LibcInfo, ProbeGlibcOptions } from './libc.js';
export { readElf, readElfSync, scanElf } from './elf.js';
export type {
  ElfFlags, ElfInfo, ElfScanEntry, ElfScanProgress, ElfSymbol, ElfVersionDef, ElfVersionNeed, ElfVersionNeedFile,
  ReadElfOptions, ScanElfOptions,
} from './elf.js';
