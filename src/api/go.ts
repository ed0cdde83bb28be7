// The public face of the Go toolchain and editor settings probes, re-exported by src/index.ts (kept apart for
// its length). Lazy like the index: importing loads none of the probe modules; the first call does.
import type * as GoMod from '../probes/go/gomod.js';
import type * as LookPath from '../probes/go/lookpath.js';
import type * as Toolchain from '../probes/go/toolchain.js';
import type * as Jsonc from '../probes/editor/jsonc.js';
import type * as Vscode from '../probes/editor/vscode.js';
import type * as Go from '../probes/go/index.js';

export type { LookPathOptions, PathEntryResult, ToolLookup } from '../probes/go/lookpath.js';
export type { GoEnvSource, GoEnvValue, GoToolchain, ProbeGoToolchainOptions } from '../probes/go/toolchain.js';
export type { GoDotEnvFacts, GoEnvFileFacts } from '../probes/go/goenv-file.js';
export type { FindGoModulesOptions, GoMod, GoWork } from '../probes/go/gomod.js';
export type { ProbeVscodeSettingsOptions, SettingsFile, VscodeSettings } from '../probes/editor/vscode.js';
export type { GoBuildInfo, GoBuildSetting, GoModule, GoVersion } from '../probes/go/index.js';

let lookPathModule: typeof LookPath | undefined;
let toolchainModule: typeof Toolchain | undefined;
let goModModule: typeof GoMod | undefined;
let jsoncModule: typeof Jsonc | undefined;
let vscodeModule: typeof Vscode | undefined;
const lp = (): typeof LookPath => (lookPathModule ??= require('../probes/go/lookpath.js') as typeof LookPath);
const tc = (): typeof Toolchain => (toolchainModule ??= require('../probes/go/toolchain.js') as typeof Toolchain);
const gm = (): typeof GoMod => (goModModule ??= require('../probes/go/gomod.js') as typeof GoMod);
const jc = (): typeof Jsonc => (jsoncModule ??= require('../probes/editor/jsonc.js') as typeof Jsonc);
const vs = (): typeof Vscode => (vscodeModule ??= require('../probes/editor/vscode.js') as typeof Vscode);
let goModule: typeof Go | undefined;
const go = (): typeof Go => (goModule ??= require('../probes/go/index.js') as typeof Go);

/**
 * Where Go's `exec.LookPath` finds `name` on a PATH value (Go 1.19+ rules; `options.platform: 'win32'` for
 * Windows' with PATHEXT), by stat and access only. Returns `{ name, path, realPath, searched, dotPath,
 * truncated, platform }`: `path` is what exec.Command would run (`null` when nothing is found, or when the
 * first hit is relative: Go refuses it with ErrDot, see `dotPath`); `searched` gives every entry's result.
 * Relative and empty entries are looked into only with `options.cwd`.
 * @throws {@link SysprobeError} `ERR_SYSPROBE_INVALID_ARG` for an empty name.
 * @example
 * const { path, realPath, searched } = await lookPath('go', goplsEnv.PATH);
 */
export const lookPath: typeof LookPath.lookPath = (name, pathValue, options) => lp().lookPath(name, pathValue, options);
/** As {@link lookPath}, on the calling thread. @throws {@link SysprobeError} as {@link lookPath}. */
export const lookPathSync: typeof LookPath.lookPathSync = (name, pathValue, options) => lp().lookPathSync(name, pathValue, options);

