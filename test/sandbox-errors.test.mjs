// How a root answers when it cannot (issue 11): errors name the path inside the root and say so, the root
// itself missing is ENOENT/ENOTDIR for the root (syscall open), ELOOP is worded the same on both backends,
// and the WASI host of the koffi backend hands the core's path bytes to the kernel unchanged (a non-UTF-8
// link target is not a U+FFFD name, "s/../x" is not text, "file/" is ENOTDIR).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildElf } from './elf-build.mjs';
import { root as repo, runNode, skipUnless } from './helpers.mjs';

const wasm = existsSync(join(repo, 'prebuilds', 'wasm32', 'sysprobe.wasm'));
const elf = (spec) => buildElf({ cls: 64, big: false, machine: 62, ...spec });

function makeRoot() {
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-rooterr-'));
  const root = join(dir, 'root');
  mkdirSync(join(root, 'bin'), { recursive: true });
  mkdirSync(join(root, 'deep', 'dir'), { recursive: true });
  writeFileSync(join(root, 'bin', 'app'), elf({ needed: ['libfoo.so'] }));
  symlinkSync('loop', join(root, 'bin', 'loop'));
  // LD_LIBRARY_PATH=/l: /l is a link whose target is the byte 0xff then "dir" (no such directory); beside
  // it, a decoy directory named U+FFFD "dir" (what a lossy UTF-8 decoding of the target names).
  symlinkSync(Buffer.from([0xff, 0x64, 0x69, 0x72]), join(root, 'l'));
  mkdirSync(join(root, '\uFFFDdir'));
  writeFileSync(join(root, '\uFFFDdir', 'libfoo.so'), elf({ soname: 'libdecoy.so' }));
  // /s -> deep/dir; "s/../x" is deep/x for the kernel, /x as text.
  symlinkSync('deep/dir', join(root, 's'));
  writeFileSync(join(root, 'deep', 'x'), elf({ soname: 'libreal.so' }));
  writeFileSync(join(root, 'x'), elf({ soname: 'libtext.so' }));
  writeFileSync(join(dir, 'file'), 'not a directory');
  return { dir, root };
}

const SCRIPT = (dir, root) => `
import { resolveDeps, resolveDepsSync, probeGlibc, probeGlibcSync } from 'sysprobe';
const root = ${JSON.stringify(root)};
const facts = (e) => ({ code: e.code, syscall: e.syscall ?? null, path: e.path ?? null, message: e.message });
const sync = (f) => { try { return { ok: f() }; } catch (e) { return facts(e); } };
const async_ = async (f) => { try { return { ok: await f() }; } catch (e) { return facts(e); } };
const libs = (d) => d.libraries.map((l) => [l.name, l.path, l.soname]);
const out = {};
out.missing = sync(() => resolveDepsSync('/bin/nope', { root }));
out.missingAsync = await async_(() => resolveDeps('/bin/nope', { root }));
out.loop = sync(() => resolveDepsSync('/bin/loop', { root }));
out.trailing = sync(() => resolveDepsSync('/bin/app/', { root }));
out.noRoot = sync(() => resolveDepsSync('/bin/app', { root: ${JSON.stringify(join(dir, 'nonexistent'))} }));
out.noRootAsync = await async_(() => resolveDeps('/bin/app', { root: ${JSON.stringify(join(dir, 'nonexistent'))} }));
out.fileRoot = sync(() => resolveDepsSync('/bin/app', { root: ${JSON.stringify(join(dir, 'file'))} }));
out.glibcNoRoot = sync(() => probeGlibcSync({ root: ${JSON.stringify(join(dir, 'nonexistent'))} }));
out.glibcNoRootAsync = await async_(() => probeGlibc({ root: ${JSON.stringify(join(dir, 'nonexistent'))} }));
out.glibcFileRoot = sync(() => probeGlibcSync({ root: ${JSON.stringify(join(dir, 'file'))} }));
out.bytes = libs(resolveDepsSync('/bin/app', { root, env: { LD_LIBRARY_PATH: '/l' }, useCache: false }));
out.dotdot = resolveDepsSync('/s/../x', { root, useCache: false }).realPath;
out.hostDotdot = resolveDepsSync(root + '/s/../x', { useCache: false }).realPath;
out.hostTrailing = sync(() => resolveDepsSync(${JSON.stringify(join(root, 'bin', 'app'))} + '/', { useCache: false }));
process.stdout.write(JSON.stringify(out));
`;

function answers(backend, dir, root) {
  const result = runNode(SCRIPT(dir, root), { SYSPROBE_BACKEND: backend });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

for (const backend of ['addon', 'koffi']) {
  test(`root errors name the in-root path, the root itself, and the kernel's answers (${backend})`, {
    skip: skipUnless(process.platform === 'linux' && (backend === 'addon' || wasm), 'needs Linux (and the wasm core for koffi)'),
  }, () => {
    const { dir, root } = makeRoot();
    try {
      const out = answers(backend, dir, root);
      const inRoot = (code, syscall, path) => ({
        code,
        syscall,
        path,
        message: `${code}: ${{ ENOENT: 'no such file or directory', ELOOP: 'too many symbolic links encountered', ENOTDIR: 'not a directory' }[code]}, ${syscall} '${path}' inside the root '${root}'`,
      });
      assert.deepEqual(out.missing, inRoot('ENOENT', 'openat', '/bin/nope'));
      assert.deepEqual(out.missingAsync, out.missing);
      assert.ok(!out.missing.message.includes(`${root}/bin`), 'no host path in the message');
      assert.deepEqual(out.loop, inRoot('ELOOP', 'openat', '/bin/loop'));
      assert.deepEqual(out.trailing, inRoot('ENOTDIR', 'openat', '/bin/app'));
      const rootItself = (code, path) => ({
        code,
        syscall: 'open',
        path,
        message: `${code}: ${code === 'ENOENT' ? 'no such file or directory' : 'not a directory'}, open '${path}'`,
      });
      assert.deepEqual(out.noRoot, rootItself('ENOENT', join(dir, 'nonexistent')));
      assert.deepEqual(out.noRootAsync, out.noRoot);
      assert.deepEqual(out.fileRoot, rootItself('ENOTDIR', join(dir, 'file')));
      assert.deepEqual(out.glibcNoRoot, out.noRoot);
      assert.deepEqual(out.glibcNoRootAsync, out.noRoot);
      assert.deepEqual(out.glibcFileRoot, out.fileRoot);
      // The link's bytes are not decoded: /l leads nowhere, the U+FFFD decoy is never found.
      assert.deepEqual(out.bytes, [['libfoo.so', null, null]]);
      // ".." after a link is the link target's parent, in a root and on the host.
      assert.equal(out.dotdot, '/deep/x');
      assert.equal(out.hostDotdot, join(root, 'deep', 'x'));
      assert.equal(out.hostTrailing.code, 'ENOTDIR');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
