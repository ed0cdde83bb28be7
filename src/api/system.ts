// The public face of the facts the doctor joins beyond the first wave's probes: processes by name, the
// nearest shell, cgroup memory, file system space, folder size and crash signatures. Re-exported by
// src/index.ts; lazy like it (importing loads none of these modules; the first call does).
type ProcessesModule = typeof import('../probes/env/processes.js');
type FindModule = typeof import('../probes/env/find.js');
type CgroupModule = typeof import('../probes/limits/cgroup.js');
type FsModule = typeof import('../probes/fs/index.js');
type SignaturesModule = typeof import('../probes/doctor/signatures.js');
export type { ProcessNode, ShellAncestor } from '../probes/env/processes.js';
export type { FindProcessesOptions, ProcessQuery } from '../probes/env/find.js';
export type { CgroupBytes, CgroupMemory, CgroupMemoryLevel, ProbeCgroupMemoryOptions } from '../probes/limits/cgroup.js';
export type { DirSize, FsSpace, MeasureDirSizeOptions } from '../probes/fs/index.js';
export type { CrashLog, CrashSignature, MatchCrashSignaturesOptions } from '../probes/doctor/signatures.js';
let processesModule: ProcessesModule | undefined;
let findModule: FindModule | undefined;
let cgroupModule: CgroupModule | undefined;
let fsModule: FsModule | undefined;
let signaturesModule: SignaturesModule | undefined;
const processes = (): ProcessesModule => (processesModule ??= require('../probes/env/processes.js') as ProcessesModule);
const find = (): FindModule => (findModule ??= require('../probes/env/find.js') as FindModule);
const cgroup = (): CgroupModule => (cgroupModule ??= require('../probes/limits/cgroup.js') as CgroupModule);
const fsProbes = (): FsModule => (fsModule ??= require('../probes/fs/index.js') as FsModule);
const signatures = (): SignaturesModule => (signaturesModule ??= require('../probes/doctor/signatures.js') as SignaturesModule);

/**
 * The running processes matching every field of `query`, lowest pid first, from `/proc` (Linux; never runs pgrep);
 * on the libuv thread pool.
 *
 * `name` matches the executable's basename or the kernel's `comm` (cut at 15 bytes, so a longer name matches by its
 * first 15); `exe` is compared with `/proc/PID/exe` exactly (the query's own symlinks resolved; a deleted executable
 * still matches by its old path, with `exeDeleted: true`); `argv0` matches `argv[0]` (or its basename, for a query
 * without `/`). A process whose executable cannot be read matches by `comm` only. Each result is a `ProcessNode`:
 * `pid`, `ppid`, `comm`, `exe`, `exeDeleted`, `argv`. `limit` defaults to 256 (at most 4096).
 * @throws {@link SysprobeError} `ERR_SYSPROBE_INVALID_ARG` (no field, an empty field, a relative `exe`, a bad
 *   `limit`), `ENOTSUP` (no `/proc`).
 * @example
 * const [gopls] = await findProcesses({ name: 'gopls' });
 */
export const findProcesses: FindModule['findProcesses'] = (query, options) => find().findProcesses(query, options);
/**
 * As {@link findProcesses}, on the calling thread.
 * @throws {@link SysprobeError} as {@link findProcesses}.
 */
export const findProcessesSync: FindModule['findProcessesSync'] = (query, options) => find().findProcessesSync(query, options);
/**
 * The nearest ancestor of `pid` (default: this process) that is the user's shell, passing over launchers (npm, npx,
 * node, pnpm, yarn, `sh -c` …); Linux `/proc`, on the calling thread. Returns `{ shell, isShell, skipped }` —
 * `isShell: false` when the walk stopped at something else (an IDE, sshd, pid 1) — or `null` when the parent
 * cannot be read. Never throws.
 * @example
 * nearestShellAncestor()?.shell.pid;   // the pid to give probeProcessEnv() for "your shell's environment"
 */
export const nearestShellAncestor: ProcessesModule['nearestShellAncestor'] = (pid) => processes().nearestShellAncestor(pid);
/**
 * One process as `/proc/PID/stat`, `exe` and `cmdline` describe it: `{ pid, ppid, comm, exe, exeDeleted, argv }`
 * (`exe` null and `argv` empty where unreadable); on the calling thread.
 * @throws {@link SysprobeError} `ESRCH` (no such process).
 * @example
 * processNode(process.ppid).comm;   // 'bash'
 */
export const processNode: ProcessesModule['processNode'] = (pid) => processes().processNode(pid);

/**
 * The memory limits of a process's cgroup and of each ancestor up to the root of the mounted hierarchy (Linux; cgroup
 * v2 when its memory controller is on, else v1), on the libuv thread pool.
 *
 * Returns `{ pid, version, levels, effective, mount, notes }`: each level (nearest first) has `path`, `dir`, `max`,
 * `high`, `swapMax` (a `bigint` or `'max'`, `null` where the file is absent), `current`, `peak` and `events`
 * (`oom_kill` counts the OOM kills: v2 `memory.events`, v1 `memory.oom_control`); `effective` is the tightest `max`
 * and `high` with the level `path` that sets them. v1 names map to v2's (`memory.limit_in_bytes` → `max`,
 * `memory.soft_limit_in_bytes` → `high`, memsw minus the limit → `swapMax`). `version: null`: no memory controller.
 * @throws {@link SysprobeError} `ESRCH` (no such process), `EACCES`, `ENOTSUP` (not Linux), `ERR_SYSPROBE_INVALID_ARG`.
 * @example
 * const { effective } = await probeCgroupMemory({ pid: goplsPid });
 * effective.max;   // 67108864n, set by effective.from
 */
