import { readFileSync } from 'node:fs';

/** One file-backed line of /proc/PID/maps. */
export interface MapsEntry {
  /** "START-END" in hex, as /proc/PID/map_files names the mapping. */
  range: string;
  offset: bigint;
  /** The device and inode of the mapped file: its identity, whatever now has its name. */
  major: number;
  minor: number;
  inode: bigint;
  /**
   * The file's path as the kernel prints it: relative to the root of the process reading maps (d_path
   * against the reader's root), not the mapped process's. A chrooted process's libc shows with its
   * chroot's prefix; a process in another mount namespace, from the root of its mounts.
   */
  path: string;
  /** The kernel appended " (deleted)": the name no longer leads to the mapped file. */
  deleted: boolean;
}

const LINE = /^([0-9a-f]+-[0-9a-f]+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+):([0-9a-f]+)\s+(\d+)\s+(\/.*)$/;

/** The file-backed mappings of /proc/PID/maps text, in address order. */
export function parseMaps(text: string): MapsEntry[] {
  const out: MapsEntry[] = [];
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (match === null || match[5] === '0') continue;
    let path = match[6]!;
    const deleted = path.endsWith(' (deleted)');
    if (deleted) path = path.slice(0, -' (deleted)'.length);
    // seq_file_path() escapes the newline of a name as \012 (and nothing else).
    path = path.replace(/\\012/g, '\n');
    out.push({
      range: match[1]!,
      offset: BigInt(`0x${match[2]}`),
      major: parseInt(match[3]!, 16),
      minor: parseInt(match[4]!, 16),
      inode: BigInt(match[5]!),
      path,
      deleted,
    });
  }
  return out;
}

/**
 * The files a process has mapped, in first-mapped order, from /proc/PID/maps. Used where the addon
 * cannot answer (explaining why it failed to load); the addon's dl_iterate_phdr is the primary source.
 */
export function mappedFiles(pid: number | 'self' = 'self'): string[] {
  return [...new Set(parseMaps(readFileSync(`/proc/${pid}/maps`, 'latin1')).map((entry) => entry.path))];
}

export type LibcFamilyGuess = { family: 'glibc' | 'musl' | 'unknown'; loader: string | null };

/** musl's dynamic loader (also its C library): ld-musl-ARCH.so.1. */
export const MUSL_LOADER = /(^|\/)ld-musl-[^/]+\.so\.1$/;
/**
 * glibc's loader names across architectures: ld-linux*.so.N, ld64.so.1/2 (s390x, ppc64), ld.so.1,
 * and the versioned file names of glibc before 2.34 (ld-2.31.so).
 */
export const GLIBC_LOADER = /(^|\/)(ld-linux[^/]*\.so\.\d+|ld64\.so\.\d+|ld\.so\.1|ld-2\.\d+\.so)$/;

/** Names the C library family by the dynamic loader among mapped files. */
export function libcFamilyFromMappedFiles(files: readonly string[]): LibcFamilyGuess {
  for (const file of files) {
    if (MUSL_LOADER.test(file)) return { family: 'musl', loader: file };
    if (GLIBC_LOADER.test(file)) return { family: 'glibc', loader: file };
  }
  return { family: 'unknown', loader: null };
}
