// Builders of reparse buffers for the tests, written from MS-FSCC 2.1.2 and the reference notes
// (independently of the C++ decoder), and the tag table of the notes.

export const TAG = {
  MOUNT_POINT: 0xa0000003,
  SYMLINK: 0xa000000c,
  APPEXECLINK: 0x8000001b,
  LX_SYMLINK: 0xa000001d,
  CLOUD: 0x9000001a,
  DEDUP: 0x80000013,
  WOF: 0x80000017,
  AF_UNIX: 0x80000023,
  LX_FIFO: 0x80000024,
  LX_CHR: 0x80000025,
  LX_BLK: 0x80000026,
  NFS: 0x80000014,
  PROJFS: 0x9000001c,
  ONEDRIVE: 0x80000021,
};

/** The reference table (reparse-rlimits.md A1): value, IO_REPARSE_TAG_ name, M R N D bits, kind. */
export const TAG_TABLE = [
  [0xa0000003, 'MOUNT_POINT', 'junction'],
  [0xc0000004, 'HSM', 'hsm'],
  [0x80000006, 'HSM2', 'hsm'],
  [0x80000005, 'DRIVE_EXTENDER', 'drive-extender'],
  [0x80000007, 'SIS', 'sis'],
  [0x80000008, 'WIM', 'wim'],
  [0x80000009, 'CSV', 'csv'],
  [0x8000000a, 'DFS', 'dfs'],
  [0x80000012, 'DFSR', 'dfsr'],
  [0x8000000b, 'FILTER_MANAGER', 'filter-manager'],
  [0xa000000c, 'SYMLINK', 'symlink'],
  [0xa0000010, 'IIS_CACHE', 'iis-cache'],
  [0x80000013, 'DEDUP', 'dedup'],
  [0x80000014, 'NFS', 'nfs'],
  [0xc0000014, 'APPXSTRM', 'appxstrm'],
  [0x80000015, 'FILE_PLACEHOLDER', 'file-placeholder'],
  [0x80000016, 'DFM', 'dfm'],
  [0x80000017, 'WOF', 'wof'],
  [0x80000018, 'WCI', 'wci'],
  [0x90001018, 'WCI_1', 'wci'],
  [0xa0000019, 'GLOBAL_REPARSE', 'global-reparse'],
  [0x9000001a, 'CLOUD', 'cloud'],
  ...Array.from({ length: 15 }, (_, i) => [(0x9000001a | ((i + 1) << 12)) >>> 0, `CLOUD_${(i + 1).toString(16).toUpperCase()}`, 'cloud']),
  [0x8000001b, 'APPEXECLINK', 'app-exec-link'],
  [0x9000001c, 'PROJFS', 'projfs'],
  [0xa000001d, 'LX_SYMLINK', 'lx-symlink'],
  [0x8000001e, 'STORAGE_SYNC', 'storage-sync'],
  [0xa000001f, 'WCI_TOMBSTONE', 'wci-tombstone'],
  [0x80000020, 'UNHANDLED', 'unhandled'],
  [0x80000021, 'ONEDRIVE', 'onedrive'],
  [0xa0000022, 'PROJFS_TOMBSTONE', 'projfs-tombstone'],
  [0x80000023, 'AF_UNIX', 'af-unix'],
  [0x80000024, 'LX_FIFO', 'lx-fifo'],
  [0x80000025, 'LX_CHR', 'lx-chr'],
  [0x80000026, 'LX_BLK', 'lx-blk'],
  [0x90000027, 'STORAGE_SYNC_FOLDER', 'storage-sync-folder'],
  [0xa0000027, 'WCI_LINK', 'wci-link'],
  [0xa0001027, 'WCI_LINK_1', 'wci-link'],
  [0xa0000028, 'DATALESS_CIM', 'dataless-cim'],
];

/** Golden fixtures, Appendix 1 of the reference notes. */
export const GOLDEN = {
  // `mklink /D dot .`, identical to the fsutil dump in winfsp/winfsp#454.
  relativeSymlinkDot: '0c0000a0100000000200020000000200010000002e002e00',
  junctionCt: '030000a02400000000001000120008005c003f003f005c0043003a005c007400000043003a005c0074000000',
  lxSymlinkDotDotX: '1d0000a008000000020000002e2e2f78',
};

const utf16 = (text) => Buffer.from(text, 'utf16le');

/** The 8-byte header (+ the 16-byte GUID for non-Microsoft tags) and the data. */
export function buffer(tag, data = Buffer.alloc(0), { guid = null, dataLength = data.length } = {}) {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(tag >>> 0, 0);
  header.writeUInt16LE(dataLength, 4);
  return Buffer.concat([header, guid === null ? Buffer.alloc(0) : guidBytes(guid), data]);
}

/** `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}` in its on-disk GUID layout (Data1..3 little-endian). */
export function guidBytes(text) {
  const hex = text.replace(/[{}-]/g, '');
  const out = Buffer.alloc(16);
  out.writeUInt32LE(parseInt(hex.slice(0, 8), 16), 0);
  out.writeUInt16LE(parseInt(hex.slice(8, 12), 16), 4);
  out.writeUInt16LE(parseInt(hex.slice(12, 16), 16), 6);
  Buffer.from(hex.slice(16), 'hex').copy(out, 8);
  return out;
}

/**
 * SYMLINK (flags given) or MOUNT_POINT (flags null). `printFirst` stores the print name first, as
 * mklink does; `nul` adds a UTF-16 NUL after each name, as junction tools do.
 */
export function namesBuffer(tag, substitute, print, { flags = null, printFirst = false, nul = false } = {}) {
  const terminator = nul ? Buffer.alloc(2) : Buffer.alloc(0);
  const s = utf16(substitute);
  const p = utf16(print);
  const first = printFirst ? p : s;
  const second = printFirst ? s : p;
  const pathBuffer = Buffer.concat([first, terminator, second, terminator]);
  const secondOffset = first.length + terminator.length;
  const fields = Buffer.alloc(flags === null ? 8 : 12);
  fields.writeUInt16LE(printFirst ? secondOffset : 0, 0);
  fields.writeUInt16LE(s.length, 2);
  fields.writeUInt16LE(printFirst ? 0 : secondOffset, 4);
  fields.writeUInt16LE(p.length, 6);
  if (flags !== null) fields.writeUInt32LE(flags, 8);
  return buffer(tag, Buffer.concat([fields, pathBuffer]));
}

export const junction = (substitute, print) => namesBuffer(TAG.MOUNT_POINT, substitute, print, { nul: true });
export const symlink = (substitute, print, relative) =>
  namesBuffer(TAG.SYMLINK, substitute, print, { flags: relative ? 1 : 0, printFirst: true });

/** APPEXECLINK: version 3, then NUL-terminated UTF-16 strings. */
export function appExecLink(strings, { version = 3 } = {}) {
  const v = Buffer.alloc(4);
  v.writeUInt32LE(version, 0);
  return buffer(TAG.APPEXECLINK, Buffer.concat([v, ...strings.map((s) => utf16(`${s}\0`))]));
}

/** LX symlink: version 2, UTF-8 target, no NUL. */
export function lxSymlink(target, { version = 2 } = {}) {
  const v = Buffer.alloc(4);
  v.writeUInt32LE(version, 0);
  return buffer(TAG.LX_SYMLINK, Buffer.concat([v, Buffer.from(target, 'utf8')]));
}

export const hex = (bytes) => Buffer.from(bytes).toString('hex');
