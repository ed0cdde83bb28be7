// File-reading logic written once, run either way: a probe is a generator that yields the file operations
// it needs (`yield* stat(p)`), and runSync/runAsync perform them with node:fs's sync calls or its promises.
// Every operation answers a value or an error fact; none throws, so the logic decides what a failure means.
import * as fs from 'node:fs';
import { constants as osConstants } from 'node:os';

export interface FsFailure {
  ok: false;
  code: string;
  /** Node's errno (negative on POSIX), when the OS gave one. */
  errno?: number;
  syscall?: string;
}
export type StatAnswer = { ok: true; kind: 'file' | 'dir' | 'other'; mode: number; dev: number; ino: number; size: number } | FsFailure;
export type OkAnswer = { ok: true } | FsFailure;
export type PathAnswer = { ok: true; path: string } | FsFailure;
export type TextAnswer = { ok: true; text: string } | FsFailure;
export type NamesAnswer = { ok: true; names: string[]; truncated: boolean } | FsFailure;

export type FsStep =
  | { op: 'stat' | 'lstat' | 'realpath'; path: string }
  | { op: 'access'; path: string; mode: number }
  | { op: 'readText'; path: string; maxBytes: number }
  | { op: 'readdir'; path: string; maxEntries: number };

/** A probe's body: yields steps, gets each one's answer back. */
export type Steps<T> = Generator<FsStep, T, unknown>;

export function* stat(path: string): Steps<StatAnswer> {
  return (yield { op: 'stat', path }) as StatAnswer;
}
export function* lstat(path: string): Steps<StatAnswer> {
  return (yield { op: 'lstat', path }) as StatAnswer;
}
export function* access(path: string, mode: number): Steps<OkAnswer> {
  return (yield { op: 'access', path, mode }) as OkAnswer;
}
export function* realpath(path: string): Steps<PathAnswer> {
  return (yield { op: 'realpath', path }) as PathAnswer;
}
/** A regular file's text (UTF-8), refused with ERR_SYSPROBE_TOO_LARGE past `maxBytes` (whatever stat says). */
export function* readText(path: string, maxBytes: number): Steps<TextAnswer> {
  return (yield { op: 'readText', path, maxBytes }) as TextAnswer;
}
/** At most `maxEntries` names of a directory, in the order the OS gives them. */
export function* readdir(path: string, maxEntries: number): Steps<NamesAnswer> {
  return (yield { op: 'readdir', path, maxEntries }) as NamesAnswer;
}

function failure(error: unknown): FsFailure {
  const e = error as NodeJS.ErrnoException;
  return {
    ok: false,
    code: typeof e?.code === 'string' ? e.code : 'ERR_SYSPROBE',
    ...(typeof e?.errno === 'number' ? { errno: e.errno } : {}),
    ...(e?.syscall ? { syscall: e.syscall } : {}),
  };
}

function statAnswer(s: fs.Stats): StatAnswer {
  return { ok: true, kind: s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'other', mode: s.mode, dev: s.dev, ino: s.ino, size: s.size };
}

const tooLarge: FsFailure = { ok: false, code: 'ERR_SYSPROBE_TOO_LARGE', syscall: 'read' };
const notRegular = (s: fs.Stats): FsFailure =>
  s.isDirectory()
    ? { ok: false, code: 'EISDIR', errno: -osConstants.errno.EISDIR, syscall: 'read' }
    : { ok: false, code: 'ERR_SYSPROBE_NOT_REGULAR', syscall: 'open' };

function performSync(step: FsStep): unknown {
  try {
    switch (step.op) {
      case 'stat':
        return statAnswer(fs.statSync(step.path));
      case 'lstat':
        return statAnswer(fs.lstatSync(step.path));
      case 'realpath':
        return { ok: true, path: fs.realpathSync.native(step.path) };
      case 'access':
        fs.accessSync(step.path, step.mode);
        return { ok: true };
      case 'readText': {
        const fd = fs.openSync(step.path, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
        try {
          const info = fs.fstatSync(fd);
          if (!info.isFile()) return notRegular(info);
          const buffer = Buffer.alloc(step.maxBytes + 1);
          let length = 0;
          for (let n = 1; n > 0 && length < buffer.length; length += n) n = fs.readSync(fd, buffer, length, buffer.length - length, null);
          return length > step.maxBytes ? tooLarge : { ok: true, text: buffer.toString('utf8', 0, length) };
        } finally {
          fs.closeSync(fd);
        }
      }
      case 'readdir': {
        const dir = fs.opendirSync(step.path);
        const names: string[] = [];
        try {
          for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) {
            if (names.length === step.maxEntries) return { ok: true, names, truncated: true };
            names.push(entry.name);
          }
        } finally {
          dir.closeSync();
        }
        return { ok: true, names, truncated: false };
      }
    }
  } catch (error) {
    return failure(error);
  }
}

async function performAsync(step: FsStep): Promise<unknown> {
  try {
    switch (step.op) {
      case 'stat':
        return statAnswer(await fs.promises.stat(step.path));
      case 'lstat':
        return statAnswer(await fs.promises.lstat(step.path));
      case 'realpath':
        return { ok: true, path: await fs.promises.realpath(step.path) };
      case 'access':
        await fs.promises.access(step.path, step.mode);
        return { ok: true };
      case 'readText': {
        const handle = await fs.promises.open(step.path, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
        try {
          const info = await handle.stat();
          if (!info.isFile()) return notRegular(info);
          const buffer = Buffer.alloc(step.maxBytes + 1);
          let length = 0;
          for (let n = 1; n > 0 && length < buffer.length; length += n) {
            n = (await handle.read(buffer, length, buffer.length - length, null)).bytesRead;
          }
          return length > step.maxBytes ? tooLarge : { ok: true, text: buffer.toString('utf8', 0, length) };
        } finally {
          await handle.close();
        }
      }
      case 'readdir': {
        const dir = await fs.promises.opendir(step.path);
        const names: string[] = [];
        try {
          for (let entry = await dir.read(); entry !== null; entry = await dir.read()) {
            if (names.length === step.maxEntries) return { ok: true, names, truncated: true };
            names.push(entry.name);
          }
        } finally {
          await dir.close();
        }
        return { ok: true, names, truncated: false };
      }
    }
  } catch (error) {
    return failure(error);
  }
}

/** Runs a probe body on the calling thread. */
export function runSync<T>(body: Steps<T>): T {
  let next = body.next();
  while (!next.done) next = body.next(performSync(next.value));
  return next.value;
}

/** Runs a probe body with node:fs's promises (the file work on the libuv thread pool). */
export async function runAsync<T>(body: Steps<T>): Promise<T> {
  let next = body.next();
  while (!next.done) next = body.next(await performAsync(next.value));
  return next.value;
}
