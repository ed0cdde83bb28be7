// Resource limits through koffi: getrlimit/prlimit/setrlimit, and /proc/PID/limits by the core.
import { SysprobeError } from '../../errors.js';
import type { RawLimitArg, RawRlimitEntry, RawRlimitSet } from '../binding.js';
import { RLIMIT_NAMES } from '../../util/rlimit-names.js';
import { WASM_PATH, wasmAvailable, wasmProcLimits } from '../wasm/index.js';
import { decodeRlimitSet } from '../wire.js';
import { E, sysError, withCore, toBig, needsAddon, type Calls } from './calls.js';

// RLIMIT_* numbers by platform: C headers are not available to koffi, so they are listed here (the
// addon takes them from <sys/resource.h> at compile time). Linux: asm-generic/resource.h, the same on
// x64, arm64, arm, ia32, riscv64, ppc64, s390x and loong64 (MIPS, SPARC and Alpha differ: not listed,
// so those throw ERR_SYSPROBE_NEEDS_ADDON). macOS: <sys/resource.h> (RLIMIT_RSS is RLIMIT_AS there).
const LINUX_GENERIC: Record<string, number> = {
  cpu: 0,
  fsize: 1,
  data: 2,
  stack: 3,
  core: 4,
  rss: 5,
  nproc: 6,
  nofile: 7,
  memlock: 8,
  as: 9,
  locks: 10,
  sigpending: 11,
  msgqueue: 12,
  nice: 13,
  rtprio: 14,
  rttime: 15,
};
const DARWIN: Record<string, number> = { cpu: 0, fsize: 1, data: 2, stack: 3, core: 4, as: 5, rss: 5, memlock: 6, nproc: 7, nofile: 8 };
const LINUX_GENERIC_ARCHES = new Set(['x64', 'arm64', 'arm', 'ia32', 'riscv64', 'ppc64', 's390x', 'loong64']);

function resourceTable(): Record<string, number> | null {
  if (process.platform === 'linux' && LINUX_GENERIC_ARCHES.has(process.arch)) return LINUX_GENERIC;
  if (process.platform === 'darwin') return DARWIN;
  return null;
}

/** Infinity for 64-bit rlim_t: all ones on Linux, 2^63 - 1 on macOS. */
const RLIM_INFINITY = process.platform === 'darwin' ? (1n << 63n) - 1n : (1n << 64n) - 1n;

function limitValue(raw: bigint): bigint | 'unlimited' {
  return raw === RLIM_INFINITY ? 'unlimited' : raw;
}

function rlimFrom(value: RawLimitArg): bigint {
  return value === 'unlimited' ? RLIM_INFINITY : value;
}

function readOne(calls: Calls, pid: number, resource: number, out: { cur?: number | bigint; max?: number | bigint }): number {
  if (pid >= 0) return calls.prlimit!(pid, resource, null, out) as number;
  return calls.getrlimit!(resource, out) as number;
}