export const probeCgroupMemory: CgroupModule['probeCgroupMemory'] = (options) => cgroup().probeCgroupMemory(options);
/**
 * As {@link probeCgroupMemory}, on the calling thread.
 * @throws {@link SysprobeError} as {@link probeCgroupMemory}.
 */
export const probeCgroupMemorySync: CgroupModule['probeCgroupMemorySync'] = (options) => cgroup().probeCgroupMemorySync(options);

/**
 * The space and inodes of the filesystem holding `path` (statfs, exact `bigint`s), on the libuv thread pool.
 *
 * Returns `{ path, type, typeName, blockSize, blocks, blocksFree, blocksAvailable, bytesAvailable, bytesTotal, files,
 * filesFree, readOnly, writable, exists, nearestExisting, mount }`. A path that does not exist is answered for its
 * nearest existing ancestor (`exists: false`; `writable`: could it be created there). `readOnly` comes from the
 * mount's options in `/proc/self/mountinfo` (`null` without it); `writable` is `access(W_OK)`.
 * @throws {@link SysprobeError} the fs error of statfs or stat (`EACCES`, `ELOOP` …), `ERR_SYSPROBE_INVALID_ARG`.
 * @example
 * const { bytesAvailable, filesFree } = await probeFsSpace(process.env.GOCACHE ?? '/root/.cache/go-build');
 */
export const probeFsSpace: FsModule['probeFsSpace'] = (path) => fsProbes().probeFsSpace(path);
/**
 * As {@link probeFsSpace}, on the calling thread.
 * @throws {@link SysprobeError} as {@link probeFsSpace}.
 */
export const probeFsSpaceSync: FsModule['probeFsSpaceSync'] = (path) => fsProbes().probeFsSpaceSync(path);
/**
 * The size of the tree at `path` as `du -s` counts it — lstat only, symlinks never followed, each hard-linked inode
 * once — within `maxEntries` (200 000), `maxDepth` (64) and `timeBudgetMs` (2000); on the libuv thread pool.
 *
 * Returns `{ path, bytes (allocated, st_blocks × 512), apparentBytes (st_size), files, dirs, hardLinksSkipped,
 * complete, stoppedAt?, errors }`; `complete: false` with `stoppedAt` says which bound was reached.
 * @throws {@link SysprobeError} the fs error of `path` itself (`ENOENT`, `EACCES`); `ERR_SYSPROBE_INVALID_ARG`.
 *   Unreadable entries below it are counted in `errors`.
 * @example
 * const { bytes, complete } = await measureDirSize(`${process.env.HOME}/go/pkg/mod`, { timeBudgetMs: 500 });
 */
export const measureDirSize: FsModule['measureDirSize'] = (path, options) => fsProbes().measureDirSize(path, options);
/**
 * As {@link measureDirSize}, on the calling thread.
 * @throws {@link SysprobeError} as {@link measureDirSize}.
 */
export const measureDirSizeSync: FsModule['measureDirSizeSync'] = (path, options) => fsProbes().measureDirSizeSync(path, options);

/**
 * The known crash lines in a log or a process's stderr, in order — the Go runtime's out-of-memory aborts, the
 * loader's missing versions, gopls's and vscode-go's "go not found", `signal: killed` — each as `{ id, check, line,
 * lineNumber, captures }` with the doctor check that explains it (see docs/doctor-signatures.md). Pure; the last 4 MiB
 * are examined, lines cut at 64 KiB, at most `maxMatches` (64) returned.
 * @throws {@link SysprobeError} `ERR_SYSPROBE_INVALID_ARG` (not a string, a bad `maxMatches`).
 * @example
 * matchCrashSignatures(stderr)[0];   // { id: 'go-page-summary', check: 'mem-as', line: 'fatal error: failed to reserve page summary memory', … }
 */
export const matchCrashSignatures: SignaturesModule['matchCrashSignatures'] = (text, options) =>
  signatures().matchCrashSignatures(text, options);
/**
 * {@link matchCrashSignatures} over the last 4 MiB of the file at `path`, read on the libuv thread pool: `{ path, bytes,
 * truncated, signatures }`.
 * @throws {@link SysprobeError} the fs error of opening (`ENOENT`, `EACCES`), `ERR_SYSPROBE_NOT_REGULAR` (a directory,
 *   FIFO or device), `ERR_SYSPROBE_INVALID_ARG`.
 * @example
 * const { signatures } = await readCrashLog('/tmp/gopls-daemon.log');
 */
export const readCrashLog: SignaturesModule['readCrashLog'] = (path, options) => signatures().readCrashLog(path, options);
/**
 * As {@link readCrashLog}, on the calling thread.
 * @throws {@link SysprobeError} as {@link readCrashLog}.
 */
export const readCrashLogSync: SignaturesModule['readCrashLogSync'] = (path, options) => signatures().readCrashLogSync(path, options);
