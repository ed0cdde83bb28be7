// Reparse points through koffi: ntfs-3g's xattrs on Linux, FSCTL_GET_REPARSE_POINT on Windows; the buffer is decoded by the core.
import { lstatSync } from 'node:fs';
import { SysprobeError } from '../../errors.js';
import type { RawReparseProbe } from '../binding.js';
import { pathBytes, pathText } from '../../util/paths.js';
import type { PathArg } from '../../util/paths.js';
import type { RawReparseData } from '../binding.js';
import { wasmDecodeReparse } from '../wasm/index.js';
import { decodeReparseData, withDecodedReparse } from '../wire.js';
import { E, optionalFunc, sysError, withCore, toBig, type Koffi, type KoffiFunction, type Calls } from './calls.js';

const REPARSE_XATTR = 'system.ntfs_reparse_data';
const ATTRIB_XATTR = 'system.ntfs_attrib';

/**
 * One attribute of the link itself, as the addon reads it (native/core/reparse_probe.cc): null for
 * ENODATA/ENOTSUP, a retry when it grew since its size was asked, at most 64 KiB. `quiet`: other
 * failures give null too (the attributes are a detail, not the answer).
 */
function readXattr(calls: Calls, cPath: Buffer, path: string, name: string, size: number, quiet = false): Buffer | null {
  for (let attempt = 0; attempt < 4; attempt++) {
    if (size > 65536) {
      if (quiet) return null;
      throw new SysprobeError({
        code: 'ERR_SYSPROBE_BAD_REPARSE',
        path,
        message: `${name} is ${size} bytes, larger than any reparse buffer`,
      });
    }
    const value = Buffer.alloc(size + 1);
    const got = Number(calls.lgetxattr!(cPath, name, value, value.length));
    if (got >= 0) return value.subarray(0, got);
    const err = calls.koffi.errno() as number;
    if (err === E.ENODATA || err === E.ENOTSUP) return null;
    if (err !== E.ERANGE) {
      if (quiet) return null;
      throw sysError(err, 'lgetxattr', path);
    }
    size = Number(calls.lgetxattr!(cPath, name, null, 0));
    if (size < 0) return null;
  }
  if (quiet) return null;
  throw sysError(E.ERANGE, 'lgetxattr', path);
}

/** Runs the WebAssembly core, or says why it cannot (its module is not built). */

export function decodeReparse(what: string, bytes: Uint8Array, path?: string): RawReparseData {
  return decodeReparseData(withCore(what, () => wasmDecodeReparse(bytes), path));
}

function withDecoded(path: string, probe: RawReparseProbe): RawReparseProbe {
  return withDecodedReparse(probe, (bytes) => decodeReparse('probeReparsePoint()', bytes, path));
}

export function probeReparsePoint(calls: Calls | null, given: PathArg): RawReparseProbe | null {
  const path = pathText(given);
  if (path === '') throw sysError(E.ENOENT, 'lstat', path);
  if (calls === null) return probeReparsePointLstat(given);
  if (process.platform === 'linux' && calls.lgetxattr !== null) {
    const cPath = Buffer.concat([pathBytes(given), Buffer.alloc(1)]);
    // As the addon: lgetxattr never follows a final symlink; ENODATA/ENOTSUP mean "not a reparse point".
    const size = Number(calls.lgetxattr(cPath, REPARSE_XATTR, null, 0));
    if (size < 0) {
      const err = calls.koffi.errno() as number;
      if (err === E.ENODATA || err === E.ENOTSUP) return null;
      throw sysError(err, 'lgetxattr', path);
    }
    const raw = readXattr(calls, cPath, path, REPARSE_XATTR, size);
    if (raw === null) return null;
    const attrib = readXattr(calls, cPath, path, ATTRIB_XATTR, 4, true);
    return withDecoded(path, {
      source: 'ntfs-3g',
      raw,
      attributes: attrib !== null && attrib.length === 4 ? attrib.readUInt32LE(0) : null,
      tagFromAttributes: null,
      placeholderMode: null,
      decoded: null,
      decodeError: null,
    });
  }
  if (process.platform === 'win32') return probeReparsePointWindows(calls, path);
  return probeReparsePointLstat(given);
}

