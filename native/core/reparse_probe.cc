// Fetching the raw reparse buffer of a path: Windows (FSCTL_GET_REPARSE_POINT), Linux (the ntfs-3g
// extended attribute), nothing elsewhere. The bytes are decoded by the portable decoder (reparse.cc).
#include "reparse.h"

#if defined(_WIN32)

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#include <winioctl.h>

#include <cerrno>

namespace sysprobe::core {

namespace {

#ifndef FSCTL_GET_REPARSE_POINT
#define FSCTL_GET_REPARSE_POINT 0x000900A8
#endif
#ifndef ERROR_NOT_A_REPARSE_POINT
#define ERROR_NOT_A_REPARSE_POINT 4390L
#endif

SysError WinError(DWORD code, const char* call, const std::string& path) {
  SysError error;
  error.winerror = code;
  error.syscall = call;
  error.path = path;
  const std::string name = Win32ErrorName(code);
  if (code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND) {
    // A missing path is ENOENT on every platform; SysprobeError adds the call and the path.
    error.errnum = ENOENT;
    error.code = "ENOENT";
    error.message = name + " (" + std::to_string(code) + ")";
  } else {
    error.code = name;
    error.message = name + " (" + std::to_string(code) + "): " + call + " '" + path + "'";
  }
  return error;
}

std::wstring Widen(const std::string& text) {
  if (text.empty()) return {};
  const int count = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text.data(), static_cast<int>(text.size()), nullptr, 0);
  if (count <= 0) return {};
  std::wstring wide(static_cast<size_t>(count), L'\0');
  MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text.data(), static_cast<int>(text.size()), &wide[0], count);
  return wide;
}

// An absolute path in the \\?\ form, so that paths longer than MAX_PATH open without the long-path
// manifest: GetFullPathNameW first (the \\?\ form turns off normalisation: '/', '.', '..').
bool LongPath(const std::wstring& path, std::wstring* out) {
  if (path.rfind(L"\\\\?\\", 0) == 0 || path.rfind(L"\\\\.\\", 0) == 0) {
    *out = path;
    return true;
  }
  DWORD needed = GetFullPathNameW(path.c_str(), 0, nullptr, nullptr);
  if (needed == 0) return false;
  std::wstring full(needed, L'\0');
  DWORD written = GetFullPathNameW(path.c_str(), needed, &full[0], nullptr);
  if (written == 0 || written >= needed) return false;
  full.resize(written);
  if (full.rfind(L"\\\\", 0) == 0) {
    *out = L"\\\\?\\UNC\\" + full.substr(2);
  } else {
    *out = L"\\\\?\\" + full;
  }
  return true;
}

// Cloud placeholders are disguised from most processes; expose them on this thread for the query
// (RtlSetThreadPlaceholderCompatibilityMode, ntdll, Windows 10 1709+) and put the old mode back.
class ExposePlaceholders {
 public:
  ExposePlaceholders() {
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    if (ntdll == nullptr) return;
    set_ = reinterpret_cast<SetMode>(reinterpret_cast<void*>(GetProcAddress(ntdll, "RtlSetThreadPlaceholderCompatibilityMode")));
    if (set_ == nullptr) return;
    previous_ = set_(kExpose);
    exposed_ = previous_ >= 0;
  }
  ~ExposePlaceholders() {
    if (exposed_ && previous_ != kExpose) set_(previous_);
  }
  bool exposed() const { return exposed_; }

 private:
  using SetMode = CHAR(NTAPI*)(CHAR);
  static constexpr CHAR kExpose = 2;  // PHCM_EXPOSE_PLACEHOLDERS
  SetMode set_ = nullptr;
  CHAR previous_ = -1;
  bool exposed_ = false;
};

