// The koffi backend: the same raw facts as the addon (the NativeBinding contract, ../binding.ts), from C
// library calls through koffi (calls.ts, libc.ts, rlimits.ts, reparse.ts) and the C++ core as WebAssembly
// (../wasm/). What it answers, and how, is one table: capabilities.ts. Every rule that interprets the facts
// is the probes' own, shared with the addon. Required only when this backend is chosen (../loader.ts).
import { SysprobeError } from '../../errors.js';
import type { NativeBinding, RawReparseProbe, RawRlimitSet } from '../binding.js';
import { absoluteBytes, isAbsolutePath, pathText } from '../../util/paths.js';
import type { PathArg } from '../../util/paths.js';
import type { WasmErrorFacts, WasmRequest } from '../wasm/index.js';
import {
  WASM_PATH,
  errorFromFacts,
  wasmOnWorker,
  wasmAvailable,
  wasmProcessEnv,
  wasmReadElf,
  wasmReadElfBatch,
  wasmReadGoBuildInfo,
  wasmReadInRoot,
  wasmReadLdSoCache,
  wasmResolveDeps,
  wasmProbeLibcRoot,
  wasmScanLibcFile,
} from '../wasm/index.js';
import { bindCalls, withCore, needsAddon, type Koffi, type Calls } from './calls.js';
import { capabilitySummary, refusedOnWorker } from './capabilities.js';
import { selfLibc } from './libc.js';
import { procLimits, rlimits, setRlimit } from './rlimits.js';
import { decodeReparse, probeReparsePoint } from './reparse.js';
import { checkEnvPlatform, inotify, processEnv } from './proc.js';
import { decodeGoBuildInfo, decodeProcessEnv } from '../wire.js';

/**
 * An async call of the core: on the core's worker thread (../wasm/client.ts) so the host's event loop stays
 * free, on this thread where no worker can start, refused as withCore when the module is not there.
 */
function coreAsync<T>(what: string, name: WasmRequest['name'], args: unknown[], onMainThread: () => T): Promise<T> {
  if (!wasmAvailable()) return later(() => withCore(what, onMainThread));
  return wasmOnWorker<T>(name, args) ?? later(onMainThread);
}

/** calls null: macOS off the main thread (lstat only). The path's bytes go to the kernel as they are. */

function asGiven(path: PathArg | Uint8Array, error: unknown): unknown {
  if (!(error instanceof SysprobeError) || (typeof path !== 'string' && !Buffer.isBuffer(path)) || isAbsolutePath(path)) return error;
  if (error.path !== pathText(absoluteBytes(path))) return error;
  return errorFromFacts({ ...error.toJSON(), path: pathText(path) });
}

function given<T>(path: PathArg | Uint8Array, isPath: boolean, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw isPath ? asGiven(path, error) : error;
  }
}

function givenAsync<T>(path: PathArg | Uint8Array, isPath: boolean, work: Promise<T>): Promise<T> {
  return isPath
    ? work.catch((error: unknown) => {
        throw asGiven(path, error);
      })
    : work;
}

