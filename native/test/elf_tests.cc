// ELF core tests under ASan/UBSan: the pread and in-memory sources agree, and every prefix and many
// corruptions of a real file end in a typed error or a result, never a crash.
#include "check.h"
#include "core/byte_source.h"
#include "core/elf.h"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace elf = sysprobe::core::elf;
using sysprobe::core::MemorySource;

namespace {

std::vector<uint8_t> Slurp(const char* path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool TypedError(const sysprobe::core::SysError& e) {
  return e.code == "ERR_SYSPROBE_NOT_ELF" || e.code == "ERR_SYSPROBE_TRUNCATED" || e.code == "ERR_SYSPROBE_BAD_ELF";
}

const char* kSample = "/bin/ls";

}  // namespace

TEST_CASE("elf: a file read through pread and the same bytes in memory give the same facts") {
  const auto bytes = Slurp(kSample);
  CHECK(bytes.size() > 1000);
  elf::ParseOptions options;
  options.symbols = true;
  auto fromFile = elf::ParseFile(kSample, options);
  MemorySource memory(bytes.data(), bytes.size());
  auto fromMemory = elf::Parse(memory, options);
  CHECK(fromFile.ok());
  CHECK(fromMemory.ok());
  if (fromFile.ok() && fromMemory.ok()) {
    CHECK_EQ(fromFile.value().needed, fromMemory.value().needed);
    CHECK_EQ(fromFile.value().symbols.size(), fromMemory.value().symbols.size());
    CHECK_EQ(fromFile.value().versionNeeds.size(), fromMemory.value().versionNeeds.size());
    CHECK(!fromFile.value().needed.empty());
    CHECK(fromFile.value().diagnostics.empty());
  }
}

TEST_CASE("elf: every prefix of the first 16 KiB is a result or a typed error") {
  const auto bytes = Slurp(kSample);
  elf::ParseOptions options;
  options.symbols = true;
  size_t errors = 0;
  for (size_t size = 0; size < bytes.size() && size < 16384; size += (size < 256 ? 1 : 61)) {
    MemorySource memory(bytes.data(), size);
    auto result = elf::Parse(memory, options);
    if (!result.ok()) {
      ++errors;
      CHECK(TypedError(result.error()));
      if (size >= 4) CHECK(result.error().code != "ERR_SYSPROBE_NOT_ELF");
    }
  }
  CHECK(errors > 100);
}

TEST_CASE("elf: corrupting any header or table word is a result or a typed error") {
  auto bytes = Slurp(kSample);
  elf::ParseOptions options;
  options.symbols = true;
  const uint32_t values[] = {0, 1, 0xffffffffu, 0x7fffffffu, 0x80000000u, 16, static_cast<uint32_t>(bytes.size())};
  const size_t limit = bytes.size() < 8192 ? bytes.size() : 8192;
  for (size_t at = 0; at + 4 <= limit; at += 2) {
    for (uint32_t value : values) {
      uint8_t saved[4];
      std::copy(bytes.begin() + at, bytes.begin() + at + 4, saved);
      for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<uint8_t>(value >> (8 * i));
      MemorySource memory(bytes.data(), bytes.size());
      auto result = elf::Parse(memory, options);
      if (!result.ok()) CHECK(TypedError(result.error()));
      std::copy(saved, saved + 4, bytes.begin() + at);
    }
  }
}

TEST_CASE("elf: a directory and a missing file are OS errors with the path") {
  auto dir = elf::ParseFile("/", {});
  CHECK(!dir.ok());
  CHECK_EQ(dir.error().errnum, 21);  // EISDIR
  auto missing = elf::ParseFile("/nonexistent/sysprobe", {});
  CHECK(!missing.ok());
  CHECK_EQ(missing.error().path, std::string("/nonexistent/sysprobe"));
}
