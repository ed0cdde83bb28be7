// The generated parts of docs/ match the code they come from (scripts/gen-docs.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { capabilityTable, renderBackendsPage } from '../scripts/gen-docs.mjs';

const require = createRequire(import.meta.url);

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

test('docs/backends.md carries the koffi capability table generated from src/backends/koffi/capabilities.ts', () => {
  const page = readFileSync(join(root, 'docs', 'backends.md'), 'utf8');
  assert.equal(page, renderBackendsPage(page), 'out of date: run npm run build:ts && node scripts/gen-docs.mjs');
});

test('the capability table names every function the koffi backend refuses or answers, from the one table', () => {
  const { KOFFI_CAPABILITIES } = require(join(root, 'dist', 'backends', 'koffi', 'capabilities.js'));
  const table = capabilityTable();
  for (const row of KOFFI_CAPABILITIES) for (const name of row.functions) assert.ok(table.includes(`\`${name}\``), name);
  const { needsAddon } = require(join(root, 'dist', 'backends', 'koffi', 'calls.js'));
  const message = needsAddon('x()', 'because').message;
  for (const row of KOFFI_CAPABILITIES)
    assert.ok(message.includes(row.functions[0].replace(/Sync$/, '')), `${row.functions[0]} missing from: ${message}`);
});
