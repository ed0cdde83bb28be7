// Every doctor report a test sees is validated against the schema the package ships.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { root } from './helpers.mjs';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020.js');
const schema = JSON.parse(readFileSync(join(root, 'schema', 'doctor.schema.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(schema);

/** The report as JSON sees it (bigints as strings), checked against schema/doctor.schema.json. */
export function assertValidReport(report) {
  const plain = JSON.parse(JSON.stringify(report, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
  const ok = validate(plain);
  assert.ok(ok, `doctor report does not match schema/doctor.schema.json:\n${ajv.errorsText(validate.errors, { separator: '\n' })}`);
  return plain;
}

/** The one check of that id (every id appears at most once). */
export function checkOf(report, id) {
  const found = report.checks.filter((c) => c.id === id);
  assert.equal(found.length, 1, `one ${id} check, got ${found.length}`);
  return found[0];
}

/** For failure messages: the check in a line. */
export const line = (check) => `${check.id} ${check.status}: ${check.message}`;
