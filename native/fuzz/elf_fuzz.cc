// libFuzzer target for the ELF parser: any bytes, both with and without symbols and the section-header
// cross-check. Built by CMake with -DSYSPROBE_FUZZ=ON (clang, ASan + UBSan); run by .ci/run.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>
#include <vector>

#include "core/byte_source.h"
#include "core/elf.h"
#include "core/elf_json.h"

namespace {

// A source whose Peek returns a few bytes at a time (as a FileSource does at the edge of a window), so
// that names and records straddling windows are exercised; Read hands out copies that stay valid.
class ChoppySource final : public sysprobe::core::ByteSource {
 public:
  ChoppySource(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint64_t Size() const override { return size_; }

 protected:
  sysprobe::core::Result<sysprobe::core::ByteView> ReadRange(uint64_t offset, uint64_t length) override {
    kept_.emplace_back(data_ + offset, data_ + offset + length);
    return sysprobe::core::ByteView{kept_.back().data(), length};
  }
  sysprobe::core::Result<sysprobe::core::ByteView> PeekRange(uint64_t offset, uint64_t length) override {
    const uint64_t step = 1 + offset % 13;
    window_.assign(data_ + offset, data_ + offset + (length < step ? length : step));
    return sysprobe::core::ByteView{window_.data(), window_.size()};
  }

 private:
  const uint8_t* data_;
  uint64_t size_;
  std::vector<uint8_t> window_;
  std::deque<std::vector<uint8_t>> kept_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace elf = sysprobe::core::elf;
  // The input as a symbol name, through the demangler's guard (deep nesting, exponential back-references).
  (void)sysprobe::core::Demangle(std::string(reinterpret_cast<const char*>(data), size));
  for (int mode = 0; mode < 4; ++mode) {
    sysprobe::core::MemorySource memory(data, size);
    ChoppySource choppy(data, size);
    sysprobe::core::ByteSource& source = mode == 3 ? static_cast<sysprobe::core::ByteSource&>(choppy) : memory;
    elf::ParseOptions options;
    options.symbols = mode != 0;
    options.crossCheck = mode != 2;
    auto result = elf::Parse(source, options);
    if (!result.ok()) {
      const auto& code = result.error().code;
      // Only the malformed-input codes and the size limits may come out of an in-memory parse.
      if ((code != "ERR_SYSPROBE_NOT_ELF" && code != "ERR_SYSPROBE_TRUNCATED" && code != "ERR_SYSPROBE_BAD_ELF" &&
           code != "ERR_SYSPROBE_TOO_LARGE") ||
          result.error().offset < 0) {
        std::fprintf(stderr, "unexpected error: code '%s' offset %lld: %s\n", code.c_str(), result.error().offset,
                     result.error().message.c_str());
        std::abort();
      }
    } else {
      const auto& file = result.value();
      for (const auto& symbol : file.symbols) {
        if (symbol.versionWeak && !symbol.versionFile) std::abort();
      }
      if (mode == 1) (void)sysprobe::core::ElfToJson(file, true);
    }
  }
  return 0;
}
