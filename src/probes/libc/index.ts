// The libc family: which C library a process, a root filesystem or another process runs. This
// process is asked in-process (self.ts); a root (root.ts) and a pid (pid.ts) are read from files,
// loaded on first use.
import { isAbsolutePath, pathArg } from '../../util/paths.js';
import type { PathArg, PathInput } from '../../util/paths.js';
import { invalidArgument } from '../../errors.js';
import { binding, onBindingReset } from '../../backends/loader.js';
import { interpretSelfLibc } from './self.js';
import type { LibcInfo, ProbeGlibcOptions } from './types.js';
export type * from './types.js';
export { interpretSelfLibc };

/** The root as given (validated by checkOptions), its trailing slashes dropped. */
function rootOf(root: PathInput): PathArg {
  const path = pathArg('probeGlibc', root, 'root');
  if (typeof path === 'string') return path;
  let end = path.length;
  while (end > 1 && path[end - 1] === 0x2f) end--;
  return end === 1 ? '/' : path.subarray(0, end);
}

let cachedSelf: LibcInfo | null = null;
let pendingSelf: Promise<LibcInfo> | null = null;
onBindingReset(() => {
  cachedSelf = null;
  pendingSelf = null;
});

/** The C library of this process, without starting any process. Cached; `refresh` asks again. */
export function probeGlibcSync(options?: ProbeGlibcOptions): LibcInfo {
  const refresh = checkOptions(options);
  if (options?.root !== undefined) return files().probeRootSync(rootOf(options.root));
  if (options?.pid !== undefined) return pidFiles().probePidSync(options.pid);
  if (cachedSelf !== null && !refresh) return cachedSelf;
  cachedSelf = interpretSelfLibc(binding().selfLibcSync());
  return cachedSelf;
}

/** As {@link probeGlibcSync}; the C library is asked on the libuv thread pool. */
export async function probeGlibc(options?: ProbeGlibcOptions): Promise<LibcInfo> {
  const refresh = checkOptions(options);
  if (options?.root !== undefined) return files().probeRoot(rootOf(options.root));
  if (options?.pid !== undefined) return pidFiles().probePid(options.pid);
  if (cachedSelf !== null && !refresh) return cachedSelf;
  if (pendingSelf === null || refresh) {
    const pending = binding()
      .selfLibc()
      .then(
        (raw) => {
          const info = interpretSelfLibc(raw);
          if (pendingSelf === pending) {
            cachedSelf = info;
            pendingSelf = null;
          }
          return info;
        },
        (error: unknown) => {
          if (pendingSelf === pending) pendingSelf = null;
          throw error;
        },
      );
    pendingSelf = pending;
  }
  return pendingSelf;
}

function checkOptions(options: ProbeGlibcOptions | undefined): boolean {
  if (options === undefined) return false;
  if (typeof options !== 'object' || options === null) throw invalidArgument('probeGlibc(): options must be an object');
  for (const key of Object.keys(options)) {
    if (key !== 'refresh' && key !== 'root' && key !== 'pid') throw invalidArgument(`probeGlibc(): unknown option '${key}'`);
  }
  if (options.refresh !== undefined && typeof options.refresh !== 'boolean') {
    throw invalidArgument('probeGlibc(): refresh must be a boolean');
  }
  if (options.root !== undefined && options.pid !== undefined) throw invalidArgument('probeGlibc(): root and pid exclude each other');
  if (options.root !== undefined && !isAbsolutePath(pathArg('probeGlibc', options.root, 'root'))) {
    throw invalidArgument('probeGlibc(): root must be an absolute path');
  }
  if (options.pid !== undefined && (!Number.isInteger(options.pid) || options.pid < 1))
    throw invalidArgument('probeGlibc(): pid must be a positive integer');
  return options.refresh === true;
}

let filesModule: typeof import('./root.js') | undefined;
const files = (): typeof import('./root.js') => (filesModule ??= require('./root.js') as typeof import('./root.js'));
let pidModule: typeof import('./pid.js') | undefined;
const pidFiles = (): typeof import('./pid.js') => (pidModule ??= require('./pid.js') as typeof import('./pid.js'));
