// One reparse point: its REPARSE_DATA_BUFFER decoded, or probed at a path (never followed).
import { SysprobeError, invalidArgument } from '../../errors.js';
import { binding } from '../../backends/loader.js';
import type { RawReparseData, RawReparseProbe } from '../../backends/binding.js';
import { pathArg, pathText } from '../../util/paths.js';
import type { PathInput } from '../../util/paths.js';

/**
 * What a reparse point is. `junction` and `volume-mount` share the tag `IO_REPARSE_TAG_MOUNT_POINT`;
 * the target (`\??\C:\…` vs `\??\Volume{GUID}\`) tells them apart. `unknown`: a tag not in the table
 * (for non-Microsoft tags, `guid` names the owner).
 */
export type ReparseKind =
  | 'junction'
  | 'volume-mount'
  | 'symlink'
  | 'app-exec-link'
  | 'lx-symlink'
  | 'cloud'
  | 'af-unix'
  | 'lx-fifo'
  | 'lx-chr'
  | 'lx-blk'
  | 'dedup'
  | 'wof'
  | 'projfs'
  | 'projfs-tombstone'
  | 'onedrive'
  | 'nfs'
  | 'hsm'
  | 'drive-extender'
  | 'sis'
  | 'wim'
  | 'csv'
  | 'dfs'
  | 'dfsr'
  | 'filter-manager'
  | 'iis-cache'
  | 'appxstrm'
  | 'file-placeholder'
  | 'dfm'
  | 'wci'
  | 'wci-tombstone'
  | 'wci-link'
  | 'global-reparse'
  | 'storage-sync'
  | 'storage-sync-folder'
  | 'unhandled'
  | 'dataless-cim'
  | 'unknown';

/** The names of a symbolic link, junction, volume mount point or LX symlink. */
export interface ReparseTarget {
  /** The name the file system follows (`\??\C:\target`), or the LX symlink's UTF-8 target. */
  substituteName: string;
  /** The name meant for display (may be empty for junctions); the LX symlink's target again. */
  printName: string;
  /** `SYMLINK_FLAG_RELATIVE` for symlinks; for LX symlinks, a target not starting with `/`. */
  relative: boolean;
  /** The symlink's flags word; `null` for other kinds. */
  flags: number | null;
  /** The substitute name in Win32 form: `\??\C:\x` → `C:\x`, `\??\UNC\s\x` → `\\s\x`, `\??\Volume{…}\` → `\\?\Volume{…}\`. */
  win32Path: string;
  /** For a volume mount point: `{GUID}` of the volume. */
  volumeGuid?: string;
  /** The LX symlink format version (2). */
  version?: number;
}

/** An app execution alias (`%LOCALAPPDATA%\Microsoft\WindowsApps\python.exe`). */
export interface AppExecLinkInfo {
  /** The format version (3 on every known system). */
  version: number;
  packageFamilyName: string;
  appUserModelId: string;
  /** The executable `CreateProcess` starts. */
  targetPath: string;
  /** `'0'` desktop bridge, `'1'`…`'3'` UWP; `null` when the alias has no fourth string. */
  appType: string | null;
  /** Every string of the list, in order (further strings included). */
  strings: string[];
}

