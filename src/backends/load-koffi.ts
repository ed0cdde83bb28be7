// The koffi backend, loaded: koffi (an optional dependency, required only here) and the backend built on it.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import type { NativeBinding } from './binding.js';
import { explainLoadError } from './load-errors.js';
import type { BackendInfo, LoadAttempt } from './load-types.js';

/** koffi, an optional dependency, required only here. */
export function loadKoffi(info: BackendInfo, why: string, version: string): NativeBinding | null {
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
    return null;
  }
  let backendObject: NativeBinding;
  let createKoffiBackend: typeof import('./koffi/index.js').createKoffiBackend;
  let OFF_MAIN_THREAD: string;
  let koffiReason: typeof import('./koffi/index.js').koffiReason;
  try {
    ({ createKoffiBackend, OFF_MAIN_THREAD, koffiReason } = require('./koffi/index.js') as typeof import('./koffi/index.js'));
    backendObject = createKoffiBackend(koffi, version);
  } catch (error) {
    attempt.error = {
      code: String((error as { code?: unknown }).code ?? 'ERR_UNKNOWN'),
      message: String((error as Error).message ?? error),
      explanation: 'koffi loaded, but the C library functions could not be bound',
    };
    info.reason = `${why}; koffi loaded but could not bind the C library`;
    return null;
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
  return backendObject;
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
