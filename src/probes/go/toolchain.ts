// What the `go` command on an environment's PATH would take as its settings, from files alone: which `go`
// (lookpath.ts), its GOROOT, the `go env -w` file and $GOROOT/go.env (goenv-file.ts), and each setting with
// the layer it came from. Precedence as golang/go:src/cmd/go/internal/cfg/cfg.go Getenv/EnvOrAndChanged:
// a non-empty process variable, else the user file, else go.env (skipped for keys the user file names, even
// empty), else the built-in default. GOROOT: the variable, else the file, else derived from the go
// executable (findGOROOT: dir/../.. or dir/../../.. of the path, then of its realpath, wherever it holds
// pkg/tool; golang/go#18678); go.env itself never sets GOROOT.
import { posix, win32 } from 'node:path';
import { invalidArgument } from '../../errors.js';
import { runAsync, runSync, type Steps, stat } from '../../util/fs-steps.js';
import {
  atLeast,
  type EnvGetter,
  envGetter,
  type GoDotEnvFacts,
  type GoEnvFileFacts,
  goDotEnvSteps,
  goEnvFileSteps,
  readVersionFile,
  userCacheDir,
} from './goenv-file.js';
import { lookPathSteps, type ToolLookup } from './lookpath.js';

export type GoEnvSource = 'env' | 'go-env-file' | 'go.env' | 'derived' | 'default';

export interface GoEnvValue {
  key: string;
  /** As `go env KEY` prints it. */
  value: string;
  source: GoEnvSource;
  /** The file it came from (`go-env-file`, `go.env`), else `null`. */
  file: string | null;
  /** The lower layers that also set it (non-empty), beaten by `source`. */
  overridden: { source: GoEnvSource; value: string; file: string | null }[];
}

export interface GoToolchain {
  platform: NodeJS.Platform;
  go: ToolLookup;
  goroot: { path: string | null; source: GoEnvSource | null; exists: boolean; version: string | null; versionFile: string | null };
  derivedGoroot: string | null;
  derivedVersion: string | null;
  goEnvFile: GoEnvFileFacts;
  goDotEnv: GoDotEnvFacts;
  values: Record<string, GoEnvValue>;
}

export interface ProbeGoToolchainOptions {
  /** The environment of the process whose `go` this is (e.g. `probeProcessEnv(pid).env`). */
  env: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  /** The home directory where the environment has no HOME (USERPROFILE on Windows). */
  home?: string;
  /** The process's working directory, for relative PATH entries (see lookPath). */
  cwd?: string;
}

/** The settings resolved, in `go env`'s order of interest. GOTOOLCHAIN only for Go ≥ 1.21, which reads it. */
const KEYS = [
  'GOROOT',
  'GOPATH',
  'GOMODCACHE',
  'GOCACHE',
  'GOENV',
  'GOTOOLCHAIN',
  'GOFLAGS',
  'GOWORK',
  'GODEBUG',
  'GOPROXY',
  'GOSUMDB',
  'GOPRIVATE',
  'GONOPROXY',
  'GONOSUMDB',
  'GOINSECURE',
  'GOVCS',
  'GO111MODULE',
  'GOBIN',
  'GOEXPERIMENT',
  'CGO_ENABLED',
] as const;

/** Go's filepath.Clean: normalized, without a trailing separator (but `/` and `C:\` stay). */
function goClean(path: typeof posix, p: string): string {
  const n = path.normalize(p);
  return n.length > 1 && /[\\/]$/.test(n) && !/^[A-Za-z]:[\\/]$/.test(n) ? n.slice(0, -1) : n;
}

function* isGoroot(dir: string): Steps<boolean> {
  const tool = yield* stat(`${dir}/pkg/tool`);
  return tool.ok && tool.kind === 'dir';
}

/** findGOROOT's executable part. On Linux os.Executable is /proc/self/exe, already the real path. */
function* deriveGoroot(go: ToolLookup, platform: NodeJS.Platform): Steps<string | null> {
  const path = platform === 'win32' ? win32 : posix;
  const exes = platform === 'linux' ? [go.realPath] : [go.path, go.realPath];
  for (const exe of exes) {
    if (exe === null) continue;
    for (const up of ['../..', '../../..']) {
      const dir = path.join(exe, up);
      if (yield* isGoroot(dir)) return dir;
    }
  }
  return null;
}

