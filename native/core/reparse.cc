// The reparse buffer decoder: portable, over a byte span, little-endian fields read explicitly.
#include "reparse.h"

#include <cstdio>

namespace sysprobe::core {

namespace {

const char kBadReparse[] = "ERR_SYSPROBE_BAD_REPARSE";

SysError Bad(const std::string& message, size_t offset) {
  return SysError::Malformed(kBadReparse, message, static_cast<long long>(offset));
}

// Bounds-checked little-endian reads over [data, data + size).
class Span {
 public:
  Span(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  size_t size() const { return size_; }
  bool Has(size_t offset, size_t length) const { return offset <= size_ && length <= size_ - offset; }
  uint16_t U16(size_t offset) const { return static_cast<uint16_t>(data_[offset] | (data_[offset + 1] << 8)); }
  uint32_t U32(size_t offset) const {
    return static_cast<uint32_t>(data_[offset]) | (static_cast<uint32_t>(data_[offset + 1]) << 8) |
           (static_cast<uint32_t>(data_[offset + 2]) << 16) | (static_cast<uint32_t>(data_[offset + 3]) << 24);
  }
  uint64_t U64(size_t offset) const { return static_cast<uint64_t>(U32(offset)) | (static_cast<uint64_t>(U32(offset + 4)) << 32); }
  uint8_t U8(size_t offset) const { return data_[offset]; }
  // `length` bytes of UTF-16LE at `offset` (caller checked bounds and evenness).
  std::u16string Utf16(size_t offset, size_t length) const {
    std::u16string text;
    text.reserve(length / 2);
    for (size_t i = 0; i + 1 < length; i += 2) text.push_back(static_cast<char16_t>(U16(offset + i)));
    return text;
  }

 private:
  const uint8_t* data_;
  size_t size_;
};

struct TagEntry {
  uint32_t tag;
  const char* name;
  const char* kind;
};

// The reference table (MS-FSCC "Reparse Point Tags", ntifs.h, System Informer ReparseTagToString).
const TagEntry kTags[] = {
    {0xA0000003u, "IO_REPARSE_TAG_MOUNT_POINT", "junction"},
    {0xC0000004u, "IO_REPARSE_TAG_HSM", "hsm"},
    {0x80000005u, "IO_REPARSE_TAG_DRIVE_EXTENDER", "drive-extender"},
    {0x80000006u, "IO_REPARSE_TAG_HSM2", "hsm"},
    {0x80000007u, "IO_REPARSE_TAG_SIS", "sis"},
    {0x80000008u, "IO_REPARSE_TAG_WIM", "wim"},
    {0x80000009u, "IO_REPARSE_TAG_CSV", "csv"},
    {0x8000000Au, "IO_REPARSE_TAG_DFS", "dfs"},
    {0x8000000Bu, "IO_REPARSE_TAG_FILTER_MANAGER", "filter-manager"},
    {0xA000000Cu, "IO_REPARSE_TAG_SYMLINK", "symlink"},
    {0xA0000010u, "IO_REPARSE_TAG_IIS_CACHE", "iis-cache"},
    {0x80000012u, "IO_REPARSE_TAG_DFSR", "dfsr"},
    {0x80000013u, "IO_REPARSE_TAG_DEDUP", "dedup"},
    {0x80000014u, "IO_REPARSE_TAG_NFS", "nfs"},
    {0xC0000014u, "IO_REPARSE_TAG_APPXSTRM", "appxstrm"},
    {0x80000015u, "IO_REPARSE_TAG_FILE_PLACEHOLDER", "file-placeholder"},
    {0x80000016u, "IO_REPARSE_TAG_DFM", "dfm"},
    {0x80000017u, "IO_REPARSE_TAG_WOF", "wof"},
    {0x80000018u, "IO_REPARSE_TAG_WCI", "wci"},
    {0x90001018u, "IO_REPARSE_TAG_WCI_1", "wci"},
    {0xA0000019u, "IO_REPARSE_TAG_GLOBAL_REPARSE", "global-reparse"},
    {0x9000001Au, "IO_REPARSE_TAG_CLOUD", "cloud"},
    {0x8000001Bu, "IO_REPARSE_TAG_APPEXECLINK", "app-exec-link"},
    {0x9000001Cu, "IO_REPARSE_TAG_PROJFS", "projfs"},
    {0xA000001Du, "IO_REPARSE_TAG_LX_SYMLINK", "lx-symlink"},
    {0x8000001Eu, "IO_REPARSE_TAG_STORAGE_SYNC", "storage-sync"},
    {0xA000001Fu, "IO_REPARSE_TAG_WCI_TOMBSTONE", "wci-tombstone"},
    {0x80000020u, "IO_REPARSE_TAG_UNHANDLED", "unhandled"},
    {0x80000021u, "IO_REPARSE_TAG_ONEDRIVE", "onedrive"},
    {0xA0000022u, "IO_REPARSE_TAG_PROJFS_TOMBSTONE", "projfs-tombstone"},
    {0x80000023u, "IO_REPARSE_TAG_AF_UNIX", "af-unix"},
    {0x80000024u, "IO_REPARSE_TAG_LX_FIFO", "lx-fifo"},
    {0x80000025u, "IO_REPARSE_TAG_LX_CHR", "lx-chr"},
    {0x80000026u, "IO_REPARSE_TAG_LX_BLK", "lx-blk"},
    {0x90000027u, "IO_REPARSE_TAG_STORAGE_SYNC_FOLDER", "storage-sync-folder"},
    {0xA0000027u, "IO_REPARSE_TAG_WCI_LINK", "wci-link"},
    {0xA0001027u, "IO_REPARSE_TAG_WCI_LINK_1", "wci-link"},
    {0xA0000028u, "IO_REPARSE_TAG_DATALESS_CIM", "dataless-cim"},
};

bool IsCloudTag(uint32_t tag) { return (tag & ~kReparseTagCloudMask) == kTagCloud; }

const TagEntry* FindTag(uint32_t tag) {
  for (const TagEntry& entry : kTags) {
    if (entry.tag == tag) return &entry;
  }
  return nullptr;
}

std::string FormatGuid(const Span& span, size_t offset) {
  char text[40];
  std::snprintf(text, sizeof(text), "{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}", span.U32(offset), span.U16(offset + 4),
                span.U16(offset + 6), span.U8(offset + 8), span.U8(offset + 9), span.U8(offset + 10), span.U8(offset + 11),
                span.U8(offset + 12), span.U8(offset + 13), span.U8(offset + 14), span.U8(offset + 15));
  return text;
}

bool StartsWithIgnoreCase(const std::u16string& text, const char* prefix) {
  size_t i = 0;
  for (; prefix[i] != '\0'; ++i) {
    if (i >= text.size()) return false;
    char16_t a = text[i];
    char16_t b = static_cast<char16_t>(static_cast<unsigned char>(prefix[i]));
    if (a >= u'A' && a <= u'Z') a = static_cast<char16_t>(a - u'A' + u'a');
    if (b >= u'A' && b <= u'Z') b = static_cast<char16_t>(b - u'A' + u'a');
    if (a != b) return false;
  }
  return true;
}

// SYMLINK (with flags) and MOUNT_POINT (without): four u16 fields, then PathBuffer.
Result<ReparseTargetNames> DecodeNames(const Span& span, size_t base, size_t length, bool hasFlags) {
  const size_t fixed = hasFlags ? 12 : 8;
  if (length < fixed) {
    return Bad(std::string(hasFlags ? "symbolic link" : "mount point") + " data is " + std::to_string(length) +
                   " bytes, shorter than its " + std::to_string(fixed) + "-byte fixed part",
               base + length);
  }
  ReparseTargetNames names;
  names.substituteNameOffset = span.U16(base);
  names.substituteNameLength = span.U16(base + 2);
  names.printNameOffset = span.U16(base + 4);
  names.printNameLength = span.U16(base + 6);
  if (hasFlags) {
    names.flags = span.U32(base + 8);
    names.relative = (*names.flags & kSymlinkFlagRelative) != 0;
  }
  const size_t pathBuffer = base + fixed;
  const size_t pathLength = length - fixed;
  struct Field {
    const char* what;
    size_t fieldOffset;
    uint16_t offset, length;
    std::u16string* out;
  } fields[] = {
      {"substitute name", base, names.substituteNameOffset, names.substituteNameLength, &names.substituteName},
      {"print name", base + 4, names.printNameOffset, names.printNameLength, &names.printName},
  };
  for (Field& field : fields) {
    if (field.offset % 2 != 0) {
      return Bad(std::string(field.what) + " offset " + std::to_string(field.offset) + " is odd (UTF-16)", field.fieldOffset);
    }
    if (field.length % 2 != 0) {
      return Bad(std::string(field.what) + " length " + std::to_string(field.length) + " is odd (UTF-16)", field.fieldOffset + 2);
    }
    if (static_cast<size_t>(field.offset) + field.length > pathLength) {
      return Bad(std::string(field.what) + " (offset " + std::to_string(field.offset) + ", length " + std::to_string(field.length) +
                     ") runs past the " + std::to_string(pathLength) + "-byte path buffer",
                 field.fieldOffset);
    }
    *field.out = span.Utf16(pathBuffer + field.offset, field.length);
  }
  if (names.substituteName.empty()) return Bad("the substitute name is empty", base + 2);
  return names;
}

// APPEXECLINK: u32 version, then NUL-terminated UTF-16 strings up to the end of the data.
Result<AppExecLinkData> DecodeAppExecLink(const Span& span, size_t base, size_t length) {
  if (length < 4) return Bad("app execution alias data has no version", base + length);
  AppExecLinkData link;
  link.version = span.U32(base);
  size_t position = base + 4;
  const size_t end = base + length;
  if ((end - position) % 2 != 0) {
    return Bad("app execution alias string list has an odd length (UTF-16)", end - 1);
  }
  while (position < end) {
    const size_t start = position;
    std::u16string text;
    bool terminated = false;
    while (position < end) {
      const char16_t unit = static_cast<char16_t>(span.U16(position));
      position += 2;
      if (unit == 0) {
        terminated = true;
        break;
      }
      text.push_back(unit);
    }
    if (!terminated) return Bad("app execution alias string is not NUL-terminated", start);
    link.strings.push_back(std::move(text));
  }
  // The list may end with an extra NUL (an empty string): not a string of its own.
  while (!link.strings.empty() && link.strings.back().empty()) link.strings.pop_back();
  if (link.strings.size() < 3) {
    return Bad("app execution alias has " + std::to_string(link.strings.size()) +
                   " strings; package family name, app user model id and target path are required",
               base + 4);
  }
  return link;
}

Result<NfsData> DecodeNfs(const Span& span, size_t base, size_t length) {
  if (length < 8) return Bad("NFS reparse data has no type", base + length);
  NfsData nfs;
  nfs.type = span.U64(base);
  const size_t rest = length - 8;
  if (nfs.type == 0x00000000014B4E4Cull) {  // NFS_SPECFILE_LNK "LNK"
    if (rest % 2 != 0) return Bad("NFS symlink target has an odd length (UTF-16)", base + 8);
    nfs.symlinkTarget = span.Utf16(base + 8, rest);
  } else if (nfs.type == 0x0000000000524843ull || nfs.type == 0x00000000004B4C42ull) {  // "CHR" / "BLK"
    if (rest < 8) return Bad("NFS device has no major/minor numbers", base + 8);
    nfs.major = span.U32(base + 8);
    nfs.minor = span.U32(base + 12);
  }
  return nfs;
}

}  // namespace

std::string ReparseTagName(uint32_t tag) {
  if (const TagEntry* entry = FindTag(tag)) return entry->name;
  if (IsCloudTag(tag)) {
    static const char kHex[] = "0123456789ABCDEF";
    return std::string("IO_REPARSE_TAG_CLOUD_") + kHex[(tag >> 12) & 0xF];
  }
  return {};
}

std::string ReparseKind(uint32_t tag, const std::u16string* substituteName) {
  if (tag == kTagMountPoint) {
    // Junction "\??\C:\dir" vs volume mount point "\??\Volume{GUID}\": same tag, the target decides.
    if (substituteName != nullptr && StartsWithIgnoreCase(*substituteName, "\\??\\Volume{")) return "volume-mount";
    return "junction";
  }
  if (IsCloudTag(tag)) return "cloud";
  if (const TagEntry* entry = FindTag(tag)) return entry->kind;
  return "unknown";
}

Result<ReparseData> DecodeReparseBuffer(const uint8_t* data, size_t size) {
  if (data == nullptr && size != 0) return Bad("no buffer", 0);
  const Span span(data, size);
  if (!span.Has(0, kReparseHeaderSize)) {
    return Bad("buffer is " + std::to_string(size) + " bytes, shorter than the 8-byte reparse header", size);
  }
  ReparseData out;
  out.tag = span.U32(0);
  out.dataLength = span.U16(4);
  out.reserved = span.U16(6);
  if (out.tag == 0) return Bad("reparse tag 0 is reserved and never valid", 0);
  out.isMicrosoft = (out.tag & kReparseTagMicrosoftBit) != 0;
  out.highLatency = (out.tag & kReparseTagHighLatencyBit) != 0;
  out.isNameSurrogate = (out.tag & kReparseTagNameSurrogateBit) != 0;
  out.isDirectory = (out.tag & kReparseTagDirectoryBit) != 0;
  out.tagName = ReparseTagName(out.tag);
  if (IsCloudTag(out.tag)) out.cloudSubtype = (out.tag & kReparseTagCloudMask) >> 12;

  out.dataOffset = kReparseHeaderSize;
  if (!out.isMicrosoft) {
    // Non-Microsoft tags MUST use REPARSE_GUID_DATA_BUFFER: the owner's GUID follows the header.
    if (!span.Has(kReparseHeaderSize, 16)) {
      return Bad("non-Microsoft tag without the 16-byte GUID of REPARSE_GUID_DATA_BUFFER", kReparseHeaderSize);
    }
    out.guid = FormatGuid(span, kReparseHeaderSize);
    out.dataOffset = kReparseGuidHeaderSize;
  }
  const size_t base = out.dataOffset;
  const size_t length = out.dataLength;
  if (!span.Has(base, length)) {
    return Bad("ReparseDataLength " + std::to_string(length) + " runs past the " + std::to_string(size) + "-byte buffer", 4);
  }
  out.trailingBytes = size - base - length;

  const uint32_t tag = out.tag;
  if (tag == kTagSymlink || tag == kTagMountPoint) {
    auto names = DecodeNames(span, base, length, tag == kTagSymlink);
    if (!names.ok()) return names.error();
    out.names = std::move(names.value());
  } else if (tag == kTagAppExecLink) {
    auto link = DecodeAppExecLink(span, base, length);
    if (!link.ok()) return link.error();
    out.appExecLink = std::move(link.value());
  } else if (tag == kTagLxSymlink) {
    if (length < 4) return Bad("LX symlink data has no version", base + length);
    out.lxVersion = span.U32(base);
    if (length == 4) return Bad("LX symlink has an empty target", base + 4);
    out.lxTarget = std::string(reinterpret_cast<const char*>(data + base + 4), length - 4);
  } else if (tag == kTagNfs) {
    auto nfs = DecodeNfs(span, base, length);
    if (!nfs.ok()) return nfs.error();
    out.nfs = std::move(nfs.value());
  } else if (tag == kTagWof && length >= 8) {
    WofData wof;
    wof.version = span.U32(base);
    wof.provider = span.U32(base + 4);
    if (wof.provider == 2 && length >= 16) {  // WOF_PROVIDER_FILE: FILE_PROVIDER_EXTERNAL_INFO_V1
      wof.fileVersion = span.U32(base + 8);
      wof.algorithm = span.U32(base + 12);
    }
    out.wof = wof;
  }
  out.kind = ReparseKind(tag, out.names ? &out.names->substituteName : nullptr);
  return out;
}

std::string Utf16ToUtf8(const std::u16string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    uint32_t cp = text[i];
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < text.size() && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (text[i + 1] - 0xDC00);
      ++i;
    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
      cp = 0xFFFD;
    }
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

std::string Win32ErrorName(unsigned long code) {
  struct Name {
    unsigned long code;
    const char* name;
  };
  static const Name kNames[] = {
      {1, "ERROR_INVALID_FUNCTION"},
      {2, "ERROR_FILE_NOT_FOUND"},
      {3, "ERROR_PATH_NOT_FOUND"},
      {5, "ERROR_ACCESS_DENIED"},
      {6, "ERROR_INVALID_HANDLE"},
      {8, "ERROR_NOT_ENOUGH_MEMORY"},
      {15, "ERROR_INVALID_DRIVE"},
      {21, "ERROR_NOT_READY"},
      {32, "ERROR_SHARING_VIOLATION"},
      {33, "ERROR_LOCK_VIOLATION"},
      {50, "ERROR_NOT_SUPPORTED"},
      {53, "ERROR_BAD_NETPATH"},
      {67, "ERROR_BAD_NET_NAME"},
      {87, "ERROR_INVALID_PARAMETER"},
      {122, "ERROR_INSUFFICIENT_BUFFER"},
      {123, "ERROR_INVALID_NAME"},
      {161, "ERROR_BAD_PATHNAME"},
      {206, "ERROR_FILENAME_EXCED_RANGE"},
      {234, "ERROR_MORE_DATA"},
      {267, "ERROR_DIRECTORY"},
      {362, "ERROR_CLOUD_FILE_PROVIDER_NOT_RUNNING"},
      {383, "ERROR_CLOUD_FILE_ACCESS_DENIED"},
      {1005, "ERROR_UNRECOGNIZED_VOLUME"},
      {1314, "ERROR_PRIVILEGE_NOT_HELD"},
      {1464, "ERROR_SYMLINK_NOT_SUPPORTED"},
      {1920, "ERROR_CANT_ACCESS_FILE"},
      {1921, "ERROR_CANT_RESOLVE_FILENAME"},
      {4390, "ERROR_NOT_A_REPARSE_POINT"},
      {4392, "ERROR_INVALID_REPARSE_DATA"},
      {4393, "ERROR_REPARSE_TAG_INVALID"},
      {4394, "ERROR_REPARSE_TAG_MISMATCH"},
  };
  for (const Name& name : kNames) {
    if (name.code == code) return name.name;
  }
  return "WIN32_ERROR_" + std::to_string(code);
}

}  // namespace sysprobe::core
