// probeGlibc({ pid }): the C library a running process mapped, read from the mapping itself
// (/proc/PID/map_files/START-END), so a libc replaced on disk after the process started (an upgrade)
// still answers for what the process runs; the file now at the path is compared with it.
import { closeSync, fstatSync, openSync, readFileSync, readlinkSync, type BigIntStats } from 'node:fs';
import { open, readFile, readlink, type FileHandle } from 'node:fs/promises';
import { SysprobeError, fromFsError } from '../../errors.js';
import type { LibcDisagreement, LibcEvidence, LibcInfo } from './types.js';
import { checkLibcSize, interpret } from './root.js';
import { binding } from '../../backends/loader.js';
import type { RawLibcFile } from '../../backends/binding.js';
import { parseMaps } from '../../util/procmaps.js';
import {
  type Attempt,
  type PidLocated,
  esrch,
  gone,
  locateInMaps,
  matchesMaps,
  pidError,
  placed,
  sameFile,
  statTextSync,
  versionOf,
} from './pid-maps.js';

interface Observed {
  located: PidLocated;
  mapping: Attempt;
  mappingPath: string;
  disk: Attempt;
  diskPath: string;
}

const MAP_FILES_NEEDS = 'opening /proc/PID/map_files needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE';

/** The answer from what was observed: the mapping's text where it could be read, the disk file compared. */
function decide(
  pid: number,
  o: Observed,
): {
  file: RawLibcFile;
  elfPath: string;
  readDetail: string;
  evidence: LibcEvidence[];
  disagreements: LibcDisagreement[];
  versionUnknown: boolean;
} {
  const { located, mapping, disk, diskPath, mappingPath } = o;
  const evidence: LibcEvidence[] = [];
  const disagreements: LibcDisagreement[] = [];
  const family = located.family;
  const mapsLine = `${located.entry.path}${located.entry.deleted ? ' (deleted)' : ''}, inode ${located.entry.inode}`;
  if (mapping.ok) {
    const mappedVersion = versionOf(mapping.read.file!, family);
    if (!disk.ok) {
      disagreements.push({
        fact: 'libc',
        values: [
          { value: located.libcPath, source: `the mapped file (${mappingPath})` },
          { value: null, source: `${diskPath}: ${disk.error.code}` },
        ],
        note: 'the C library the process mapped is deleted: nothing is at its path now; the version is read from the mapping',
      });
    } else if (!sameFile(mapping.read.stat, disk.read.stat)) {
      disagreements.push({
        fact: 'version',
        values: [
          { value: mappedVersion, source: `the mapped file (${mappingPath}, inode ${mapping.read.stat.ino})` },
          { value: versionOf(disk.read.file!, family), source: `the file now at ${diskPath} (inode ${disk.read.stat.ino})` },
        ],
        note: 'the file on disk was replaced after the process mapped it (an upgrade while it runs): the process runs the mapped one',
      });
    } else {
      evidence.push({
        fact: 'libc',
        value: located.libcPath,
        source: 'the file now at the path is the mapped one',
        detail: `${diskPath}: same device and inode (${disk.read.stat.ino})`,
      });
    }
    return {
      file: mapping.read.file!,
      elfPath: mapping.elfPath,
      readDetail: `read through ${mappingPath} (the mapped file itself; maps: ${mapsLine})`,
      evidence,
      disagreements,
      versionUnknown: false,
    };
  }
  const why = `${mappingPath} not readable: ${mapping.error.code}${mapping.error.code === 'EPERM' ? ` (${MAP_FILES_NEEDS})` : ''}`;
  if (!disk.ok) {
    throw new SysprobeError({
      code: disk.error.code,
      ...(disk.error.errno !== undefined ? { errno: Math.abs(disk.error.errno) } : {}),
      syscall: disk.error.syscall ?? 'open',
      path: disk.error.path ?? diskPath,
      message: `process ${pid} maps ${mapsLine}; ${diskPath}: ${disk.error.code}; ${why}`,
      cause: disk.error,
      details: { pid, mapsPath: located.entry.path, deleted: located.entry.deleted, mapFiles: mapping.error.toJSON() },
    });
  }
  const readDetail = `read at ${diskPath}: ${why}`;
  if (!matchesMaps(located.entry, disk.read.stat)) {
    disagreements.push({
      fact: 'version',
      values: [
        { value: null, source: `the mapped file (${mapsLine}): ${why}` },
        { value: versionOf(disk.read.file!, family), source: `the file now at ${diskPath} (inode ${disk.read.stat.ino})` },
      ],
      note: 'the file on disk is not the one the process mapped (replaced or deleted since): the version the process runs cannot be read',
    });
    return { file: disk.read.file!, elfPath: disk.elfPath, readDetail, evidence, disagreements, versionUnknown: true };
  }
  evidence.push({
    fact: 'libc',
    value: located.libcPath,
    source: 'the file at the path is the mapped one',
    detail: `${diskPath}: the device and inode maps names (${located.entry.inode})`,
  });
  return { file: disk.read.file!, elfPath: disk.elfPath, readDetail, evidence, disagreements, versionUnknown: false };
}