/** A reparse point, decoded. */
export interface ReparseInfo {
  /** The tag as an unsigned 32-bit number. */
  tag: number;
  /** `'0xa0000003'`. */
  tagHex: string;
  /** `IO_REPARSE_TAG_MOUNT_POINT`, `IO_REPARSE_TAG_CLOUD_3`, …; `null` for a tag not in the table. */
  tagName: string | null;
  kind: ReparseKind;
  /** Bit 31: a Microsoft tag (others carry a GUID). */
  isMicrosoft: boolean;
  /** Bit 29: the entry stands for another named entity (symlinks, junctions, LX symlinks). */
  isNameSurrogate: boolean;
  /** Bit 28: a directory with this tag may have children. */
  isDirectory: boolean;
  /** Bit 30: reserved, formerly "high latency" (HSM, APPXSTRM). */
  highLatency: boolean;
  /** Bits 12–15 of a cloud tag (`IO_REPARSE_TAG_CLOUD_1` … `_F`), `null` for other tags. */
  cloudSubtype: number | null;
  /** The owner GUID of a non-Microsoft tag, `{xxxxxxxx-xxxx-…}`; `null` for Microsoft tags. */
  guid: string | null;
  /** ReparseDataLength from the header: bytes of tag-specific data. */
  dataLength: number;
  /** Symbolic links, junctions, volume mount points and LX symlinks. */
  target: ReparseTarget | null;
  appExecLink: AppExecLinkInfo | null;
  /** NFS special files: the type (`'LNK'`, `'CHR'`, …) and the symlink target or device numbers. */
  nfs: { type: string; symlinkTarget: string | null; major: number | null; minor: number | null } | null;
  /** Windows Overlay Filter (compact.exe): provider and compression algorithm. */
  wof: {
    version: number;
    provider: 'wim' | 'file' | number;
    algorithm: 'xpress4k' | 'lzx' | 'xpress8k' | 'xpress16k' | number | null;
  } | null;
  /** Where the bytes came from: `'win32'` (FSCTL_GET_REPARSE_POINT), `'ntfs-3g'` (its xattr), `'buffer'` (decodeReparseBuffer). */
  source: 'win32' | 'ntfs-3g' | 'buffer';
  /** The probed path; `null` for decoded buffers. */
  path: string | null;
  /** FILE_ATTRIBUTE_* of the entry (Windows, and ntfs-3g's `system.ntfs_attrib`); `null` when unknown. */
  attributes: number | null;
  /** Windows: `'exposed'` when cloud placeholders were exposed for the query, `'default'` when the mode could not be set. */
  placeholderMode: 'exposed' | 'default' | null;
  /** The buffer exactly as read. */
  raw: Uint8Array;
}

const FILE_ATTRIBUTE_DIRECTORY = 0x10;

function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

/** `\??\C:\x` → `C:\x`, `\??\UNC\s\x` → `\\s\x`, `\??\Volume{…}\` → `\\?\Volume{…}\`, other `\??\` → `\\?\`. */
export function win32PathFromNt(name: string): string {
  if (!name.startsWith('\\??\\')) return name;
  const rest = name.slice(4);
  if (/^[A-Za-z]:(\\|$)/.test(rest)) return rest;
  if (/^UNC\\/i.test(rest)) return `\\\\${rest.slice(4)}`;
  return `\\\\?\\${rest}`;
}

const WOF_ALGORITHMS = ['xpress4k', 'lzx', 'xpress8k', 'xpress16k'] as const;

function nfsTypeName(type: bigint): string {
  let text = '';
  for (let value = type; value > 0n; value >>= 8n) {
    const code = Number(value & 0xffn);
    text += code >= 0x20 && code < 0x7f ? String.fromCharCode(code) : `\\x${code.toString(16).padStart(2, '0')}`;
  }
  return text || '0';
}

function shape(
  data: RawReparseData,
  raw: Uint8Array,
  extra: {
    source: ReparseInfo['source'];
    path: string | null;
    attributes: number | null;
    placeholderMode: ReparseInfo['placeholderMode'];
  },
): ReparseInfo {
  let target: ReparseTarget | null = null;
  if (data.names !== null) {
    const names = data.names;
    target = {
      substituteName: names.substituteName,
      printName: names.printName,
      relative: names.relative,
      flags: names.flags,
      win32Path: names.relative ? names.substituteName : win32PathFromNt(names.substituteName),
    };
    const volume = /^\\\?\?\\Volume(\{[0-9A-Fa-f-]+\})/i.exec(names.substituteName);
    if (data.kind === 'volume-mount' && volume !== null) target.volumeGuid = volume[1]!;
  } else if (data.lxTarget !== null) {
    target = {
      substituteName: data.lxTarget,
      printName: data.lxTarget,
      relative: !data.lxTarget.startsWith('/'),
      flags: null,
      win32Path: data.lxTarget,
      version: data.lxVersion ?? 0,
    };
  }
  let appExecLink: AppExecLinkInfo | null = null;
  if (data.appExecLink !== null) {
    const strings = data.appExecLink.strings;
    appExecLink = {
      version: data.appExecLink.version,
      packageFamilyName: strings[0]!,
      appUserModelId: strings[1]!,
      targetPath: strings[2]!,
      appType: strings[3] ?? null,
      strings,
    };
  }
  return {
    tag: data.tag >>> 0,
    tagHex: hex32(data.tag),
    tagName: data.tagName,
    kind: data.kind as ReparseKind,
    isMicrosoft: data.isMicrosoft,
    isNameSurrogate: data.isNameSurrogate,
    isDirectory: data.isDirectory,
    highLatency: data.highLatency,
    cloudSubtype: data.cloudSubtype,
    guid: data.guid,
    dataLength: data.dataLength,
    target,
    appExecLink,
    nfs:
      data.nfs === null
        ? null
        : {
            type: nfsTypeName(data.nfs.type),
            symlinkTarget: data.nfs.symlinkTarget,
            major: data.nfs.major,
            minor: data.nfs.minor,
          },
    wof:
      data.wof === null
        ? null
        : {
            version: data.wof.version,
            provider: data.wof.provider === 1 ? 'wim' : data.wof.provider === 2 ? 'file' : data.wof.provider,
            algorithm: data.wof.algorithm === null ? null : (WOF_ALGORITHMS[data.wof.algorithm] ?? data.wof.algorithm),
          },
    source: extra.source,
    path: extra.path,
    attributes: extra.attributes,
    placeholderMode: extra.placeholderMode,
    raw,
  };
}

