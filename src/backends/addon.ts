// The loaded addon as a NativeBinding: its answers (the core's JSON text) decoded by wire.ts, as the koffi
// backend decodes the WebAssembly core's, and resolveDeps' request encoded there. Everything else (the ELF,
// ld.so.cache and readInRoot texts, which their probes decode) passes through as the addon exports it.
import type { AddonExports, NativeBinding } from './binding.js';
import {
  decodeInotify, decodeProcessEnv, decodeReparseData, decodeReparseProbe, decodeRlimitEntry, decodeRlimitSet, decodeSelfLibc, resolveRequest,
} from './wire.js';

export function fromAddon(addon: AddonExports): NativeBinding {
  const decodeBuffer = (bytes: Uint8Array) => decodeReparseData(addon.decodeReparseBuffer(bytes));
  return {
    ...addon,
    selfLibcSync: () => decodeSelfLibc(addon.selfLibcSync()),
    selfLibc: () => addon.selfLibc().then(decodeSelfLibc),
    rlimitsSync: (pid, mode) => decodeRlimitSet(addon.rlimitsSync(pid, mode)),
    rlimits: (pid, mode) => addon.rlimits(pid, mode).then(decodeRlimitSet),
    setRlimitSync: (pid, name, soft, hard) => decodeRlimitEntry(addon.setRlimitSync(pid, name, soft, hard)),
    setRlimit: (pid, name, soft, hard) => addon.setRlimit(pid, name, soft, hard).then(decodeRlimitEntry),
    inotifySync: () => decodeInotify(addon.inotifySync()),
    inotify: () => addon.inotify().then(decodeInotify),
    processEnvSync: (pid) => decodeProcessEnv(addon.processEnvSync(pid)),
    processEnv: (pid) => addon.processEnv(pid).then(decodeProcessEnv),
    decodeReparseBuffer: decodeBuffer,
    probeReparsePointSync: (path) => decodeReparseProbe(addon.probeReparsePointSync(path), decodeBuffer),
    probeReparsePoint: (path) => addon.probeReparsePoint(path).then((json) => decodeReparseProbe(json, decodeBuffer)),
    resolveDepsSync: (program, options) => addon.resolveDepsSync(resolveRequest(program, options)),
    resolveDeps: (program, options) => addon.resolveDeps(resolveRequest(program, options)),
  };
}
