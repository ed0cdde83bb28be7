// SysprobeError: Node's system-error shape, and errors that cross from C++ are instances of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { SysprobeError } from 'sysprobe';

const require = createRequire(import.meta.url);

test('an errno failure looks like the fs error for the same failure', () => {
  let fsError;
  try {
    openSync('/nonexistent/sysprobe', 'r');
  } catch (error) {
    fsError = error;
  }
  // errno 2 is the C library's ENOENT on Linux and in the Windows C runtime alike; Node numbers it
  // -2 on POSIX and -4058 on Windows (libuv), and SysprobeError must follow Node.
  const error = new SysprobeError({ errno: 2, syscall: 'open', path: fsError.path });
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'SysprobeError');
  assert.equal(error.code, fsError.code);
  assert.equal(error.errno, fsError.errno);
  assert.equal(error.syscall, fsError.syscall);
  assert.equal(error.path, fsError.path);
  assert.equal(error.message, fsError.message);
});

test('sysprobe codes keep their message and facts, and serialise without the stack', () => {
  const error = new SysprobeError({
    code: 'ERR_SYSPROBE_TRUNCATED',
    message: 'section header table ends past the file',
    path: '/x',
    offset: 4096,
    details: { section: '.dynsym' },
  });
  assert.equal(error.code, 'ERR_SYSPROBE_TRUNCATED');
  assert.equal(error.message, 'section header table ends past the file');
  assert.equal(error.errno, undefined);
  assert.equal(error.offset, 4096);
  assert.deepEqual(JSON.parse(JSON.stringify(error)), {
    name: 'SysprobeError',
    code: 'ERR_SYSPROBE_TRUNCATED',
    message: 'section header table ends past the file',
    path: '/x',
    offset: 4096,
    details: { section: '.dynsym' },
  });
});

test('Win32 codes are kept as winerror', () => {
  const error = new SysprobeError({
    code: 'ERROR_CANT_ACCESS_FILE',
    winerror: 1920,
    syscall: 'CreateFileW',
    path: 'C:\\x',
    message: 'The file cannot be accessed by the system.',
  });
  assert.equal(error.winerror, 1920);
  assert.equal(error.code, 'ERROR_CANT_ACCESS_FILE');
});

test('an error raised in C++ is constructed as the JS SysprobeError class', async () => {
  const { binding } = require('../dist/backends/loader.js');
  const native = binding();
  assert.throws(
    () => native.selfLibcSync('unexpected'),
    (error) => error instanceof SysprobeError && error.code === 'ERR_SYSPROBE_INVALID_ARG' && /takes no arguments/.test(error.message),
  );
  assert.throws(
    () => native.selfLibc(1),
    (error) => error instanceof SysprobeError && error.code === 'ERR_SYSPROBE_INVALID_ARG',
  );
  assert.throws(
    () => native.init('not a class'),
    (error) => error instanceof SysprobeError,
  );
});
