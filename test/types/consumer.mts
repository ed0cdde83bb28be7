// An ESM consumer: the types resolve through the exports map's "import" condition.
import { probeGlibc, probeGlibcSync, backend, configure, SysprobeError, type LibcInfo, type BackendInfo } from 'sysprobe';
import {
  getRlimitsSync,
  setRlimit,
  probeProcessEnvSync,
  diffEnv,
  RLIMIT_NAMES,
  type Limit,
  type RlimitName,
  type ResourceLimit,
} from 'sysprobe';

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
const nofile: Limit | null = getRlimitsSync({ pid: 1, source: 'procfs' }).limits.nofile.soft;
const names: readonly RlimitName[] = RLIMIT_NAMES;
const set: Promise<ResourceLimit> = setRlimit('core', { soft: 0n, hard: 'unlimited' });
const path: string | undefined = diffEnv(process.env, probeProcessEnvSync(1)).added['PATH'];
// @ts-expect-error 'files' is not a resource name
setRlimit('files', { soft: 1n });
// @ts-expect-error soft is required
setRlimit('nofile', { hard: 1n });
import {
  decodeReparseBuffer,
  probeReparsePointSync,
  explainPath,
  scanReparsePoints,
  type ReparseInfo,
  type PathExplanation,
} from 'sysprobe';
const reparse: ReparseInfo = decodeReparseBuffer(new Uint8Array(24));
const substitute: string | undefined = reparse.target?.substituteName;
const maybe: ReparseInfo | null = probeReparsePointSync('C:\\x');
const explained: Promise<PathExplanation> = explainPath('C:\\go\\src');
void scanReparsePoints('/mnt', { maxDepth: 2, onProgress: (p) => p.found });
// @ts-expect-error kind is a closed union
const kind: ReparseInfo['kind'] = 'not-a-kind';
import {
  checkCompat,
  checkCompatSync,
  resolveDeps,
  resolveDepsSync,
  readLdSoCacheSync,
  type CompatReport,
  type DepsResult,
  type FoundVia,
} from 'sysprobe';
const report: Promise<CompatReport> = checkCompat('/bin/ls', { glibc: '2.31', arch: 'x86_64' });
const rootOk: boolean = checkCompatSync('/bin/ls', { root: '/srv/rootfs' }).ok;
const missingSymbols: string[] | undefined = checkCompatSync('/bin/ls').missingVersions[0]?.symbols;
const deps: Promise<DepsResult> = resolveDeps('/bin/ls', { env: { LD_LIBRARY_PATH: '/opt/lib' } });
const via: FoundVia | null | undefined = resolveDepsSync('/bin/ls').libraries[0]?.foundVia;
const hwcap: bigint | undefined = readLdSoCacheSync('/etc/ld.so.cache').entries[0]?.hwcap;
const rootLibc: Promise<LibcInfo> = probeGlibc({ root: '/srv/rootfs' });
// @ts-expect-error a target is 'host', { root } or { glibc }
checkCompat('/bin/ls', 'container');
export {
  family,
  version,
  later,
  which,
  code,
  nofile,
  names,
  set,
  path,
  substitute,
  maybe,
  explained,
  kind,
  report,
  rootOk,
  missingSymbols,
  deps,
  via,
  hwcap,
  rootLibc,
};

// The doctor's facts: processes, cgroup memory, filesystem space, crash signatures.
import {
  findProcesses,
  nearestShellAncestor,
  probeCgroupMemorySync,
  probeFsSpace,
  measureDirSizeSync,
  matchCrashSignatures,
  readCrashLog,
  type CgroupBytes,
  type CrashLog,
  type DoctorCheckId,
  type FsSpace,
  type ProcessNode,
} from 'sysprobe';
const goplsProcesses: Promise<ProcessNode[]> = findProcesses({ name: 'gopls' }, { limit: 4 });
const shellPid: number | undefined = nearestShellAncestor()?.shell.pid;
const cgroupMax: CgroupBytes = probeCgroupMemorySync({ pid: 1 }).effective.max;
const space: Promise<FsSpace> = probeFsSpace('/tmp');
const dirBytes: bigint = measureDirSizeSync('/usr/lib', { maxEntries: 10 }).bytes;
const firstCheck: DoctorCheckId | undefined = matchCrashSignatures('signal: killed')[0]?.check;
const crashLog: Promise<CrashLog> = readCrashLog('/tmp/gopls.log');
// @ts-expect-error pid is not a query field
findProcesses({ pid: 1 });
export { goplsProcesses, shellPid, cgroupMax, space, dirBytes, firstCheck, crashLog };
export { goLater, goDeps, goFormat, goPtr, goArch, goMinor };

import { readGoBuildInfo, readGoBuildInfoSync, goBuildSetting, parseGoVersion, type GoBuildInfo, type GoModule } from 'sysprobe';
const goInfo: GoBuildInfo = readGoBuildInfoSync('/usr/bin/gopls');
const goLater: Promise<GoBuildInfo> = readGoBuildInfo(new Uint8Array(16));
const goDeps: GoModule[] = goInfo.deps;
const goFormat: 'elf' | 'pe' | 'macho' = goInfo.format;
const goPtr: 4 | 8 = goInfo.ptrSize;
const goArch: string | undefined = goBuildSetting(goInfo, 'GOARCH');
const goMinor: number | undefined = parseGoVersion(goInfo.goVersion)?.minor;
// @ts-expect-error the result is plain data: no methods
goInfo.setting('GOARCH');
