// An ESM consumer: the types resolve through the exports map's "import" condition.
import { probeGlibc, probeGlibcSync, backend, configure, SysprobeError, type LibcInfo, type BackendInfo } from 'sysprobe';

const info: LibcInfo = probeGlibcSync({ refresh: true });
const family: 'glibc' | 'musl' | 'unknown' = info.family;
const version: string | null = info.version;
const later: Promise<LibcInfo> = probeGlibc();
const which: BackendInfo['name'] = backend().name;
configure({ nativeBinding: '/path/to/sysprobe.node' });
const error = new SysprobeError({ errno: 2, syscall: 'open', path: '/x' });
const code: string = error.code;
// @ts-expect-error refresh is a boolean
probeGlibcSync({ refresh: 'yes' });
export { family, version, later, which, code };