/**
 * The Go toolchain an environment would use, from files: `go` on its PATH, GOROOT (env > `go env -w` file >
 * derived from the real path of `go`) with its VERSION, `derivedGoroot`/`derivedVersion` (what `go` derives
 * whatever GOROOT says), the `go env -w` file, `$GOROOT/go.env`, and `values`: GOROOT, GOPATH, GOMODCACHE,
 * GOCACHE, GOENV, GOTOOLCHAIN (Go ≥ 1.21 only), GOFLAGS, GOWORK, GODEBUG, GOPROXY, GOSUMDB, GOPRIVATE,
 * GONOPROXY, GONOSUMDB, GOINSECURE, GOVCS, GO111MODULE, GOBIN, GOEXPERIMENT, CGO_ENABLED, each `{ value,
 * source, file, overridden }` as cmd/go resolves them (process env > go env -w file > go.env > default).
 * @throws {@link SysprobeError} `ERR_SYSPROBE_INVALID_ARG` without `options.env`; unreadable files are facts.
 * @example
 * const tc = await probeGoToolchain({ env: (await probeProcessEnv(goplsPid)).env });
 * tc.values.GOFLAGS.overridden;   // what the process env beat in the go env -w file
 */
export const probeGoToolchain: typeof Toolchain.probeGoToolchain = (options) => tc().probeGoToolchain(options);
/** As {@link probeGoToolchain}, on the calling thread. @throws {@link SysprobeError} as {@link probeGoToolchain}. */
export const probeGoToolchainSync: typeof Toolchain.probeGoToolchainSync = (options) => tc().probeGoToolchainSync(options);

/**
 * A go.mod's `module`, `go`, `toolchain` and `godebug` lines (blocks and comments as x/mod/modfile reads
 * them); a syntax error is `error`, with the facts before it.
 * @throws {@link SysprobeError} the OS error of reading (`ENOENT`, `EISDIR`, …), `ERR_SYSPROBE_TOO_LARGE` (over 16 MiB).
 * @example
 * const { go, toolchain, godebug } = await readGoMod('go.mod');
 */
export const readGoMod: typeof GoMod.readGoMod = (path) => gm().readGoMod(path);
/** As {@link readGoMod}, on the calling thread. @throws {@link SysprobeError} as {@link readGoMod}. */
export const readGoModSync: typeof GoMod.readGoModSync = (path) => gm().readGoModSync(path);
/**
 * The go.mod (nearest from `workspace` up) and go.work (`GOWORK`; `off` disables; else searched upward, not
 * into `options.goroot`) cmd/go would use; at most 256 levels. Returns `{ goMod, goWork }`.
 * @throws {@link SysprobeError} `ERR_SYSPROBE_INVALID_ARG` for an empty workspace; unreadable files are facts.
 * @example
 * const { goMod, goWork } = await findGoModules('/src/app', process.env);
 */
export const findGoModules: typeof GoMod.findGoModules = (workspace, env, options) => gm().findGoModules(workspace, env, options);
/** As {@link findGoModules}, on the calling thread. @throws {@link SysprobeError} as {@link findGoModules}. */
export const findGoModulesSync: typeof GoMod.findGoModulesSync = (workspace, env, options) =>
  gm().findGoModulesSync(workspace, env, options);

/**
 * JSON with `//` and `/* *\/` comments and trailing commas, as VS Code reads settings; `undefined` for an empty
 * document. Iterative, nesting bounded at 512.
 * @throws {@link SysprobeError} `ERR_SYSPROBE_JSONC` with `offset` and `details.line`/`column`/`reason`;
 *   `ERR_SYSPROBE_TOO_LARGE` over 16 Mi characters.
 * @example
 * parseJsonc('{ "gopls": { "ui.semanticTokens": true, }, // mine\n}');
 */
export const parseJsonc: typeof Jsonc.parseJsonc = (text) => jc().parseJsonc(text);

/**
 * The Go-related VS Code settings (user `settings.json` of Code / Insiders / VSCodium / Code - OSS, the remote
 * machine's, the workspace's), the winning value per key (user < remote < workspace), and the installed Go
 * extension folders with their versions. Returns `{ files, product, effective, goExtension }`.
 * @throws {@link SysprobeError} `ERR_SYSPROBE_INVALID_ARG` with neither home nor workspace; bad files are `files[].error`.
 * @example
 * const { effective } = await probeVscodeSettings({ home: os.homedir(), workspace });
 */
