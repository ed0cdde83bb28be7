// probeReparsePoint on a real NTFS volume: an image made with mkntfs at test time, mounted with
// ntfs-3g (FUSE), reparse points of every kind planted through system.ntfs_reparse_data with setfattr,
// the volume unmounted and mounted again, then probed. The oracle for the bytes is ntfs-3g itself
// (getfattr -e hex). The volume is always unmounted in the after hook.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explainPath, probeReparsePoint, probeReparsePointSync, scanReparsePoints, SysprobeError } from 'sysprobe';
import { root, run, runCli, runNode, skipUnless, which } from './helpers.mjs';
import { TAG, appExecLink, buffer, hex, junction, lxSymlink, symlink } from './reparse-buffers.mjs';

const VOLUME_GUID = '{6d5e8a2c-1f0b-11ef-9a3c-0050568a1b2c}';
const THIRD_PARTY_GUID = '{1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b}';
const ALIAS = [
  'PythonSoftwareFoundation.Python.3.12_qbz5n2kfra8p0',
  'PythonSoftwareFoundation.Python.3.12_qbz5n2kfra8p0!Python',
  'C:\\Program Files\\WindowsApps\\PythonSoftwareFoundation.Python.3.12_3.12.2288.0_x64__qbz5n2kfra8p0\\python3.12.exe',
  '0',
];

// name, directory?, bytes, what the probe must report
const PLANTED = [
  [
    'junction',
    true,
    junction('\\??\\C:\\go\\pkg', 'C:\\go\\pkg'),
    {
      kind: 'junction',
      target: { substituteName: '\\??\\C:\\go\\pkg', printName: 'C:\\go\\pkg', relative: false, win32Path: 'C:\\go\\pkg' },
    },
  ],
  [
    'volume',
    true,
    junction(`\\??\\Volume${VOLUME_GUID}\\`, ''),
    { kind: 'volume-mount', target: { substituteName: `\\??\\Volume${VOLUME_GUID}\\`, printName: '', volumeGuid: VOLUME_GUID } },
  ],
  [
    'symabs',
    false,
    symlink('\\??\\C:\\Users\\dev\\x.txt', 'C:\\Users\\dev\\x.txt', false),
    {
      kind: 'symlink',
      target: { substituteName: '\\??\\C:\\Users\\dev\\x.txt', relative: false, flags: 0, win32Path: 'C:\\Users\\dev\\x.txt' },
    },
  ],
  [
    'symrel',
    false,
    symlink('..\\x.txt', '..\\x.txt', true),
    { kind: 'symlink', target: { substituteName: '..\\x.txt', printName: '..\\x.txt', relative: true, flags: 1 } },
  ],
  [
    'python.exe',
    false,
    appExecLink(ALIAS),
    {
      kind: 'app-exec-link',
      appExecLink: { version: 3, packageFamilyName: ALIAS[0], appUserModelId: ALIAS[1], targetPath: ALIAS[2], appType: '0' },
    },
  ],
  [
    'lxlink',
    false,
    lxSymlink('/usr/lib/go/bin'),
    { kind: 'lx-symlink', target: { substituteName: '/usr/lib/go/bin', printName: '/usr/lib/go/bin', relative: false, version: 2 } },
  ],
  [
    'OneDrive',
    true,
    buffer(0x9000301a, Buffer.from('0100000000000000', 'hex')),
    { kind: 'cloud', tagName: 'IO_REPARSE_TAG_CLOUD_3', cloudSubtype: 3, isDirectory: true },
  ],
  [
    'dedup.vhdx',
    false,
    buffer(TAG.DEDUP, Buffer.from('00112233445566778899aabbccddeeff', 'hex')),
    { kind: 'dedup', tagName: 'IO_REPARSE_TAG_DEDUP' },
  ],
  [
    'thirdparty',
    false,
    buffer(0x00007777, Buffer.from('vendor data'), { guid: THIRD_PARTY_GUID }),
    { kind: 'unknown', tagName: null, isMicrosoft: false, guid: THIRD_PARTY_GUID },
  ],
  [
    'compressed.dll',
    false,
    buffer(TAG.WOF, Buffer.from('01000000020000000100000003000000', 'hex')),
    { kind: 'wof', wof: { version: 1, provider: 'file', algorithm: 'xpress16k' } },
  ],
  ['nested/deeper/junction2', true, junction('\\??\\D:\\src', 'D:\\src'), { kind: 'junction' }],
];

