// The addon's inputs as both builds see them: the source lists of native/sources.gypi and a hash
// of everything that goes into a binary, so a prebuild can be checked against the current sources.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

export function sourceLists(root) {
  const gypi = readFileSync(join(root, 'native', 'sources.gypi'), 'utf8');
  const list = (name) => {
    const block = new RegExp(`'${name}'\\s*:\\s*\\[([^\\]]*)\\]`).exec(gypi);
    if (block === null) throw new Error(`native/sources.gypi has no list '${name}'`);
    return [...block[1].matchAll(/'(native\/[^']+)'/g)].map((m) => m[1]);
  };
  return { core: list('sysprobe_core_sources'), binding: list('sysprobe_binding_sources'), wasm: list('sysprobe_wasm_sources') };
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** sha256 over package.json's version and every file under native/ except tests and fuzzers. */
export function sourceHash(root) {
  const hash = createHash('sha256');
  hash.update(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  const files = walk(join(root, 'native'))
    .map((file) => relative(root, file).split('\\').join('/'))
    .filter((file) => !/^native\/(test|fuzz)\//.test(file))
    .sort();
  for (const file of files) {
    hash.update(`\0${file}\0`);
    hash.update(readFileSync(join(root, file)));
  }
  return hash.digest('hex');
}
