// libFuzzer target: the request reader (native/core/json_read.h, resolve_request.h) over arbitrary text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/json_read.h"
#include "core/resolve_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto read = sysprobe::core::ReadFlatJson(text);
  if (read.ok()) {
    for (const auto& [key, field] : read.value()) (void)sysprobe::core::Latin1Bytes(field.text);
  }
  (void)sysprobe::core::ReadResolveRequest(text);
  return 0;
}
