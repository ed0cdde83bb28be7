// decodeReparseBuffer: the golden fixtures of the reference notes byte for byte, every tag of the
// table, every kind's fields, and malformed buffers as typed errors with the offset; the probe on
// ordinary entries. Portable: needs no tool and starts no process (the prebuild tests run it in
// the arm64 Node under qemu and the Windows Node under wine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeReparseBuffer, probeReparsePoint, probeReparsePointSync, reparseRuntimeViews, SysprobeError } from 'sysprobe';
import { root } from './helpers.mjs';
import {
  GOLDEN,
  TAG,
  TAG_TABLE,
  appExecLink,
  buffer,
  guidBytes,
  hex,
  junction,
  lxSymlink,
  namesBuffer,
  symlink,
} from './reparse-buffers.mjs';

const bytes = (text) => Buffer.from(text, 'hex');

function badReparse(input, offset, pattern) {
  assert.throws(
    () => decodeReparseBuffer(input),
    (error) => {
      assert.ok(error instanceof SysprobeError, `not a SysprobeError: ${error}`);
      assert.equal(error.code, 'ERR_SYSPROBE_BAD_REPARSE');
      assert.equal(error.offset, offset, `offset for: ${error.message}`);
      if (pattern) assert.match(error.message, pattern);
      return true;
    },
  );
}

test('golden: mklink /D dot . (winfsp#454 fsutil dump): relative symlink, print name stored first', () => {
  const input = bytes(GOLDEN.relativeSymlinkDot);
  assert.equal(hex(symlink('.', '.', true)), GOLDEN.relativeSymlinkDot, 'the test encoder reproduces the dump');
  const info = decodeReparseBuffer(input);
  assert.equal(info.tag, 0xa000000c);
  assert.equal(info.tagHex, '0xa000000c');
  assert.equal(info.tagName, 'IO_REPARSE_TAG_SYMLINK');
  assert.equal(info.kind, 'symlink');
  assert.equal(info.dataLength, 16);
  assert.deepEqual(info.target, { substituteName: '.', printName: '.', relative: true, flags: 1, win32Path: '.' });
  assert.equal(info.isMicrosoft, true);
  assert.equal(info.isNameSurrogate, true);
  assert.equal(info.isDirectory, false);
  assert.equal(info.guid, null);
  assert.equal(info.source, 'buffer');
  assert.equal(hex(info.raw), GOLDEN.relativeSymlinkDot);
});

test('golden: junction to C:\\t (substitute first, NUL-terminated names)', () => {
  assert.equal(hex(junction('\\??\\C:\\t', 'C:\\t')), GOLDEN.junctionCt);
  const info = decodeReparseBuffer(bytes(GOLDEN.junctionCt));
  assert.equal(info.kind, 'junction');
  assert.equal(info.tagName, 'IO_REPARSE_TAG_MOUNT_POINT');
  assert.equal(info.dataLength, 0x24);
  assert.deepEqual(info.target, { substituteName: '\\??\\C:\\t', printName: 'C:\\t', relative: false, flags: null, win32Path: 'C:\\t' });
  assert.equal(hex(info.raw), GOLDEN.junctionCt);
});

test('golden: LX symlink to ../x (version 2, UTF-8, no NUL)', () => {
  assert.equal(hex(lxSymlink('../x')), GOLDEN.lxSymlinkDotDotX);
  const info = decodeReparseBuffer(bytes(GOLDEN.lxSymlinkDotDotX));
  assert.equal(info.kind, 'lx-symlink');
  assert.equal(info.tagName, 'IO_REPARSE_TAG_LX_SYMLINK');
  assert.deepEqual(info.target, { substituteName: '../x', printName: '../x', relative: true, flags: null, win32Path: '../x', version: 2 });
});

