// /proc through the core (process environments, the inotify scan), with kcmp(2) through koffi.
import { closeSync, openSync } from 'node:fs';
import { SysprobeError } from '../../errors.js';
import type { RawInotify, RawProcessEnv } from '../binding.js';
import { setWasmHostCalls, wasmInotify, wasmProcessEnv } from '../wasm/index.js';
import { decodeInotify, decodeProcessEnv } from '../wire.js';
import { withCore, needsAddon, type Calls } from './calls.js';

// kcmp(2) numbers (<asm/unistd.h>), for telling shared inotify instances apart as the addon does.
const SYS_KCMP: Record<string, number> = { x64: 312, arm64: 272, ia32: 349, arm: 378, riscv64: 272, s390x: 343, ppc64: 354, loong64: 272 };
const KCMP_FILE = 0;

function kcmpFile(calls: Calls | null, pidA: number, pidB: number, fdA: number, fdB: number): number {
  const number = SYS_KCMP[process.arch];
  if (calls === null || calls.syscall === null || number === undefined) return -1;
  const rc = Number(calls.syscall(number, 'int', pidA, 'int', pidB, 'int', KCMP_FILE, 'unsigned long', fdA, 'unsigned long', fdB));
  return rc === 0 ? 0 : rc > 0 ? 1 : -1;
}

export function inotify(calls: Calls | null): RawInotify {
  if (process.platform !== 'linux')
    throw new SysprobeError({ code: 'ENOTSUP', syscall: 'probeInotify', message: 'inotify exists only on Linux' });
  setWasmHostCalls({
    kcmpFile: (pidA, pidB, fdA, fdB) => kcmpFile(calls, pidA, pidB, fdA, fdB),
    kcmpWorks: () => {
      const fd = openSync('/proc/self/stat', 'r');
      try {
        return kcmpFile(calls, process.pid, process.pid, fd, fd);
      } finally {
        closeSync(fd);
      }
    },
  });
  return decodeInotify(withCore('probeInotify()', () => wasmInotify()));
}

export function checkEnvPlatform(pid: number): void {
  if (process.platform !== 'linux') {
    throw needsAddon(`probeProcessEnv(${pid})`, 'outside Linux the environment comes from sysctl (KERN_PROCARGS2) through the addon');
  }
}

export function processEnv(pid: number): RawProcessEnv {
  checkEnvPlatform(pid);
  return decodeProcessEnv(withCore(`probeProcessEnv(${pid})`, () => wasmProcessEnv(pid)));
}
