// Core tests of the reparse decoder: golden fixtures of the reference notes and malformed buffers,
// run under ASan/UBSan by CMake (-DSYSPROBE_NATIVE_TESTS=ON -DSYSPROBE_SANITIZE=ON).
#include "check.h"
#include "core/reparse.h"

#include <string>
#include <vector>

using sysprobe::core::DecodeReparseBuffer;
using sysprobe::core::Utf16ToUtf8;

namespace {

std::vector<uint8_t> FromHex(const std::string& hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

}  // namespace

TEST_CASE("reparse: golden mklink /D dot . is a relative symlink") {
  const auto bytes = FromHex("0c0000a0100000000200020000000200010000002e002e00");
  const auto result = DecodeReparseBuffer(bytes.data(), bytes.size());
  CHECK(result.ok());
  if (!result.ok()) return;
  const auto& data = result.value();
  CHECK_EQ(data.tag, 0xA000000Cu);
  CHECK_EQ(data.kind, std::string("symlink"));
  CHECK(data.names.has_value());
  CHECK_EQ(Utf16ToUtf8(data.names->substituteName), std::string("."));
  CHECK_EQ(data.names->substituteNameOffset, 2);
  CHECK_EQ(data.names->printNameOffset, 0);
  CHECK(data.names->relative);
}

TEST_CASE("reparse: golden junction and volume mount point share the tag") {
  const auto bytes = FromHex("030000a02400000000001000120008005c003f003f005c0043003a005c007400000043003a005c0074000000");
  const auto junction = DecodeReparseBuffer(bytes.data(), bytes.size());
  CHECK(junction.ok());
  if (junction.ok()) {
    CHECK_EQ(junction.value().kind, std::string("junction"));
    CHECK_EQ(Utf16ToUtf8(junction.value().names->substituteName), std::string("\\??\\C:\\t"));
    CHECK_EQ(Utf16ToUtf8(junction.value().names->printName), std::string("C:\\t"));
  }
  const std::u16string volume = u"\\??\\Volume{1}\\";
  CHECK_EQ(sysprobe::core::ReparseKind(0xA0000003u, &volume), std::string("volume-mount"));
}

TEST_CASE("reparse: malformed buffers are typed errors with the offset, at every truncation") {
  const auto bytes = FromHex("0c0000a0100000000200020000000200010000002e002e00");
  for (size_t length = 0; length < bytes.size(); ++length) {
    const auto result = DecodeReparseBuffer(bytes.data(), length);
    CHECK(!result.ok());
    if (!result.ok()) {
      CHECK_EQ(result.error().code, std::string("ERR_SYSPROBE_BAD_REPARSE"));
      CHECK(result.error().offset >= 0);
    }
  }
  const auto noGuid = FromHex("3412000000000000");
  const auto result = DecodeReparseBuffer(noGuid.data(), noGuid.size());
  CHECK(!result.ok());
  if (!result.ok()) CHECK_EQ(result.error().offset, 8);
  CHECK(!DecodeReparseBuffer(nullptr, 0).ok());
}

TEST_CASE("reparse: UTF-16 to UTF-8 keeps pairs and replaces lone surrogates") {
  CHECK_EQ(Utf16ToUtf8(u"a\u00e9\U0001F600"), std::string("a\xc3\xa9\xf0\x9f\x98\x80"));
  CHECK_EQ(Utf16ToUtf8(std::u16string(1, static_cast<char16_t>(0xD800))), std::string("\xef\xbf\xbd"));
  CHECK_EQ(sysprobe::core::Win32ErrorName(1920), std::string("ERROR_CANT_ACCESS_FILE"));
  CHECK_EQ(sysprobe::core::Win32ErrorName(99999), std::string("WIN32_ERROR_99999"));
}
