// Child of test/elf-detach.test.mjs: async readElf on bytes whose ArrayBuffer is detached (transferred)
// right after the call, its backing store then freed and the heap churned, for a bounded time. Prints one
// JSON line { calls, wrong, modes } and exits 0; a crash is seen by the parent as a signal.
// argv: FILE SECONDS
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
import { readElf, readElfSync } from 'sysprobe';

const [file, seconds] = [process.argv[2], Number(process.argv[3] ?? 5)];
const original = readFileSync(file);
const expected = JSON.stringify(readElfSync(original, { symbols: true }), (k, v) => (typeof v === 'bigint' ? String(v) : v));

// Each way a caller can take the backing store away from a Uint8Array it handed over.
const modes = {
  structuredClone: (bytes) => structuredClone(bytes.buffer, { transfer: [bytes.buffer] }),
  postMessage: (bytes) => {
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(bytes.buffer, [bytes.buffer]);
    port1.close();
    port2.close();
    return null;
  },
};
if (typeof ArrayBuffer.prototype.transfer === 'function') modes.transfer = (bytes) => bytes.buffer.transfer(16);

const counts = Object.fromEntries(Object.keys(modes).map((name) => [name, 0]));
let calls = 0;
let wrong = 0;
const deadline = Date.now() + seconds * 1000;
const garbage = [];
while (Date.now() < deadline) {
  const inFlight = [];
  for (const [name, detach] of Object.entries(modes)) {
    for (let i = 0; i < 4; i += 1) {
      // A fresh ArrayBuffer of its own (not a slice of Buffer's pool), so that detaching frees it.
      const bytes = new Uint8Array(new ArrayBuffer(original.length));
      bytes.set(original);
      const promise = readElf(bytes, { symbols: true });
      detach(bytes);
      assert.equal(bytes.byteLength, 0, `${name} detached the buffer`);
      counts[name] += 1;
      calls += 1;
      inFlight.push(
        promise.then(
          (info) => JSON.stringify(info, (k, v) => (typeof v === 'bigint' ? String(v) : v)) === expected,
          () => false,
        ),
      );
    }
  }
  // Free the moved backing stores and reuse their memory with other bytes while the parses run.
  globalThis.gc?.();
  for (let i = 0; i < 8; i += 1) garbage.push(Buffer.alloc(original.length, 0x41 + i));
  garbage.splice(0, garbage.length - 16);
  for (const ok of await Promise.all(inFlight)) if (!ok) wrong += 1;
}
process.stdout.write(`${JSON.stringify({ calls, wrong, modes: counts })}\n`);
