// The README's main command runs the clone's own CLI (npm start), fast, and CI runs the same command;
// `npx sysprobe` is left to installed packages (in a clone it installs and compiles a second copy).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { root, run, skipUnless, which } from './helpers.mjs';

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const block = /## Two commands\n+```sh\n([^`]*)```/.exec(readme)?.[1] ?? '';
const mainCommand = block
  .split('\n')[0]
  .replace(/\s+#.*$/, '')
  .trim();

test("the README's main command starts the clone's CLI, and .ci/run runs that same command", () => {
  assert.equal(mainCommand, 'npm install && npm start');
  assert.equal(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start, 'node bin/sysprobe.js');
  const ci = readFileSync(join(root, '.ci', 'run'), 'utf8');
  const step = ci.slice(ci.indexOf('step "README install command'), ci.indexOf('step "README test command'));
  assert.deepEqual(
    step
      .split('\n')
      .slice(1)
      .filter((line) => line.trim() !== ''),
    mainCommand.split(' && '),
  );
  assert.match(readme, /`npx sysprobe`/, 'npx is still documented, for installed packages');
});

test("npm start runs the clone's CLI without building: a few seconds at most", { skip: skipUnless(which('npm'), 'needs npm') }, () => {
  const started = process.hrtime.bigint();
  const result = run('npm', ['start', '--silent', '--', 'glibc', '--json'], { cwd: root });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.equal(result.status, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout).libc.subject, 'self');
  process.stderr.write(`# npm start -- glibc --json: ${ms.toFixed(0)} ms\n`);
  assert.ok(ms < 15_000, `${ms} ms`);
});
