// The VS Code settings that decide which Go toolchain the Go extension and gopls use, read from the settings
// files (never from a running VS Code), and where the Go extension is installed.
import { posix, win32 } from 'node:path';
import { readdir, readText, runAsync, runSync, type Steps } from '../../util/fs-steps.js';
import { SysprobeError } from '../../errors.js';
import { parseJsonc } from './jsonc.js';

export interface SettingsFile {
  path: string;
  scope: 'user' | 'remote' | 'workspace' | 'folder';
  /** For user settings: the product folder (`Code`, `Code - Insiders`, `VSCodium`, `Code - OSS`). */
  product?: string;
  exists: boolean;
  error?: { code: string; message: string };
  /** Only the Go-related keys (see GO_SETTING_KEYS), copied out of the parsed file. */
  settings: Record<string, unknown>;
}

export interface VscodeSettings {
  /** Every candidate looked at, lowest precedence first. */
  files: SettingsFile[];
  /** The user settings product whose file counts (the first that exists, or `options.product`). */
  product: string | null;
  /** The winning value per key: user < remote (machine) < workspace; a later scope replaces the value whole. */
  effective: Record<string, { value: unknown; file: string }>;
  goExtension: { installed: boolean; dirs: { path: string; version: string | null; obsolete: boolean }[] };
}

export interface ProbeVscodeSettingsOptions {
  home?: string;
  workspace?: string;
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  /** The user settings product to use (default: the first whose settings file exists). */
  product?: string;
}

export const GO_SETTING_KEYS = [
  'go.goroot',
  'go.gopath',
  'go.alternateTools',
  'go.toolsEnvVars',
  'go.toolsGopath',
  'go.useLanguageServer',
  'go.languageServerFlags',
  'go.inferGopath',
  'gopls',
  'terminal.integrated.env.linux',
  'terminal.integrated.env.osx',
  'terminal.integrated.env.windows',
] as const;

const PRODUCTS = ['Code', 'Code - Insiders', 'VSCodium', 'Code - OSS'];
/** Extension folders relative to home: VS Code, its server, Insiders, and VSCodium / Code - OSS. */
const EXTENSION_DIRS = ['.vscode', '.vscode-server', '.vscode-insiders', '.vscode-server-insiders', '.vscode-oss'];
const MAX_SETTINGS_FILE = 8 << 20;
const MAX_EXTENSIONS = 4096;

function* readSettings(path: string, scope: SettingsFile['scope'], product?: string): Steps<SettingsFile> {
  const file: SettingsFile = { path, scope, ...(product !== undefined ? { product } : {}), exists: false, settings: {} };
  const answer = yield* readText(path, MAX_SETTINGS_FILE);
  if (!answer.ok) {
    if (answer.code !== 'ENOENT' && answer.code !== 'ENOTDIR') {
      file.exists = true;
      file.error = { code: answer.code, message: `${answer.code}: cannot read ${path}` };
    }
    return file;
  }
  file.exists = true;
  let parsed: unknown;
  try {
    parsed = parseJsonc(answer.text) ?? {};
  } catch (error) {
    const e = error as SysprobeError;
    file.error = { code: e.code ?? 'ERR_SYSPROBE_JSONC', message: e.message };
    return file;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    file.error = { code: 'ERR_SYSPROBE_JSONC', message: 'settings file is not a JSON object' };
    return file;
  }
  for (const key of GO_SETTING_KEYS) if (Object.hasOwn(parsed, key)) file.settings[key] = (parsed as Record<string, unknown>)[key];
  return file;
}

const versionOf = (manifest: string): string | null => {
  try {
    const version = (parseJsonc(manifest) as { version?: unknown } | undefined)?.version;
    return typeof version === 'string' ? version : null;
  } catch {
    return null;
  }
};

function* goExtensionDirs(home: string, path: typeof posix): Steps<VscodeSettings['goExtension']> {
  const dirs: VscodeSettings['goExtension']['dirs'] = [];
  for (const base of EXTENSION_DIRS) {
    const root = path.join(home, base, 'extensions');
    const listing = yield* readdir(root, MAX_EXTENSIONS);
    if (!listing.ok) continue;
    // VS Code marks extensions pending removal in extensions/.obsolete ({ "golang.go-0.40.0": true }).
    const obsoleteFile = yield* readText(path.join(root, '.obsolete'), 1 << 20);
    let obsolete: Record<string, unknown> = {};
    if (obsoleteFile.ok) {
      try {
        obsolete = (parseJsonc(obsoleteFile.text) as Record<string, unknown>) ?? {};
      } catch {}
    }
    for (const name of listing.names.sort()) {
      if (!/^golang\.go-\d/i.test(name)) continue;
      const dir = path.join(root, name);
      const manifest = yield* readText(path.join(dir, 'package.json'), 16 << 20);
      dirs.push({ path: dir, version: manifest.ok ? versionOf(manifest.text) : null, obsolete: obsolete[name] === true });
    }
  }
  return { installed: dirs.some((d) => !d.obsolete), dirs };
}

