// The core as WebAssembly (prebuilds/wasm32/sysprobe.wasm): what it asks of its host, and that the host
// (src/backends/wasm/host.ts) answers all of it. The answers themselves are compared with the addon's in koffi.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, skipUnless } from './helpers.mjs';

const wasmPath = join(root, 'prebuilds', 'wasm32', 'sysprobe.wasm');

test('the wasm core imports only WASI preview 1 file calls and the three sysprobe host calls, and exports a C ABI', {
  skip: skipUnless(existsSync(wasmPath), 'needs the core as WebAssembly (npm run prebuild -- wasm32)'),
}, () => {
  const module = new WebAssembly.Module(readFileSync(wasmPath));
  const imports = WebAssembly.Module.imports(module)
    .map((i) => `${i.module}.${i.name}`)
    .sort();
  const wasi = [
    'fd_close',
    'fd_fdstat_get',
    'fd_filestat_get',
    'fd_pread',
    'fd_prestat_dir_name',
    'fd_prestat_get',
    'fd_read',
    'fd_readdir',
    'fd_seek',
    'fd_write',
    'path_filestat_get',
    'path_open',
    'path_readlink',
    'proc_exit',
  ].map((n) => `wasi_snapshot_preview1.${n}`);
  const host = ['geteuid', 'kcmp_file', 'kcmp_works', 'realpath'].map((n) => `sysprobe.${n}`);
  assert.deepEqual(imports, [...host, ...wasi].sort());
  // No clock, random, sockets, environment or arguments: nothing of the host but files is reachable.
  assert.equal(
    imports.some((name) => /clock|random|sock|environ|args/.test(name)),
    false,
  );
  const exports = WebAssembly.Module.exports(module)
    .map((e) => e.name)
    .sort();
  for (const name of [
    'memory',
    '_initialize',
    'sysprobe_alloc',
    'sysprobe_free',
    'sysprobe_result_data',
    'sysprobe_result_size',
    'sysprobe_read_elf_path',
    'sysprobe_read_elf_bytes',
    'sysprobe_read_ld_so_cache',
    'sysprobe_resolve_deps',
    'sysprobe_decode_reparse',
    'sysprobe_process_env',
    'sysprobe_inotify',
    'sysprobe_proc_limits',
    'sysprobe_set_host',
  ]) {
    assert.ok(exports.includes(name), `exports ${name}`);
  }
});
