import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { SysprobeError, invalidArgument } from '../errors.js';
import type { AddonExports, NativeBinding } from './binding.js';
import { fromAddon } from './addon.js';

const packageRoot = join(__dirname, '..', '..');

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

const BACKEND_CHOICES: readonly string[] = ['auto', 'addon', 'koffi'];

let configured: ConfigureOptions = {};
let loaded: { binding: NativeBinding; info: BackendInfo } | null = null;
let failure: { error: SysprobeError; info: BackendInfo } | null = null;
const resetHooks: Array<() => void> = [];

/** Set how the addon is found. Takes effect at the next probe; cached answers are dropped. */
export function configure(options: ConfigureOptions): void {
  if (typeof options !== 'object' || options === null) throw invalidArgument('configure() expects an options object');
  for (const key of Object.keys(options)) {
    if (key !== 'nativeBinding' && key !== 'backend') throw invalidArgument(`configure(): unknown option '${key}'`);
  }
  if (options.backend !== undefined && !BACKEND_CHOICES.includes(options.backend)) {
    throw invalidArgument("configure(): backend must be 'auto', 'addon' or 'koffi'");
  }
  if (options.backend === 'koffi' && options.nativeBinding !== undefined) {
    throw invalidArgument("configure(): nativeBinding names an addon, backend 'koffi' uses none; give one of them");
  }
  const binding = options.nativeBinding;
  if (binding !== undefined && typeof binding !== 'string' && (typeof binding !== 'object' || binding === null)) {
    throw invalidArgument('configure(): nativeBinding must be a path or a loaded addon module');
  }
  configured = { ...options };
  loaded = null;
  failure = null;
  for (const hook of resetHooks) hook();
}

/** Registers a cache that must be dropped when the binding changes. */
export function onBindingReset(hook: () => void): void {
  resetHooks.push(hook);
}

/** The loaded addon; throws the load failure (a SysprobeError with every attempt) otherwise. */
export function binding(): NativeBinding {
  if (loaded !== null) return loaded.binding;
  if (failure === null) load();
  if (loaded !== null) return (loaded as { binding: NativeBinding }).binding;
  throw failure!.error;
}

/** Which backend answers, and why the others were not used. Never throws. */
export function backend(): BackendInfo {
  if (loaded === null && failure === null) load();
  return structuredClone((loaded ?? failure)!.info);
}

