// probeFsSpace against a small tmpfs this test mounts, fills and runs out of inodes, and a read-only bind mount,
// with df as the oracle; measureDirSize against du on a real tree and on a tree with hard links and symlinks.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, openSync, writeSync, closeSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureDirSize, measureDirSizeSync, probeFsSpace, probeFsSpaceSync, SysprobeError } from 'sysprobe';
import { run, which, skipUnless } from './helpers.mjs';

const linux = process.platform === 'linux';
const df = which('df');
const du = which('du');
const mountBin = linux ? which('mount') : null;
const umountBin = linux ? which('umount') : null;
const work = mkdtempSync(join(tmpdir(), 'sysprobe-fs-'));
const mounted = [];
after(() => {
  for (const dir of mounted.reverse()) run(umountBin, ['-l', dir]);
  rmSync(work, { recursive: true, force: true });
});

function tryMount(args, dir) {
  if (!mountBin || process.getuid?.() !== 0) return 'needs root and mount(8)';
  const result = run(mountBin, [...args, dir]);
  if (result.status !== 0) return `mount ${args.join(' ')} failed: ${result.stderr.trim()}`;
  mounted.push(dir);
  return null;
}

/** df's figures for `path`, in bytes and inodes. */
function dfOf(path) {
  const bytes = run(df, ['-B1', '--output=size,used,avail', path]).stdout.trim().split('\n')[1].trim().split(/\s+/).map(BigInt);
  const inodes = run(df, ['--output=itotal,iused,iavail', path]).stdout.trim().split('\n')[1].trim().split(/\s+/).map(BigInt);
  return { size: bytes[0], used: bytes[1], avail: bytes[2], itotal: inodes[0], iused: inodes[1], iavail: inodes[2] };
}

function assertAgreesWithDf(space, path) {
  const d = dfOf(path);
  assert.equal(space.bytesTotal, d.size, 'size');
  assert.equal((space.blocks - space.blocksFree) * BigInt(space.blockSize), d.used, 'used');
  assert.equal(space.bytesAvailable, d.avail, 'avail');
  assert.equal(space.files, d.itotal, 'inodes');
  assert.equal(space.files - space.filesFree, d.iused, 'inodes used');
  assert.equal(space.filesFree, d.iavail, 'inodes free');
}

const tmpfsDir = join(work, 'tmpfs');
mkdirSync(tmpfsDir);
const tmpfsSkip = linux && df ? tryMount(['-t', 'tmpfs', '-o', 'size=1m,nr_inodes=64', 'tmpfs'], tmpfsDir) : 'needs Linux and df';
if (tmpfsSkip) process.stderr.write(`# skipped: ${tmpfsSkip}\n`);

