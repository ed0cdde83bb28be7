// The loaded addon as a NativeBinding: its answers (the core's JSON text) decoded by wire.ts, as the koffi
// backend decodes the WebAssembly core's, and resolveDeps' request encoded there. Everything else (the ELF,
// ld.so.cache and readInRoot texts, which their probes decode) passes through as the addon exports it.
import type { AddonExports, NativeBinding } from './binding.js';
import {
  decodeGoBuildInfo,
  decodeInotify,
  decodeProcessEnv,
  decodeReparseData,
  decodeReparseProbe,
  decodeRlimitEntry,
  decodeRlimitSet,
  decodeSelfLibc,
  resolveRequest,
} from './wire.js';

// Every argument goes through as given, so the addon's own checks still see a wrong call.
const now =
  <A extends unknown[], T>(call: (...args: A) => string, decode: (text: string) => T) =>
  (...args: A): T =>
    decode(call(...args));
const later =
  <A extends unknown[], T>(call: (...args: A) => Promise<string>, decode: (text: string) => T) =>
  (...args: A): Promise<T> =>
    call(...args).then(decode);

export function fromAddon(addon: AddonExports): NativeBinding {
  const decodeBuffer = now(addon.decodeReparseBuffer, decodeReparseData);
  const decodeProbe = (json: string) => decodeReparseProbe(json, decodeBuffer);
  return {
    ...addon,
    selfLibcSync: now(addon.selfLibcSync, decodeSelfLibc),
    selfLibc: later(addon.selfLibc, decodeSelfLibc),
    rlimitsSync: now(addon.rlimitsSync, decodeRlimitSet),
    rlimits: later(addon.rlimits, decodeRlimitSet),
    setRlimitSync: now(addon.setRlimitSync, decodeRlimitEntry),
    setRlimit: later(addon.setRlimit, decodeRlimitEntry),
    inotifySync: now(addon.inotifySync, decodeInotify),
    inotify: later(addon.inotify, decodeInotify),
    processEnvSync: now(addon.processEnvSync, decodeProcessEnv),
    processEnv: later(addon.processEnv, decodeProcessEnv),
    decodeReparseBuffer: decodeBuffer,
    probeReparsePointSync: now(addon.probeReparsePointSync, decodeProbe),
    probeReparsePoint: later(addon.probeReparsePoint, decodeProbe),
    readGoBuildInfoSync: now(addon.readGoBuildInfoSync, decodeGoBuildInfo),
    readGoBuildInfo: later(addon.readGoBuildInfo, decodeGoBuildInfo),
    resolveDepsSync: (program, options) => addon.resolveDepsSync(resolveRequest(program, options)),
    resolveDeps: (program, options) => addon.resolveDeps(resolveRequest(program, options)),
  };
}