function candidates(): Array<{ source: LoadAttempt['source']; path: string }> {
  // Explicit paths are resolved first: dlopen() would search the library path for a bare name.
  if (typeof configured.nativeBinding === 'string') return [{ source: 'option', path: resolve(configured.nativeBinding) }];
  const fromEnv = process.env['SYSPROBE_BINDING'];
  if (fromEnv !== undefined && fromEnv !== '') return [{ source: 'env:SYSPROBE_BINDING', path: resolve(fromEnv) }];
  // The shipped prebuild first (explicit per-target paths, as the package lays them out), then a
  // local build. A glibc prebuild that cannot load (musl, too old a glibc) is skipped with its reason.
  // A local build newer than the prebuild goes first: it was made from these sources after the
  // prebuild was (a source checkout being worked on), and a prebuild cannot tell that it is stale.
  const prebuildFile = process.platform === 'linux' ? 'sysprobe.glibc.node' : 'sysprobe.node';
  const prebuild = {
    source: 'prebuild' as const,
    path: join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`, prebuildFile),
  };
  const release = { source: 'build/Release' as const, path: join(packageRoot, 'build', 'Release', 'sysprobe.node') };
  const debug = { source: 'build/Debug' as const, path: join(packageRoot, 'build', 'Debug', 'sysprobe.node') };
  const releaseTime = modifiedTime(release.path);
  const prebuildTime = releaseTime === undefined ? undefined : modifiedTime(prebuild.path);
  if (releaseTime !== undefined && prebuildTime !== undefined && releaseTime > prebuildTime) return [release, prebuild, debug];
  return [prebuild, release, debug];
}

function modifiedTime(path: string): number | undefined {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs;
}

function requestedBackend(): { requested: BackendChoice; requestedBy: BackendInfo['requestedBy']; invalid?: string } {
  if (configured.backend !== undefined) return { requested: configured.backend, requestedBy: 'option' };
  // configure({ nativeBinding }) names an addon in code (an embedder): that addon, whatever SYSPROBE_BACKEND says.
  if (configured.nativeBinding !== undefined) return { requested: 'addon', requestedBy: 'option' };
  const fromEnv = process.env['SYSPROBE_BACKEND'];
  if (fromEnv === undefined || fromEnv === '') return { requested: 'auto', requestedBy: 'default' };
  if (!BACKEND_CHOICES.includes(fromEnv)) return { requested: 'auto', requestedBy: 'env:SYSPROBE_BACKEND', invalid: fromEnv };
  return { requested: fromEnv as BackendChoice, requestedBy: 'env:SYSPROBE_BACKEND' };
}

function load(): void {
  const request = requestedBackend();
  const info: BackendInfo = {
    name: 'none',
    requested: request.requested,
    requestedBy: request.requestedBy,
    reason: '',
    path: null,
    version: null,
    napiVersion: null,
    platform: process.platform,
    arch: process.arch,
    attempts: [],
  };
  if (request.invalid !== undefined) {
    info.reason = `SYSPROBE_BACKEND='${request.invalid}' is not 'auto', 'addon' or 'koffi'`;
    failure = { error: invalidArgument(info.reason), info };
    return;
  }
  if (request.requested === 'koffi') {
    const by = request.requestedBy === 'option' ? "configure({ backend: 'koffi' })" : 'SYSPROBE_BACKEND=koffi';
    if (loadKoffi(info, `${by} asked for koffi; the addon was not tried`)) return;
    info.libc = libcWithoutAddon();
    failure = { error: loadFailure(info), info };
    return;
  }
  loadAddon(info);
  if (loaded !== null) return;
  const explicit = info.attempts.some((a) => a.source === 'option' || a.source === 'env:SYSPROBE_BINDING');
  if (request.requested === 'auto' && !explicit) {
    if (loadKoffi(info, 'no addon could be loaded (see the attempts before this one)')) return;
  } else {
    info.reason = explicit
      ? 'the explicitly named addon did not load; the koffi fallback is not used when an addon is named'
      : `${request.requestedBy === 'option' ? "configure({ backend: 'addon' })" : 'SYSPROBE_BACKEND=addon'} asked for the addon only, and it did not load`;
  }
  info.libc = libcWithoutAddon();
  failure = { error: loadFailure(info), info };
}

/** koffi, an optional dependency, required only here. */
function loadKoffi(info: BackendInfo, why: string): boolean {
  const attempt: LoadAttempt = { source: 'koffi', path: 'koffi', ok: false };
  info.attempts.push(attempt);
  let koffi: { version?: string } | null = null;
  try {
    attempt.path = require.resolve('koffi');
    // On a worker thread koffi is found but not loaded (OFF_MAIN_THREAD in koffi/index.ts says why).
    if (isMainThread) koffi = require('koffi') as { version?: string };
    else koffi = null;
  } catch (error) {
    attempt.error = describeKoffiError(error);
    info.reason = `${why}; koffi could not be loaded either`;
    return false;
  }
  let backendObject: NativeBinding;
  let createKoffiBackend: typeof import('./koffi/index.js').createKoffiBackend;
  let OFF_MAIN_THREAD: string;
  let koffiReason: typeof import('./koffi/index.js').koffiReason;
  try {
    ({ createKoffiBackend, OFF_MAIN_THREAD, koffiReason } = require('./koffi/index.js') as typeof import('./koffi/index.js'));
    backendObject = createKoffiBackend(koffi, packageVersion());
  } catch (error) {
    attempt.error = {
      code: String((error as { code?: unknown }).code ?? 'ERR_UNKNOWN'),
      message: String((error as Error).message ?? error),
      explanation: 'koffi loaded, but the C library functions could not be bound',
    };
    info.reason = `${why}; koffi loaded but could not bind the C library`;
    return false;
  }
  const nativeModule = Object.keys(require.cache).find((file) => /koffi[^/\\]*[/\\].*koffi\.node$/.test(file));
  attempt.ok = true;
  if (nativeModule !== undefined) attempt.path = nativeModule;
  info.name = 'koffi';
  info.path = attempt.path;
  info.version = backendObject.version;
  info.napiVersion = null;
  const koffiVersion = koffi !== null ? koffi.version : koffiPackageVersion(attempt.path);
  if (typeof koffiVersion === 'string') info.koffiVersion = koffiVersion;
  info.reason = `${why}; ${koffiReason(koffi !== null, OFF_MAIN_THREAD)}`;
  loaded = { binding: backendObject, info };
  return true;
}

/** koffi's version from its package.json (no native code), next to the resolved entry point. */
function koffiPackageVersion(entry: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dirname(entry), 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

function describeKoffiError(error: unknown): NonNullable<LoadAttempt['error']> {
  const code = String((error as { code?: unknown })?.code ?? 'ERR_UNKNOWN');
  const message = String((error as { message?: unknown })?.message ?? error)
    .split('\nRequire stack:')[0]!
    .trim();
  let explanation: string | undefined;
  if (code === 'MODULE_NOT_FOUND' && /'koffi'/.test(message)) {
    explanation = 'koffi is an optional dependency of sysprobe and is not installed (npm install koffi)';
  } else if (code === 'ERR_DLOPEN_DISABLED') {
    explanation = 'Node was started with --no-addons; koffi is a native addon too, so it cannot load either';
  } else if (/Cannot find the native Koffi module/.test(message)) {
    explanation = `koffi is installed without its native package for ${process.platform}-${process.arch} (@koromix/koffi-${process.platform}-${process.arch}; installed with --no-optional?)`;
  } else {
    explanation = explainLoadError(code, message);
  }
  return explanation === undefined ? { code, message } : { code, message, explanation };
}

function loadAddon(info: BackendInfo): void {
  const explicitModule = typeof configured.nativeBinding === 'object' ? configured.nativeBinding : null;
  if (explicitModule !== null) {
    const attempt: LoadAttempt = { source: 'option', path: '(module object)', ok: false };
    info.attempts.push(attempt);
    if (accept(explicitModule, attempt, info)) return;
  } else {
    for (const candidate of candidates()) {
      const attempt: LoadAttempt = { source: candidate.source, path: candidate.path, ok: false };
      info.attempts.push(attempt);
      let module: unknown;
      try {
        // Explicit overrides must exist; the default locations are only worth a dlopen when present.
        if ((candidate.source === 'prebuild' || candidate.source.startsWith('build/')) && !existsSync(candidate.path)) {
          attempt.error = { code: 'ENOENT', message: 'no such file' };
          continue;
        }
        // process.dlopen, not require(): a path that names a script must never be run as JavaScript.
        const holder = { exports: {} as unknown };
        process.dlopen(holder, candidate.path);
        module = holder.exports;
      } catch (error) {
        attempt.error = describeLoadError(error);
        continue;
      }
      if (accept(module, attempt, info)) return;
    }
  }
}

function accept(module: unknown, attempt: LoadAttempt, info: BackendInfo): boolean {
  const candidate = module as Partial<AddonExports> | null;
  if (candidate === null || typeof candidate !== 'object' || typeof candidate.init !== 'function') {
    attempt.error = { code: 'ERR_SYSPROBE_BINDING_INVALID', message: 'not a sysprobe addon (no init function)' };
    return false;
  }
  const expected = packageVersion();
  if (candidate.version !== expected) {
    attempt.error = {
      code: 'ERR_SYSPROBE_BINDING_MISMATCH',
      message: `addon built from sysprobe ${String(candidate.version)}, this package is ${expected}`,
      explanation: 'rebuild the addon for this version (npm rebuild sysprobe)',
    };
    return false;
  }
  const native = fromAddon(candidate as AddonExports);
  native.init(SysprobeError);
  attempt.ok = true;
  info.name = 'addon';
  info.reason =
    attempt.source === 'option'
      ? 'the addon named by configure({ nativeBinding }) loaded'
      : info.requested === 'addon'
        ? `${info.requestedBy === 'option' ? "configure({ backend: 'addon' })" : 'SYSPROBE_BACKEND=addon'} asked for the addon`
        : attempt.source === 'env:SYSPROBE_BINDING'
          ? 'the addon named by SYSPROBE_BINDING loaded'
          : `the ${attempt.source} addon loaded, so koffi was not needed`;
  info.path = attempt.path;
  info.version = native.version;
  info.napiVersion = native.napiVersion;
  loaded = { binding: native, info };
  return true;
}

let cachedPackageVersion: string | undefined;
function packageVersion(): string {
  cachedPackageVersion ??= (require(join(packageRoot, 'package.json')) as { version: string }).version;
  return cachedPackageVersion;
}

function describeLoadError(error: unknown): NonNullable<LoadAttempt['error']> {
  const code = String((error as { code?: unknown })?.code ?? 'ERR_UNKNOWN');
  const message = String((error as { message?: unknown })?.message ?? error)
    .split('\nRequire stack:')[0]!
    .trim();
  const explanation = explainLoadError(code, message);
  return explanation === undefined ? { code, message } : { code, message, explanation };
}

function explainLoadError(code: string, message: string): string | undefined {
  if (code === 'ERR_DLOPEN_DISABLED') return 'Node was started with --no-addons, so no native addon can load';
  const glibc = /version `GLIBC_([0-9.]+)' not found/.exec(message);
  if (glibc !== null) return `the addon needs glibc ${glibc[1]} or newer; this system's C library is older`;
  const cxx = /version `(GLIBCXX|CXXABI)_([0-9.]+)' not found/.exec(message);
  if (cxx !== null) return `the addon needs a newer libstdc++ (${cxx[1]}_${cxx[2]}) than this system has`;
  if (/Error relocating|symbol not found/.test(message)) {
    return 'the addon was built for another C library (a glibc build on musl, or the reverse)';
  }
  if (/wrong ELF class|invalid ELF header|file too short|Exec format error|ELF load command/.test(message)) {
    return 'the file is not an addon for this platform and architecture';
  }
  if (/No such file or directory|cannot open shared object file/.test(message)) return 'the file does not exist or cannot be opened';
  return undefined;
}

function libcWithoutAddon(): NonNullable<BackendInfo['libc']> {
  if (process.platform !== 'linux') return { family: 'unknown', loader: null, source: `platform ${process.platform}` };
  try {
    const { mappedFiles, libcFamilyFromMappedFiles } = require('../util/procmaps.js') as typeof import('../util/procmaps.js');
    return { ...libcFamilyFromMappedFiles(mappedFiles()), source: 'loader mapped in /proc/self/maps' };
  } catch (error) {
    return { family: 'unknown', loader: null, source: `/proc/self/maps unreadable: ${(error as Error).message}` };
  }
}

function loadFailure(info: BackendInfo): SysprobeError {
  const lines = [
    `sysprobe could not load its native addon${info.attempts.some((a) => a.source === 'koffi') ? ' or koffi' : ''} for ${info.platform}-${info.arch}: ${info.reason}`,
  ];
  if (info.libc !== undefined)
    lines.push(`C library of this process: ${info.libc.family}${info.libc.loader ? ` (${info.libc.loader})` : ''}`);
  for (const attempt of info.attempts) {
    lines.push(
      `- ${attempt.source}: ${attempt.path}: ${attempt.error?.code}: ${attempt.error?.message}` +
        (attempt.error?.explanation ? ` (${attempt.error.explanation})` : ''),
    );
  }
  const explicit = info.attempts.some((a) => a.source === 'option' || a.source === 'env:SYSPROBE_BINDING');
  lines.push(
    explicit
      ? 'Only the explicitly named binding was tried; fix or unset it to use the default locations.'
      : 'Build it with `npm rebuild sysprobe` (needs Python 3, make and a C++17 compiler), or install koffi (an optional dependency) for the fallback.',
  );
  return new SysprobeError({
    code: explicit ? 'ERR_SYSPROBE_BINDING_LOAD' : 'ERR_SYSPROBE_NO_BACKEND',
    message: lines.join('\n'),
    details: { attempts: info.attempts, platform: info.platform, arch: info.arch, libc: info.libc },
  });
}