export function rlimits(calls: Calls, pid: number, mode: 'auto' | 'syscall' | 'procfs'): RawRlimitSet {
  const table = resourceTable();
  if (table === null || calls.getrlimit === null) {
    throw needsAddon(
      'getRlimits()',
      `the koffi backend knows the RLIMIT_* numbers of Linux (generic architectures) and macOS, not ${process.platform}-${process.arch}`,
    );
  }
  if (mode === 'procfs') return procLimits(pid);
  if (pid >= 0 && calls.prlimit === null) {
    throw new SysprobeError({
      code: 'ENOTSUP',
      syscall: 'prlimit',
      message: 'this platform cannot read the resource limits of another process',
    });
  }
  const source = pid < 0 ? 'getrlimit' : 'prlimit';
  const entries: RawRlimitEntry[] = [];
  for (const name of RLIMIT_NAMES) {
    const resource = table[name];
    const entry: RawRlimitEntry = { name, supported: false, resource: resource ?? null, soft: null, hard: null, source: null };
    if (resource !== undefined) {
      const out: { cur?: number | bigint; max?: number | bigint } = {};
      if (readOne(calls, pid, resource, out) !== 0) {
        const err = calls.koffi.errno() as number;
        // A resource the table knows but this kernel does not: unsupported, not a failure.
        if (err === E.EINVAL) {
          entries.push(entry);
          continue;
        }
        if (pid >= 0 && mode === 'auto' && (err === E.EPERM || err === E.EACCES || err === E.ENOSYS)) {
          // As the addon: prlimit(2) refused, /proc/PID/limits read instead (by the core, as WebAssembly).
          if (!wasmAvailable()) {
            throw needsAddon(
              `getRlimits({ pid: ${pid} })`,
              `prlimit(2) was refused and the /proc/PID/limits fallback needs the core's parser (the WebAssembly core ${WASM_PATH} is not there)`,
              {
                refused: { code: sysError(err, 'prlimit').code, errno: -err, syscall: 'prlimit' },
              },
            );
          }
          return { ...procLimits(pid), fallback: { errno: err, syscall: 'prlimit' } };
        }
        throw sysError(err, source);
      }
      entry.supported = true;
      entry.source = source;
      entry.soft = limitValue(toBig(out.cur!));
      entry.hard = limitValue(toBig(out.max!));
    }
    entries.push(entry);
  }
  return { pid, source, fallback: null, entries };
}

/** /proc/PID/limits (pid -1: this process) read and parsed by the core, as the addon's source: 'procfs'. */
export function procLimits(pid: number): RawRlimitSet {
  if (process.platform !== 'linux') {
    throw new SysprobeError({ code: 'ENOTSUP', syscall: 'open', message: '/proc/PID/limits exists only on Linux' });
  }
  return decodeRlimitSet(withCore("getRlimits({ source: 'procfs' })", () => wasmProcLimits(pid)));
}

export function setRlimit(calls: Calls, pid: number, name: string, soft: RawLimitArg, hard: RawLimitArg | undefined): RawRlimitEntry {
  if (!(RLIMIT_NAMES as readonly string[]).includes(name)) {
    throw new SysprobeError({ code: 'ERR_SYSPROBE_INVALID_ARG', message: `unknown resource '${name}'` });
  }
  const table = resourceTable();
  if (table === null || calls.getrlimit === null || calls.setrlimit === null) {
    throw needsAddon(
      'setRlimit()',
      `the koffi backend knows the RLIMIT_* numbers of Linux (generic architectures) and macOS, not ${process.platform}-${process.arch}`,
    );
  }
  const resource = table[name];
  if (resource === undefined)
    throw new SysprobeError({ code: 'ENOTSUP', syscall: 'setrlimit', message: `this platform has no resource '${name}'` });
  if (pid >= 0 && calls.prlimit === null) {
    throw new SysprobeError({
      code: 'ENOTSUP',
      syscall: 'prlimit',
      message: 'this platform cannot set the resource limits of another process',
    });
  }
  const current: { cur?: number | bigint; max?: number | bigint } = {};
  if (hard === undefined && readOne(calls, pid, resource, current) !== 0)
    throw sysError(calls.koffi.errno(), pid < 0 ? 'getrlimit' : 'prlimit');
  const wanted = { cur: rlimFrom(soft), max: hard === undefined ? toBig(current.max!) : rlimFrom(hard) };
  const rc = pid >= 0 ? calls.prlimit!(pid, resource, wanted, null) : calls.setrlimit(resource, wanted);
  if (rc !== 0) throw sysError(calls.koffi.errno(), pid < 0 ? 'setrlimit' : 'prlimit');
  const after: { cur?: number | bigint; max?: number | bigint } = {};
  if (readOne(calls, pid, resource, after) !== 0) throw sysError(calls.koffi.errno(), pid < 0 ? 'getrlimit' : 'prlimit');
  const source = pid < 0 ? 'getrlimit' : 'prlimit';
  return { name, supported: true, resource, soft: limitValue(toBig(after.cur!)), hard: limitValue(toBig(after.max!)), source };
}
