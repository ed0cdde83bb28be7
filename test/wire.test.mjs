// One wire format: the addon and the WebAssembly core send the same JSON text for the same question
// (src/backends/wire.ts decodes it once for both), byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { materializeRoot, root, skipUnless, wasmCorePresent } from './helpers.mjs';

const require = createRequire(import.meta.url);
const addonPath = join(root, 'build', 'Release', 'sysprobe.node');
const linux = process.platform === 'linux';
const skip = skipUnless(linux && existsSync(addonPath) && wasmCorePresent, `needs Linux, ${addonPath} and prebuilds/wasm32/sysprobe.wasm`);

function load() {
  const holder = { exports: {} };
  process.dlopen(holder, addonPath);
  const addon = holder.exports;
  addon.init(require('../dist/errors.js').SysprobeError);
  const core = require('../dist/backends/wasm/core.js');
  const { resolveRequest } = require('../dist/backends/wire.js');
  return { addon, core, resolveRequest };
}

const bytes = (text) => (typeof text === 'string' ? Buffer.from(text) : Buffer.from(text.buffer, text.byteOffset, text.byteLength));
const same = (addonText, wasmText, what) =>
  assert.ok(bytes(addonText).equals(bytes(wasmText)), `${what}: the addon's and the wasm core's text differ`);

test('ELF files and ld.so.cache: the same text from the addon and the wasm core', { skip }, () => {
  const { addon, core } = load();
  const files = [
    realpathSync(process.execPath),
    '/bin/sh',
    '/lib/x86_64-linux-gnu/libc.so.6',
    '/lib/x86_64-linux-gnu/libstdc++.so.6',
  ].filter((file) => existsSync(file));
  assert.ok(files.length >= 2);
  for (const file of files) {
    // Not 'demangled': the wasm build's demangler (LLVM's) words some names differently from libstdc++'s.
    for (const symbols of [false, true]) {
      for (const crossCheck of [true, false]) {
        same(
          addon.readElfSync(file, symbols, crossCheck, true),
          core.wasmReadElf(file, symbols, crossCheck, false),
          `${file} ${symbols} ${crossCheck}`,
        );
      }
    }
  }
  if (existsSync('/etc/ld.so.cache'))
    same(addon.readLdSoCacheSync('/etc/ld.so.cache'), core.wasmReadLdSoCache('/etc/ld.so.cache'), 'ld.so.cache');
});

test('Go build info: the same text from the addon and the wasm core, from paths and from bytes', { skip }, async () => {
  const { addon, core } = load();
  const { goExeVariants } = await import('./go-exe-build.mjs');
  const files = ['/usr/bin/gopls', '/usr/bin/dlv', '/usr/lib/go-1.19/bin/gofmt'].filter((f) => existsSync(f));
  for (const file of files) same(addon.readGoBuildInfoSync(file, true), core.wasmReadGoBuildInfo(file, false), file);
  for (const { name, bytes } of goExeVariants()) same(addon.readGoBuildInfoSync(bytes, false), core.wasmReadGoBuildInfo(bytes, true), name);
  assert.throws(() => core.wasmReadGoBuildInfo('/bin/ls', false), { code: 'ERR_SYSPROBE_NOT_GO', path: '/bin/ls' });
});

test('/proc facts (limits, environment): the same text from the addon and the wasm core', { skip }, () => {
  const { addon, core } = load();
  same(addon.rlimitsSync(-1, 'procfs'), core.wasmProcLimits(-1), 'rlimits');
  same(addon.rlimitsSync(process.pid, 'procfs'), core.wasmProcLimits(process.pid), 'rlimits of a pid');
  same(addon.processEnvSync(process.pid), core.wasmProcessEnv(process.pid), 'environment');
});

for (const name of ['bullseye-amd64', 'musl-amd64']) {
  const rootSkip = skip || skipUnless(materializeRoot(name) !== null, `needs ../shared/corpus/roots/${name}`);
  test(`resolveDeps in the ${name} corpus root: the same request and the same answer from both`, { skip: rootSkip }, () => {
    const { addon, core, resolveRequest } = load();
    const dir = materializeRoot(name);
    const programs = ['/bin/ls', '/bin/sh', '/usr/bin/env', '/usr/bin/hello'];
    let compared = 0;
    for (const program of programs) {
      for (const options of [
        { root: dir, cwd: '/' },
        { root: dir, cwd: '/', versions: true, useCache: false },
        { root: Buffer.from(dir), cwd: '/', hwcaps: [], platform: 'x86_64', ldLibraryPath: '/lib:/nowhere' },
      ]) {
        let addonText;
        try {
          addonText = addon.resolveDepsSync(resolveRequest(program, options));
        } catch (error) {
          assert.throws(() => core.wasmResolveDeps(program, options), { code: error.code });
          continue;
        }
        same(addonText, core.wasmResolveDeps(program, options), `${name} ${program} ${JSON.stringify(options)}`);
        compared += 1;
      }
    }
    assert.ok(compared > 0, 'no program of the root resolved');
  });
}
