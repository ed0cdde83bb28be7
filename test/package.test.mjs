// The package as consumers load it: ESM and CommonJS share one module instance and one error
// class, and both have type declarations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as esm from 'sysprobe';
import { root, run } from './helpers.mjs';

const require = createRequire(join(root, 'test', 'x.cjs'));

test('ESM import and require() give the same functions, class and cache', () => {
  const cjs = require('sysprobe');
  const names = [
    'RLIMIT_NAMES',
    'SysprobeError',
    'backend',
    'checkCompat',
    'checkCompatSync',
    'configure',
    'decodeReparseBuffer',
    'diffEnv',
    'expandSettingPath',
    'explainPath',
    'findGoModules',
    'findGoModulesSync',
    'getRlimits',
    'getRlimitsSync',
    'lookPath',
    'lookPathSync',
    'parseJsonc',
    'goBuildSetting',
    'parseGoVersion',
    'probeGlibc',
    'probeGlibcSync',
    'probeGoToolchain',
    'probeGoToolchainSync',
    'probeInotify',
    'probeInotifySync',
    'probeProcessEnv',
    'probeProcessEnvSync',
    'probeReparsePoint',
    'probeReparsePointSync',
    'probeVscodeSettings',
    'probeVscodeSettingsSync',
    'readElf',
    'readElfSync',
    'readGoMod',
    'readGoModSync',
    'readGoBuildInfo',
    'readGoBuildInfoSync',
    'readLdSoCache',
    'readLdSoCacheSync',
    'reparseRuntimeViews',
    'resolveDeps',
    'resolveDepsSync',
    'scanElf',
    'scanReparsePoints',
    'setRlimit',
    'setRlimitSync',
    'findProcesses',
    'findProcessesSync',
    'nearestShellAncestor',
    'processNode',
    'probeCgroupMemory',
    'probeCgroupMemorySync',
    'probeFsSpace',
    'probeFsSpaceSync',
    'measureDirSize',
    'measureDirSizeSync',
    'matchCrashSignatures',
    'readCrashLog',
    'readCrashLogSync',
    'doctor',
    'doctorSync',
    'explainPathSync',
  ].sort();
  assert.deepEqual(
    Object.keys(esm)
      .filter((k) => k !== 'default')
      .sort(),
    names,
  );
  assert.deepEqual(Object.keys(cjs).sort(), names);
  for (const name of names) assert.equal(esm[name], cjs[name], name);
  assert.equal(esm.probeGlibcSync(), cjs.probeGlibcSync());
});

test('the exports map points at files that exist, types first', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const condition of ['import', 'require']) {
    const entry = pkg.exports['.'][condition];
    assert.equal(Object.keys(entry)[0], 'types');
    for (const file of Object.values(entry)) assert.ok(existsSync(join(root, file)), file);
  }
  assert.ok(existsSync(join(root, pkg.bin.sysprobe)));
});

test('TypeScript consumers in ESM and CommonJS type-check against the published declarations', () => {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = run(process.execPath, [tsc, '-p', join(root, 'test', 'types', 'tsconfig.json')], { cwd: root });
  assert.equal(result.status, 0, result.stdout + result.stderr);
});
