// Where a process's C library is: found in /proc/PID/maps, placed inside the process's root, and the
// ways a probe of another process fails (ESRCH when it is gone, the access /proc/PID/map_files needs).
import { readFileSync, type BigIntStats } from 'node:fs';
import { SysprobeError, fromFsError } from '../../errors.js';
import { type Located } from './root.js';
import type { RawLibcFile } from '../../backends/binding.js';
import { GLIBC_LOADER, MUSL_LOADER, type MapsEntry } from '../../util/procmaps.js';

export const LIBC_FILE = /(^|\/)libc(\.so\.6|-2\.\d+\.so)$/;

export interface PidLocated extends Located {
  entry: MapsEntry;
}

/**
 * A file that could be opened: where, its identity, and what the core read in it (null: not read, being
 * the mapped file itself, whose text the mapping gave).
 */
export interface Read {
  path: string;
  stat: BigIntStats;
  file: RawLibcFile | null;
}
export type Attempt = { ok: true; read: Read; elfPath: string } | { ok: false; error: SysprobeError };

/** The process has exited (or is a zombie, whose mappings are gone): /proc/PID/stat is absent or says Z. */
export function gone(statText: string | null): boolean {
  if (statText === null) return true;
  const state = statText.slice(statText.lastIndexOf(')') + 2, statText.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X';
}

export function esrch(pid: number, cause: unknown): SysprobeError {
  return new SysprobeError({
    errno: 3,
    syscall: 'open',
    path: `/proc/${pid}`,
    message: `process ${pid} exited (no such process)`,
    cause,
    details: { pid },
  });
}

/** An ENOENT under /proc/PID is the process exiting mid-call when the process is gone by now (statText: /proc/PID/stat read after the failure). */
export function pidError(pid: number, error: unknown, syscall: string, path: string, statText: string | null): SysprobeError {
  const code = (error as NodeJS.ErrnoException)?.code;
  if ((code === 'ENOENT' || code === 'ESRCH') && gone(statText)) return esrch(pid, error);
  return fromFsError(error, path, syscall);
}

export function statTextSync(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
}

export function locateInMaps(pid: number, entries: MapsEntry[]): PidLocated {
  const loader = entries.find((e) => MUSL_LOADER.test(e.path) || GLIBC_LOADER.test(e.path)) ?? null;
  if (loader !== null && MUSL_LOADER.test(loader.path)) {
    return {
      family: 'musl',
      libcPath: loader.path,
      loaderPath: loader.path,
      hostPath: loader.path,
      via: '/proc/PID/maps: the mapped musl loader',
      entry: loader,
    };
  }
  const libc = entries.find((e) => LIBC_FILE.test(e.path));
  if (libc === undefined) {
    throw new SysprobeError({
      code: 'ERR_SYSPROBE_NOT_FOUND',
      message: `probeGlibc(): process ${pid} has no C library mapped (static, or not glibc/musl)`,
      path: `/proc/${pid}/maps`,
    });
  }
  return {
    family: 'glibc',
    libcPath: libc.path,
    loaderPath: loader?.path ?? null,
    hostPath: libc.path,
    via: '/proc/PID/maps: the mapped libc.so.6',
    entry: libc,
  };
}

/**
 * The kernel prints a mapped file's path relative to the reader's root, not the process's: a process
 * chrooted to /srv/r (chroot, unshare --root) shows /srv/r/usr/lib/…, and a process in another mount
 * namespace shows paths from that namespace's root. readlink(/proc/PID/root) is the process's root
 * printed the same way, so a path under it is cut to the path inside the process's root; the file is
 * then reached through /proc/PID/root (in our mount namespace, a path outside the process's root is
 * one of ours as it stands).
 */
export function placeOf(pid: number, printed: string, rootLink: string, sameMountNs: boolean): { inside: string; diskPath: string } {
  const root = rootLink.replace(/\/+$/, '');
  if (root === '') return { inside: printed, diskPath: sameMountNs ? printed : `/proc/${pid}/root${printed}` };
  if (printed.startsWith(`${root}/`)) {
    const inside = printed.slice(root.length);
    return { inside, diskPath: sameMountNs ? printed : `/proc/${pid}/root${inside}` };
  }
  return { inside: printed, diskPath: sameMountNs ? printed : `/proc/${pid}/root${printed}` };
}

/** The paths reported are inside the process's root, as the process names them. */
export function placed(pid: number, found: PidLocated, rootLink: string, sameNs: boolean): { located: PidLocated; diskPath: string } {
  const libc = placeOf(pid, found.entry.path, rootLink, sameNs);
  const loaderPath = found.loaderPath === null ? null : placeOf(pid, found.loaderPath, rootLink, sameNs).inside;
  const rooted = rootLink !== '/' ? ` (the process's root is ${rootLink})` : '';
  return { located: { ...found, libcPath: libc.inside, loaderPath, via: `${found.via}${rooted}` }, diskPath: libc.diskPath };
}

/** Same file: device and inode; overlayfs maps show the layer's device, so an equal inode, size and mtime also count. */
export function sameFile(a: BigIntStats, b: BigIntStats): boolean {
  if (a.ino !== b.ino) return false;
  return a.dev === b.dev || (a.size === b.size && a.mtimeNs === b.mtimeNs);
}

/**
 * The identity maps gives (MAJOR:MINOR of the kernel's dev_t, inode) against a stat of the name, the
 * dev_t decoded as glibc's gnu_dev_major/minor do. On overlayfs maps shows the layer's device and stat the
 * overlay's: a name that is not "(deleted)" with the same inode counts as the mapped file.
 */
export function matchesMaps(entry: MapsEntry, s: BigIntStats): boolean {
  const dev = s.dev;
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & 0xfffff000n));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & 0xffffff00n));
  return s.ino === entry.inode && ((major === entry.major && minor === entry.minor) || !entry.deleted);
}

export function versionOf(file: RawLibcFile, family: 'glibc' | 'musl'): string | null {
  return family === 'glibc' ? (file.text.banner?.version ?? null) : file.text.musl.version;
}
