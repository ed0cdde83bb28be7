// Under npm and node launchers the CLI compares with the user's shell, not with its direct parent:
// `npm start` from a bash gives bash's limits and environment, not npm's (raised nofile, npm_* variables).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { cliPath, root as repoRoot, run, skipUnless, which } from './helpers.mjs';

const require = createRequire(import.meta.url);
const linux = process.platform === 'linux';
const npm = which('npm');
const node = `"${process.execPath}"`;

/** A bash reading its script from stdin (not `bash -c`, which is a launcher): prints its pid first. */
function underBash(script) {
  const result = run('bash', ['-s'], {
    input: `echo $$\n${script}\n`,
    cwd: repoRoot,
    env: { ...process.env, npm_config_from_the_test: undefined },
  });
  const [pid, ...rest] = result.stdout.split('\n');
  return { ...result, pid: Number(pid), stdout: rest.join('\n') };
}

// A launcher like npx: a node process that adds npm_* variables and runs the CLI as its child.
const nodeWrapper = (args) => `${node} -e 'const { spawnSync } = require("node:child_process");
  const r = spawnSync(process.execPath, [${JSON.stringify(cliPath)}, ...process.argv.slice(1)],
    { stdio: "inherit", env: { ...process.env, npm_config_cache: "/tmp/x", npm_lifecycle_event: "start", npm_package_name: "sysprobe" } });
  process.exitCode = r.status;' ${args.join(' ')}`;

for (const [label, launch] of [
  ['npm start', (args) => `npm start --silent -- ${args.join(' ')}`],
  ['a node wrapper', nodeWrapper],
]) {
  const skip = skipUnless(
    linux && which('bash') && (label !== 'npm start' || npm),
    `needs Linux, bash${label === 'npm start' ? ' and npm' : ''}`,
  );

  test(`limits under ${label} from bash: compared with the bash (its ulimit -Sn 777), the launchers passed over`, { skip }, () => {
    const result = underBash(`ulimit -Sn 777\n${launch(['limits', '--json'])}`);
    assert.equal(result.status, 0, result.stderr);
    const doc = JSON.parse(result.stdout);
    // (schema 1 named the compared process `parent`.)
    assert.equal((doc.shell ?? doc.parent).limits.nofile.soft, '777', "the shell's nofile, not the launcher's raised one");
    assert.equal(doc.shellProcess.pid, result.pid, "the compared pid is the bash's");
    assert.equal(doc.shellProcess.isShell, true);
    assert.ok(doc.shellProcess.skipped.length >= 1, JSON.stringify(doc.shellProcess));
    assert.equal(doc.shell.pid, result.pid);
    assert.equal(doc.shell.limits.nofile.soft, '777');
  });

  test(`env --diff under ${label} from bash: against what the bash exported, no npm_* variables`, { skip }, () => {
    // The sleeper and the launcher are both children of the same bash: the same environment but what
    // bash sets per child (`_`, the command's path; SHLVL, one less in a background subshell).
    const result = underBash(
      `export SYSPROBE_FROM_BASH=1\nsleep 30 & sleeper=$!\n${launch(['env', '--pid', '$sleeper', '--diff', '--json'])}\nkill $sleeper`,
    );
    const doc = JSON.parse(result.stdout);
    const names = [...Object.keys(doc.diff.added), ...Object.keys(doc.diff.removed), ...Object.keys(doc.diff.changed)];
    assert.deepEqual(
      names.filter((name) => name !== '_' && name !== 'SHLVL'),
      [],
      JSON.stringify(doc.diff),
    );
    assert.equal(doc.shellProcess.pid, result.pid);
    assert.ok(doc.diff.unchanged > 0);
  });
}

test('nearestShellAncestor: bash, passing over sh -c and node; processNode reads stat/exe/cmdline', {
  skip: skipUnless(linux && which('bash') && which('sh'), 'needs Linux, bash and sh'),
}, () => {
  const script = `const p = require(${JSON.stringify(require.resolve('../dist/probes/env/processes.js'))}); console.log(JSON.stringify(p.nearestShellAncestor()));`;
  const result = underBash(`sh -c '${node} -e "${script.replace(/"/g, '\\"')}"; true'`);
  assert.equal(result.status, 0, result.stderr);
  const found = JSON.parse(result.stdout);
  assert.equal(found.shell.pid, result.pid);
  assert.equal(found.isShell, true);
  assert.equal(found.shell.comm, 'bash');
  assert.deepEqual(found.shell.argv, ['bash', '-s']);
  assert.equal(found.skipped.length, 1);
  assert.equal(found.skipped[0].argv[1], '-c');
  const { processNode, MAX_ANCESTORS } = require('../dist/probes/env/processes.js');
  const self = processNode(process.pid);
  assert.equal(self.ppid, process.ppid);
  assert.equal(self.exe, process.execPath);
  assert.ok(MAX_ANCESTORS > 0 && MAX_ANCESTORS <= 64);
  assert.throws(
    () => processNode(2 ** 22 + 12345),
    (e) => e.code === 'ESRCH',
  );
});
