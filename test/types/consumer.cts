// A CommonJS consumer: the types resolve through the exports map's "require" condition.
import sysprobe = require('sysprobe');

const info: sysprobe.LibcInfo = sysprobe.probeGlibcSync();
const path: string | null = info.loaderPath;
const evidence: readonly sysprobe.LibcEvidence[] = info.evidence;
// @ts-expect-error no such option
sysprobe.probeGlibcSync({ bogus: true });
const stack: sysprobe.RlimitsInfo['limits']['stack'] = sysprobe.getRlimitsSync().limits.stack;
const watches: number | null = sysprobe.probeInotifySync().effective.maxUserWatches;
const raw: Buffer = sysprobe.probeProcessEnvSync(1).entries[0]!.raw;
const views: sysprobe.RuntimeViews = sysprobe.reparseRuntimeViews(sysprobe.decodeReparseBuffer(Buffer.alloc(24)));
const go: string = views.go123.lstat;
const cache: sysprobe.LdSoCache['format'] = sysprobe.readLdSoCacheSync('/etc/ld.so.cache').format;
const missing: sysprobe.MissingLibrary[] = sysprobe.resolveDepsSync('/bin/ls', { root: '/srv/rootfs' }).missing;
const toolchain: sysprobe.GoToolchain = sysprobe.probeGoToolchainSync({ env: process.env });
const flags: sysprobe.GoEnvSource = toolchain.values.GOFLAGS!.source;
const goLookup: string | null = sysprobe.lookPathSync('go', process.env.PATH, { platform: 'win32', pathext: '.EXE' }).path;
const gomod: sysprobe.GoMod | null = sysprobe.findGoModulesSync('.', process.env).goMod;
const vscode: sysprobe.VscodeSettings['effective'] = sysprobe.probeVscodeSettingsSync({ home: '/home/me' }).effective;
// @ts-expect-error env is required
sysprobe.probeGoToolchainSync({});
export = { path, evidence, stack, watches, raw, go, cache, missing, flags, goLookup, gomod, vscode };
