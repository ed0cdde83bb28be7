// libFuzzer target for the Go build info reader: any bytes, in memory and through a source whose Peek returns
// a few bytes at a time (windows that end inside a candidate magic). Built by CMake with -DSYSPROBE_FUZZ=ON
// (clang, ASan + UBSan); run by .ci/run with seeds from native/fuzz/go_buildinfo_seeds.mjs.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>
#include <vector>

#include "core/byte_source.h"
#include "core/go_buildinfo.h"
#include "core/go_buildinfo_json.h"

namespace {

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
    const uint64_t step = 1 + offset % 23;
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
  namespace gobuild = sysprobe::core::gobuild;
  (void)gobuild::Unquote(std::string(reinterpret_cast<const char*>(data), size));
  std::string text;
  for (int mode = 0; mode < 2; ++mode) {
    sysprobe::core::MemorySource memory(data, size);
    ChoppySource choppy(data, size);
    sysprobe::core::ByteSource& source = mode == 1 ? static_cast<sysprobe::core::ByteSource&>(choppy) : memory;
    auto result = gobuild::Read(source);
    std::string outcome;
    if (!result.ok()) {
      const auto& code = result.error().code;
      if ((code != "ERR_SYSPROBE_UNKNOWN_FORMAT" && code != "ERR_SYSPROBE_NOT_GO" && code != "ERR_SYSPROBE_TRUNCATED" &&
           code != "ERR_SYSPROBE_BAD_GO_BUILDINFO" && code != "ERR_SYSPROBE_TOO_LARGE") ||
          result.error().offset < 0) {
        std::fprintf(stderr, "unexpected error: code '%s' offset %lld: %s\n", code.c_str(), result.error().offset,
                     result.error().message.c_str());
        std::abort();
      }
      outcome = code + " " + std::to_string(result.error().offset);
    } else {
      const auto& info = result.value();
      if (info.goVersion.empty() || (info.ptrSize != 4 && info.ptrSize != 8)) std::abort();
      outcome = sysprobe::core::GoBuildInfoToJson(info);
    }
    // However the bytes arrive, the answer is the same.
    if (mode == 0) text = outcome;
    else if (outcome != text) {
      std::fprintf(stderr, "in memory: %s\nchoppy: %s\n", text.c_str(), outcome.c_str());
      std::abort();
    }
  }
  return 0;
}
