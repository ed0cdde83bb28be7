// A bounded reader for the flat JSON objects src/ sends as requests (src/backends/wire.ts builds them):
// one object whose values are strings, booleans, null or arrays of strings. Anything else is refused.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace sysprobe::core {

struct JsonField {
  enum class Kind { Null, Bool, String, Strings } kind = Kind::Null;
  bool flag = false;
  std::string text;                // UTF-8
  std::vector<std::string> items;  // UTF-8
};

using FlatJson = std::map<std::string, JsonField, std::less<>>;

// ERR_SYSPROBE_INVALID_ARG for text that is not such an object (or repeats a key).
Result<FlatJson> ReadFlatJson(std::string_view text);

// Bytes that crossed as text, one U+0000..U+00FF character each (how src/ sends paths, which need not
// be UTF-8): the bytes again; nullopt when a character is beyond U+00FF.
std::optional<std::string> Latin1Bytes(std::string_view utf8);

}  // namespace sysprobe::core
