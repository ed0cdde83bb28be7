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
  /** What it answers, against the addon's answer. */
  answer: string;
  /** The calls made, or why not. */
  how: string;
}

export const KOFFI_CAPABILITIES: readonly KoffiCapability[] = [
  {
    functions: ['probeGlibc', 'probeGlibcSync'],
    via: 'koffi',
    platforms: 'all',
    onWorker: 'refused',
    answer:
      'the same answer, except `compiledAgainst: null` (no addon was built; its evidence says *no addon: the koffi backend answered*)',
    how: '`dlsym(RTLD_DEFAULT)` of `gnu_get_libc_version`/`gnu_get_libc_release` called through their addresses, `confstr(_CS_GNU_LIBC_VERSION)`, `getauxval(AT_BASE)`, `dl_iterate_phdr` with a koffi callback (PT_INTERP of the main program, the objects containing the two functions), `realpath`',
  },
  {
    functions: ['probeGlibc({ root })', 'probeGlibc({ pid })'],
    via: 'core',
    platforms: 'linux',
    onWorker: 'same',
    answer: 'the same answers',
    how: "one call of the core as WebAssembly, as the addon makes: `{ root }` resolves inside the root (walked by directory fds) and reads the libc's banner, version definitions and the cache generator; `{ pid }` reads the file it holds open (banner and version definitions); without the `.wasm`: `ERR_SYSPROBE_NEEDS_ADDON`",
  },
  {
    functions: ['getRlimits', 'getRlimitsSync'],
    via: 'koffi+core',
    platforms: 'all',
    onWorker: "read from /proc/PID/limits; { source: 'syscall' } refused",
    answer: 'the same answers, the `/proc/PID/limits` fallback included',
    how: "this process: `getrlimit64` (glibc) / `getrlimit`; `{ pid }`: `prlimit64`, and where it is refused (`EPERM`/`EACCES`/`ENOSYS`) `/proc/PID/limits` read by the core as WebAssembly, with `fallback: { errno, syscall: 'prlimit' }` as from the addon (without the `.wasm`: `ERR_SYSPROBE_NEEDS_ADDON` with `details.refused`); `{ source: 'procfs' }` (Linux): the core reads and parses `/proc/PID/limits`. koffi has no C headers, so the `RLIMIT_*` numbers are a table in `rlimits.ts` (asm-generic's on Linux)",
  },
  {
    functions: ['setRlimit', 'setRlimitSync'],
    via: 'koffi',
    platforms: 'all',
    onWorker: 'refused',
    answer: 'the same values and errors (`EINVAL`, `EPERM`, `ESRCH`), for this process and a `pid`',
    how: '`setrlimit64` / `prlimit64`, read back as the addon does',
  },
  {
    functions: ['probeProcessEnv', 'probeProcessEnvSync'],
    via: 'core',
    platforms: 'linux',
    onWorker: 'same',
    answer:
      'Linux: the same entries, bytes and errors (`ESRCH`, `EACCES` with `path`); macOS/FreeBSD (`sysctl KERN_PROCARGS2`): `ERR_SYSPROBE_NEEDS_ADDON`',
    how: 'the core reads and splits `/proc/PID/environ` (WebAssembly)',
  },
  {
    functions: ['probeInotify', 'probeInotifySync'],
    via: 'koffi+core',
    platforms: 'linux',
    onWorker: 'answered without kcmp(2): shared instances are not told apart',
    answer: 'Linux: the same answer, instances told apart by `kcmp(KCMP_FILE)` as in the addon',
    how: "the core's scan of `/proc` as WebAssembly (directories listed through WASI `fd_readdir`); `kcmp(2)` through koffi's `syscall()` (its number per architecture is a table in `proc.ts`); the effective uid from `process.geteuid()`",
  },
  {
    functions: ['probeReparsePoint', 'probeReparsePointSync'],
    via: 'koffi+core',
    platforms: 'linux, macos, windows',
    onWorker: 'refused (macOS: lstat only)',
    answer:
      "Linux: as the addon (`null` for entries that are not reparse points, `ENOENT`/`EACCES`…, reparse points decoded); macOS: `null` / `ENOENT`; Windows: `null` and `ENOENT` (with `winerror` 2/3 and `syscall`) as the addon, any other Win32 error (its `winerror` kept) `ERR_SYSPROBE_NEEDS_ADDON`, because the names of Win32 errors are a table in the core's Windows code, not in the WebAssembly build",
    how: 'Linux: `lgetxattr` of `system.ntfs_reparse_data` and `system.ntfs_attrib` through koffi, the buffer decoded by the core; macOS: `lstat`; Windows, through kernel32: `GetFullPathNameW` to the `\\\\?\\` long form, `CreateFileW(FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS)` with placeholders exposed (ntdll `RtlSetThreadPlaceholderCompatibilityMode`), `GetFileInformationByHandleEx(FileAttributeTagInfo)`, then for a reparse point `DeviceIoControl(FSCTL_GET_REPARSE_POINT)`, the buffer decoded by the core (**not run**: wine 8 cannot make reparse points)',
  },
  {
    functions: ['readElf', 'readElfSync', 'scanElf'],
    via: 'core',
    platforms: 'all',
    onWorker: 'same',
    answer: "the same facts and errors (also the CLI's `elf`)",
    how: "the core's ELF parser as WebAssembly, the async forms on a worker thread of its own: `npm run bench -- elf` over the 3124 ELF files of `/usr` took 216 ms warm and 416 ms on a first scan, against the addon's 100/137 ms with 4 threads and 157/190 ms with one in the same run (1.4× to 2.2× slower warm)",
  },
  {
    functions: ['resolveDeps', 'resolveDepsSync', 'checkCompat', 'checkCompatSync', 'readLdSoCache', 'readLdSoCacheSync'],
    via: 'core',
    platforms: 'all',
    onWorker: 'same',
    answer: "the same answers, for every target of `checkCompat` (host, `{ root }`, `{ glibc }`; also the CLI's `deps` and `compat`)",
    how: "the core's loader model and ld.so.cache parser as WebAssembly. It cannot run `cpuid`: on x86-64 Linux it takes the ISA levels (glibc-hwcaps) from the `flags` of `/proc/cpuinfo`, and the legacy `$PLATFORM` is `x86_64` (never `haswell`/`xeon_phi`) unless given",
  },
  {
    functions: ['decodeReparseBuffer', 'explainPath', 'scanReparsePoints'],
    via: 'core',
    platforms: 'all',
    onWorker: 'same',
    answer: 'the same answers',
    how: "the core's reparse decoder as WebAssembly; `explainPath` and `scanReparsePoints` probe each entry as `probeReparsePoint` does",
  },
  {
    functions: ['readGoBuildInfo', 'readGoBuildInfoSync'],
    via: 'core',
    platforms: 'all',
    onWorker: 'same',
    answer: 'the same facts and errors',
    how: "the core's Go build info reader as WebAssembly (ELF, PE and Mach-O), the async form on the core's worker thread",
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
