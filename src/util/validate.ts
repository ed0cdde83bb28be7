import { invalidArgument } from '../errors.js';

/** A process id as the kernel takes it (1 to 2^31-1), or ERR_INVALID_ARG_VALUE naming `fn`. */
export function checkPid(fn: string, pid: unknown): number {
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid < 1 || pid > 0x7fffffff) {
    throw invalidArgument(`${fn}(): pid must be a positive integer`);
  }
  return pid;
}