/** macOS and others: no NTFS reparse data; a missing path is still ENOENT, as in the addon (lstat). */
function probeReparsePointLstat(path: PathArg): null {
  try {
    lstatSync(path);
  } catch (error) {
    const errno = -Number((error as { errno?: number }).errno ?? -E.EIO);
    throw sysError(errno, 'lstat', pathText(path));
  }
  return null;
}

// Windows (kernel32 and ntdll, as native/core/reparse_probe.cc does): open the entry itself on its \\?\ long
// path with placeholders exposed, ask FileAttributeTagInfo. Not a reparse point: null. A reparse point: its
// buffer is read with FSCTL_GET_REPARSE_POINT and decoded by the core (WebAssembly). Win32 errors other than
// "not found" need the core's table of names.
const FILE_READ_ATTRIBUTES = 0x80;
const FILE_SHARE_ALL = 0x1 | 0x2 | 0x4;
const OPEN_EXISTING = 3;
const FILE_FLAG_OPEN_REPARSE_POINT = 0x00200000;
const FILE_FLAG_BACKUP_SEMANTICS = 0x02000000;
const FILE_ATTRIBUTE_REPARSE_POINT = 0x400;
const FILE_ATTRIBUTE_TAG_INFO_CLASS = 9;
const PHCM_EXPOSE_PLACEHOLDERS = 2;
const FSCTL_GET_REPARSE_POINT = 0x000900a8;
const ERROR_NOT_A_REPARSE_POINT = 4390;
const NO_TAG_INFO = new Set([1, 50, 87]); // ERROR_INVALID_FUNCTION, ERROR_NOT_SUPPORTED, ERROR_INVALID_PARAMETER: FAT and co.

interface WindowsCalls {
  getFullPathName: KoffiFunction;
  createFile: KoffiFunction;
  getInfo: KoffiFunction;
  closeHandle: KoffiFunction;
  getLastError: KoffiFunction;
  deviceIoControl: KoffiFunction;
  setPlaceholderMode: KoffiFunction | null;
}
let windowsCalls: WindowsCalls | null = null;

function bindWindows(koffi: Koffi): WindowsCalls {
  const kernel32 = koffi.load('kernel32.dll');
  const ntdll = koffi.load('ntdll.dll');
  return {
    getFullPathName: kernel32.func(
      'uint32_t __stdcall GetFullPathNameW(const char16_t *name, uint32_t size, _Out_ uint16_t *buffer, void *filePart)',
    ),
    createFile: kernel32.func(
      'uintptr_t __stdcall CreateFileW(const char16_t *name, uint32_t access, uint32_t share, void *security, uint32_t disposition, uint32_t flags, void *template)',
    ),
    getInfo: kernel32.func(
      'int __stdcall GetFileInformationByHandleEx(uintptr_t handle, int infoClass, _Out_ uint8_t *buffer, uint32_t size)',
    ),
    closeHandle: kernel32.func('int __stdcall CloseHandle(uintptr_t handle)'),
    getLastError: kernel32.func('uint32_t __stdcall GetLastError(void)'),
    deviceIoControl: kernel32.func(
      'int __stdcall DeviceIoControl(uintptr_t handle, uint32_t code, void *inBuffer, uint32_t inSize, _Out_ uint8_t *outBuffer, uint32_t outSize, _Out_ uint8_t *returned, void *overlapped)',
    ),
    setPlaceholderMode: optionalFunc(ntdll, 'int8_t __stdcall RtlSetThreadPlaceholderCompatibilityMode(int8_t mode)'),
  };
}

