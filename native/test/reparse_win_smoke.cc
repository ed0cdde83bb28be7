// Windows smoke test of the reparse probe (native/core/reparse_probe.cc), cross-compiled with
// mingw-w64 and run under Wine in .ci/run: CreateFileW on the \\?\ long form, FileAttributeTagInfo,
// the placeholder-mode switch, FSCTL_GET_REPARSE_POINT where the system supports it, and Win32
// errors kept with their names. Prints one line per check; exits 1 on a failure.
#include <windows.h>
#include <winioctl.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/reparse.h"

using sysprobe::core::ProbeReparsePoint;

static int failures = 0;

static void Check(bool ok, const std::string& what) {
  std::printf("%s %s\n", ok ? "ok" : "FAIL", what.c_str());
  if (!ok) ++failures;
}

static std::string TempDir() {
  char buffer[MAX_PATH + 1] = {};
  GetTempPathA(MAX_PATH, buffer);
  std::string dir = std::string(buffer) + "sysprobe-smoke-" + std::to_string(GetCurrentProcessId());
  CreateDirectoryA(dir.c_str(), nullptr);
  return dir;
}

int main() {
  const std::string dir = TempDir();
  const std::string file = dir + "\\plain.txt";
  HANDLE h = CreateFileA(file.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  CloseHandle(h);

  auto plain = ProbeReparsePoint(file);
  Check(plain.ok() && !plain.value().has_value(), "a plain file is not a reparse point");
  auto directory = ProbeReparsePoint(dir);
  Check(directory.ok() && !directory.value().has_value(), "a plain directory is not a reparse point");
  auto forward = ProbeReparsePoint(dir + "/plain.txt");
  Check(forward.ok() && !forward.value().has_value(), "forward slashes are normalised before the \\\\?\\ form");

  auto missing = ProbeReparsePoint(dir + "\\missing.txt");
  Check(!missing.ok() && missing.error().code == "ENOENT" && missing.error().winerror == ERROR_FILE_NOT_FOUND &&
            missing.error().syscall == "CreateFileW",
        "a missing file is ENOENT with winerror 2 (" + (missing.ok() ? std::string("ok?") : missing.error().message) + ")");
  auto missingDir = ProbeReparsePoint(dir + "\\no\\such\\dir");
  Check(!missingDir.ok() && missingDir.error().code == "ENOENT" && missingDir.error().winerror == ERROR_PATH_NOT_FOUND,
        "a missing directory is ENOENT with winerror 3");

  // A path longer than MAX_PATH opens through the \\?\ form.
  std::wstring longDir = L"\\\\?\\";
  {
    wchar_t full[MAX_PATH + 1] = {};
    GetFullPathNameW(std::wstring(dir.begin(), dir.end()).c_str(), MAX_PATH, full, nullptr);
    longDir += full;
  }
  std::string longPath = dir;
  for (int i = 0; i < 6; ++i) {
    const std::string part(60, static_cast<char>('a' + i));
    longDir += L"\\" + std::wstring(part.begin(), part.end());
    longPath += "\\" + part;
    CreateDirectoryW(longDir.c_str(), nullptr);
  }
  auto longResult = ProbeReparsePoint(longPath);
  Check(longPath.size() > MAX_PATH && longResult.ok() && !longResult.value().has_value(),
        "a " + std::to_string(longPath.size()) + "-character path is probed (" +
            (longResult.ok() ? std::string("ok") : longResult.error().message) + ")");

  // A junction made with FSCTL_SET_REPARSE_POINT, where the system supports it (Wine >= 10.19, Windows).
  const std::string junction = dir + "\\junction";
  CreateDirectoryA(junction.c_str(), nullptr);
  HANDLE j = CreateFileA(junction.c_str(), GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                         FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS, nullptr);
  const unsigned char golden[] = {0x03, 0x00, 0x00, 0xa0, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x12, 0x00, 0x08,
                                  0x00, 0x5c, 0x00, 0x3f, 0x00, 0x3f, 0x00, 0x5c, 0x00, 0x43, 0x00, 0x3a, 0x00, 0x5c, 0x00,
                                  0x74, 0x00, 0x00, 0x00, 0x43, 0x00, 0x3a, 0x00, 0x5c, 0x00, 0x74, 0x00, 0x00, 0x00};
  DWORD returned = 0;
  const BOOL set =
      j != INVALID_HANDLE_VALUE && DeviceIoControl(j, 0x000900A4 /* FSCTL_SET_REPARSE_POINT */, const_cast<unsigned char*>(golden),
                                                   sizeof(golden), nullptr, 0, &returned, nullptr);
  const DWORD setError = set ? 0 : GetLastError();
  if (j != INVALID_HANDLE_VALUE) CloseHandle(j);
  if (!set) {
    std::printf("skipped: FSCTL_SET_REPARSE_POINT is not supported here (%s)\n", sysprobe::core::Win32ErrorName(setError).c_str());
  } else {
    auto probe = ProbeReparsePoint(junction);
    const bool found = probe.ok() && probe.value().has_value();
    Check(found, "the junction is a reparse point");
    if (found) {
      const auto& raw = probe.value()->raw;
      Check(raw == std::vector<uint8_t>(golden, golden + sizeof(golden)), "FSCTL_GET_REPARSE_POINT returns the bytes set");
      Check(probe.value()->tagFromAttributes.value_or(0) == 0xA0000003u, "FileAttributeTagInfo reports IO_REPARSE_TAG_MOUNT_POINT");
      auto decoded = sysprobe::core::DecodeReparseBuffer(raw.data(), raw.size());
      Check(decoded.ok() && decoded.value().kind == "junction", "it decodes as a junction");
    }
    RemoveDirectoryA(junction.c_str());
  }
  std::printf("%d failed\n", failures);
  return failures == 0 ? 0 : 1;
}