const tools = ['mkntfs', 'ntfs-3g', 'setfattr', 'getfattr'].filter(
  (tool) => which(tool) === null && !existsSync(`/usr/sbin/${tool}`) && !existsSync(`/sbin/${tool}`),
);
let why = null;
if (process.platform !== 'linux') why = 'ntfs-3g volumes are a Linux test';
else if (tools.length > 0) why = `${tools.join(', ')} not installed (apt-get install ntfs-3g attr)`;
else if (!existsSync('/dev/fuse')) why = 'no /dev/fuse (FUSE is not available)';

const tool = (name) => which(name) ?? [`/usr/sbin/${name}`, `/sbin/${name}`].find((p) => existsSync(p)) ?? name;

let dir;
let mnt;
let image;
let mounted = false;

function mount() {
  const result = run(tool('ntfs-3g'), ['-o', 'special_files=wsl', image, mnt]);
  if (result === null || result.status !== 0) return `ntfs-3g could not mount the image: ${result?.stderr.trim() || 'not runnable'}`;
  mounted = true;
  return null;
}

function unmount() {
  if (!mounted) return;
  for (const [command, args] of [
    ['fusermount3', ['-u', mnt]],
    ['fusermount', ['-u', mnt]],
    ['umount', [mnt]],
    ['umount', ['-l', mnt]],
  ]) {
    const result = run(command, args);
    if (result !== null && result.status === 0) {
      mounted = false;
      return;
    }
  }
  throw new Error(`could not unmount ${mnt}`);
}

function oracle(path) {
  const result = run(tool('getfattr'), ['-h', '-e', 'hex', '--only-values', '-n', 'system.ntfs_reparse_data', path], {
    encoding: 'buffer',
  });
  if (result.status !== 0) return null;
  return result.stdout.toString('hex');
}

