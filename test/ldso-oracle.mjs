// The glibc loader as an oracle: its listing parsed the way resolveDeps reports it. Shared by the tests
// and bench/deps.mjs.
import { closeSync, openSync, readSync } from 'node:fs';

/** True when the file starts with the ELF magic. */
export function isElf(path) {
  try {
    const fd = openSync(path, 'r');
    try {
      const b = Buffer.alloc(4);
      readSync(fd, b, 0, 4, 0);
      return b.toString('latin1') === '\x7fELF';
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** `ld.so --list` / LD_TRACE_LOADED_OBJECTS stdout as "name => path" lines (the loader as "path => path"; vdso left out). */
export function parseList(stdout) {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('\t') && !l.includes('linux-vdso') && !l.includes('statically linked'))
    .map((l) => {
      const m = /^\t(.*?)(?: => (.*?))?(?: \(0x[0-9a-f]+\))?$/.exec(l);
      return `${m[1]} => ${m[2] ?? m[1]}`;
    });
}

/** A DepsResult in the same form. */
export const asList = (deps) => deps.libraries.map((l) => `${l.name} => ${l.path ?? 'not found'}`);