class Handle {
 public:
  explicit Handle(HANDLE handle) : handle_(handle) {}
  ~Handle() {
    if (handle_ != INVALID_HANDLE_VALUE) CloseHandle(handle_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  HANDLE get() const { return handle_; }

 private:
  HANDLE handle_;
};

}  // namespace

Result<std::optional<ReparseProbe>> ProbeReparsePoint(const std::string& path) {
  const std::wstring wide = Widen(path);
  if (wide.empty()) return SysError::Sysprobe("ERR_SYSPROBE_INVALID_ARG", "the path is empty or not valid UTF-8", path);
  std::wstring longPath;
  if (!LongPath(wide, &longPath)) return WinError(GetLastError(), "GetFullPathNameW", path);

  ExposePlaceholders placeholders;
  Handle handle(CreateFileW(longPath.c_str(), FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                            OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS, nullptr));
  if (handle.get() == INVALID_HANDLE_VALUE) return WinError(GetLastError(), "CreateFileW", path);

  FILE_ATTRIBUTE_TAG_INFO tagInfo{};
  if (!GetFileInformationByHandleEx(handle.get(), FileAttributeTagInfo, &tagInfo, sizeof(tagInfo))) {
    const DWORD code = GetLastError();
    // FAT and some network file systems do not answer FileAttributeTagInfo: they have no reparse points.
    if (code == ERROR_INVALID_PARAMETER || code == ERROR_INVALID_FUNCTION || code == ERROR_NOT_SUPPORTED) {
      return std::optional<ReparseProbe>();
    }
    return WinError(code, "GetFileInformationByHandleEx", path);
  }
  if ((tagInfo.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) == 0) return std::optional<ReparseProbe>();

  ReparseProbe probe;
  probe.source = "win32";
  probe.attributes = tagInfo.FileAttributes;
  probe.tagFromAttributes = tagInfo.ReparseTag;
  probe.placeholderMode = placeholders.exposed() ? "exposed" : "default";
  probe.raw.resize(kMaximumReparseDataBufferSize);
  DWORD returned = 0;
  if (!DeviceIoControl(handle.get(), FSCTL_GET_REPARSE_POINT, nullptr, 0, probe.raw.data(), static_cast<DWORD>(probe.raw.size()),
                       &returned, nullptr)) {
    const DWORD code = GetLastError();
    if (code == ERROR_NOT_A_REPARSE_POINT) return std::optional<ReparseProbe>();
    return WinError(code, "DeviceIoControl(FSCTL_GET_REPARSE_POINT)", path);
  }
  probe.raw.resize(returned);
  return std::optional<ReparseProbe>(std::move(probe));
}

}  // namespace sysprobe::core

#else  // POSIX

#include <sys/stat.h>
#include <cerrno>
#if defined(__linux__)
#include <sys/xattr.h>
#endif

namespace sysprobe::core {

#if defined(__linux__)
namespace {

// ntfs-3g exposes NTFS metadata as extended attributes in the "system." namespace; the names are
// in libntfs-3g/xattrs.c.
const char kReparseXattr[] = "system.ntfs_reparse_data";
const char kAttribXattr[] = "system.ntfs_attrib";

// Reads one attribute of the link itself (never the target of a final symlink). ENODATA and
// ENOTSUP mean "no such attribute here": nullopt. The size is asked first; a race that grows the
// value in between is retried a few times.
Result<std::optional<std::vector<uint8_t>>> ReadXattr(const std::string& path, const char* name) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    const ssize_t size = lgetxattr(path.c_str(), name, nullptr, 0);
    if (size < 0) {
      if (errno == ENODATA || errno == ENOTSUP) return std::optional<std::vector<uint8_t>>();
      return SysError::FromErrno(errno, "lgetxattr", path);
    }
    // A reparse buffer is at most 16 KiB; ntfs-3g allows up to 64 KiB of attribute value.
    if (static_cast<size_t>(size) > 65536) {
      return SysError::Sysprobe("ERR_SYSPROBE_BAD_REPARSE",
                                std::string(name) + " is " + std::to_string(size) + " bytes, larger than any reparse buffer", path);
    }
    std::vector<uint8_t> value(static_cast<size_t>(size) + 1);
    const ssize_t got = lgetxattr(path.c_str(), name, value.data(), value.size());
    if (got < 0) {
      if (errno == ERANGE) continue;
      if (errno == ENODATA || errno == ENOTSUP) return std::optional<std::vector<uint8_t>>();
      return SysError::FromErrno(errno, "lgetxattr", path);
    }
    value.resize(static_cast<size_t>(got));
    return std::optional<std::vector<uint8_t>>(std::move(value));
  }
  return SysError::FromErrno(ERANGE, "lgetxattr", path);
}

}  // namespace
#endif

Result<std::optional<ReparseProbe>> ProbeReparsePoint(const std::string& path) {
  if (path.empty()) return SysError::FromErrno(ENOENT, "lstat", path);
#if defined(__linux__)
  // No lstat first: lgetxattr itself fails with ENOENT for a missing path, and FUSE answers EIO to
  // lstat of an entry whose type ntfs-3g changed under the kernel's cache (a freshly planted junction).
  auto raw = ReadXattr(path, kReparseXattr);
  if (!raw.ok()) return raw.error();
  if (!raw.value()) return std::optional<ReparseProbe>();
  ReparseProbe probe;
  probe.source = "ntfs-3g";
  probe.raw = std::move(*raw.value());
  auto attributes = ReadXattr(path, kAttribXattr);
  if (attributes.ok() && attributes.value() && attributes.value()->size() == 4) {
    const std::vector<uint8_t>& bytes = *attributes.value();
    probe.attributes = static_cast<uint32_t>(bytes[0]) | (static_cast<uint32_t>(bytes[1]) << 8) |
                       (static_cast<uint32_t>(bytes[2]) << 16) | (static_cast<uint32_t>(bytes[3]) << 24);
  }
  return std::optional<ReparseProbe>(std::move(probe));
#else
  struct stat info;
  if (lstat(path.c_str(), &info) != 0) return SysError::FromErrno(errno, "lstat", path);
  return std::optional<ReparseProbe>();  // macOS and other systems have no NTFS reparse data to read
#endif
}

}  // namespace sysprobe::core

#endif
