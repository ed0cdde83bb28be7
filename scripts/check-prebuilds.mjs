// npm pack / npm publish gate: every prebuild target exists and was built from the current sources.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceHash } from './native-sources.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const required = ['linux-x64', 'linux-arm64', 'win32-x64', 'wasm32'];
const manifestPath = join(root, 'prebuilds', 'manifest.json');
const problems = [];
if (!existsSync(manifestPath)) {
  problems.push('prebuilds/manifest.json is missing: run npm run prebuild');
} else {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  if (manifest.version !== version) problems.push(`prebuilds are for version ${manifest.version}, the package is ${version}`);
  if (manifest.sourceHash !== sourceHash(root)) problems.push('prebuilds were built from other sources than these: run npm run prebuild');
  for (const target of required) {
    const entry = manifest.targets?.[target];
    if (!entry) {
      problems.push(`no prebuild for ${target}`);
      continue;
    }
    const file = join(root, entry.file);
    if (!existsSync(file)) {
      problems.push(`${entry.file} is missing`);
      continue;
    }
    if (createHash('sha256').update(readFileSync(file)).digest('hex') !== entry.sha256)
      problems.push(`${entry.file} differs from the one built`);
  }
}
if (problems.length > 0) {
  console.error(`sysprobe: not packing:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('sysprobe: prebuilds match the sources');