function* probeSteps(options: ProbeGoToolchainOptions): Steps<GoToolchain> {
  if (options === null || typeof options !== 'object' || options.env === null || typeof options.env !== 'object') {
    throw invalidArgument('probeGoToolchain(): options.env must be an environment record');
  }
  const platform = options.platform ?? process.platform;
  const path = platform === 'win32' ? win32 : posix;
  const get = envGetter(options.env, platform);
  const home = get(platform === 'win32' ? 'USERPROFILE' : 'HOME') || options.home;

  const pathext = get('PATHEXT');
  const godebug = get('GODEBUG');
  const go = yield* lookPathSteps('go', get('PATH'), {
    platform,
    ...(pathext !== undefined ? { pathext } : {}),
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(godebug !== undefined ? { godebug } : {}),
    noDefaultCurrentDirectory: get('NoDefaultCurrentDirectoryInExePath') !== undefined,
  });
  const derivedGoroot = yield* deriveGoroot(go, platform);
  const derivedVersion = derivedGoroot === null ? null : (yield* readVersionFile(derivedGoroot, platform)).version;
  const goEnvFile = yield* goEnvFileSteps(get, platform, home);
  const fileGoroot = goEnvFile.values.GOROOT || undefined;

  const envGoroot = get('GOROOT') || undefined;
  const gorootPick: { path: string | null; source: GoEnvSource | null } = envGoroot
    ? { path: goClean(path, envGoroot), source: 'env' }
    : fileGoroot
      ? { path: goClean(path, fileGoroot), source: 'go-env-file' }
      : { path: derivedGoroot, source: derivedGoroot === null ? null : 'derived' };
  const gorootDir = gorootPick.path === null ? null : yield* stat(gorootPick.path);
  const version = gorootPick.path === null ? null : yield* readVersionFile(gorootPick.path, platform);
  const gorootVersion = version?.version ?? null;

  // initEnvCache looks for go.env in the file's GOROOT first, then the variable's, then the derived one.
  const dotEnvRoot = fileGoroot ? goClean(path, fileGoroot) : envGoroot ? goClean(path, envGoroot) : derivedGoroot;
  const goDotEnv = yield* goDotEnvSteps(dotEnvRoot, platform, atLeast(gorootVersion, 21));

  let cgoDefault: '0' | '1' = '1';
  if (atLeast(gorootVersion, 20) && !get('CC')) {
    const cc = ['darwin', 'freebsd', 'openbsd'].includes(platform) ? 'clang' : 'gcc';
    const found = yield* lookPathSteps(cc, get('PATH'), { platform, ...(pathext !== undefined ? { pathext } : {}) });
    if (found.path === null) cgoDefault = '0';
  }
  const values = resolveValues({ get, platform, home, goEnvFile, goDotEnv, gorootVersion, goroot: gorootPick, go, cgoDefault });
  return {
    platform,
    go,
    goroot: {
      ...gorootPick,
      exists: gorootDir?.ok === true && gorootDir.kind === 'dir',
      version: gorootVersion,
      versionFile: version?.file ?? null,
    },
    derivedGoroot,
    derivedVersion,
    goEnvFile,
    goDotEnv,
    values,
  };
}

interface Layers {
  get: EnvGetter;
  platform: NodeJS.Platform;
  home: string | undefined;
  goEnvFile: GoEnvFileFacts;
  goDotEnv: GoDotEnvFacts;
  gorootVersion: string | null;
  goroot: { path: string | null; source: GoEnvSource | null };
  go: ToolLookup;
  /** go/build's default for the host (on); since Go 1.20 off when CC is unset and the default C compiler is not on PATH. */
  cgoDefault: '0' | '1';
}

