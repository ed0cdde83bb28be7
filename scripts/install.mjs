// npm install hook: use the shipped prebuild when it loads in this Node, otherwise build from
// source with node-gyp (npm 11 skips dependency install scripts by default: then the prebuild is
// used as shipped, and the loader explains what it tried if nothing fits).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceHash } from './native-sources.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prebuild = join(
  root,
  'prebuilds',
  `${process.platform}-${process.arch}`,
  process.platform === 'linux' ? 'sysprobe.glibc.node' : 'sysprobe.node',
);

// A prebuild made from other sources (a checkout edited after `npm run prebuild`) is not used.
function prebuildIsCurrent() {
  try {
    return JSON.parse(readFileSync(join(root, 'prebuilds', 'manifest.json'), 'utf8')).sourceHash === sourceHash(root);
  } catch {
    return false;
  }
}

if (process.env.SYSPROBE_BUILD_FROM_SOURCE !== '1' && existsSync(prebuild) && !prebuildIsCurrent()) {
  console.log('sysprobe: the prebuilt addon was built from other sources; building from source');
} else if (process.env.SYSPROBE_BUILD_FROM_SOURCE !== '1' && existsSync(prebuild)) {
  try {
    process.dlopen({ exports: {} }, prebuild);
    console.log(`sysprobe: using the prebuilt addon ${prebuild}`);
    process.exit(0);
  } catch (error) {
    console.log(`sysprobe: the prebuilt addon does not load here (${error.message.split('\n')[0]}); building from source`);
  }
}

const nodeGyp = process.env.npm_config_node_gyp;
const [command, args] = nodeGyp ? [process.execPath, [nodeGyp, 'rebuild']] : ['node-gyp', ['rebuild']];
const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
if (result.error) {
  console.error(`sysprobe: could not run node-gyp: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
