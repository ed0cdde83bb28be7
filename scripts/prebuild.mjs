// npm run prebuild [-- TARGET...]: builds the addon for each target from this Linux machine into
// prebuilds/<platform>-<arch>/, with the same sources and config header as binding.gyp.
//   linux-x64, linux-arm64  glibc >= 2.17, static C++ runtime, only Node-API symbols exported
//   win32-x64               mingw-w64, linked against the node_api.def of node-api-headers
//   wasm32                  the C++ core alone (clang-14, wasm32-wasi), for the koffi backend (src/backends/wasm/host.ts)
// Each Linux binary is checked with readelf: no GLIBC_ version above the floor, no libstdc++ or
// libgcc_s needed. prebuilds/manifest.json records the source hash the binaries were built from.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceHash, sourceLists } from './native-sources.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const napiInclude = join(dirname(require.resolve('node-api-headers/package.json')), 'include');
const napiDef = join(dirname(require.resolve('node-api-headers/package.json')), 'def', 'node_api.def');
const addonApiInclude = require('node-addon-api').include_dir;

const GLIBC_FLOOR = [2, 17];

const common = [
  '-std=c++17',
  '-O2',
  '-fexceptions',
  '-fvisibility=hidden',
  '-fvisibility-inlines-hidden',
  '-ffunction-sections',
  '-fdata-sections',
  '-DNDEBUG',
  `-DSYSPROBE_VERSION="${version}"`,
  `-I${napiInclude}`,
  `-I${addonApiInclude}`,
  `-I${join(root, 'native')}`,
];

const linux = (triplet) => ({
  cxx: triplet ? `${triplet}-g++` : 'g++',
  readelf: 'readelf',
  file: 'sysprobe.glibc.node',
  compile: [
    ...common,
    '-fPIC',
    '-fstack-protector-strong',
    '-DSYSPROBE_GLIBC_FLOOR',
    '-include',
    join(root, 'native', 'prebuild', 'glibc_floor.h'),
  ],
  extraSources: ['native/prebuild/glibc_floor.cc'],
  link: [
    '-shared',
    '-static-libstdc++',
    '-static-libgcc',
    '-Wl,--gc-sections',
    '-Wl,-z,relro,-z,now',
    '-Wl,-z,noexecstack',
    '-Wl,--as-needed',
    `-Wl,--version-script=${join(root, 'native', 'exports.map')}`,
    '-ldl',
  ],
});

export const targets = {
  'linux-x64': linux(null),
  'linux-arm64': linux('aarch64-linux-gnu'),
  // The core without Node-API, for the koffi backend (src/backends/wasm/host.ts): one module for every platform.
  wasm32: {
    cxx: 'clang++-14',
    file: 'sysprobe.wasm',
    sources: 'wasm',
    compile: [
      '--target=wasm32-wasi',
      '-std=c++17',
      '-O2',
      '-fno-exceptions',
      '-fvisibility=hidden',
      '-DNDEBUG',
      `-I${join(root, 'native')}`,
    ],
    extraSources: [],
    link: ['--target=wasm32-wasi', '-mexec-model=reactor', '-Wl,--strip-all', '-Wl,--gc-sections'],
  },
  'win32-x64': {
    cxx: 'x86_64-w64-mingw32-g++-posix',
    file: 'sysprobe.node',
    compile: [...common, '-D_WIN32_WINNT=0x0A00', '-DUNICODE', '-D_UNICODE'],
    extraSources: [],
    importLibrary: true,
    link: ['-shared', '-static', '-static-libgcc', '-static-libstdc++', '-Wl,--gc-sections'],
  },
};

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8' });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

function compileAll(jobs, concurrency = 2) {
  // Plain sequential-by-slot spawning keeps this script dependency-free; compiles are short.
  const pending = [...jobs];
  const running = [];
  return new Promise((resolve, reject) => {
    const next = () => {
      if (pending.length === 0 && running.length === 0) return resolve();
      while (running.length < concurrency && pending.length > 0) {
        const { command, args } = pending.shift();
        const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
        running.push(child);
        child.on('error', reject);
        child.on('exit', (code) => {
          running.splice(running.indexOf(child), 1);
          if (code !== 0) return reject(new Error(`${command} exited with ${code}`));
          next();
        });
      }
    };
    next();
  });
}

const { spawn } = await import('node:child_process');

/** GLIBC version needs and DT_NEEDED of a Linux binary, read with readelf. */
export function linuxNeeds(readelf, file) {
  const versions = [...run(readelf, ['-V', '-W', file]).matchAll(/Name: (GLIBC_[0-9.]+)/g)].map((m) => m[1]);
  const needed = [...run(readelf, ['-d', '-W', file]).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
  return { versions: [...new Set(versions)], needed };
}

function aboveFloor(version) {
  const [major, minor] = version.slice('GLIBC_'.length).split('.').map(Number);
  return major > GLIBC_FLOOR[0] || (major === GLIBC_FLOOR[0] && minor > GLIBC_FLOOR[1]);
}

async function build(name) {
  const target = targets[name];
  const { core, binding, wasm } = sourceLists(root);
  const out = join(root, 'prebuilds', name);
  const objDir = join(root, 'build-prebuild', name);
  rmSync(objDir, { recursive: true, force: true });
  mkdirSync(objDir, { recursive: true });
  mkdirSync(out, { recursive: true });
  const sources = target.sources === 'wasm' ? wasm : [...core, ...binding, ...target.extraSources];
  const objects = sources.map((source) => join(objDir, source.replace(/[/\\]/g, '_') + '.o'));
  await compileAll(
    sources.map((source, i) => ({ command: target.cxx, args: [...target.compile, '-c', join(root, source), '-o', objects[i]] })),
  );
  const linkInputs = [...objects];
  if (target.importLibrary) {
    const lib = join(objDir, 'node_api.a');
    run('x86_64-w64-mingw32-dlltool', ['-d', napiDef, '-l', lib, '-D', 'node.exe']);
    linkInputs.push(lib);
  }
  const file = join(out, target.file);
  run(target.cxx, ['-o', file, ...linkInputs, ...target.link]);
  const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
  const entry = { file: `prebuilds/${name}/${target.file}`, sha256 };
  if (target.readelf) {
    const { versions, needed } = linuxNeeds(target.readelf, file);
    const tooNew = versions.filter(aboveFloor);
    const runtime = needed.filter((lib) => /^lib(stdc\+\+|gcc_s)\./.test(lib));
    if (tooNew.length > 0 || runtime.length > 0) {
      throw new Error(`${name}: needs ${[...tooNew, ...runtime].join(', ')} (floor GLIBC_${GLIBC_FLOOR.join('.')}, no C++ runtime)`);
    }
    entry.glibcVersions = versions;
    entry.needed = needed;
  }
  console.log(
    `${name}: ${entry.file} ${sha256.slice(0, 12)}${entry.glibcVersions ? ` needs ${entry.needed.join(' ')}; ${entry.glibcVersions.join(' ')}` : ''}`,
  );
  return entry;
}

const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(targets);
for (const name of wanted) if (!(name in targets)) throw new Error(`unknown target ${name}; known: ${Object.keys(targets).join(', ')}`);
const manifestPath = join(root, 'prebuilds', 'manifest.json');
const manifest = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : { targets: {} };
const hash = sourceHash(root);
if (manifest.sourceHash !== hash || manifest.version !== version) manifest.targets = {};
manifest.version = version;
manifest.sourceHash = hash;
manifest.napiVersion = 8;
for (const name of wanted) manifest.targets[name] = await build(name);
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