/** Turns a synchronous probe into the addon's Promise shape (koffi's callbacks must run on this thread). */
function later<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    setImmediate(() => {
      try {
        resolve(work());
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** The backend object, shaped like the addon's exports (NativeBinding). */
// Bound once per process: koffi's named types are process-wide, and configure() may pick koffi again.
let boundCalls: Calls | null = null;

/**
 * Why koffi's own code never runs on a worker thread: koffi (3.x) is built without
 * NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS, so when a Worker is terminated while any koffi function runs (its
 * module init above all: some 250 Node-API calls per thread), the first Node-API call refused by the stopping
 * thread becomes a Napi::Error whose napi_throw is refused as well, and node-addon-api aborts the process
 * ("FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw"). Nothing on the calling side can close that
 * window, so on a worker thread the koffi backend answers what the WebAssembly core and /proc can answer and
 * refuses the rest.
 */
export const OFF_MAIN_THREAD =
  'koffi is not loaded on worker threads: a Worker terminated while a koffi call runs aborts the whole process ' +
  '(a defect of koffi: docs/backends.md, "The koffi backend and worker threads"); call it from the main thread, or use the addon';

function offMainThread(what: string): SysprobeError {
  return needsAddon(what, OFF_MAIN_THREAD, { thread: 'worker' });
}

/** Why the koffi backend answers, and what it answers with: the loader's BackendInfo.reason. */
export function koffiReason(onMainThread: boolean, offMainThread: string): string {
  const { koffi, core } = capabilitySummary();
  const thread = onMainThread
    ? ''
    : `; on this worker thread ${refusedOnWorker()} throw ERR_SYSPROBE_NEEDS_ADDON, getRlimits reads ` +
      `/proc/PID/limits and probeInotify cannot tell shared instances apart: ${offMainThread}`;
  return wasmAvailable()
    ? `koffi answers ${koffi}, with the core as WebAssembly (${WASM_PATH}) for ${core}${thread}`
    : `koffi answers ${koffi}, but without the core as WebAssembly (${WASM_PATH} is missing) ${core} throw ERR_SYSPROBE_NEEDS_ADDON${thread}`;
}

/** koffi null: a worker thread (loader.ts), where koffi is not loaded (OFF_MAIN_THREAD). */
export function createKoffiBackend(koffi: Koffi | null, version: string): NativeBinding {
  const bound = koffi === null ? null : (boundCalls ??= bindCalls(koffi));
  const ffi = (what: string): Calls => {
    if (bound === null) throw offMainThread(what);
    return bound;
  };
  // getRlimits off the main thread: /proc/PID/limits (the process's limits, shared by its threads), by the core.
  const limits = (pid: number, mode: 'auto' | 'syscall' | 'procfs'): RawRlimitSet =>
    bound === null && mode !== 'syscall' ? procLimits(pid) : rlimits(ffi('getRlimits()'), pid, mode);
  // probeInotify: without kcmp(2) (no koffi) instances are not told apart (dedup: false), as where kcmp is refused.
  const inotifyCalls = (): Calls | null => bound;
  const reparse = (path: PathArg): RawReparseProbe | null =>
    probeReparsePoint(process.platform === 'darwin' && bound === null ? null : ffi('probeReparsePoint()'), path);
  return {
    version,
    napiVersion: 0,
    init() {},
    selfLibcSync: () => selfLibc(ffi('probeGlibc()')),
    selfLibc: () => later(() => selfLibc(ffi('probeGlibc()'))),
    rlimitsSync: (pid, mode) => limits(pid, mode),
    rlimits: (pid, mode) => later(() => limits(pid, mode)),
    setRlimitSync: (pid, name, soft, hard) => setRlimit(ffi('setRlimit()'), pid, name, soft, hard),
    setRlimit: (pid, name, soft, hard) => later(() => setRlimit(ffi('setRlimit()'), pid, name, soft, hard)),
    inotifySync: () => inotify(inotifyCalls()),
    inotify: () => later(() => inotify(inotifyCalls())),
    processEnvSync: (pid) => processEnv(pid),
    processEnv: async (pid) => {
      checkEnvPlatform(pid);
      return decodeProcessEnv(await coreAsync(`probeProcessEnv(${pid})`, 'processEnv', [pid], () => wasmProcessEnv(pid)));
    },
    decodeReparseBuffer: (bytes) => decodeReparse('decodeReparseBuffer()', bytes),
    probeReparsePointSync: (path) => reparse(path),
    probeReparsePoint: (path) => later(() => reparse(path)),
    // The ELF engine, the ld.so.cache parser and the loader model: the core, as WebAssembly.
    readElfSync: (target, symbols, crossCheck, isPath = typeof target === 'string') =>
      given(target, isPath, () => withCore('readElf()', () => wasmReadElf(target, symbols, crossCheck, !isPath))),
    readElf: (given, symbols, crossCheck, isPath = typeof given === 'string') => {
      // Bytes are copied now: the caller may detach or transfer its ArrayBuffer before the work runs.
      const target = typeof given === 'string' ? given : Buffer.from(given);
      return givenAsync(
        target,
        isPath,
        coreAsync('readElf()', 'readElf', [target, symbols, crossCheck, !isPath], () => wasmReadElf(target, symbols, crossCheck, !isPath)),
      );
    },
    readElfBatch: async (paths, symbols, crossCheck) => {
      const outcomes = await coreAsync<Array<string | Error | { error: WasmErrorFacts }>>(
        'scanElf()',
        'readElfBatch',
        [paths, symbols, crossCheck],
        () => wasmReadElfBatch(paths, symbols, crossCheck),
      );
      return outcomes.map((outcome, i) =>
        typeof outcome === 'string'
          ? outcome
          : (asGiven(paths[i]!, outcome instanceof Error ? outcome : errorFromFacts(outcome.error)) as Error),
      );
    },
    readLdSoCacheSync: (path) => given(path, true, () => withCore('readLdSoCache()', () => wasmReadLdSoCache(path))),
    readLdSoCache: (path) =>
      givenAsync(
        path,
        true,
        coreAsync('readLdSoCache()', 'readLdSoCache', [path], () => wasmReadLdSoCache(path)),
      ),
    resolveDepsSync: (program, options) => withCore('resolveDeps()', () => wasmResolveDeps(program, options)),
    resolveDeps: (program, options) =>
      coreAsync('resolveDeps()', 'resolveDeps', [program, options], () => wasmResolveDeps(program, options)),
    readInRootSync: (...args) => withCore('checkCompat()', () => wasmReadInRoot(...args)),
    readInRoot: (...args) => coreAsync('checkCompat()', 'readInRoot', args, () => wasmReadInRoot(...args)),
    probeLibcRootSync: (root, cwd) => withCore('probeGlibc()', () => wasmProbeLibcRoot(root, cwd)),
    probeLibcRoot: (root, cwd) => coreAsync('probeGlibc()', 'probeLibcRoot', [root, cwd], () => wasmProbeLibcRoot(root, cwd)),
    scanLibcFileSync: (path) => withCore('probeGlibc()', () => wasmScanLibcFile(path)),
    scanLibcFile: (path) => coreAsync('probeGlibc()', 'scanLibcFile', [path], () => wasmScanLibcFile(path)),
    readGoBuildInfoSync: (target, isPath) =>
      decodeGoBuildInfo(given(target, isPath, () => withCore('readGoBuildInfo()', () => wasmReadGoBuildInfo(target, !isPath)))),
    readGoBuildInfo: async (given, isPath) => {
      // Bytes are copied now: the caller may detach or transfer its ArrayBuffer before the work runs.
      const target = isPath ? given : Buffer.from(given);
      const json = await givenAsync(
        target,
        isPath,
        coreAsync('readGoBuildInfo()', 'readGoBuildInfo', [target, !isPath], () => wasmReadGoBuildInfo(target, !isPath)),
      );
      return decodeGoBuildInfo(json);
    },
  };
}