/**
 * A file the core reads as the process sees it: through /proc/self/fd/N of the descriptor held open
 * (the file the fstat identified, even deleted or replaced since); its errors as the file's own.
 */
function scanned(json: string, path: string): RawLibcFile {
  const file = JSON.parse(json) as RawLibcFile;
  checkLibcSize(file.text, path);
  return file;
}

function readError(error: unknown, path: string): unknown {
  if (!(error instanceof SysprobeError) || error.errno === undefined) return error;
  return new SysprobeError({ errno: Math.abs(error.errno), syscall: 'read', path, cause: error });
}

/** The file's size, or a backend that cannot read C library files at all: the probe's answer, not one attempt's. */
const stopsProbe = (error: unknown): boolean =>
  error instanceof SysprobeError && (error.code === 'ERR_SYSPROBE_TOO_LARGE' || error.code === 'ERR_SYSPROBE_NEEDS_ADDON');

function scanSync(fd: number, path: string): RawLibcFile {
  try {
    return scanned(binding().scanLibcFileSync(`/proc/self/fd/${fd}`), path);
  } catch (error) {
    throw readError(error, path);
  }
}

async function scan(fd: number, path: string): Promise<RawLibcFile> {
  try {
    return scanned(await binding().scanLibcFile(`/proc/self/fd/${fd}`), path);
  } catch (error) {
    throw readError(error, path);
  }
}

/** The disk file needs reading unless it is the mapped file already read. */
const needsReading =
  (mapping: Attempt) =>
  (s: BigIntStats): boolean =>
    !mapping.ok || !sameFile(mapping.read.stat, s);
const always = (): boolean => true;

/** For tests: runs between reading /proc/PID/maps and opening the mapping (to make a process exit there). */
export interface PidProbeHooks {
  afterMaps?: () => void | Promise<void>;
}

