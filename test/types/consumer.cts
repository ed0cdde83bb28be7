// A CommonJS consumer: the types resolve through the exports map's "require" condition.
import sysprobe = require('sysprobe');

const info: sysprobe.LibcInfo = sysprobe.probeGlibcSync();
const path: string | null = info.loaderPath;
const evidence: readonly sysprobe.LibcEvidence[] = info.evidence;
// @ts-expect-error no such option
sysprobe.probeGlibcSync({ bogus: true });
export = { path, evidence };
