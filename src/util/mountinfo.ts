// /proc/PID/mountinfo (proc(5)): one mount a line,
//   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
// with spaces, tabs, newlines and backslashes in paths escaped as \040, \011, \012, \134.

export interface MountEntry {
  mountId: number;
  parentId: number;
  /** `major:minor` of the filesystem. */
  device: string;
  /** The directory of the filesystem that is the root of this mount (a bind mount or a cgroup namespace shows a subdirectory). */
  root: string;
  mountPoint: string;
  /** Per-mount options (`rw`/`ro`, `nosuid`, …). */
  options: string[];
  fsType: string;
  source: string;
  /** Per-superblock options (for cgroup v1 the controllers, e.g. `memory`). */
  superOptions: string[];
}

/** Lines examined: far more mounts than a real system has, finite whatever the file holds. */
export const MAX_MOUNTS = 16_384;
/** Bytes of mountinfo read (about 150 bytes a line). */
export const MAX_MOUNTINFO_BYTES = 4 * 1024 * 1024;

const unescapeOctal = (field: string): string =>
  field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));

/** The mounts of a mountinfo text, in file order (mounts stacked later on the same point come later); malformed lines are skipped. */
export function parseMountinfo(text: string): MountEntry[] {
  const mounts: MountEntry[] = [];
  for (const line of text.split('\n', MAX_MOUNTS)) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    if (dash < 0 || fields.length < dash + 3) continue;
    const [id, parent, device, root, mountPoint, options] = fields;
    mounts.push({
      mountId: Number(id),
      parentId: Number(parent),
      device: device!,
      root: unescapeOctal(root!),
      mountPoint: unescapeOctal(mountPoint!),
      options: options!.split(','),
      fsType: fields[dash + 1]!,
      source: unescapeOctal(fields[dash + 2]!),
      superOptions: (fields[dash + 3] ?? '').split(','),
    });
  }
  return mounts;
}

/** Whether `path` is `dir` or inside it (both absolute, normalised). */
export function isWithin(path: string, dir: string): boolean {
  return dir === '/' || path === dir || path.startsWith(`${dir}/`);
}

/** The mount that holds the absolute, symlink-free `path`: the longest mount point containing it, the last mounted on ties. */
export function mountOf(mounts: MountEntry[], path: string): MountEntry | null {
  let best: MountEntry | null = null;
  for (const mount of mounts) {
    if (!isWithin(path, mount.mountPoint)) continue;
    if (best === null || mount.mountPoint.length >= best.mountPoint.length) best = mount;
  }
  return best;
}
