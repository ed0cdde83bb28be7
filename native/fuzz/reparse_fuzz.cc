// libFuzzer target for the reparse decoder (native/core/reparse.cc): any byte string must decode or
// fail with ERR_SYSPROBE_BAD_REPARSE and an offset inside the input; never crash, never read out of
// bounds (ASan), never hit undefined behaviour (UBSan). Seeds: test/fixtures/reparse/.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/reparse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Copy into a buffer of exactly `size` bytes, so ASan sees any read past the end.
  std::vector<uint8_t> input(data, data + size);
  auto result = sysprobe::core::DecodeReparseBuffer(input.empty() ? nullptr : input.data(), input.size());
  if (!result.ok()) {
    const auto& error = result.error();
    if (error.code != "ERR_SYSPROBE_BAD_REPARSE" || error.offset < 0 || static_cast<size_t>(error.offset) > size) abort();
    return 0;
  }
  const auto& decoded = result.value();
  // Everything decoded must lie inside the input.
  if (decoded.dataOffset + decoded.dataLength + decoded.trailingBytes != size) abort();
  if (decoded.names) {
    (void)sysprobe::core::Utf16ToUtf8(decoded.names->substituteName);
    (void)sysprobe::core::Utf16ToUtf8(decoded.names->printName);
    if (decoded.names->substituteName.empty()) abort();
  }
  if (decoded.appExecLink && decoded.appExecLink->strings.size() < 3) abort();
  if (decoded.kind.empty()) abort();
  return 0;
}