function toBytes(bytes: unknown): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw invalidArgument('decodeReparseBuffer(): bytes must be a Uint8Array, Buffer, ArrayBuffer or ArrayBufferView');
}

/**
 * Decodes a raw REPARSE_DATA_BUFFER (or REPARSE_GUID_DATA_BUFFER for non-Microsoft tags), e.g. the
 * output of `FSCTL_GET_REPARSE_POINT` or ntfs-3g's `system.ntfs_reparse_data`. Works on every platform.
 * A malformed buffer throws `SysprobeError` `ERR_SYSPROBE_BAD_REPARSE` with the byte `offset`.
 */
export function decodeReparseBuffer(bytes: Uint8Array | ArrayBuffer | ArrayBufferView): ReparseInfo {
  const view = toBytes(bytes);
  const copy = new Uint8Array(view); // the caller may reuse its buffer; the result keeps its own bytes
  return shape(binding().decodeReparseBuffer(copy), copy, { source: 'buffer', path: null, attributes: null, placeholderMode: null });
}

export function fromProbe(raw: RawReparseProbe | null, path: string): ReparseInfo | null {
  if (raw === null) return null;
  if (raw.decoded === null) {
    const cause = raw.decodeError as SysprobeError | null;
    throw new SysprobeError({
      code: cause?.code ?? 'ERR_SYSPROBE_BAD_REPARSE',
      message: `${cause?.message ?? 'malformed reparse data'} (${path}, ${raw.source})`,
      path,
      ...(cause?.offset !== undefined ? { offset: cause.offset } : {}),
      details: { source: raw.source, raw: raw.raw.toString('hex') },
    });
  }
  return shape(raw.decoded, new Uint8Array(raw.raw), {
    source: raw.source,
    path,
    attributes: raw.attributes,
    placeholderMode: raw.placeholderMode,
  });
}

/**
 * The reparse point at `path` (the final component itself, never its target), or `null` when it is
 * not one. Windows: `FSCTL_GET_REPARSE_POINT` with cloud placeholders exposed. Linux: NTFS volumes
 * mounted with ntfs-3g (`system.ntfs_reparse_data`); any other file system gives `null`. macOS: `null`.
 * A missing path rejects with `ENOENT`; Win32 failures keep `winerror` and its name as `code`.
 */
export async function probeReparsePoint(path: PathInput): Promise<ReparseInfo | null> {
  const given = pathArg('probeReparsePoint', path);
  return fromProbe(await binding().probeReparsePoint(given), pathText(given));
}

/** As {@link probeReparsePoint}, on the calling thread. */
export function probeReparsePointSync(path: PathInput): ReparseInfo | null {
  const given = pathArg('probeReparsePointSync', path);
  return fromProbe(binding().probeReparsePointSync(given), pathText(given));
}

/** Whether the entry carrying this reparse point is a directory, when the attributes tell. */
export function reparseEntryIsDirectory(info: ReparseInfo): boolean | null {
  if (info.attributes !== null) return (info.attributes & FILE_ATTRIBUTE_DIRECTORY) !== 0;
  if (info.kind === 'junction' || info.kind === 'volume-mount') return true; // MOUNT_POINT is only valid on directories
  return null;
}