test('every tag of the reference table has its name and kind; the bits come from the tag word', () => {
  const payload = {
    [TAG.SYMLINK]: () => symlink('\\??\\C:\\x', 'C:\\x', false),
    [TAG.MOUNT_POINT]: () => junction('\\??\\C:\\x', 'C:\\x'),
    [TAG.APPEXECLINK]: () => appExecLink(['P', 'P!A', 'C:\\a.exe', '0']),
    [TAG.LX_SYMLINK]: () => lxSymlink('/x'),
    [TAG.NFS]: () => buffer(TAG.NFS, Buffer.alloc(8)),
  };
  assert.equal(TAG_TABLE.length, 39 + 14);
  for (const [tag, name, kind] of TAG_TABLE) {
    const info = decodeReparseBuffer((payload[tag] ?? (() => buffer(tag)))());
    assert.equal(info.tag, tag);
    assert.equal(info.tagName, `IO_REPARSE_TAG_${name}`, name);
    assert.equal(info.kind, kind, name);
    assert.equal(info.isMicrosoft, (tag & 0x80000000) !== 0, name);
    assert.equal(info.highLatency, (tag & 0x40000000) !== 0, name);
    assert.equal(info.isNameSurrogate, (tag & 0x20000000) !== 0, name);
    assert.equal(info.isDirectory, (tag & 0x10000000) !== 0, name);
    assert.equal(info.cloudSubtype, kind === 'cloud' ? (tag >>> 12) & 0xf : null, name);
  }
});

test('junction vs volume mount point: the same tag, told apart by the target', () => {
  const volume = decodeReparseBuffer(junction('\\??\\Volume{6d5e8a2c-1f0b-11ef-9a3c-0050568a1b2c}\\', ''));
  assert.equal(volume.kind, 'volume-mount');
  assert.equal(volume.tagName, 'IO_REPARSE_TAG_MOUNT_POINT');
  assert.equal(volume.target.volumeGuid, '{6d5e8a2c-1f0b-11ef-9a3c-0050568a1b2c}');
  assert.equal(volume.target.win32Path, '\\\\?\\Volume{6d5e8a2c-1f0b-11ef-9a3c-0050568a1b2c}\\');
  assert.equal(volume.target.printName, '');
  const unc = decodeReparseBuffer(junction('\\??\\UNC\\server\\share\\d', '\\\\server\\share\\d'));
  assert.equal(unc.kind, 'junction');
  assert.equal(unc.target.win32Path, '\\\\server\\share\\d');
});

test('names are read by their offsets: junction stored print-first, symlink stored substitute-first', () => {
  const printFirst = decodeReparseBuffer(namesBuffer(TAG.MOUNT_POINT, '\\??\\D:\\go', 'D:\\go', { printFirst: true }));
  assert.equal(printFirst.target.substituteName, '\\??\\D:\\go');
  assert.equal(printFirst.target.printName, 'D:\\go');
  const substituteFirst = decodeReparseBuffer(
    namesBuffer(TAG.SYMLINK, '\\??\\C:\\Program Files\\é😀', 'C:\\Program Files\\é😀', { flags: 0, nul: true }),
  );
  assert.equal(substituteFirst.target.substituteName, '\\??\\C:\\Program Files\\é😀');
  assert.equal(substituteFirst.target.relative, false);
  assert.equal(substituteFirst.target.flags, 0);
  assert.equal(substituteFirst.target.win32Path, 'C:\\Program Files\\é😀');
});

test('app execution alias: version, package family name, app user model id, target, app type', () => {
  const strings = [
    'PythonSoftwareFoundation.Python.3.12_qbz5n2kfra8p0',
    'PythonSoftwareFoundation.Python.3.12_qbz5n2kfra8p0!Python',
    'C:\\Program Files\\WindowsApps\\PythonSoftwareFoundation.Python.3.12_3.12.2288.0_x64__qbz5n2kfra8p0\\python3.12.exe',
    '0',
  ];
  const info = decodeReparseBuffer(appExecLink(strings));
  assert.equal(info.kind, 'app-exec-link');
  assert.equal(info.isNameSurrogate, false);
  assert.deepEqual(info.appExecLink, {
    version: 3,
    packageFamilyName: strings[0],
    appUserModelId: strings[1],
    targetPath: strings[2],
    appType: '0',
    strings,
  });
  // A list terminator (an extra NUL) is not a string.
  const withTerminator = Buffer.concat([appExecLink(strings.slice(0, 3)), Buffer.alloc(2)]);
  withTerminator.writeUInt16LE(withTerminator.length - 8, 4);
  assert.deepEqual(decodeReparseBuffer(withTerminator).appExecLink.strings, strings.slice(0, 3));
  assert.equal(decodeReparseBuffer(withTerminator).appExecLink.appType, null);
});