export const probeVscodeSettings: typeof Vscode.probeVscodeSettings = (options) => vs().probeVscodeSettings(options);
/** As {@link probeVscodeSettings}, on the calling thread. @throws {@link SysprobeError} as {@link probeVscodeSettings}. */
export const probeVscodeSettingsSync: typeof Vscode.probeVscodeSettingsSync = (options) => vs().probeVscodeSettingsSync(options);
/**
 * A path setting expanded as vscode-go does: `${env:NAME}`, `${workspaceFolder}`/`${workspaceRoot}`,
 * `${workspaceFolderBasename}`, then a leading `~`.
 * @example
 * expandSettingPath('${workspaceFolder}/.go', { workspace: '/src/app' });   // '/src/app/.go'
 */
export const expandSettingPath: typeof Vscode.expandSettingPath = (value, context) => vs().expandSettingPath(value, context);

/**
 * The Go build info of a Go executable — ELF, PE or Mach-O, any Go release (the pointer form of before Go 1.18
 * too) — as `go version -m` reads it, on the libuv thread pool. `pathOrBytes`: a path (string, `file:` URL) or the
 * file's bytes (`Buffer`, `Uint8Array`, `ArrayBuffer`, copied at the call). Returns a frozen `GoBuildInfo`: `file`,
 * `format`, `goVersion` (`'go1.19.8'`, as the binary says), `path`, `main`, `deps` (each `{ path, version, sum,
 * replace }`), `settings` (`{ key, value }`, unquoted), `ptrSize`, `bigEndian`, `inlineStrings`.
 * {@link readGoBuildInfoSync} does the same on the calling thread; {@link goBuildSetting} looks a setting up;
 * {@link parseGoVersion} splits `'go1.22.3'`, `'go1.21rc2'` or `'devel go1.23-…'` into `{ major, minor, patch, pre }`
 * (null when it is not a Go version).
 * @throws {@link SysprobeError} `ERR_SYSPROBE_NOT_GO` (an executable without Go build info), `ERR_SYSPROBE_UNKNOWN_FORMAT`
 *   (not ELF, PE or Mach-O), `ERR_SYSPROBE_TRUNCATED`, `ERR_SYSPROBE_BAD_GO_BUILDINFO` (a blob or line that cannot be
 *   right), `ERR_SYSPROBE_TOO_LARGE` — each with `offset` —, the OS error of opening (`ENOENT`, `EACCES`, `EISDIR`),
 *   `ERR_SYSPROBE_INVALID_ARG`.
 * @example
 * const info = await readGoBuildInfo('/usr/bin/gopls');   // { goVersion: 'go1.19.5', path: 'golang.org/x/tools/gopls', … }
 * goBuildSetting(info, 'CGO_ENABLED');   // '1'
 * parseGoVersion(info.goVersion);   // { major: 1, minor: 19, patch: 5, pre: null }
 */
export const readGoBuildInfo: typeof Go.readGoBuildInfo = (pathOrBytes) => go().readGoBuildInfo(pathOrBytes);
/** As {@link readGoBuildInfo}, on the calling thread. @example const { goVersion } = readGoBuildInfoSync('/usr/bin/dlv'); */
export const readGoBuildInfoSync: typeof Go.readGoBuildInfoSync = (pathOrBytes) => go().readGoBuildInfoSync(pathOrBytes);
/** The value of a `build` setting of a {@link readGoBuildInfo} result, or undefined. @example goBuildSetting(info, 'GOARCH'); */
export const goBuildSetting: typeof Go.goBuildSetting = (info, key) => go().goBuildSetting(info, key);
/** A Go version name as numbers (see {@link readGoBuildInfo}). @example parseGoVersion('go1.21rc2'); // { major: 1, minor: 21, patch: 0, pre: 'rc2' } */
export const parseGoVersion: typeof Go.parseGoVersion = (name) => go().parseGoVersion(name);
