// Free space and inodes of the filesystem that holds a path (statfs), and whether it is writable: a full
// GOCACHE, GOMODCACHE or /tmp disk, or one out of inodes, makes `go build` and gopls fail in ways that name neither.
import { type BigIntStatsFs, accessSync, constants, realpathSync, statSync, statfsSync } from 'node:fs';
import { access, realpath, stat, statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fromFsError, invalidArgument } from '../../errors.js';
import { readTextOrNull, readTextOrNullSync } from '../../util/bounded-read.js';
import { MAX_MOUNTINFO_BYTES, type MountEntry, mountOf, parseMountinfo } from '../../util/mountinfo.js';

export interface FsSpace {
  /** The path asked about, resolved to absolute. */
  path: string;
  /** statfs f_type (the filesystem's magic number). */
  type: number;
  /** The usual name of {@link type} (`'ext4'` for ext2/3/4, `'tmpfs'`, `'xfs'`, …), or null when unknown. */
  typeName: string | null;
  /** f_bsize: the unit of the block counts. */
  blockSize: number;
  blocks: bigint;
  blocksFree: bigint;
  /** Free blocks an unprivileged user may use (ext4 keeps ~5 % for root). */
  blocksAvailable: bigint;
  bytesAvailable: bigint;
  bytesTotal: bigint;
  files: bigint;
  filesFree: bigint;
  /** The mount holding the path is read-only (`ro` in its mount or superblock options); null when mountinfo cannot be read. */
  readOnly: boolean | null;
  /** access(W_OK) of the path, or of {@link nearestExisting} when the path does not exist (can it be created?). */
  writable: boolean;
  exists: boolean;
  /** The path itself, or its nearest existing ancestor: what statfs was asked about. */
  nearestExisting: string;
  /** Where the filesystem is mounted, its type as mountinfo names it, and the mount options; null without mountinfo. */
  mount: { mountPoint: string; fsType: string; source: string; options: string[] } | null;
}

/** statfs f_type values (linux/magic.h). */
const MAGIC: ReadonlyMap<number, string> = new Map([
  [0xef53, 'ext4'],
  [0x01021994, 'tmpfs'],
  [0x58465342, 'xfs'],
  [0x9123683e, 'btrfs'],
  [0x794c7630, 'overlay'],
  [0x65735546, 'fuse'],
  [0x5346544e, 'ntfs'],
  [0x7366746e, 'ntfs3'],
  [0x4d44, 'vfat'],
  [0x2011bab0, 'exfat'],
  [0x6969, 'nfs'],
  [0xff534d42, 'cifs'],
  [0xfe534d42, 'smb2'],
  [0x01021997, '9p'],
  [0x2fc12fc1, 'zfs'],
  [0xf2f52010, 'f2fs'],
  [0x73717368, 'squashfs'],
  [0x9660, 'iso9660'],
  [0x858458f6, 'ramfs'],
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0xcafe4a11, 'bpf'],
  [0xf15f, 'ecryptfs'],
  [0x6e736673, 'nsfs'],
  [0xca451a4e, 'bcachefs'],
  [0x00c36400, 'ceph'],
  [0x5a3c69f0, 'aufs'],
]);

/** The usual name of a statfs magic number, or null. */
export function fsTypeName(type: number): string | null {
  return MAGIC.get(type >>> 0) ?? null;
}

const MAX_ANCESTORS = 4096;

function checkPath(path: unknown): string {
  if (typeof path !== 'string' || path === '' || path.includes('\0'))
    throw invalidArgument('probeFsSpace(): path must be a non-empty string');
  return resolve(path);
}

function shape(
  path: string,
  nearest: string,
  exists: boolean,
  stats: BigIntStatsFs,
  writable: boolean,
  mountinfo: string | null,
  real: string,
): FsSpace {
  const blockSize = Number(stats.bsize);
  let mount: MountEntry | null = null;
  if (mountinfo !== null) mount = mountOf(parseMountinfo(mountinfo), real);
  const readOnly = mount === null ? null : mount.options.includes('ro') || mount.superOptions.includes('ro');
  // f_type is a 32-bit magic number, sign-extended where long is 32 bits.
  const type = Number(stats.type & 0xffffffffn);
  return {
    path,
    type,
    typeName: process.platform === 'linux' ? fsTypeName(type) : null,
    blockSize,
    blocks: stats.blocks,
    blocksFree: stats.bfree,
    blocksAvailable: stats.bavail,
    bytesAvailable: stats.bavail * stats.bsize,
    bytesTotal: stats.blocks * stats.bsize,
    files: stats.files,
    filesFree: stats.ffree,
    readOnly,
    writable,
    exists,
    nearestExisting: nearest,
    mount: mount === null ? null : { mountPoint: mount.mountPoint, fsType: mount.fsType, source: mount.source, options: mount.options },
  };
}

const missing = (error: unknown): boolean => {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/**
 * The space, inodes and writability of the filesystem holding `path` (or, when it does not exist, its nearest
 * existing ancestor). Throws the fs error of statfs (EACCES, ELOOP …) as a SysprobeError, ERR_SYSPROBE_INVALID_ARG.
 */
export function probeFsSpaceSync(path: string): FsSpace {
  const absolute = checkPath(path);
  let nearest = absolute;
  let exists = true;
  let isDir = false;
  for (let i = 0; ; i++) {
    try {
      isDir = statSync(nearest).isDirectory();
      break;
    } catch (error) {
      if (!missing(error) || nearest === '/' || i >= MAX_ANCESTORS) throw fromFsError(error, nearest, 'stat');
      exists = false;
      nearest = dirname(nearest);
    }
  }
  let stats: BigIntStatsFs;
  try {
    stats = statfsSync(nearest, { bigint: true });
  } catch (error) {
    throw fromFsError(error, nearest, 'statfs');
  }
  let writable = exists || isDir; // nothing can be made below a file
  try {
    if (writable) accessSync(nearest, constants.W_OK);
  } catch {
    writable = false;
  }
  let real = nearest;
  try {
    real = realpathSync(nearest);
  } catch {}
  const mountinfo = process.platform === 'linux' ? readTextOrNullSync('/proc/self/mountinfo', MAX_MOUNTINFO_BYTES) : null;
  return shape(absolute, nearest, exists, stats, writable, mountinfo, real);
}

/** As {@link probeFsSpaceSync}, on the libuv thread pool. */
export async function probeFsSpace(path: string): Promise<FsSpace> {
  const absolute = checkPath(path);
  let nearest = absolute;
  let exists = true;
  let isDir = false;
  for (let i = 0; ; i++) {
    try {
      isDir = (await stat(nearest)).isDirectory();
      break;
    } catch (error) {
      if (!missing(error) || nearest === '/' || i >= MAX_ANCESTORS) throw fromFsError(error, nearest, 'stat');
      exists = false;
      nearest = dirname(nearest);
    }
  }
  let stats: BigIntStatsFs;
  try {
    stats = await statfs(nearest, { bigint: true });
  } catch (error) {
    throw fromFsError(error, nearest, 'statfs');
  }
  const writable =
    (exists || isDir) &&
    (await access(nearest, constants.W_OK).then(
      () => true,
      () => false,
    ));
  const real = await realpath(nearest).catch(() => nearest);
  const mountinfo = process.platform === 'linux' ? await readTextOrNull('/proc/self/mountinfo', MAX_MOUNTINFO_BYTES) : null;
  return shape(absolute, nearest, exists, stats, writable, mountinfo, real);
}
