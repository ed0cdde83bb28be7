// NTFS reparse points: the decoder of REPARSE_DATA_BUFFER / REPARSE_GUID_DATA_BUFFER over a byte span
// (MS-FSCC 2.1.2), and the probes that fetch the raw buffer of a path (Windows: FSCTL_GET_REPARSE_POINT;
// Linux: the ntfs-3g extended attribute system.ntfs_reparse_data). The decoder reads every name by its
// offset and length, never by assumed order or terminators, and reports a malformed buffer as
// ERR_SYSPROBE_BAD_REPARSE with the byte offset of the field that is wrong.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "result.h"

namespace sysprobe::core {

constexpr uint32_t kReparseTagMicrosoftBit = 0x80000000u;
constexpr uint32_t kReparseTagHighLatencyBit = 0x40000000u;  // reserved, formerly "high latency"
constexpr uint32_t kReparseTagNameSurrogateBit = 0x20000000u;
constexpr uint32_t kReparseTagDirectoryBit = 0x10000000u;
constexpr uint32_t kReparseTagCloudMask = 0x0000F000u;
constexpr size_t kReparseHeaderSize = 8;
constexpr size_t kReparseGuidHeaderSize = 24;
constexpr size_t kMaximumReparseDataBufferSize = 16 * 1024;

constexpr uint32_t kTagMountPoint = 0xA0000003u;
constexpr uint32_t kTagSymlink = 0xA000000Cu;
constexpr uint32_t kTagNfs = 0x80000014u;
constexpr uint32_t kTagWof = 0x80000017u;
constexpr uint32_t kTagCloud = 0x9000001Au;
constexpr uint32_t kTagAppExecLink = 0x8000001Bu;
constexpr uint32_t kTagLxSymlink = 0xA000001Du;
constexpr uint32_t kSymlinkFlagRelative = 0x00000001u;

// The name of a tag as in ntifs.h (`IO_REPARSE_TAG_MOUNT_POINT`), empty when the tag is not in the
// table. Cloud tags with a sub-type are named `IO_REPARSE_TAG_CLOUD_1` … `IO_REPARSE_TAG_CLOUD_F`.
std::string ReparseTagName(uint32_t tag);
// What the entry is: 'junction', 'volume-mount', 'symlink', 'app-exec-link', 'lx-symlink', 'cloud',
// 'af-unix', 'lx-fifo', 'lx-chr', 'lx-blk', 'dedup', 'wof', 'projfs', 'onedrive', … or 'unknown'.
// For the mount-point tag the tag alone cannot tell junction from volume mount: `substituteName` decides.
std::string ReparseKind(uint32_t tag, const std::u16string* substituteName = nullptr);

// SYMLINK and MOUNT_POINT: the two names as stored (UTF-16, lone surrogates kept), plus the flags.
struct ReparseTargetNames {
  std::u16string substituteName;
  std::u16string printName;
  uint16_t substituteNameOffset = 0, substituteNameLength = 0;
  uint16_t printNameOffset = 0, printNameLength = 0;
  std::optional<uint32_t> flags;  // SYMLINK only
  bool relative = false;          // SYMLINK_FLAG_RELATIVE
};

// APPEXECLINK (undocumented; libuv, NtCoreLib, FAR Manager agree): a version, then NUL-terminated
// UTF-16 strings: package family name, app user model id, target executable, app type.
struct AppExecLinkData {
  uint32_t version = 0;
  std::vector<std::u16string> strings;
};

// NFS special files (MS-FSCC 2.1.2.6 tag 0x80000014): the type, and the target of a symlink.
struct NfsData {
  uint64_t type = 0;
  std::optional<std::u16string> symlinkTarget;  // NFS_SPECFILE_LNK
  std::optional<uint32_t> major, minor;         // NFS_SPECFILE_CHR / _BLK
};

// WOF (Windows Overlay Filter, compact.exe): WOF_EXTERNAL_INFO and, for the file provider, its algorithm.
struct WofData {
  uint32_t version = 0;
  uint32_t provider = 0;                // 1 WIM, 2 FILE
  std::optional<uint32_t> fileVersion;  // FILE_PROVIDER_EXTERNAL_INFO_V1
  std::optional<uint32_t> algorithm;    // 0 XPRESS4K, 1 LZX, 2 XPRESS8K, 3 XPRESS16K
};

struct ReparseData {
  uint32_t tag = 0;
  uint16_t dataLength = 0;  // ReparseDataLength: bytes after the header (after the GUID for non-Microsoft tags)
  uint16_t reserved = 0;
  std::string tagName;  // empty when unknown
  std::string kind;
  bool isMicrosoft = false, highLatency = false, isNameSurrogate = false, isDirectory = false;
  std::optional<uint32_t> cloudSubtype;  // bits 12..15 of a cloud tag
  std::optional<std::string> guid;       // non-Microsoft tags: "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}"
  size_t dataOffset = 0;                 // where the tag-specific data starts (8, or 24 with a GUID)
  size_t trailingBytes = 0;              // bytes after the declared data (ignored)
  std::optional<ReparseTargetNames> names;
  std::optional<AppExecLinkData> appExecLink;
  std::optional<uint32_t> lxVersion;
  std::optional<std::string> lxTarget;  // UTF-8 bytes exactly as stored (not validated, no NUL added)
  std::optional<NfsData> nfs;
  std::optional<WofData> wof;
};

// Decodes one buffer. Never throws; every read is bounds-checked.
Result<ReparseData> DecodeReparseBuffer(const uint8_t* data, size_t size);

// UTF-16 (lone surrogates become U+FFFD) to UTF-8, for callers outside JS (tests, fuzzing, messages).
std::string Utf16ToUtf8(const std::u16string& text);

// What a probe read from one path.
struct ReparseProbe {
  std::string source;                         // "win32" or "ntfs-3g"
  std::vector<uint8_t> raw;                   // the buffer exactly as the OS returned it
  std::optional<uint32_t> attributes;         // FILE_ATTRIBUTE_* (Windows; ntfs-3g's system.ntfs_attrib)
  std::optional<uint32_t> tagFromAttributes;  // Windows: FileAttributeTagInfo's ReparseTag
  std::string placeholderMode;                // Windows: "exposed" when placeholders were exposed for the query,
                                              // "default" when the mode could not be set; empty elsewhere
};

// nullopt: not a reparse point (or a file system that has none). A missing path is ENOENT.
// Linux: lgetxattr(system.ntfs_reparse_data), the final component is not followed.
// Windows: CreateFileW(OPEN_REPARSE_POINT|BACKUP_SEMANTICS) + FileAttributeTagInfo + FSCTL_GET_REPARSE_POINT.
// Other systems: nullopt after checking the path exists.
Result<std::optional<ReparseProbe>> ProbeReparsePoint(const std::string& path);

// The symbolic name of a Win32 error code ("ERROR_CANT_ACCESS_FILE"), or "WIN32_ERROR_<n>".
std::string Win32ErrorName(unsigned long code);

}  // namespace sysprobe::core