function winError(code: number, syscall: string, path: string): SysprobeError {
  if (code === 2 || code === 3) {
    // As the addon: a missing path is ENOENT on every platform, with the Win32 code kept.
    return new SysprobeError({
      errno: E.ENOENT,
      code: 'ENOENT',
      winerror: code,
      syscall,
      path,
      message: `${code === 2 ? 'ERROR_FILE_NOT_FOUND' : 'ERROR_PATH_NOT_FOUND'} (${code})`,
    });
  }
  return new SysprobeError({
    code: 'ERR_SYSPROBE_NEEDS_ADDON',
    winerror: code,
    syscall,
    path,
    message: `${syscall} failed with Win32 error ${code} for '${path}'; the names of Win32 errors are a table in the core (the addon names it)`,
    details: { backend: 'koffi' },
  });
}

function longPath(win: WindowsCalls, path: string): string | null {
  if (path.startsWith('\\\\?\\') || path.startsWith('\\\\.\\')) return path;
  const needed = win.getFullPathName(path, 0, null, null) as number;
  if (needed === 0) return null;
  const buffer = Buffer.alloc(needed * 2);
  const written = win.getFullPathName(path, needed, buffer, null) as number;
  if (written === 0 || written >= needed) return null;
  const full = buffer.toString('utf16le', 0, written * 2);
  return full.startsWith('\\\\') ? `\\\\?\\UNC\\${full.slice(2)}` : `\\\\?\\${full}`;
}

function probeReparsePointWindows(calls: Calls, path: string): RawReparseProbe | null {
  const win = (windowsCalls ??= bindWindows(calls.koffi));
  const full = longPath(win, path);
  if (full === null) throw winError(win.getLastError() as number, 'GetFullPathNameW', path);
  const previous = win.setPlaceholderMode === null ? -1 : (win.setPlaceholderMode(PHCM_EXPOSE_PLACEHOLDERS) as number);
  try {
    const handle = toBig(
      win.createFile(
        full,
        FILE_READ_ATTRIBUTES,
        FILE_SHARE_ALL,
        null,
        OPEN_EXISTING,
        FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS,
        null,
      ),
    );
    if (handle === (1n << BigInt(8 * (calls.koffi.sizeof('void *') as number))) - 1n)
      throw winError(win.getLastError() as number, 'CreateFileW', path);
    try {
      const info = Buffer.alloc(8); // FILE_ATTRIBUTE_TAG_INFO: FileAttributes, ReparseTag
      if (win.getInfo(handle, FILE_ATTRIBUTE_TAG_INFO_CLASS, info, info.length) === 0) {
        const code = win.getLastError() as number;
        if (NO_TAG_INFO.has(code)) return null;
        throw winError(code, 'GetFileInformationByHandleEx', path);
      }
      if ((info.readUInt32LE(0) & FILE_ATTRIBUTE_REPARSE_POINT) === 0) return null;
      // As native/core/reparse_probe.cc: the buffer itself, at most MAXIMUM_REPARSE_DATA_BUFFER_SIZE.
      const raw = Buffer.alloc(16 * 1024);
      const returned = Buffer.alloc(4);
      if (win.deviceIoControl(handle, FSCTL_GET_REPARSE_POINT, null, 0, raw, raw.length, returned, null) === 0) {
        const code = win.getLastError() as number;
        if (code === ERROR_NOT_A_REPARSE_POINT) return null;
        throw winError(code, 'DeviceIoControl(FSCTL_GET_REPARSE_POINT)', path);
      }
      const bytes = raw.subarray(0, returned.readUInt32LE(0));
      return withDecoded(path, {
        source: 'win32',
        raw: bytes,
        attributes: info.readUInt32LE(0),
        tagFromAttributes: info.readUInt32LE(4),
        placeholderMode: win.setPlaceholderMode !== null && previous >= 0 ? 'exposed' : 'default',
        decoded: null,
        decodeError: null,
      });
    } finally {
      win.closeHandle(handle);
    }
  } finally {
    if (win.setPlaceholderMode !== null && previous >= 0 && previous !== PHCM_EXPOSE_PLACEHOLDERS) win.setPlaceholderMode(previous);
  }
}

/**
 * The core gets a relative path joined to the working directory as bytes (src/util/paths.ts); its error names
 * the path as the caller gave it, as the addon's does.
 */
