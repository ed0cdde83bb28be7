// What the koffi backend answers and how: the one table behind its refusals (needsAddon), the loader's
// reason, and the table in docs/backends.md (scripts/gen-docs.mjs writes it from dist/).

/** How the koffi backend answers a probe: C library calls through koffi, or the C++ core as WebAssembly. */
export type KoffiVia = 'koffi' | 'core' | 'koffi+core';

export interface KoffiCapability {
  /** The public functions the row covers. */
  functions: readonly string[];
  via: KoffiVia;
  /** Where it answers ('all': every platform koffi runs on). */
  platforms: 'all' | 'linux' | 'linux, macos, windows';
  /** On a worker thread koffi is not loaded: what happens there instead. */
  onWorker: 'same' | 'refused' | string;
  /** The calls made, in a sentence. */
  how: string;
}

export const KOFFI_CAPABILITIES: readonly KoffiCapability[] = [
  {
    functions: ['probeGlibc', 'probeGlibcSync'],
    via: 'koffi',
    platforms: 'all',
    onWorker: 'refused',
    how: 'dlsym(RTLD_DEFAULT) of gnu_get_libc_version/gnu_get_libc_release called through their addresses, ' +
      'confstr(_CS_GNU_LIBC_VERSION), getauxval(AT_BASE), dl_iterate_phdr with a koffi callback, realpath; ' +
      'the same answer as the addon except compiledAgainst: null',
  },
  {
    functions: ['probeGlibc({ root })', 'probeGlibc({ pid })'],
    via: 'core',
    platforms: 'linux',
    onWorker: 'same',
    how: 'the core\'s loader model, ELF parser and ld.so.cache parser as WebAssembly, the root walked by directory fds',
  },
  {
    functions: ['getRlimits', 'getRlimitsSync'],
    via: 'koffi+core',
    platforms: 'all',
    onWorker: 'read from /proc/PID/limits; { source: \'syscall\' } refused',
    how: 'getrlimit64 / prlimit64; where prlimit is refused (EPERM, EACCES, ENOSYS) and for { source: \'procfs\' }, ' +
      '/proc/PID/limits parsed by the core, with fallback: { errno, syscall: \'prlimit\' } as from the addon',
  },
  {
    functions: ['setRlimit', 'setRlimitSync'],
    via: 'koffi',
    platforms: 'all',
    onWorker: 'refused',
    how: 'setrlimit64 / prlimit64, read back as the addon does (EINVAL, EPERM, ESRCH alike)',
  },
  {
    functions: ['probeProcessEnv', 'probeProcessEnvSync'],
    via: 'core',
    platforms: 'linux',
    onWorker: 'same',
    how: 'the core reads and splits /proc/PID/environ; outside Linux (sysctl KERN_PROCARGS2) the addon is needed',
  },
  {
    functions: ['probeInotify', 'probeInotifySync'],
    via: 'koffi+core',
    platforms: 'linux',
    onWorker: 'answered without kcmp(2): shared instances are not told apart',
    how: 'the core\'s scan of /proc; kcmp(KCMP_FILE) through koffi\'s syscall() tells shared instances apart as the addon does',
  },
  {
    functions: ['probeReparsePoint', 'probeReparsePointSync'],
    via: 'koffi+core',
    platforms: 'linux, macos, windows',
    onWorker: 'refused (macOS: lstat only)',
    how: 'Linux: lgetxattr of system.ntfs_reparse_data and system.ntfs_attrib; Windows: CreateFileW with ' +
      'FILE_FLAG_OPEN_REPARSE_POINT, FileAttributeTagInfo and FSCTL_GET_REPARSE_POINT through kernel32; macOS: lstat; ' +
      'the buffer decoded by the core. A Win32 error other than "not found" needs the addon (its names are a table in the core\'s Windows code)',
  },
  {
    functions: ['readElf', 'readElfSync', 'scanElf'],
    via: 'core',
    platforms: 'all',
    onWorker: 'same',
    how: 'the core\'s ELF parser as WebAssembly (the async forms on a worker thread of its own)',
  },
  {
    functions: ['resolveDeps', 'resolveDepsSync', 'checkCompat', 'checkCompatSync', 'readLdSoCache', 'readLdSoCacheSync'],
    via: 'core',
    platforms: 'all',
    onWorker: 'same',
    how: 'the core\'s loader model and ld.so.cache parser as WebAssembly; it cannot run cpuid, so on x86-64 Linux ' +
      'the glibc-hwcaps levels come from the flags of /proc/cpuinfo and $PLATFORM is x86_64 unless given',
  },
  {
    functions: ['decodeReparseBuffer', 'explainPath', 'scanReparsePoints'],
    via: 'core',
    platforms: 'all',
    onWorker: 'same',
    how: 'the core\'s reparse decoder as WebAssembly (explainPath and scanReparsePoints probe as probeReparsePoint)',
  },
];

function names(rows: readonly KoffiCapability[]): string {
  return rows.flatMap((row) => row.functions.filter((name) => !name.endsWith('Sync'))).join(', ');
}

/** The functions answered through koffi's C library calls, and those answered by the WebAssembly core. */
export function capabilitySummary(): { koffi: string; core: string } {
  return {
    koffi: names(KOFFI_CAPABILITIES.filter((row) => row.via !== 'core')),
    core: names(KOFFI_CAPABILITIES.filter((row) => row.via !== 'koffi')),
  };
}

/** The functions that need a worker-free main thread (refused on a worker thread, where koffi is not loaded). */
export function refusedOnWorker(): string {
  return names(KOFFI_CAPABILITIES.filter((row) => row.onWorker.startsWith('refused')));
}