/** The C library a running process actually mapped. */
export function probePidSync(pid: number, hooks: PidProbeHooks = {}): LibcInfo {
  const mapsPath = `/proc/${pid}/maps`;
  let mapsText: string;
  try {
    mapsText = readFileSync(mapsPath, 'latin1');
  } catch (error) {
    throw pidError(pid, error, 'open', mapsPath, statTextSync(pid));
  }
  const entries = parseMaps(mapsText);
  if (entries.length === 0 && gone(statTextSync(pid))) throw esrch(pid, undefined);
  const found = locateInMaps(pid, entries);
  void hooks.afterMaps?.();
  let sameNs = true;
  try {
    sameNs = readlinkSync('/proc/self/ns/mnt') === readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    sameNs = true;
  }
  let rootLink = '/';
  try {
    rootLink = readlinkSync(`/proc/${pid}/root`);
  } catch {
    rootLink = '/';
  }
  const { located, diskPath } = placed(pid, found, rootLink, sameNs);
  const mappingPath = `/proc/${pid}/map_files/${located.entry.range}`;
  const fds: number[] = [];
  try {
    const attempt = (path: string, idPath: string, isProc: boolean, read: (s: BigIntStats) => boolean): Attempt => {
      try {
        const fd = openSync(path, 'r');
        fds.push(fd);
        const stat = fstatSync(fd, { bigint: true });
        return { ok: true, read: { path: idPath, stat, file: read(stat) ? scanSync(fd, idPath) : null }, elfPath: `/proc/self/fd/${fd}` };
      } catch (error) {
        if (stopsProbe(error)) throw error;
        const typed = isProc ? pidError(pid, error, 'open', path, statTextSync(pid)) : fromFsError(error, path, 'open');
        if (typed.code === 'ESRCH') throw typed;
        return { ok: false, error: typed };
      }
    };
    const mapping = attempt(mappingPath, mappingPath, true, always);
    const disk = attempt(diskPath, diskPath, !sameNs, needsReading(mapping));
    const decided = decide(pid, { located, mapping, mappingPath, disk, diskPath });
    // The process may have exited while its mapping was read: the open fd still holds the file.
    return interpret({ ...located, hostPath: decided.elfPath }, decided.file, 'pid', null, decided);
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}

async function statTextAsync(pid: number): Promise<string | null> {
  try {
    return await readFile(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
}

/** As {@link probePidSync}, with the file work off the main thread. */
export async function probePid(pid: number, hooks: PidProbeHooks = {}): Promise<LibcInfo> {
  const mapsPath = `/proc/${pid}/maps`;
  let mapsText: string;
  try {
    mapsText = await readFile(mapsPath, 'latin1');
  } catch (error) {
    throw pidError(pid, error, 'open', mapsPath, await statTextAsync(pid));
  }
  const entries = parseMaps(mapsText);
  if (entries.length === 0 && gone(await statTextAsync(pid))) throw esrch(pid, undefined);
  const found = locateInMaps(pid, entries);
  await hooks.afterMaps?.();
  let sameNs = true;
  try {
    sameNs = (await readlink('/proc/self/ns/mnt')) === (await readlink(`/proc/${pid}/ns/mnt`));
  } catch {
    sameNs = true;
  }
  let rootLink = '/';
  try {
    rootLink = await readlink(`/proc/${pid}/root`);
  } catch {
    rootLink = '/';
  }
  const { located, diskPath } = placed(pid, found, rootLink, sameNs);
  const mappingPath = `/proc/${pid}/map_files/${located.entry.range}`;
  const handles: FileHandle[] = [];
  try {
    const attempt = async (path: string, isProc: boolean, read: (s: BigIntStats) => boolean): Promise<Attempt> => {
      try {
        const handle = await open(path, 'r');
        handles.push(handle);
        const s = await handle.stat({ bigint: true });
        return {
          ok: true,
          read: { path, stat: s, file: read(s) ? await scan(handle.fd, path) : null },
          elfPath: `/proc/self/fd/${handle.fd}`,
        };
      } catch (error) {
        if (stopsProbe(error)) throw error;
        const typed = isProc ? pidError(pid, error, 'open', path, await statTextAsync(pid)) : fromFsError(error, path, 'open');
        if (typed.code === 'ESRCH') throw typed;
        return { ok: false, error: typed };
      }
    };
    const mapping = await attempt(mappingPath, true, always);
    const disk = await attempt(diskPath, !sameNs, needsReading(mapping));
    const decided = decide(pid, { located, mapping, mappingPath, disk, diskPath });
    return interpret({ ...located, hostPath: decided.elfPath }, decided.file, 'pid', null, decided);
  } finally {
    for (const handle of handles) await handle.close();
  }
}
