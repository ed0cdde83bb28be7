import { lstatSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { posix, resolve, win32 } from 'node:path';
import { SysprobeError, fromFsError, invalidArgument } from '../../errors.js';
import { probeReparsePoint, probeReparsePointSync, reparseEntryIsDirectory, win32PathFromNt, type ReparseInfo } from './point.js';
import { pathArg, pathText } from '../../util/paths.js';
import type { PathInput } from '../../util/paths.js';

/** How one runtime reports one reparse point (Windows semantics, from the sources in the reference notes). */
export interface RuntimeView {
  /** What `lstat` (Node `fs.lstat`, Go `os.Lstat`, Rust `symlink_metadata`, Python `os.lstat`) reports. */
  lstat: string;
  /** The runtime treats the entry as a symbolic link. */
  isLink: boolean;
  /** What reading the link returns, or `null` when it fails (`readlinkError` says how). */
  readlink: string | null;
  readlinkError?: string;
  /** Walking through the entry in the middle of a path (`fs.realpath`, `filepath.EvalSymlinks`, `canonicalize`, `os.path.realpath`). */
  walk: 'follows' | 'enters' | 'fails';
  note?: string;
}

/** The same entry as seen by libuv/Node, Go ≤ 1.22 (or winsymlink=0), Go ≥ 1.23, Rust std and Python ≥ 3.8. */
export interface RuntimeViews {
  node: RuntimeView;
  go122: RuntimeView;
  go123: RuntimeView;
  rust: RuntimeView;
  python: RuntimeView;
}

export type RuntimeName = keyof RuntimeViews;

export interface PathComponent {
  /** The path up to and including this component. */
  path: string;
  name: string;
  exists: boolean;
  /** What the platform's lstat says about the entry itself (ntfs-3g shows junctions as symlinks). */
  fileType: 'directory' | 'file' | 'symlink' | 'other' | null;
  reparse: ReparseInfo | null;
  /** How each runtime would classify the entry on Windows; `null` for entries that are not reparse points. */
  runtimes: RuntimeViews | null;
  /** The probe's error for this component, when it failed (the walk stops there). */
  error?: SysprobeError;
}

export interface PathFinding {
  runtime: RuntimeName;
  /** The component the finding is about. */
  component: string;
  message: string;
}

export interface PathExplanation {
  path: string;
  components: PathComponent[];
  /** Where runtimes behave differently from a plain directory walk, worded for a bug report. */
  findings: PathFinding[];
}

function libuvVersionAtLeast(major: number, minor: number): boolean {
  const [a = 0, b = 0] = (process.versions.uv ?? '0.0').split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

/** `\??\` → `\\?\`, as Python's os.readlink returns it. */
function verbatim(name: string): string {
  return name.startsWith('\\??\\') ? `\\\\?\\${name.slice(4)}` : name;
}

/**
 * How libuv/Node, Go ≤ 1.22, Go ≥ 1.23, Rust std and Python would classify this reparse point on
 * Windows. `isDirectory` is whether the entry is a directory (from its attributes) when known.
 */
export function reparseRuntimeViews(info: ReparseInfo, isDirectory: boolean | null = reparseEntryIsDirectory(info)): RuntimeViews {
  const plain = isDirectory === true ? 'directory' : 'file';
  const kind = info.kind;
  const target = info.target;
  const mountPoint = info.tag === 0xa0000003;

  // libuv fs__readlink_handle: SYMLINK, MOUNT_POINT to a drive path, APPEXECLINK with an X:\ target, LX (>= 1.52).
  let nodeLink: string | null = null;
  let nodeNote: string | undefined;
  if (kind === 'symlink' && target !== null) {
    const name = target.substituteName;
    nodeLink = /^\\\?\?\\[A-Za-z]:\\/.test(name) ? name.slice(4) : /^\\\?\?\\UNC\\/i.test(name) ? `\\\\${name.slice(8)}` : name;
  } else if (mountPoint && target !== null && /^\\\?\?\\[A-Za-z]:\\/.test(target.substituteName)) {
    nodeLink = target.substituteName.slice(4);
  } else if (kind === 'app-exec-link' && info.appExecLink !== null && /^[A-Za-z]:\\/.test(info.appExecLink.targetPath)) {
    nodeLink = info.appExecLink.targetPath;
    nodeNote = 'fs.stat fails with EACCES (ERROR_CANT_ACCESS_FILE): the alias is resolved by CreateProcess, not the file system';
  } else if (kind === 'lx-symlink' && target !== null && libuvVersionAtLeast(1, 52)) {
    nodeLink = target.substituteName;
  }
  if (nodeLink === null) {
    nodeNote =
      kind === 'volume-mount'
        ? 'readlink is refused for volume mount points (EINVAL); lstat falls back to stat and reports the mounted directory'
        : `fs.readdir(withFileTypes) reports a symbolic link (every reparse point is UV__DT_LINK), but fs.readlink fails with EINVAL (ERROR_SYMLINK_NOT_SUPPORTED)${kind === 'lx-symlink' ? `; LX symlinks are read from libuv 1.52 on (this Node has libuv ${process.versions.uv})` : ''}`;
  }
  const node: RuntimeView = {
    lstat: nodeLink !== null ? 'symlink' : plain,
    isLink: nodeLink !== null,
    readlink: nodeLink,
    ...(nodeLink === null ? { readlinkError: 'EINVAL' } : {}),
    walk: nodeLink !== null ? 'follows' : 'enters',
    ...(nodeNote !== undefined ? { note: nodeNote } : {}),
  };

  // Go: os.Readlink reads SYMLINK and MOUNT_POINT only.
  const goLink =
    (kind === 'symlink' || mountPoint) && target !== null
      ? target.relative
        ? target.substituteName
        : win32PathFromNt(target.substituteName)
      : null;
  const goReadlink = goLink === null ? { readlink: null, readlinkError: 'ENOENT (not a symlink or mount point)' } : { readlink: goLink };
  const goOther = (dirMode: string): RuntimeView => {
    if (kind === 'af-unix') return { lstat: 'ModeSocket', isLink: false, ...goReadlink, walk: 'fails' };
    if (kind === 'dedup')
      return { lstat: 'regular file', isLink: false, ...goReadlink, walk: 'fails', note: 'dedup files are special-cased as regular files' };
    if (isDirectory === true) return { lstat: dirMode, isLink: false, ...goReadlink, walk: 'enters' };
    return { lstat: 'ModeIrregular', isLink: false, ...goReadlink, walk: 'fails' };
  };
  let go122: RuntimeView;
  if (kind === 'symlink' || mountPoint) {
    go122 = { lstat: 'ModeSymlink', isLink: true, ...goReadlink, walk: 'follows' };
    if (kind === 'volume-mount')
      go122.note = 'filepath.EvalSymlinks can fail with "too many links" on volume mount points (golang/go#39786, #40176)';
  } else {
    go122 = goOther('ModeDir');
  }
  let go123: RuntimeView;
  if (kind === 'symlink') {
    go123 = { lstat: 'ModeSymlink', isLink: true, ...goReadlink, walk: 'follows' };
  } else if (info.isNameSurrogate) {
    go123 = {
      lstat: 'ModeIrregular',
      isLink: false,
      ...goReadlink,
      walk: 'fails',
      note:
        `name surrogates other than symlinks are ModeIrregular without ModeDir (winsymlink=1, the default for main modules with go >= 1.23): ` +
        `filepath.EvalSymlinks stops here with ENOTDIR when more components follow${mountPoint ? ', and returns the path unresolved when it is the last' : ''}`,
    };
  } else {
    go123 = goOther('ModeDir|ModeIrregular');
  }

  // Rust std: is_symlink() = any name surrogate; read_link reads SYMLINK and MOUNT_POINT.
  const rust: RuntimeView = info.isNameSurrogate
    ? {
        lstat: 'symlink',
        isLink: true,
        ...(goLink !== null ? { readlink: goLink } : { readlink: null, readlinkError: 'Unsupported reparse point type' }),
        walk: kind === 'lx-symlink' ? 'fails' : 'follows',
      }
    : {
        lstat: plain,
        isLink: false,
        readlink: null,
        readlinkError: 'not a symbolic link',
        walk: 'enters',
        ...(kind === 'app-exec-link'
          ? { note: 'fs::metadata falls back to symlink_metadata on ERROR_CANT_ACCESS_FILE: a regular file' }
          : {}),
      };

  // Python >= 3.8: S_IFLNK only for SYMLINK; junctions are directories with os.path.isjunction (3.12).
  let python: RuntimeView;
  if (kind === 'symlink' && target !== null) {
    python = { lstat: 'symlink', isLink: true, readlink: verbatim(target.substituteName), walk: 'follows' };
  } else if (mountPoint && target !== null) {
    python = {
      lstat: 'directory',
      isLink: false,
      readlink: verbatim(target.substituteName),
      walk: 'follows',
      note: 'os.path.islink() is False; os.path.isjunction() (3.12) is True',
    };
  } else {
    python = {
      lstat: kind === 'app-exec-link' ? 'file' : plain,
      isLink: false,
      readlink: null,
      readlinkError: 'not a symbolic link',
      walk: kind === 'lx-symlink' ? 'fails' : 'enters',
      ...(kind === 'app-exec-link' ? { note: 'os.stat reopens the alias itself on ERROR_CANT_ACCESS_FILE: a regular 0-byte file' } : {}),
    };
  }
  return { node, go122, go123, rust, python };
}

function components(path: string, pathApi: typeof posix): string[] {
  const parsed = pathApi.parse(path);
  const rest = path
    .slice(parsed.root.length)
    .split(pathApi.sep)
    .filter((part) => part.length > 0);
  const out: string[] = [];
  let current = parsed.root;
  for (const part of rest) {
    current = current === parsed.root ? current + part : current + pathApi.sep + part;
    out.push(current);
  }
  return out;
}

function fileTypeOf(stats: import('node:fs').Stats): PathComponent['fileType'] {
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isDirectory()) return 'directory';
  if (stats.isFile()) return 'file';
  return 'other';
}

type WalkStep = { op: 'lstat' | 'probe'; path: string };
type WalkAnswer = { ok: true; value: unknown } | { ok: false; error: unknown };

function checkedPath(fn: string, path: PathInput): string {
  const given = pathArg(fn, path);
  const text = pathText(given);
  // The walk names each component as text; bytes that are not UTF-8 would name other entries.
  if (typeof given !== 'string' && !Buffer.from(text, 'utf8').equals(given)) {
    throw invalidArgument(`${fn}(): the path is not valid UTF-8; it walks components by name, probeReparsePoint takes such a path`);
  }
  return text;
}

/** The walk of explainPath, yielding each lstat and probe so that the sync and async twins share it. */
function* walk(text: string): Generator<WalkStep, PathExplanation, WalkAnswer> {
  const pathApi = process.platform === 'win32' ? win32 : posix;
  const absolute = resolve(text);
  const out: PathExplanation = { path: absolute, components: [], findings: [] };
  const all = components(absolute, pathApi);
  for (let index = 0; index < all.length; index++) {
    const current = all[index]!;
    const component: PathComponent = {
      path: current,
      name: pathApi.basename(current),
      exists: false,
      fileType: null,
      reparse: null,
      runtimes: null,
    };
    out.components.push(component);
    // lstat may fail where the probe does not: FUSE answers EIO for an entry whose type ntfs-3g
    // changed under the kernel's cache (a junction planted a moment ago).
    const listed = yield { op: 'lstat', path: current };
    const stats = listed.ok ? (listed.value as import('node:fs').Stats) : null;
    const lstatError = listed.ok ? null : (listed.error as NodeJS.ErrnoException);
    if (lstatError !== null && (lstatError.code === 'ENOENT' || lstatError.code === 'ENOTDIR')) break;
    const probed = yield { op: 'probe', path: current };
    if (!probed.ok) {
      component.error = fromFsError(probed.error, current);
      break;
    }
    component.reparse = probed.value as ReparseInfo | null;
    component.exists = true;
    component.fileType = stats === null ? null : fileTypeOf(stats);
    if (lstatError !== null && component.reparse === null) {
      component.error = fromFsError(lstatError, current);
      break;
    }
    if (component.reparse !== null) {
      component.runtimes = reparseRuntimeViews(component.reparse);
      out.findings.push(...findingsFor(component, index < all.length - 1));
    }
  }
  return out;
}

/**
 * Every component of `path` with its reparse point (if any) and how libuv/Node, Go ≤ 1.22, Go ≥ 1.23,
 * Rust std and Python classify it — e.g. why `go build` fails when GOPATH sits behind a junction.
 * Components are probed themselves, never followed. A missing component ends the walk (`exists: false`).
 */
export async function explainPath(path: PathInput): Promise<PathExplanation> {
  const steps = walk(checkedPath('explainPath', path));
  let step = steps.next();
  while (!step.done) {
    const { op, path: at } = step.value;
    let answer: WalkAnswer;
    try {
      answer = { ok: true, value: op === 'lstat' ? await lstat(at) : await probeReparsePoint(at) };
    } catch (error) {
      answer = { ok: false, error };
    }
    step = steps.next(answer);
  }
  return step.value;
}

/** {@link explainPath}, synchronously. */
export function explainPathSync(path: PathInput): PathExplanation {
  const steps = walk(checkedPath('explainPathSync', path));
  let step = steps.next();
  while (!step.done) {
    const { op, path: at } = step.value;
    let answer: WalkAnswer;
    try {
      answer = { ok: true, value: op === 'lstat' ? lstatSync(at) : probeReparsePointSync(at) };
    } catch (error) {
      answer = { ok: false, error };
    }
    step = steps.next(answer);
  }
  return step.value;
}

function findingsFor(component: PathComponent, midPath: boolean): PathFinding[] {
  const info = component.reparse!;
  const views = component.runtimes!;
  const at = component.path;
  const what = info.tagName ?? info.tagHex;
  const findings: PathFinding[] = [];
  if (midPath && views.go123.walk === 'fails') {
    findings.push({
      runtime: 'go123',
      component: at,
      message:
        `Go >= 1.23 (winsymlink=1): ${what} (${info.kind}) is ModeIrregular, neither ModeSymlink nor ModeDir, so ` +
        `filepath.EvalSymlinks fails with "not a directory" (ENOTDIR) at ${at} and tools that call it (go build, gopls) fail for paths below it. ` +
        'Fix: replace it with a directory symlink (mklink /D), move the tree, or opt out with `godebug winsymlink=0` in go.mod / `//go:debug winsymlink=0` / GODEBUG=winsymlink=0.',
    });
  } else if (!midPath && info.tag === 0xa0000003) {
    findings.push({
      runtime: 'go123',
      component: at,
      message: `Go >= 1.23: ${info.kind} ${at} is ModeIrregular; filepath.EvalSymlinks returns it unresolved and os.Readlink gives ${views.go123.readlink ?? 'an error'}.`,
    });
  }
  if (midPath && views.go122.walk === 'fails') {
    findings.push({
      runtime: 'go122',
      component: at,
      message: `Go <= 1.22: ${what} is ${views.go122.lstat}; filepath.EvalSymlinks fails with ENOTDIR below ${at}.`,
    });
  }
  if (views.go122.note !== undefined) findings.push({ runtime: 'go122', component: at, message: `Go <= 1.22: ${views.go122.note}.` });
  if (!views.node.isLink) {
    findings.push({ runtime: 'node', component: at, message: `Node (libuv): ${views.node.note ?? 'not a link'}.` });
  } else if (views.node.note !== undefined) {
    findings.push({ runtime: 'node', component: at, message: `Node (libuv): ${views.node.note}.` });
  }
  if (views.rust.isLink !== views.python.isLink) {
    findings.push({
      runtime: 'python',
      component: at,
      message: `Rust std calls ${what} a symlink (${views.rust.isLink}), Python's os.path.islink says ${views.python.isLink}${views.python.note ? ` (${views.python.note})` : ''}.`,
    });
  }
  return findings;
}
