// The Go build info of a Go executable (ELF, PE or Mach-O), as Go's own debug/buildinfo finds and decodes it
// and runtime/debug.ParseBuildInfo parses it (`go version -m` prints the result).
//
// The blob: a 32-byte header, "\xff Go buildinf:" (14 bytes), the pointer size, flags (bit 0 big-endian,
// bit 1 strings inline), 16-byte aligned, in the section the linker names for it (ELF `.go.buildinfo`,
// Mach-O `__go_buildinfo`) or else in the first writable data segment (PE: the first initialized,
// readable, writable section). Since Go 1.18 the version and the module info follow the header as
// varint-length-prefixed strings; before, the header holds the addresses of two Go string headers
// (pointer, length), mapped to file offsets through the segments. Every address, offset and length is
// checked; failures: ERR_SYSPROBE_UNKNOWN_FORMAT (not ELF, PE or Mach-O), ERR_SYSPROBE_NOT_GO (a valid
// executable without build info), ERR_SYSPROBE_TRUNCATED (a structure past the end of the input),
// ERR_SYSPROBE_BAD_GO_BUILDINFO (a blob or module line that cannot be right), ERR_SYSPROBE_TOO_LARGE
// (the limits below), each with the byte offset that failed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "byte_source.h"
#include "result.h"

namespace sysprobe::core::gobuild {

struct ModuleVersion {
  std::string path;
  std::string version;
  std::optional<std::string> sum;  // nullopt: the line had two columns
};

struct Module : ModuleVersion {
  std::optional<ModuleVersion> replace;  // a `=>` line after it
};

struct Setting {
  std::string key;
  std::string value;  // unquoted as strconv.Unquote does
};

struct BuildInfo {
  std::string format;  // "elf", "pe", "macho"
  std::string goVersion;
  uint8_t ptrSize = 0;  // 4 or 8
  bool bigEndian = false;
  bool inlineStrings = false;
  uint64_t headerOffset = 0;  // the file offset of the blob's header
  std::optional<std::string> path;
  std::optional<Module> main;
  std::vector<Module> deps;
  std::vector<Setting> settings;
};

// Go's search bound is the data segment; a segment may claim any size, so at most this many bytes of it
// are searched (the linker puts the blob at its start).
constexpr uint64_t kMaxSearch = uint64_t(256) << 20;
// One string of the blob (the version, the module info): at most this long.
constexpr uint64_t kMaxString = uint64_t(16) << 20;
// Load commands (Mach-O) and section headers (ELF, PE) read at most.
constexpr uint64_t kMaxTables = uint64_t(1) << 16;

Result<BuildInfo> Read(ByteSource& source);
// Opens `path` (a regular file) and reads it; errors carry the path.
Result<BuildInfo> ReadFile(const std::string& path);

// runtime/debug.ParseBuildInfo over the module info (the sentinels already stripped); `at` is the file
// offset of its first byte, for error offsets.
std::optional<SysError> ParseModInfo(const std::string& text, uint64_t at, BuildInfo* out);

// strconv.Unquote of a "…" or `…` literal; nullopt when it is not one.
std::optional<std::string> Unquote(const std::string& literal);

}  // namespace sysprobe::core::gobuild
