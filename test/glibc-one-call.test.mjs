// probeGlibc({ root }) is one call into the core (native/core/libc_root.h), sync and async, on both
// backends: the binding object is wrapped in a fresh process and every call counted. probeGlibc({ pid })
// reads the mapped libc with one call as well (its disk file is the mapped one, so not read again).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildElf } from './elf-build.mjs';
import { corpusRoot, koffiCoreSkip, materializeRoot, runNode } from './helpers.mjs';

const dir = mkdtempSync(join(tmpdir(), 'sysprobe-one-call-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** /bin/sh needs libc.so.6, found in /lib64 (the default directory without a loader), whose banner says 2.99. */
let builtRoot = null;
function glibcRoot() {
  if (builtRoot !== null) return builtRoot;
  const root = join(dir, 'root');
  builtRoot = root;
  mkdirSync(join(root, 'bin'), { recursive: true });
  mkdirSync(join(root, 'lib64'));
  const elf = (spec) => buildElf({ cls: 64, big: false, machine: 62, ...spec });
  writeFileSync(join(root, 'bin', 'sh'), elf({ needed: ['libc.so.6'] }));
  writeFileSync(
    join(root, 'lib64', 'libc.so.6'),
    Buffer.concat([
      elf({
        soname: 'libc.so.6',
        defs: [
          { name: 'libc.so.6', index: 1, base: true },
          { name: 'GLIBC_2.99', index: 2 },
        ],
      }),
      Buffer.from('GNU C Library (test) stable release version 2.99.\0'),
    ]),
  );
  return root;
}

const COUNT = `
  import { createRequire } from 'node:module';
  import { spawn } from 'node:child_process';
  import { probeGlibc, probeGlibcSync } from 'sysprobe';
  const { binding } = createRequire(process.cwd() + '/package.json')('./dist/backends/loader.js');
  const native = binding();
  let calls = [];
  for (const [name, fn] of Object.entries(native)) {
    if (typeof fn === 'function') native[name] = (...args) => { calls.push(name); return fn.apply(native, args); };
  }
  const counted = async (work) => { calls = []; const info = await work(); return { calls, version: info.version }; };
  const out = {};
  for (const root of JSON.parse(process.env.ROOTS)) {
    out[root] = { sync: await counted(() => probeGlibcSync({ root })), async: await counted(() => probeGlibc({ root })) };
  }
  if (process.platform === 'linux') {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    try {
      out.pid = { sync: await counted(() => probeGlibcSync({ pid: child.pid })), async: await counted(() => probeGlibc({ pid: child.pid })) };
    } finally { child.kill(); }
  }
  console.log(JSON.stringify(out));
`;

for (const backend of ['addon', 'koffi']) {
  test(`probeGlibc({ root }) makes one binding call, sync and async (${backend})`, {
    skip: backend === 'koffi' ? koffiCoreSkip : false,
  }, () => {
    const synthetic = glibcRoot();
    const roots = [
      synthetic,
      '/',
      ...['bullseye-amd64', 'musl-amd64'].filter((name) => corpusRoot(name) !== null).map((name) => materializeRoot(name)),
    ];
    const result = runNode(COUNT, { SYSPROBE_BACKEND: backend, ROOTS: JSON.stringify(roots) });
    assert.equal(result.status, 0, result.stderr);
    const out = JSON.parse(result.stdout.trim().split('\n').pop());
    for (const root of roots) {
      assert.deepEqual(out[root].sync.calls, ['probeLibcRootSync'], root);
      assert.deepEqual(out[root].async.calls, ['probeLibcRoot'], root);
      assert.equal(out[root].async.version, out[root].sync.version, root);
    }
    assert.equal(out[synthetic].sync.version, '2.99');
    if (out.pid !== undefined) {
      assert.deepEqual(out.pid.sync.calls, ['scanLibcFileSync']);
      assert.deepEqual(out.pid.async.calls, ['scanLibcFile']);
    }
  });
}