test('a 1 MiB tmpfs with 64 inodes: the figures df prints, type tmpfs, then full (ENOSPC) and out of inodes', {
  skip: tmpfsSkip ?? false,
}, async () => {
  const empty = probeFsSpaceSync(tmpfsDir);
  assert.equal(empty.type, 0x01021994);
  assert.equal(empty.typeName, 'tmpfs');
  assert.equal(empty.mount.fsType, 'tmpfs');
  assert.equal(empty.mount.mountPoint, tmpfsDir);
  assert.equal(empty.bytesTotal, 1024n * 1024n);
  assert.equal(empty.files, 64n);
  assert.equal(empty.readOnly, false);
  assert.equal(empty.writable, true);
  assert.equal(empty.exists, true);
  assertAgreesWithDf(empty, tmpfsDir);
  assert.deepEqual(await probeFsSpace(tmpfsDir), empty);

  // Fill the space: write until the kernel says ENOSPC.
  const fd = openSync(join(tmpfsDir, 'fill'), 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  let enospc = false;
  try {
    for (let i = 0; i < 64; i++) writeSync(fd, chunk);
  } catch (error) {
    enospc = error.code === 'ENOSPC';
  } finally {
    closeSync(fd);
  }
  assert.ok(enospc, 'the tmpfs filled up');
  const full = await probeFsSpace(tmpfsDir);
  assert.equal(full.bytesAvailable, 0n);
  assertAgreesWithDf(full, tmpfsDir);

  // Run out of inodes: empty files until ENOSPC.
  rmSync(join(tmpfsDir, 'fill'));
  let made = 0;
  try {
    for (; made < 200; made++) writeFileSync(join(tmpfsDir, `f${made}`), '');
  } catch (error) {
    assert.equal(error.code, 'ENOSPC');
  }
  assert.ok(made < 64, `${made} files made`);
  const noInodes = probeFsSpaceSync(join(tmpfsDir, 'not-yet', 'deeper'));
  assert.equal(noInodes.filesFree, 0n);
  assert.equal(noInodes.exists, false);
  assert.equal(noInodes.nearestExisting, tmpfsDir);
  assert.ok(noInodes.bytesAvailable > 0n, 'space is left, inodes are not: what df -h alone would not show');
  assertAgreesWithDf(noInodes, tmpfsDir);
});

test('a read-only bind mount: readOnly from mountinfo, writable false (EROFS even for root); the source stays writable', {
  skip: tmpfsSkip ?? false,
}, () => {
  const ro = join(work, 'ro');
  mkdirSync(ro);
  const why =
    tryMount(['--bind', tmpfsDir], ro) ?? (run(mountBin, ['-o', 'remount,bind,ro', ro]).status === 0 ? null : 'remount,bind,ro failed');
  if (why) return assert.fail(why);
  const space = probeFsSpaceSync(ro);
  assert.equal(space.readOnly, true);
  assert.equal(space.writable, false);
  assert.ok(space.mount.options.includes('ro'));
  assert.equal(space.typeName, 'tmpfs');
  const missing = probeFsSpaceSync(join(ro, 'new-dir'));
  assert.equal(missing.exists, false);
  assert.equal(missing.writable, false, 'nothing can be created under it');
  const source = probeFsSpaceSync(tmpfsDir);
  assert.equal(source.readOnly, false);
  assert.equal(source.writable, true);
  assert.equal(space.blocks, source.blocks, 'the same filesystem');
});

test('a path that does not exist: statfs of the nearest existing ancestor; bad paths are ERR_SYSPROBE_INVALID_ARG', {
  skip: skipUnless(linux, 'Linux only'),
}, async () => {
  const space = await probeFsSpace('/nonexistent-sysprobe/a/b');
  assert.equal(space.exists, false);
  assert.equal(space.nearestExisting, '/');
  assert.equal(space.path, '/nonexistent-sysprobe/a/b');
  assert.throws(
    () => probeFsSpaceSync(''),
    (e) => e instanceof SysprobeError && e.code === 'ERR_SYSPROBE_INVALID_ARG',
  );
  const file = join(work, 'plain');
  writeFileSync(file, 'x');
  const under = probeFsSpaceSync(join(file, 'child'));
  assert.equal(under.nearestExisting, file, 'ENOTDIR below a file walks up to the file');
  assert.equal(under.writable, false, 'nothing can be created below a file');
  assert.equal(probeFsSpaceSync(file).writable, true);
});

const duBytes = (args, path) => BigInt(run(du, [...args, path]).stdout.split('\t')[0]);

test('measureDirSize of /usr/lib/go-1.19 and of this package’s src: du -sB1 and du --apparent-size -sb, byte for byte', {
  skip: skipUnless(du, 'du not installed'),
}, async () => {
  for (const tree of ['/usr/lib/go-1.19', '/usr/share/go-1.19', new URL('../src', import.meta.url).pathname]) {
    if (!existsSync(tree)) {
      process.stderr.write(`# ${tree} absent: not compared\n`);
      continue;
    }
    const sync = measureDirSizeSync(tree, { maxEntries: 1_000_000, timeBudgetMs: 60_000 });
    assert.equal(sync.complete, true, tree);
    assert.equal(sync.bytes, duBytes(['-sB1'], tree), `${tree} allocated`);
    assert.equal(sync.apparentBytes, duBytes(['--apparent-size', '-sb'], tree), `${tree} apparent`);
    const inodes = BigInt(run(du, ['-s', '--inodes', tree]).stdout.split('\t')[0]);
    assert.equal(BigInt(sync.files + sync.dirs - sync.hardLinksSkipped), inodes, `${tree} inodes`);
    const async = await measureDirSize(tree, { maxEntries: 1_000_000, timeBudgetMs: 60_000 });
    assert.deepEqual(async, sync);
  }
});

test('hard links count once, as du does (du -l counts each); symlinks are not followed; names that are not UTF-8 count', {
  skip: skipUnless(du && linux, 'needs du on Linux'),
}, async () => {
  const tree = join(work, 'tree');
  mkdirSync(join(tree, 'a', 'b'), { recursive: true });
  writeFileSync(join(tree, 'a', 'big'), Buffer.alloc(300 * 1024, 7));
  linkSync(join(tree, 'a', 'big'), join(tree, 'link1'));
  linkSync(join(tree, 'a', 'big'), join(tree, 'a', 'b', 'link2'));
  symlinkSync('/usr', join(tree, 'usr-link'));
  writeFileSync(Buffer.concat([Buffer.from(`${tree}/`), Buffer.from([0xff, 0xfe, 0x41])]), Buffer.alloc(5000, 1));
  const size = await measureDirSize(tree);
  assert.equal(size.hardLinksSkipped, 2);
  assert.equal(size.files, 5, 'big, link1, link2, usr-link, the non-UTF-8 name');
  assert.equal(size.dirs, 3);
  assert.equal(size.errors, 0);
  assert.equal(size.bytes, duBytes(['-sB1'], tree));
  assert.equal(size.apparentBytes, duBytes(['--apparent-size', '-sb'], tree));
  assert.ok(size.bytes < duBytes(['-l', '-sB1'], tree), 'du -l counts the links again; we do not');
  assert.ok(size.apparentBytes < 400n * 1024n, 'the /usr symlink was not followed');
});

test('bounds: maxEntries, maxDepth and a zero time budget stop the walk and say so', () => {
  const deep = join(work, 'deep');
  mkdirSync(join(deep, '1', '2', '3', '4'), { recursive: true });
  for (let i = 0; i < 20; i++) writeFileSync(join(deep, `f${i}`), 'x');
  const entries = measureDirSizeSync(deep, { maxEntries: 10 });
  assert.equal(entries.complete, false);
  assert.equal(entries.stoppedAt, 'entries');
  assert.ok(entries.files + entries.dirs <= 10);
  const depth = measureDirSizeSync(deep, { maxDepth: 2 });
  assert.equal(depth.stoppedAt, 'depth');
  assert.equal(depth.dirs, 4, 'deep, 1, 2 (listed), 3 (counted, not entered)');
  const time = measureDirSizeSync(deep, { timeBudgetMs: 0 });
  assert.equal(time.stoppedAt, 'time');
  assert.deepEqual([time.files, time.dirs], [0, 1]);
  const whole = measureDirSizeSync(deep);
  assert.equal(whole.complete, true);
  assert.equal(whole.stoppedAt, undefined);
  assert.deepEqual([whole.files, whole.dirs], [20, 5]);
  assert.throws(
    () => measureDirSizeSync(deep, { maxDepth: -1 }),
    (e) => e.code === 'ERR_SYSPROBE_INVALID_ARG',
  );
  assert.throws(
    () => measureDirSizeSync(join(work, 'absent')),
    (e) => e instanceof SysprobeError && e.code === 'ENOENT',
  );
});