test('cloud sub-types, GUID form for non-Microsoft tags, unknown tags', () => {
  const cloud = decodeReparseBuffer(buffer(0x9000201a, Buffer.from('opaque')));
  assert.equal(cloud.kind, 'cloud');
  assert.equal(cloud.tagName, 'IO_REPARSE_TAG_CLOUD_2');
  assert.equal(cloud.cloudSubtype, 2);
  assert.equal(cloud.isDirectory, true);
  const guid = '{1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b}';
  const thirdParty = decodeReparseBuffer(buffer(0x00001234, Buffer.from('data'), { guid }));
  assert.equal(thirdParty.kind, 'unknown');
  assert.equal(thirdParty.tagName, null);
  assert.equal(thirdParty.isMicrosoft, false);
  assert.equal(thirdParty.guid, guid);
  assert.equal(thirdParty.dataLength, 4);
  assert.equal(hex(guidBytes(guid)), '4e3d2c1b605f18478a9b0c1d2e3f4a5b');
  const unknownMicrosoft = decodeReparseBuffer(buffer(0x80000fff));
  assert.equal(unknownMicrosoft.kind, 'unknown');
  assert.equal(unknownMicrosoft.guid, null);
});

test('NFS, WOF and the zero-length WSL special files', () => {
  const type = Buffer.alloc(8);
  type.writeBigUInt64LE(0x014b4e4cn);
  const nfs = decodeReparseBuffer(buffer(TAG.NFS, Buffer.concat([type, Buffer.from('/srv/x', 'utf16le')])));
  assert.deepEqual(nfs.nfs, { type: 'LNK\\x01', symlinkTarget: '/srv/x', major: null, minor: null });
  const wofData = Buffer.alloc(16);
  wofData.writeUInt32LE(1, 0);
  wofData.writeUInt32LE(2, 4);
  wofData.writeUInt32LE(1, 8);
  wofData.writeUInt32LE(1, 12);
  const wof = decodeReparseBuffer(buffer(TAG.WOF, wofData));
  assert.deepEqual(wof.wof, { version: 1, provider: 'file', algorithm: 'lzx' });
  for (const [tag, kind] of [
    [TAG.AF_UNIX, 'af-unix'],
    [TAG.LX_FIFO, 'lx-fifo'],
    [TAG.LX_CHR, 'lx-chr'],
    [TAG.LX_BLK, 'lx-blk'],
  ]) {
    assert.equal(decodeReparseBuffer(buffer(tag)).kind, kind);
  }
});

test('accepts Buffer, Uint8Array views at an offset and ArrayBuffer; keeps its own copy', () => {
  const source = Buffer.concat([Buffer.from('xxxx'), bytes(GOLDEN.junctionCt)]);
  const view = new Uint8Array(source.buffer, source.byteOffset + 4, source.length - 4);
  assert.equal(decodeReparseBuffer(view).kind, 'junction');
  const arrayBuffer = bytes(GOLDEN.lxSymlinkDotDotX);
  const info = decodeReparseBuffer(arrayBuffer.buffer.slice(arrayBuffer.byteOffset, arrayBuffer.byteOffset + arrayBuffer.length));
  assert.equal(info.kind, 'lx-symlink');
  const mutable = bytes(GOLDEN.junctionCt);
  const decoded = decodeReparseBuffer(mutable);
  mutable.fill(0);
  assert.equal(hex(decoded.raw), GOLDEN.junctionCt);
  assert.throws(() => decodeReparseBuffer('0c0000a0'), { code: 'ERR_SYSPROBE_INVALID_ARG' });
});

test('malformed: short header, tag 0, lengths past the end, non-Microsoft tag without its GUID', () => {
  badReparse(Buffer.alloc(0), 0, /shorter than the 8-byte reparse header/);
  badReparse(bytes('0c0000a01000'), 6, /8-byte reparse header/);
  badReparse(buffer(0), 0, /tag 0/);
  const truncated = bytes(GOLDEN.relativeSymlinkDot).subarray(0, 20);
  badReparse(truncated, 4, /ReparseDataLength 16 runs past the 20-byte buffer/);
  badReparse(buffer(0x00001234, Buffer.alloc(4)), 8, /non-Microsoft tag without the 16-byte GUID/);
  badReparse(buffer(0x00001234, Buffer.alloc(0), { guid: '{00000000-0000-0000-0000-000000000001}', dataLength: 1 }), 4, /runs past/);
});

