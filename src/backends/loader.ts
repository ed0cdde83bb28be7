import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SysprobeError, invalidArgument } from '../errors.js';
import type { AddonExports, NativeBinding } from './binding.js';
import { fromAddon } from './addon.js';
import type { BackendChoice, BackendInfo, ConfigureOptions, LoadAttempt } from './load-types.js';
export type * from './load-types.js';

const packageRoot = join(__dirname, '..', '..');

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
    if (acceptKoffi(info, `${by} asked for koffi; the addon was not tried`)) return;
    info.libc = libcWithoutAddon();
    failure = { error: loadFailure(info), info };
    return;
  }
  loadAddon(info);
  if (loaded !== null) return;
  const explicit = info.attempts.some((a) => a.source === 'option' || a.source === 'env:SYSPROBE_BINDING');
  if (request.requested === 'auto' && !explicit) {
    if (acceptKoffi(info, 'no addon could be loaded (see the attempts before this one)')) return;
  } else {
    info.reason = explicit
      ? 'the explicitly named addon did not load; the koffi fallback is not used when an addon is named'
      : `${request.requestedBy === 'option' ? "configure({ backend: 'addon' })" : 'SYSPROBE_BACKEND=addon'} asked for the addon only, and it did not load`;
  }
  info.libc = libcWithoutAddon();
  failure = { error: loadFailure(info), info };
}

function acceptKoffi(info: BackendInfo, why: string): boolean {
  // Required here, not at import: the koffi backend and the wording of load failures are for the rare path.
  const { loadKoffi } = require('./load-koffi.js') as typeof import('./load-koffi.js');
  const koffi = loadKoffi(info, why, packageVersion());
  if (koffi !== null) loaded = { binding: koffi, info };
  return koffi !== null;
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
        attempt.error = (require('./load-errors.js') as typeof import('./load-errors.js')).describeLoadError(error);
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