function resolveValues(layers: Layers): Record<string, GoEnvValue> {
  const { get, platform, goEnvFile, goDotEnv, gorootVersion } = layers;
  const path = platform === 'win32' ? win32 : posix;
  const out = Object.create(null) as Record<string, GoEnvValue>;
  const candidates = (key: string) => {
    const found: { source: GoEnvSource; value: string; file: string | null }[] = [];
    const fromEnv = get(key);
    if (fromEnv) found.push({ source: 'env', value: fromEnv, file: null });
    const inFile = Object.hasOwn(goEnvFile.values, key);
    if (inFile && goEnvFile.values[key])
      found.push({ source: 'go-env-file', value: goEnvFile.values[key] as string, file: goEnvFile.path });
    if (!inFile && goDotEnv.applies && goDotEnv.values[key] && key !== 'GOROOT') {
      found.push({ source: 'go.env', value: goDotEnv.values[key] as string, file: goDotEnv.path });
    }
    return found;
  };
  const settle = (key: string, fallback: { value: string; source: GoEnvSource }, shape = (v: string) => v): GoEnvValue => {
    const [winner, ...losers] = candidates(key);
    const value: GoEnvValue = winner
      ? { key, value: shape(winner.value), source: winner.source, file: winner.file, overridden: losers }
      : { key, value: fallback.value, source: fallback.source, file: null, overridden: [] };
    out[key] = value;
    return value;
  };

  const modern = atLeast(gorootVersion, 21);
  for (const key of KEYS) {
    if (key === 'GOTOOLCHAIN' && !modern) continue;
    switch (key) {
      case 'GOROOT': {
        const [, ...losers] = candidates(key);
        const file = layers.goroot.source === 'go-env-file' ? goEnvFile.path : null;
        if (layers.goroot.path !== null && layers.goroot.source !== null) {
          out[key] = {
            key,
            value: layers.goroot.path,
            source: layers.goroot.source,
            file,
            overridden: layers.goroot.source === 'env' ? losers : [],
          };
        } else {
          out[key] = { key, value: '', source: 'default', file: null, overridden: [] };
        }
        break;
      }
      case 'GOPATH': {
        // go/build defaultGOPATH: $HOME/go, unless that is GOROOT.
        const def = layers.home ? path.join(layers.home, 'go') : '';
        const isRoot = def !== '' && layers.goroot.path !== null && path.normalize(def) === path.normalize(layers.goroot.path);
        settle(key, { value: isRoot ? '' : def, source: 'default' });
        break;
      }
      case 'GOMODCACHE': {
        const first = (out.GOPATH?.value ?? '').split(platform === 'win32' ? ';' : ':')[0] ?? '';
        settle(key, { value: first === '' ? '' : path.join(first, 'pkg', 'mod'), source: 'derived' });
        break;
      }
      case 'GOCACHE': {
        // cache.DefaultDir: an absolute path or "off" as set; anything else set is "off".
        const dir = userCacheDir(get, platform, layers.home);
        settle(key, { value: dir === null ? 'off' : path.join(dir, 'go-build'), source: 'default' }, (v) =>
          path.isAbsolute(v) || v === 'off' ? v : 'off',
        );
        break;
      }
      case 'GOENV':
        out[key] = { key, value: goEnvFile.path ?? '', source: get('GOENV') ? 'env' : 'default', file: null, overridden: [] };
        break;
      case 'GOPROXY':
        // Before Go 1.21 the defaults were compiled in; since then they come from $GOROOT/go.env.
        settle(key, { value: modern ? '' : 'https://proxy.golang.org,direct', source: 'default' });
        break;
      case 'GOSUMDB':
        settle(key, { value: modern ? '' : 'sum.golang.org', source: 'default' });
        break;
      case 'GONOPROXY':
      case 'GONOSUMDB':
        settle(key, { value: out.GOPRIVATE?.value ?? '', source: out.GOPRIVATE?.value ? 'derived' : 'default' });
        break;
      case 'CGO_ENABLED':
        settle(key, { value: layers.cgoDefault, source: 'derived' }, (v) => (v === '0' || v === '1' ? v : layers.cgoDefault));
        break;
      default:
        settle(key, { value: '', source: 'default' });
    }
  }
  return out;
}

/**
 * The Go toolchain an environment would use, read from files: `go` on its PATH (Go's LookPath rules), GOROOT
 * with its source and VERSION, the `go env -w` file, `$GOROOT/go.env`, and each setting with the layer that set
 * it and the layers it beat. Nothing is run.
 * @throws {@link SysprobeError} `ERR_SYSPROBE_INVALID_ARG` without `options.env`. Unreadable files are facts (`error`).
 * @example
 * const tc = probeGoToolchainSync({ env: process.env });
 * tc.values.GOFLAGS;   // { value: '-mod=mod', source: 'env', overridden: [{ source: 'go-env-file', value: '-mod=vendor', … }] }
 */
export function probeGoToolchainSync(options: ProbeGoToolchainOptions): GoToolchain {
  return runSync(probeSteps(options));
}

/** As {@link probeGoToolchainSync}, with the file work on the libuv thread pool. */
export function probeGoToolchain(options: ProbeGoToolchainOptions): Promise<GoToolchain> {
  return runAsync(probeSteps(options));
}