function* probeSteps(options: ProbeVscodeSettingsOptions): Steps<VscodeSettings> {
  const platform = options.platform ?? process.platform;
  const path = platform === 'win32' ? win32 : posix;
  const env = options.env ?? {};
  const get = (key: string) => {
    if (platform !== 'win32') return env[key];
    const found = Object.keys(env).find((k) => k.toUpperCase() === key.toUpperCase());
    return found === undefined ? undefined : env[found];
  };
  const home = options.home ?? get(platform === 'win32' ? 'USERPROFILE' : 'HOME');
  if (home === undefined && options.workspace === undefined) {
    throw new SysprobeError({ code: 'ERR_SYSPROBE_INVALID_ARG', message: 'probeVscodeSettings(): needs home (or env.HOME) or workspace' });
  }
  const configDir =
    platform === 'win32'
      ? get('APPDATA')
      : platform === 'darwin'
        ? home && path.join(home, 'Library', 'Application Support')
        : get('XDG_CONFIG_HOME') || (home && path.join(home, '.config'));

  const files: SettingsFile[] = [];
  if (configDir) {
    for (const product of PRODUCTS)
      files.push(yield* readSettings(path.join(configDir, product, 'User', 'settings.json'), 'user', product));
  }
  if (home) files.push(yield* readSettings(path.join(home, '.vscode-server', 'data', 'Machine', 'settings.json'), 'remote'));
  if (options.workspace) files.push(yield* readSettings(path.join(options.workspace, '.vscode', 'settings.json'), 'workspace'));

  const product = options.product ?? files.find((f) => f.scope === 'user' && f.exists)?.product ?? null;
  const effective: VscodeSettings['effective'] = {};
  for (const file of files) {
    if (file.scope === 'user' && file.product !== product) continue;
    for (const [key, value] of Object.entries(file.settings)) effective[key] = { value, file: file.path };
  }
  const goExtension = home ? yield* goExtensionDirs(home, path) : { installed: false, dirs: [] };
  return { files, product, effective, goExtension };
}

/**
 * The Go-related VS Code settings (user, remote machine, workspace), each file's parse result, the winning value
 * per key, and the installed Go extension folders, read from files only.
 * @throws {@link SysprobeError} `ERR_SYSPROBE_INVALID_ARG` with neither a home nor a workspace. Unreadable or
 *   malformed files are reported in `files[].error`, not thrown.
 * @example
 * const { effective } = probeVscodeSettingsSync({ home: os.homedir(), workspace: process.cwd() });
 * effective['go.goroot']?.value;
 */
export function probeVscodeSettingsSync(options: ProbeVscodeSettingsOptions = {}): VscodeSettings {
  return runSync(probeSteps(options));
}
/** As {@link probeVscodeSettingsSync}, with the file work on the libuv thread pool. */
export function probeVscodeSettings(options: ProbeVscodeSettingsOptions = {}): Promise<VscodeSettings> {
  return runAsync(probeSteps(options));
}

/**
 * A path setting (`go.goroot`, `go.gopath`, `go.alternateTools.*`, `go.toolsGopath`) as vscode-go expands it:
 * `${env:NAME}` from `env` (missing: empty), then `${workspaceFolder}`/`${workspaceRoot}` and
 * `${workspaceFolderBasename}` (when a workspace is given), then a leading `~` joined to home
 * (golang/vscode-go:extension/src/util.ts substituteEnv and resolvePath, utils/pathUtils.ts resolveHomeDir).
 * Like vscode-go, `~user` is not a user's home: `~x` becomes `<home>/x`.
 * @example
 * expandSettingPath('~/sdk/${env:GOVER}', { home: '/home/me', env: { GOVER: 'go1.22.3' } });   // '/home/me/sdk/go1.22.3'
 */
export function expandSettingPath(
  value: string,
  context: { home?: string; workspace?: string; env?: Record<string, string | undefined>; platform?: NodeJS.Platform } = {},
): string {
  if (typeof value !== 'string' || value.trim() === '') return value;
  const path = (context.platform ?? process.platform) === 'win32' ? win32 : posix;
  let out = value.replace(/\${env:([^}]+)}/g, (_match, name: string) => context.env?.[name.trim()] || '');
  if (context.workspace) {
    out = out.replace(/\${workspaceFolder}|\${workspaceRoot}/g, () => context.workspace as string);
    out = out.replace(/\${workspaceFolderBasename}/g, () => path.basename(context.workspace as string));
  }
  if (out.startsWith('~') && context.home !== undefined) out = path.join(context.home, out.slice(1));
  return out;
}
