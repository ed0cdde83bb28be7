// go.mod and go.work facts the doctor needs (the `go`, `toolchain` and `godebug` lines; the workspace's `use`
// list), and where cmd/go would find them: go.mod from the directory up (modload findModuleRoot), go.work
// from $GOWORK, else from the directory up without crossing into GOROOT (modload findWorkspaceFile).
import { posix, win32 } from 'node:path';
import { fromFsError, invalidArgument, SysprobeError } from '../../errors.js';
import { readText, runAsync, runSync, type Steps, stat } from '../../util/fs-steps.js';
import { envGetter } from './goenv-file.js';
import { type Directive, parseModfile } from './modfile.js';

export interface GoMod {
  path: string;
  /** The `module` path. */
  module: string | null;
  /** The `go` line (`'1.22'`, `'1.21.0'`). */
  go: string | null;
  /** The `toolchain` line (`'go1.22.3'`). */
  toolchain: string | null;
  /** Every `godebug key=value`, single lines and blocks, in order. */
  godebug: { key: string; value: string }[];
  /** The first syntax error (`line N: …`); facts before it are kept. */
  error?: string;
}

export interface GoWork {
  /** The go.work cmd/go would use, or `null`. */
  path: string | null;
  /** `'GOWORK'` (named by the variable), `'found'` (searched upward), `'off'` (GOWORK=off), `'none'` (no go.work). */
  source: 'GOWORK' | 'found' | 'off' | 'none';
  exists: boolean;
  go: string | null;
  /** The `use` directories as written. */
  use: string[];
  /** A syntax error, an unreadable file (errno name), or a relative GOWORK (cmd/go refuses it). */
  error?: string;
}

export interface FindGoModulesOptions {
  platform?: NodeJS.Platform;
  /** GOROOT: the go.work search does not cross into it (as cmd/go). */
  goroot?: string | null;
}

/** go.mod/go.work files larger than this are refused (ERR_SYSPROBE_TOO_LARGE). */
export const MAX_MODFILE = 16 << 20;
/** At most this many directories are walked up. */
const MAX_LEVELS = 256;

const first = (directives: Directive[], verb: string): string | null => directives.find((d) => d.verb === verb)?.args[0] ?? null;

function shapeGoMod(path: string, text: string): GoMod {
  const parsed = parseModfile(text);
  const godebug: GoMod['godebug'] = [];
  for (const d of parsed.directives) {
    if (d.verb !== 'godebug') continue;
    for (const arg of d.args) {
      const eq = arg.indexOf('=');
      if (eq > 0) godebug.push({ key: arg.slice(0, eq), value: arg.slice(eq + 1) });
    }
  }
  return {
    path,
    module: first(parsed.directives, 'module'),
    go: first(parsed.directives, 'go'),
    toolchain: first(parsed.directives, 'toolchain'),
    godebug,
    ...(parsed.error !== undefined ? { error: parsed.error } : {}),
  };
}

function* readGoModSteps(path: string): Steps<GoMod> {
  if (typeof path !== 'string' || path === '' || path.includes('\0')) throw invalidArgument('readGoMod(): path must be a non-empty string');
  const answer = yield* readText(path, MAX_MODFILE);
  if (!answer.ok) {
    if (answer.code === 'ERR_SYSPROBE_TOO_LARGE')
      throw new SysprobeError({ code: answer.code, path, message: `larger than ${MAX_MODFILE} bytes` });
    if (answer.code === 'ERR_SYSPROBE_NOT_REGULAR') throw new SysprobeError({ code: answer.code, path, message: 'not a regular file' });
    throw fromFsError(answer, path);
  }
  return shapeGoMod(path, answer.text);
}

function* goWorkFile(path: string, source: GoWork['source']): Steps<GoWork> {
  const answer = yield* readText(path, MAX_MODFILE);
  if (!answer.ok) {
    const missing = answer.code === 'ENOENT' || answer.code === 'ENOTDIR';
    return { path, source, exists: !missing, go: null, use: [], ...(missing ? {} : { error: answer.code }) };
  }
  const parsed = parseModfile(answer.text);
  const use = parsed.directives.filter((d) => d.verb === 'use').flatMap((d) => d.args.slice(0, 1));
  return {
    path,
    source,
    exists: true,
    go: first(parsed.directives, 'go'),
    use,
    ...(parsed.error !== undefined ? { error: parsed.error } : {}),
  };
}

