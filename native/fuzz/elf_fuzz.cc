// libFuzzer target for the ELF parser: any bytes, both with and without symbols and the section-header
// cross-check. Built by CMake with -DSYSPROBE_FUZZ=ON (clang, ASan + UBSan); run by .ci/run.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "core/byte_source.h"
#include "core/elf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace elf = sysprobe::core::elf;
  for (int mode = 0; mode < 3; ++mode) {
    sysprobe::core::MemorySource source(data, size);
    elf::ParseOptions options;
    options.symbols = mode != 0;
    options.crossCheck = mode != 2;
    auto result = elf::Parse(source, options);
    if (!result.ok()) {
      const auto& code = result.error().code;
      // Only the three malformed-input codes may come out of an in-memory parse.
      if ((code != "ERR_SYSPROBE_NOT_ELF" && code != "ERR_SYSPROBE_TRUNCATED" && code != "ERR_SYSPROBE_BAD_ELF") ||
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
    }
  }
  return 0;
}