let setupError = null;
after(() => {
  try {
    unmount();
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
});

// Set up at load time, so that a missing tool or FUSE skips every test with a visible reason.
function setUp() {
  dir = mkdtempSync(join(tmpdir(), 'sysprobe-ntfs-'));
  image = join(dir, 'volume.img');
  mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  const fd = openSync(image, 'w');
  closeSync(fd);
  run('truncate', ['-s', '16M', image]);
  const made = run(tool('mkntfs'), ['-F', '-f', '-q', '-L', 'sysprobe', image]);
  if (made === null || made.status !== 0) {
    why = `mkntfs failed: ${made?.stderr.trim()}`;
    return;
  }
  why = mount();
  if (why !== null) return;
  // Plant: create the entry, then write its raw reparse buffer as ntfs-3g's extended attribute.
  for (const [name, isDir, bytes] of PLANTED) {
    const path = join(mnt, name);
    mkdirSync(join(path, '..'), { recursive: true });
    if (isDir) mkdirSync(path);
    else writeFileSync(path, '');
    const set = run(tool('setfattr'), ['-h', '-n', 'system.ntfs_reparse_data', '-v', `0x${hex(bytes)}`, path]);
    assert.equal(set.status, 0, `setfattr ${name}: ${set.stderr}`);
  }
  // Malformed on disk: ntfs-3g checks only the size of an app execution alias; ours has two strings.
  writeFileSync(join(mnt, 'broken-alias.exe'), '');
  const bad = run(tool('setfattr'), [
    '-h',
    '-n',
    'system.ntfs_reparse_data',
    '-v',
    `0x${hex(appExecLink(['a', 'b']))}`,
    join(mnt, 'broken-alias.exe'),
  ]);
  assert.equal(bad.status, 0, bad.stderr);
  // Genuine WSL special files, made by ntfs-3g itself (special_files=wsl).
  symlinkSync('../real/target', join(mnt, 'wsl-symlink'));
  run('mkfifo', [join(mnt, 'wsl-fifo')]);
  mkdirSync(join(mnt, 'plain-dir'));
  writeFileSync(join(mnt, 'plain-dir', 'plain.txt'), 'plain');
  // What Windows wrote stays on disk: probe a fresh mount, not ntfs-3g's cache.
  unmount();
  why = mount();
}
if (why === null) {
  try {
    setUp();
  } catch (error) {
    setupError = error;
  }
}
const skip = skipUnless(why === null, why);

describe('ntfs-3g volume', { skip }, () => {
  test('the volume was made, planted and mounted again', () => {
    if (setupError !== null) throw setupError;
  });

  test('every planted kind is reported exactly, async and sync, bytes equal to the ntfs-3g oracle', async () => {
    for (const [name, isDir, bytes, expected] of PLANTED) {
      const path = join(mnt, name);
      const info = await probeReparsePoint(path);
      assert.ok(info !== null, `${name}: no reparse point found`);
      assert.equal(hex(info.raw), hex(bytes), `${name}: the bytes planted`);
      assert.equal(hex(info.raw), oracle(path), `${name}: the bytes getfattr reads`);
      assert.equal(info.source, 'ntfs-3g');
      assert.equal(info.path, path);
      assert.equal(info.tag, bytes.readUInt32LE(0));
      assert.equal((info.attributes & 0x400) !== 0, true, `${name}: FILE_ATTRIBUTE_REPARSE_POINT`);
      assert.equal((info.attributes & 0x10) !== 0, isDir, `${name}: FILE_ATTRIBUTE_DIRECTORY`);
      for (const [key, value] of Object.entries(expected)) {
        if (value !== null && typeof value === 'object') {
          for (const [inner, innerValue] of Object.entries(value))
            assert.deepEqual(info[key][inner], innerValue, `${name}.${key}.${inner}`);
        } else {
          assert.deepEqual(info[key], value, `${name}.${key}`);
        }
      }
      const sync = probeReparsePointSync(path);
      assert.deepEqual({ ...sync, raw: hex(sync.raw) }, { ...info, raw: hex(info.raw) }, `${name}: sync and async agree`);
    }
  });

  test('WSL special files made by ntfs-3g: LX symlink with its UTF-8 target, LX FIFO', async () => {
    const link = await probeReparsePoint(join(mnt, 'wsl-symlink'));
    assert.equal(link.kind, 'lx-symlink');
    assert.equal(link.target.substituteName, '../real/target');
    assert.equal(link.target.relative, true);
    assert.equal(hex(link.raw), oracle(join(mnt, 'wsl-symlink')));
    const fifo = await probeReparsePoint(join(mnt, 'wsl-fifo'));
    assert.equal(fifo.kind, 'lx-fifo');
    assert.equal(fifo.dataLength, 0);
    assert.equal(fifo.tagName, 'IO_REPARSE_TAG_LX_FIFO');
  });

  test('the probe reads the entry, never what ntfs-3g shows it as (junctions appear as symlinks)', async () => {
    assert.ok(lstatSync(join(mnt, 'junction')).isSymbolicLink(), 'ntfs-3g presents the junction as a symlink');
    const info = await probeReparsePoint(join(mnt, 'junction'));
    assert.equal(info.kind, 'junction');
  });

  test('plain files and directories are null, on the volume and elsewhere; a missing path is ENOENT', async () => {
    assert.equal(await probeReparsePoint(join(mnt, 'plain-dir')), null);
    assert.equal(await probeReparsePoint(join(mnt, 'plain-dir', 'plain.txt')), null);
    assert.equal(await probeReparsePoint(mnt), null);
    assert.equal(probeReparsePointSync(join(mnt, 'plain-dir')), null);
    assert.equal(await probeReparsePoint(dir), null);
    assert.equal(await probeReparsePoint('/proc/self/status'), null);
    await assert.rejects(probeReparsePoint(join(mnt, 'missing')), (error) => {
      assert.ok(error instanceof SysprobeError);
      assert.equal(error.code, 'ENOENT');
      assert.equal(error.path, join(mnt, 'missing'));
      return true;
    });
    assert.throws(() => probeReparsePointSync(join(mnt, 'missing', 'below')), { code: 'ENOENT' });
  });

  test('malformed reparse data on disk is a typed error with the path, the offset and the raw bytes', async () => {
    const path = join(mnt, 'broken-alias.exe');
    await assert.rejects(probeReparsePoint(path), (error) => {
      assert.ok(error instanceof SysprobeError);
      assert.equal(error.code, 'ERR_SYSPROBE_BAD_REPARSE');
      assert.equal(error.path, path);
      assert.equal(error.offset, 12);
      assert.match(error.message, /has 2 strings/);
      assert.equal(error.details.raw, oracle(path));
      return true;
    });
    assert.throws(() => probeReparsePointSync(path), { code: 'ERR_SYSPROBE_BAD_REPARSE', offset: 12 });
  });

  test('scanReparsePoints finds every planted entry, descends plain directories only, honours maxDepth, reports progress', async () => {
    const progress = [];
    const scan = await scanReparsePoints(mnt, { onProgress: (p) => progress.push(p) });
    const expected = [...PLANTED.map(([name]) => join(mnt, name)), join(mnt, 'wsl-fifo'), join(mnt, 'wsl-symlink')].sort();
    assert.deepEqual(
      scan.found.map((info) => info.path),
      expected,
    );
    assert.deepEqual(
      scan.errors.map((e) => [e.path, e.error.code]),
      [[join(mnt, 'broken-alias.exe'), 'ERR_SYSPROBE_BAD_REPARSE']],
    );
    assert.ok(progress.length >= 4, 'progress after each directory');
    assert.equal(progress.at(-1).found, expected.length);
    const shallow = await scanReparsePoints(mnt, { maxDepth: 1 });
    assert.ok(!shallow.found.some((info) => info.path.endsWith('junction2')));
    assert.deepEqual(shallow.depthLimited, [join(mnt, 'nested', 'deeper')]);
    await assert.rejects(scanReparsePoints(join(mnt, 'missing')), { code: 'ENOENT' });
    await assert.rejects(scanReparsePoints(mnt, { maxDepth: -1 }), { code: 'ERR_SYSPROBE_INVALID_ARG' });
  });

  test('explainPath tells the Go story for a junction mid-path', async () => {
    const explanation = await explainPath(join(mnt, 'junction', 'src', 'mod'));
    const component = explanation.components.find((c) => c.path === join(mnt, 'junction'));
    assert.equal(component.reparse.kind, 'junction');
    assert.equal(component.runtimes.go122.lstat, 'ModeSymlink');
    assert.equal(component.runtimes.go123.lstat, 'ModeIrregular');
    assert.equal(component.runtimes.go123.walk, 'fails');
    assert.equal(component.runtimes.node.isLink, true);
    const go = explanation.findings.find((f) => f.runtime === 'go123');
    assert.match(go.message, /EvalSymlinks fails with "not a directory" \(ENOTDIR\)/);
    assert.match(go.message, /winsymlink=0/);
    const plain = await explainPath(join(mnt, 'plain-dir', 'plain.txt'));
    assert.deepEqual(plain.findings, []);
    assert.ok(plain.components.every((c) => c.exists && c.reparse === null));
  });

  test('CLI: sysprobe reparse PATH... --json and sysprobe explain PATH', () => {
    const json = runCli(['reparse', join(mnt, 'junction'), join(mnt, 'plain-dir'), '--json']);
    assert.equal(json.status, 0, json.stderr);
    const doc = JSON.parse(json.stdout);
    assert.equal(doc.schemaVersion, 2);
    assert.equal(doc.entries.length, 2);
    assert.equal(doc.entries[0].reparse.kind, 'junction');
    assert.equal(doc.entries[0].reparse.raw, oracle(join(mnt, 'junction')));
    assert.equal(doc.entries[1].reparse, null);
    const text = runCli(['reparse', join(mnt, 'python.exe')]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /IO_REPARSE_TAG_APPEXECLINK/);
    assert.match(text.stdout, /python3\.12\.exe/);
    const missing = runCli(['reparse', join(mnt, 'missing')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /ENOENT/);
    const explain = runCli(['explain', join(mnt, 'junction', 'src')]);
    assert.equal(explain.status, 1, explain.stderr);
    assert.match(explain.stdout, /Go >= 1\.23/);
    const explainJson = JSON.parse(runCli(['explain', join(mnt, 'junction', 'src'), '--json']).stdout);
    assert.equal(explainJson.schemaVersion, 2);
    assert.ok(explainJson.explanation.findings.length > 0);
  });

  // Last: it adds entries the scan above would see.
  test('ntfs-3g makes AF_UNIX sockets and devices as WSL reparse points: af-unix, lx-chr, lx-blk', async () => {
    const socketPath = join(mnt, 'wsl.sock');
    const server = createServer();
    await new Promise((resolve, reject) => server.once('error', reject).listen(socketPath, resolve));
    try {
      const socket = await probeReparsePoint(socketPath);
      assert.equal(socket.kind, 'af-unix');
      assert.equal(socket.tagName, 'IO_REPARSE_TAG_AF_UNIX');
      assert.equal(hex(socket.raw), oracle(socketPath));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const chr = run('mknod', [join(mnt, 'wsl-null'), 'c', '1', '3']);
    const blk = run('mknod', [join(mnt, 'wsl-loop'), 'b', '7', '0']);
    if (chr?.status !== 0 || blk?.status !== 0) {
      process.stderr.write(`# skipped devices: mknod failed (${chr?.stderr ?? 'no mknod'})\n`);
      return;
    }
    assert.equal((await probeReparsePoint(join(mnt, 'wsl-null'))).kind, 'lx-chr');
    assert.equal((await probeReparsePoint(join(mnt, 'wsl-loop'))).kind, 'lx-blk');
    assert.equal(hex((await probeReparsePoint(join(mnt, 'wsl-loop'))).raw), oracle(join(mnt, 'wsl-loop')));
  });

  test('the koffi backend on this volume: plain entries null and missing ENOENT as the addon; reparse points decoded as the addon does (with the core as WebAssembly)', () => {
    let koffiPresent = true;
    try {
      createRequire(import.meta.url).resolve('koffi');
    } catch {
      koffiPresent = false;
    }
    if (!koffiPresent) return skipUnless(false, 'koffi (optional dependency) not installed');
    const paths = ['plain-dir', 'plain-dir/plain.txt', 'missing', 'junction', 'wsl-symlink'].map((name) => join(mnt, name));
    const script = `
      import { probeReparsePointSync, backend } from 'sysprobe';
      const out = [backend().name];
      for (const path of ${JSON.stringify(paths)}) {
        try { const info = probeReparsePointSync(path); out.push(info === null ? null : JSON.parse(JSON.stringify(info, (k, v) => typeof v === 'bigint' ? String(v) : v))); }
        catch (error) { out.push({ code: error.code, syscall: error.syscall ?? null, path: error.path ?? null }); }
      }
      console.log(JSON.stringify(out));
    `;
    const answers = {};
    for (const name of ['addon', 'koffi']) {
      const result = runNode(script, { SYSPROBE_BINDING: '', SYSPROBE_BACKEND: name });
      assert.equal(result.status, 0, result.stderr);
      answers[name] = JSON.parse(result.stdout);
    }
    const missing = { code: 'ENOENT', syscall: 'lgetxattr', path: paths[2] };
    assert.deepEqual(answers.addon.slice(0, 4), ['addon', null, null, missing]);
    assert.deepEqual(
      answers.addon.slice(4).map((info) => info.kind),
      ['junction', 'lx-symlink'],
    );
    if (existsSync(join(root, 'prebuilds', 'wasm32', 'sysprobe.wasm'))) {
      assert.deepEqual(answers.koffi, ['koffi', ...answers.addon.slice(1)]);
    } else {
      assert.deepEqual(answers.koffi, [
        'koffi',
        null,
        null,
        missing,
        { code: 'ERR_SYSPROBE_NEEDS_ADDON', syscall: null, path: paths[3] },
        { code: 'ERR_SYSPROBE_NEEDS_ADDON', syscall: null, path: paths[4] },
      ]);
    }
  });
});
