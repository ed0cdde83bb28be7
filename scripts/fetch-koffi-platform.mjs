// node scripts/fetch-koffi-platform.mjs TARGET: koffi's native package for another platform
// (@koromix/koffi-<TARGET>, the version of the installed koffi) from the npm registry, unpacked under
// .cache/koffi/<TARGET>/package. Prints its path. npm installs only this platform's package; the tests
// use this one to run the koffi backend in Windows Node under wine. Never used by the library itself.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function fetchKoffiPlatform(target) {
  if (!/^[a-z0-9]+-[a-z0-9]+$/.test(target ?? '')) throw new Error('usage: fetch-koffi-platform.mjs TARGET (e.g. win32-x64)');
  const koffiDir = dirname(createRequire(join(root, 'package.json')).resolve('koffi'));
  const version = JSON.parse(readFileSync(join(koffiDir, 'package.json'), 'utf8')).version;
  const dir = join(root, '.cache', 'koffi', target);
  const packageDir = join(dir, 'package');
  if (
    existsSync(join(packageDir, 'package.json')) &&
    JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version === version
  )
    return packageDir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['pack', `@koromix/koffi-${target}@${version}`, '--silent'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(dir).find((file) => file.endsWith('.tgz'));
  execFileSync('tar', ['xzf', tarball], { cwd: dir });
  rmSync(join(dir, tarball));
  return packageDir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(fetchKoffiPlatform(process.argv[2]));
}