test('malformed: names past the path buffer, odd UTF-16 lengths and offsets, missing names', () => {
  const golden = () => bytes(GOLDEN.relativeSymlinkDot);
  let b = golden();
  b.writeUInt16LE(3, 10); // substitute name length odd
  badReparse(b, 10, /substitute name length 3 is odd/);
  b = golden();
  b.writeUInt16LE(1, 8); // substitute offset odd
  badReparse(b, 8, /substitute name offset 1 is odd/);
  b = golden();
  b.writeUInt16LE(4, 14); // print name 0+4 > 4-byte path buffer? no: 4 bytes fits; make it 6
  b.writeUInt16LE(6, 14);
  badReparse(b, 12, /print name \(offset 0, length 6\) runs past the 4-byte path buffer/);
  b = golden();
  b.writeUInt16LE(0xfffe, 8);
  badReparse(b, 8, /substitute name \(offset 65534, length 2\) runs past/);
  b = golden();
  b.writeUInt16LE(0, 10);
  badReparse(b, 10, /substitute name is empty/);
  badReparse(buffer(TAG.SYMLINK, Buffer.alloc(8)), 16, /shorter than its 12-byte fixed part/);
  badReparse(buffer(TAG.MOUNT_POINT, Buffer.alloc(4)), 12, /shorter than its 8-byte fixed part/);
  const junctionBytes = bytes(GOLDEN.junctionCt);
  junctionBytes.writeUInt16LE(0x24, 0x0e); // print name length past the end
  badReparse(junctionBytes, 12, /print name/);
});

test('malformed: app execution aliases with too few strings or no terminator, LX symlinks without a target', () => {
  badReparse(appExecLink(['a', 'b']), 12, /has 2 strings/);
  badReparse(buffer(TAG.APPEXECLINK, Buffer.alloc(2)), 10, /no version/);
  const unterminated = appExecLink(['a', 'b', 'c']).subarray(0, -2);
  unterminated.writeUInt16LE(unterminated.length - 8, 4);
  badReparse(unterminated, 12 + 8, /not NUL-terminated/);
  const odd = Buffer.concat([appExecLink(['a', 'b', 'c']), Buffer.alloc(1)]);
  odd.writeUInt16LE(odd.length - 8, 4);
  badReparse(odd, odd.length - 1, /odd length/);
  badReparse(buffer(TAG.LX_SYMLINK, Buffer.from([2, 0, 0, 0])), 12, /empty target/);
  badReparse(buffer(TAG.LX_SYMLINK, Buffer.from([2, 0])), 10, /no version/);
  badReparse(buffer(TAG.NFS, Buffer.alloc(4)), 12, /NFS reparse data has no type/);
});

test('no truncation or bit flip of the golden buffers crashes the decoder', () => {
  const seeds = [GOLDEN.relativeSymlinkDot, GOLDEN.junctionCt, GOLDEN.lxSymlinkDotDotX, hex(appExecLink(['p', 'p!a', 'C:\\x.exe', '0']))];
  let errors = 0;
  for (const seed of seeds) {
    const input = bytes(seed);
    for (let length = 0; length <= input.length; length++) {
      try {
        decodeReparseBuffer(input.subarray(0, length));
      } catch (error) {
        assert.equal(error.code, 'ERR_SYSPROBE_BAD_REPARSE');
        errors++;
      }
    }
    for (let bit = 0; bit < input.length * 8; bit++) {
      const flipped = Buffer.from(input);
      flipped[bit >> 3] ^= 1 << (bit & 7);
      try {
        decodeReparseBuffer(flipped);
      } catch (error) {
        assert.equal(error.code, 'ERR_SYSPROBE_BAD_REPARSE');
        errors++;
      }
    }
  }
  assert.ok(errors > 50, `only ${errors} inputs were rejected`);
});

