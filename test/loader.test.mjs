// The loader: explicit overrides, what it says when it cannot load, version checks, backend().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNode, root } from './helpers.mjs';

const probeScript = `
  import { probeGlibcSync, backend, SysprobeError } from 'sysprobe';
  let outcome;
  try { outcome = { ok: probeGlibcSync().family }; }
  catch (error) { outcome = { error: { isSysprobeError: error instanceof SysprobeError, code: error.code, message: error.message, details: error.details } }; }
  console.log(JSON.stringify({ outcome, backend: backend() }));
`;

function probeWith(env) {
  const result = runNode(probeScript, env);
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

test('the default locations are tried in order (prebuild, then local build) and backend() says which answered', () => {
  const { outcome, backend } = probeWith({ SYSPROBE_BINDING: '' });
  assert.equal(outcome.ok, 'glibc');
  assert.equal(backend.name, 'addon');
  assert.equal(backend.napiVersion, 8);
  const prebuild = join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'sysprobe.glibc.node');
  const release = join(root, 'build', 'Release', 'sysprobe.node');
  const mtime = (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs;
  if (!existsSync(prebuild)) {
    assert.equal(backend.path, release);
    assert.deepEqual(
      backend.attempts.map((a) => a.source),
      ['prebuild', 'build/Release'],
    );
    assert.equal(backend.attempts[0].error.code, 'ENOENT');
  } else if (mtime(release) > mtime(prebuild)) {
    // A source checkout: the local build made after the prebuild answers.
    assert.equal(backend.path, release);
    assert.deepEqual(
      backend.attempts.map((a) => a.source),
      ['build/Release'],
    );
  } else {
    assert.equal(backend.path, prebuild);
    assert.deepEqual(
      backend.attempts.map((a) => a.source),
      ['prebuild'],
    );
  }
});

test('SYSPROBE_BINDING naming a missing file: a SysprobeError that says what was tried and why', () => {
  const { outcome, backend } = probeWith({ SYSPROBE_BINDING: '/nonexistent/sysprobe.node' });
  assert.equal(outcome.error.isSysprobeError, true);
  assert.equal(outcome.error.code, 'ERR_SYSPROBE_BINDING_LOAD');
  assert.match(outcome.error.message, /\/nonexistent\/sysprobe\.node/);
  assert.match(outcome.error.message, /linux-x64|linux-arm64/);
  assert.match(outcome.error.message, /C library of this process: glibc/);
  assert.match(outcome.error.message, /Only the explicitly named binding was tried/);
  const [attempt] = outcome.error.details.attempts;
  assert.equal(attempt.source, 'env:SYSPROBE_BINDING');
  assert.equal(attempt.error.code, 'ERR_DLOPEN_FAILED');
  assert.match(attempt.error.message, /No such file or directory/);
  assert.equal(backend.name, 'none');
  assert.equal(backend.libc.family, 'glibc');
});

test('SYSPROBE_BINDING naming a file that is not an addon: never executed, explained', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-'));
  try {
    const script = join(dir, 'evil.node');
    writeFileSync(script, "require('fs').writeFileSync(" + JSON.stringify(join(dir, 'ran')) + ", 'x')\n");
    const { outcome } = probeWith({ SYSPROBE_BINDING: script });
    assert.equal(outcome.error.code, 'ERR_SYSPROBE_BINDING_LOAD');
    assert.match(outcome.error.details.attempts[0].error.message, /invalid ELF header|file too short/);
    assert.match(outcome.error.details.attempts[0].error.explanation, /not an addon for this platform/);
    assert.throws(() => copyFileSync(join(dir, 'ran'), join(dir, 'copy')), { code: 'ENOENT' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a relative SYSPROBE_BINDING is resolved against the working directory', () => {
  const { outcome, backend } = probeWith({ SYSPROBE_BINDING: 'build/Release/sysprobe.node' });
  assert.equal(outcome.ok, 'glibc');
  assert.equal(backend.path, join(root, 'build', 'Release', 'sysprobe.node'));
});

test('configure({ nativeBinding }) takes a path or a loaded module, and rejects a mismatched one', () => {
  const result = runNode(
    `
    import { createRequire } from 'node:module';
    import { configure, backend, probeGlibcSync } from 'sysprobe';
    const require = createRequire(import.meta.url);
    const path = ${JSON.stringify(join(root, 'build', 'Release', 'sysprobe.node'))};
    const out = {};
    configure({ nativeBinding: path });
    out.byPath = [probeGlibcSync().family, backend().attempts[0].source];
    configure({ nativeBinding: require(path) });
    out.byModule = [probeGlibcSync().family, backend().path];
    configure({ nativeBinding: { init() {}, version: '0.0.0-other' } });
    try { probeGlibcSync(); } catch (error) { out.mismatch = [error.code, error.details.attempts[0].error.code]; }
    configure({ nativeBinding: {} });
    try { probeGlibcSync(); } catch (error) { out.invalid = error.details.attempts[0].error.code; }
    try { configure({ nativeBinding: 42 }); } catch (error) { out.badOption = error.code; }
    try { configure({ binding: 'x' }); } catch (error) { out.unknownOption = error.code; }
    console.log(JSON.stringify(out));
  `,
    { SYSPROBE_BINDING: '/nonexistent/ignored-because-configured.node' },
  );
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), {
    byPath: ['glibc', 'option'],
    byModule: ['glibc', '(module object)'],
    mismatch: ['ERR_SYSPROBE_BINDING_LOAD', 'ERR_SYSPROBE_BINDING_MISMATCH'],
    invalid: 'ERR_SYSPROBE_BINDING_INVALID',
    badOption: 'ERR_SYSPROBE_INVALID_ARG',
    unknownOption: 'ERR_SYSPROBE_INVALID_ARG',
  });
});

test('node --no-addons: the failure names the cause', () => {
  const result = runNode(probeScript, { SYSPROBE_BINDING: '' }, ['--no-addons']);
  assert.equal(result.status, 0, result.stderr);
  const { outcome } = JSON.parse(result.stdout);
  assert.equal(outcome.error.code, 'ERR_SYSPROBE_NO_BACKEND');
  const tried = outcome.error.details.attempts.filter((attempt) => attempt.error.code !== 'ENOENT');
  assert.ok(tried.length > 0, 'no addon file was present to try');
  for (const attempt of tried) assert.equal(attempt.error.code, 'ERR_DLOPEN_DISABLED');
  assert.match(outcome.error.message, /--no-addons/);
});

test('importing sysprobe loads no native code until a probe runs', () => {
  const result = runNode(
    `
    import { readFileSync } from 'node:fs';
    const mapped = () => /sysprobe(\\.glibc)?\\.node/.test(readFileSync('/proc/self/maps', 'latin1'));
    const sysprobe = await import('sysprobe');
    const afterImport = mapped();
    sysprobe.probeGlibcSync();
    console.log(JSON.stringify([afterImport, mapped()]));
  `,
    { SYSPROBE_BINDING: '' },
  );
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), [false, true]);
});
