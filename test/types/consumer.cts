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
export = { path, evidence, stack, watches, raw, go };