test('fuzzer regression inputs (test/fixtures/reparse/) decode or fail with a typed error', () => {
  const dir = join(root, 'test', 'fixtures', 'reparse');
  const files = existsSync(dir) ? readdirSync(dir) : [];
  assert.ok(files.length > 0, 'the regression corpus is missing');
  for (const file of files) {
    try {
      decodeReparseBuffer(readFileSync(join(dir, file)));
    } catch (error) {
      assert.equal(error.code, 'ERR_SYSPROBE_BAD_REPARSE', file);
    }
  }
});

test('runtime views follow the reference matrix for the Go junction story', () => {
  const views = reparseRuntimeViews(decodeReparseBuffer(bytes(GOLDEN.junctionCt)));
  assert.equal(views.node.lstat, 'symlink');
  assert.equal(views.node.readlink, 'C:\\t');
  assert.equal(views.go122.lstat, 'ModeSymlink');
  assert.equal(views.go123.lstat, 'ModeIrregular');
  assert.equal(views.go123.walk, 'fails');
  assert.equal(views.rust.isLink, true);
  assert.equal(views.python.isLink, false);
  assert.equal(views.python.lstat, 'directory');

  const volume = reparseRuntimeViews(decodeReparseBuffer(junction('\\??\\Volume{6d5e8a2c-1f0b-11ef-9a3c-0050568a1b2c}\\', '')));
  assert.equal(volume.node.isLink, false);
  assert.equal(volume.node.lstat, 'directory');
  assert.equal(volume.go123.readlink, '\\\\?\\Volume{6d5e8a2c-1f0b-11ef-9a3c-0050568a1b2c}\\');

  const symlinkViews = reparseRuntimeViews(decodeReparseBuffer(symlink('\\??\\C:\\x', 'C:\\x', false)));
  for (const runtime of ['node', 'go122', 'go123', 'rust', 'python']) assert.equal(symlinkViews[runtime].isLink, true, runtime);

  const alias = reparseRuntimeViews(decodeReparseBuffer(appExecLink(['p', 'p!a', 'C:\\x.exe', '0'])), false);
  assert.equal(alias.node.readlink, 'C:\\x.exe');
  assert.equal(alias.go123.lstat, 'ModeIrregular');
  assert.equal(alias.rust.lstat, 'file');
  assert.equal(alias.python.lstat, 'file');

  const cloudDir = reparseRuntimeViews(decodeReparseBuffer(buffer(0x9000101a)), true);
  assert.equal(cloudDir.node.lstat, 'directory');
  assert.equal(cloudDir.go122.lstat, 'ModeDir');
  assert.equal(cloudDir.go123.lstat, 'ModeDir|ModeIrregular');
  const dedup = reparseRuntimeViews(decodeReparseBuffer(buffer(TAG.DEDUP)), false);
  assert.equal(dedup.go123.lstat, 'regular file');
  assert.equal(reparseRuntimeViews(decodeReparseBuffer(buffer(TAG.AF_UNIX)), false).go123.lstat, 'ModeSocket');
});

test('probe: ordinary files and directories are not reparse points; a missing path is ENOENT (with winerror on Windows)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sysprobe-reparse-'));
  try {
    const file = join(dir, 'plain.txt');
    writeFileSync(file, 'x');
    assert.equal(probeReparsePointSync(file), null);
    assert.equal(await probeReparsePoint(file), null);
    assert.equal(await probeReparsePoint(dir), null);
    const missing = join(dir, 'missing');
    for (const attempt of [() => probeReparsePointSync(missing), () => probeReparsePoint(missing)]) {
      await assert.rejects(
        async () => attempt(),
        (error) => {
          assert.ok(error instanceof SysprobeError);
          assert.equal(error.code, 'ENOENT');
          assert.equal(error.path, missing);
          if (process.platform === 'win32') {
            assert.equal(error.winerror, 2);
            assert.equal(error.syscall, 'CreateFileW');
            assert.match(error.message, /ERROR_FILE_NOT_FOUND/);
          }
          return true;
        },
      );
    }
    assert.throws(() => probeReparsePointSync(''), { code: 'ERR_SYSPROBE_INVALID_ARG' });
    assert.throws(() => probeReparsePointSync(42), { code: 'ERR_SYSPROBE_INVALID_ARG' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