function* findSteps(
  workspace: string,
  env: Record<string, string | undefined>,
  options: FindGoModulesOptions,
): Steps<{ goMod: GoMod | null; goWork: GoWork }> {
  if (typeof workspace !== 'string' || workspace === '') throw invalidArgument('findGoModules(): workspace must be a non-empty path');
  const platform = options.platform ?? process.platform;
  const path = platform === 'win32' ? win32 : posix;
  const start = path.resolve(workspace);
  const isFile = function* (p: string): Steps<boolean> {
    const s = yield* stat(p);
    return s.ok && s.kind !== 'dir';
  };

  let goMod: GoMod | null = null;
  for (let dir = start, level = 0; level < MAX_LEVELS; level++) {
    const candidate = path.join(dir, 'go.mod');
    if (yield* isFile(candidate)) {
      const answer = yield* readText(candidate, MAX_MODFILE);
      goMod = answer.ok
        ? shapeGoMod(candidate, answer.text)
        : { path: candidate, module: null, go: null, toolchain: null, godebug: [], error: answer.code };
      break;
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }

  const gowork = envGetter(env, platform)('GOWORK') ?? '';
  let goWork: GoWork;
  if (gowork === 'off') goWork = { path: null, source: 'off', exists: false, go: null, use: [] };
  else if (gowork !== '' && gowork !== 'auto') {
    goWork = path.isAbsolute(gowork)
      ? yield* goWorkFile(gowork, 'GOWORK')
      : { path: gowork, source: 'GOWORK', exists: false, go: null, use: [], error: 'the path provided to GOWORK must be an absolute path' };
  } else {
    goWork = { path: null, source: 'none', exists: false, go: null, use: [] };
    const goroot = options.goroot ? path.normalize(options.goroot) : null;
    for (let dir = start, level = 0; level < MAX_LEVELS; level++) {
      const candidate = path.join(dir, 'go.work');
      if (yield* isFile(candidate)) {
        goWork = yield* goWorkFile(candidate, 'found');
        break;
      }
      const up = path.dirname(dir);
      if (up === dir || up === goroot) break;
      dir = up;
    }
  }
  return { goMod, goWork };
}

/**
 * The `module`, `go`, `toolchain` and `godebug` lines of a go.mod (comments, quoted strings and blocks as
 * x/mod/modfile reads them). A syntax error is reported in `error`, with what was read before it.
 * @throws {@link SysprobeError} the OS error of reading (`ENOENT`, `EACCES`, `EISDIR`), `ERR_SYSPROBE_TOO_LARGE` (over 16 MiB).
 * @example
 * const { go, toolchain, godebug } = readGoModSync('go.mod');   // '1.22', 'go1.22.3', [{ key: 'winsymlink', value: '0' }]
 */
export function readGoModSync(path: string): GoMod {
  return runSync(readGoModSteps(path));
}
/** As {@link readGoModSync}, read on the libuv thread pool. */
export function readGoMod(path: string): Promise<GoMod> {
  return runAsync(readGoModSteps(path));
}

/**
 * The go.mod and go.work cmd/go would use in `workspace`: go.mod from the directory up; go.work from `GOWORK`
 * (`off` disables it; a relative value is an error, as in cmd/go), else searched upward, not into GOROOT. At
 * most 256 levels are walked. Unreadable files are facts (`error`), not throws.
 * @throws {@link SysprobeError} `ERR_SYSPROBE_INVALID_ARG` for an empty workspace.
 * @example
 * const { goMod, goWork } = findGoModulesSync('/src/project/cmd/tool', process.env);
 */
export function findGoModulesSync(workspace: string, env: Record<string, string | undefined> = {}, options: FindGoModulesOptions = {}) {
  return runSync(findSteps(workspace, env, options));
}
/** As {@link findGoModulesSync}, with the file work on the libuv thread pool. */
export function findGoModules(
  workspace: string,
  env: Record<string, string | undefined> = {},
  options: FindGoModulesOptions = {},
): Promise<{ goMod: GoMod | null; goWork: GoWork }> {
  return runAsync(findSteps(workspace, env, options));
}
