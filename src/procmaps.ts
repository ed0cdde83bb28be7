import { readFileSync } from 'node:fs';

/**
 * The files a process has mapped, in first-mapped order, from /proc/PID/maps. Used where the addon
 * cannot answer (explaining why it failed to load); the addon's dl_iterate_phdr is the primary source.
 */
export function mappedFiles(pid: number | 'self' = 'self'): string[] {
  const text = readFileSync(`/proc/${pid}/maps`, 'latin1');
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    // address perms offset dev inode pathname — the pathname starts after the fifth field.
    const match = /^\S+\s+\S+\s+\S+\s+\S+\s+(\d+)\s+(\/.*)$/.exec(line);
    if (match === null || match[1] === '0') continue;
    seen.add(match[2]!.replace(/ \(deleted\)$/, ''));
  }
  return [...seen];
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
