// Gathering for the vscode-server check: the installed servers' own `node` (the binary that must load),
// the target's glibc and libstdc++, the kernel, and the markers that make VS Code skip its own check.
import { release } from 'node:os';
import { join } from 'node:path';
import { compareVersions } from '../../util/versions.js';
import { probe, answer, type Gathering } from './drive.js';
import type { ServerFacts } from './facts.js';
import type { Request } from './gather.js';

const SERVER_DIRS = ['.vscode-server', '.vscode-server-insiders', '.vscode-server-oss'];
/** The multiarch folder of each Node arch, where Debian-style systems keep libstdc++. */
const MULTIARCH: Record<string, string> = {
  x64: 'x86_64-linux-gnu',
  arm64: 'aarch64-linux-gnu',
  arm: 'arm-linux-gnueabihf',
  ppc64: 'powerpc64le-linux-gnu',
  s390x: 's390x-linux-gnu',
  ia32: 'i386-linux-gnu',
};

/** Where VS Code's check-requirements-linux.sh looks for libstdc++ first, then the multiarch folders. */
export function libstdcxxCandidates(arch: string = process.arch): string[] {
  const multiarch = MULTIARCH[arch];
  return [
    '/usr/lib64/libstdc++.so.6',
    '/usr/lib/libstdc++.so.6',
    ...(multiarch === undefined ? [] : [`/usr/lib/${multiarch}/libstdc++.so.6`, `/lib/${multiarch}/libstdc++.so.6`]),
  ];
}

function* homesToSearch(request: Request, home: string): Gathering<string[]> {
  if (request.root === null) return [home];
  const homes = [join(request.root, 'root')];
  for (const name of answer(yield* probe('listDir', join(request.root, 'home'))) ?? []) homes.push(join(request.root, 'home', name));
  return homes;
}

/** The `node` binaries of installed servers: `bin/<commit>/node` (old layout) and `cli/servers/<name>/server/node`. */
function* serverNodes(homes: string[], searched: string[]): Gathering<string[]> {
  const found: string[] = [];
  for (const home of homes) {
    for (const dir of SERVER_DIRS) {
      const base = join(home, dir);
      searched.push(base);
      for (const commit of answer(yield* probe('listDir', join(base, 'bin'))) ?? []) found.push(join(base, 'bin', commit, 'node'));
      for (const name of answer(yield* probe('listDir', join(base, 'cli', 'servers'))) ?? [])
        found.push(join(base, 'cli', 'servers', name, 'server', 'node'));
    }
  }
  const existing: string[] = [];
  for (const path of found) if (answer(yield* probe('stat', path))?.kind === 'file') existing.push(path);
  return existing;
}

function* highestGlibcxx(request: Request): Gathering<ServerFacts['glibcxx']> {
  let lastError: string | null = null;
  for (const path of libstdcxxCandidates()) {
    const elf = request.root === null ? yield* probe('readElf', path) : yield* probe('readElfInRoot', request.root, path);
    if (!elf.ok) {
      lastError = elf.error.message;
      continue;
    }
    let best: string | null = null;
    for (const def of elf.value.versionDefs) {
      const match = /^GLIBCXX_(\d+(?:\.\d+)*)$/.exec(def.name);
      if (match !== null && (best === null || compareVersions(match[1]!, best) > 0)) best = match[1]!;
    }
    return { version: best, path, error: null };
  }
  return { version: null, path: null, error: lastError ?? 'no libstdc++.so.6 found' };
}

export function* gatherServer(request: Request, home: string): Gathering<ServerFacts> {
  const searched: string[] = [];
  const nodes = yield* serverNodes(yield* homesToSearch(request, home), searched);
  const target = request.root === null ? 'host' : { root: request.root };
  const checked: ServerFacts['nodes'] = [];
  for (const path of nodes.slice(0, 8)) checked.push({ path, compat: yield* probe('checkCompat', path, target) });
  const skipMarkers: string[] = [];
  const skipFile = '/tmp/vscode-skip-server-requirements-check';
  if (request.root === null && answer(yield* probe('stat', skipFile)) !== null) skipMarkers.push(skipFile);
  if (process.env.VSCODE_SERVER_CUSTOM_GLIBC_LINKER) skipMarkers.push('VSCODE_SERVER_CUSTOM_GLIBC_LINKER');
  return {
    nodes: checked,
    searched,
    glibc: yield* probe('glibc', request.root === null ? undefined : { root: request.root }),
    glibcxx: yield* highestGlibcxx(request),
    kernel: release(),
    skipMarkers,
  };
}
