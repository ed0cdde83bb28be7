// Async readElf on bytes whose ArrayBuffer the caller detaches before the promise settles
// (structuredClone / postMessage transfer, ArrayBuffer#transfer where Node has it): the addon parsed
// the freed backing store (wrong answers, SIGSEGV when the pages were unmapped). A child process runs
// the stress for a bounded time, so that a crash is seen as a signal; every answer must equal the sync
// parse of the original bytes. Both backends (the koffi one copies the bytes to its worker).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { koffiWithoutCore, root, run, skipUnless } from './helpers.mjs';

const candidates = ['/usr/lib/x86_64-linux-gnu/libstdc++.so.6', '/usr/lib/aarch64-linux-gnu/libstdc++.so.6', process.execPath];
const file = candidates.find((path) => existsSync(path));

test('readElf(bytes) survives the caller detaching the ArrayBuffer while it runs', {
  timeout: 60_000,
  skip: skipUnless(!koffiWithoutCore, 'the koffi backend without its WebAssembly core cannot read ELF'),
}, () => {
  const result = run(process.execPath, ['--expose-gc', join(root, 'test', 'elf-detach-child.mjs'), file, '6'], { cwd: root });
  assert.equal(result.signal, null, `the child was killed by ${result.signal}\n${result.stderr}`);
  assert.equal(result.status, 0, result.stderr);
  const summary = JSON.parse(result.stdout.trim().split('\n').at(-1));
  assert.ok(summary.calls >= 32, `too few calls in the time given: ${result.stdout}`);
  assert.equal(summary.wrong, 0, `answers differing from the bytes given: ${result.stdout}`);
});
