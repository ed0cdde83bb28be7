// The doctor's contract: options checked, every check present once per profile, schema-valid output,
// the sync and async twins agreeing, and the CLI's exit codes and text grouping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sysprobe from '../dist/index.js';
import { root, runCli } from './helpers.mjs';
import { assertValidReport, checkOf, line } from './doctor-helpers.mjs';

const GO_CHECKS = [
  'go-env-path',
  'go-env-goroot',
  'go-env-file',
  'go-settings',
  'go-bin-version',
  'libc-compat',
  'mem-as',
  'mem-data',
  'mem-cgroup',
  'fs-reparse',
  'go-cache',
];

test('bad options are refused with ERR_SYSPROBE_INVALID_ARG, before anything is read', async () => {
  for (const options of [
    { pid: 0 },
    { pid: 1.5 },
    { shellPid: -1 },
    { for: 'rust' },
    { nope: 1 },
    { root: '' },
    { binaries: 'x' },
    { timeoutMs: 0 },
    { log: 'a', logText: 'b' },
    { cacheSizeLimit: -1 },
  ]) {
    await assert.rejects(
      sysprobe.doctor(options),
      (e) => e instanceof sysprobe.SysprobeError && e.code === 'ERR_SYSPROBE_INVALID_ARG',
      JSON.stringify(options),
    );
    assert.throws(
      () => sysprobe.doctorSync(options),
      (e) => e.code === 'ERR_SYSPROBE_INVALID_ARG',
    );
  }
});

test('every check of each profile appears once, in the documented order, and the report matches the schema', async () => {
  const both = assertValidReport(await sysprobe.doctor());
  assert.deepEqual(
    both.checks.map((c) => c.id),
    [...GO_CHECKS, 'vscode-server'],
  );
  const go = assertValidReport(await sysprobe.doctor({ for: 'go' }));
  assert.deepEqual(
    go.checks.map((c) => c.id),
    GO_CHECKS,
  );
  const server = assertValidReport(sysprobe.doctorSync({ for: 'vscode-server' }));
  assert.deepEqual(
    server.checks.map((c) => c.id),
    ['vscode-server'],
  );
  const counted = { ok: 0, warning: 0, error: 0, skipped: 0 };
  for (const c of both.checks) counted[c.status]++;
  assert.deepEqual(both.summary, counted);
  for (const c of both.checks) if (c.status === 'skipped') assert.ok(c.message.length > 10, `a skipped check says why: ${line(c)}`);
  assert.ok(Object.isFrozen(await sysprobe.doctor({ for: 'go' })));
});

test('doctor and doctorSync give the same verdicts on the same process', async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'sysprobe-doctor-'));
  try {
    writeFileSync(join(workspace, 'go.mod'), 'module example.com/x\n\ngo 1.19\n');
    const a = await sysprobe.doctor({ workspace, for: 'go' });
    const b = sysprobe.doctorSync({ workspace, for: 'go' });
    // The cache sizes and the free space can move between the two runs; the verdicts cannot.
    assert.deepEqual(
      a.checks.map((c) => [c.id, c.status]),
      b.checks.map((c) => [c.id, c.status]),
    );
    assert.deepEqual(checkOf(a, 'go-bin-version'), checkOf(b, 'go-bin-version'));
    assert.deepEqual(checkOf(a, 'go-env-path'), checkOf(b, 'go-env-path'));
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
});

test('a process that is gone: its checks are skipped with the reason, nothing throws', async () => {
  const report = assertValidReport(await sysprobe.doctor({ pid: 0x7ffffffe, for: 'go' }));
  assert.match(checkOf(report, 'go-env-path').message, /cannot read the environment of pid 2147483646/);
  assert.equal(checkOf(report, 'go-env-path').status, 'skipped');
  assert.equal(checkOf(report, 'mem-as').status, 'skipped');
});

test('the CLI: usage errors exit 2, --json matches the schema, the text groups by status with fixes under findings', () => {
  for (const args of [
    ['doctor', '--pid', 'x'],
    ['doctor', '--for', 'rust'],
    ['doctor', '--nope'],
    ['doctor', '--shell-pid', '0'],
  ]) {
    const r = runCli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
  }
  const home = mkdtempSync(join(tmpdir(), 'sysprobe-doctor-home-'));
  try {
    mkdirSync(join(home, '.config', 'Code', 'User'), { recursive: true });
    writeFileSync(join(home, '.config', 'Code', 'User', 'settings.json'), '{ // user settings\n "go.goroot": "/nonexistent/go",\n}\n');
    const json = runCli(['doctor', '--for', 'go', '--json'], { HOME: home });
    assert.equal(json.status, 1, json.stderr);
    const report = assertValidReport(JSON.parse(json.stdout));
    assert.equal(checkOf(report, 'go-settings').status, 'error', line(checkOf(report, 'go-settings')));
    const text = runCli(['doctor', '--for', 'go'], { HOME: home });
    assert.equal(text.status, 1);
    const errors = text.stdout.indexOf('\nErrors\n');
    const ok = text.stdout.indexOf('\nOK\n');
    assert.ok(errors >= 0 && (ok < 0 || errors < ok), text.stdout);
    assert.match(text.stdout, /\[x\] go-settings: go\.goroot .*\/nonexistent\/go, which does not exist.*\n\s+fix: /);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('every real crash log (test/fixtures/crash-logs) turns the check its lines point to away from ok, the lines attached', async () => {
  const dir = join(root, 'test', 'fixtures', 'crash-logs');
  const logs = readdirSync(dir).filter((name) => name.endsWith('.txt'));
  assert.ok(logs.length >= 10, logs.join(' '));
  for (const name of logs) {
    const report = assertValidReport(await sysprobe.doctor({ log: join(dir, name), for: 'go' }));
    assert.ok(report.log.signatures.length > 0, `${name}: no known line`);
    for (const id of new Set(report.log.signatures.map((s) => s.check))) {
      const check = checkOf(report, id);
      assert.ok(check.status === 'warning' || check.status === 'error', `${name}: ${line(check)}`);
      assert.ok(check.signatures?.length > 0, `${name}: ${id} carries its lines`);
      assert.ok(check.fix.length > 0, `${name}: ${id} says what to do`);
    }
  }
});
