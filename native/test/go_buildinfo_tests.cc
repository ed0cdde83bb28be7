// Core tests of the Go build info reader: strconv.Unquote's cases, runtime/debug.ParseBuildInfo's line rules,
// and a minimal ELF holding a blob, cut at every length. Run under ASan/UBSan by CMake.
#include "check.h"
#include "core/go_buildinfo.h"

#include <string>
#include <vector>

namespace gobuild = sysprobe::core::gobuild;

TEST_CASE("go: Unquote follows strconv.Unquote") {
  CHECK(gobuild::Unquote("\"-s -w\"") == std::optional<std::string>("-s -w"));
  CHECK(gobuild::Unquote("`raw\\t\r value`") == std::optional<std::string>("raw\\t value"));
  CHECK(gobuild::Unquote("\"a\\tb\\n\\\"\\\\\\x41\\101\\u00e9\\U0001F600\"") ==
        std::optional<std::string>("a\tb\n\"\\AA\xc3\xa9\xf0\x9f\x98\x80"));
  CHECK(gobuild::Unquote("\"\\xff\"") == std::optional<std::string>("\xff"));
  CHECK(gobuild::Unquote("\"\xff\"") == std::optional<std::string>("\xef\xbf\xbd"));  // invalid UTF-8 becomes U+FFFD
  for (const char* bad :
       {"", "\"", "\"abc", "\"a\"b", "\"\\q\"", "\"\\'\"", "\"\\400\"", "\"\\ud800\"", "\"a\nb\"", "'a'", "`a", "abc"}) {
    CHECK(!gobuild::Unquote(bad).has_value());
  }
}

TEST_CASE("go: module lines as ParseBuildInfo reads them") {
  gobuild::BuildInfo info;
  const std::string text =
      "path\tex.com/m\nmod\tex.com/m\t(devel)\t\ndep\ta.com/x\tv1.0.0\th1:x=\n=>\tb.com/y\tv1.1.0\th1:y=\n"
      "dep\tc.com/z\tv0.1.0\nbuild\t\"a b\"=`c\td`\nbuild\tk=\nunknown line\nbuild\tlast=cut";
  CHECK(!gobuild::ParseModInfo(text, 100, &info).has_value());
  CHECK(info.path == std::optional<std::string>("ex.com/m"));
  CHECK(info.main.has_value() && info.main->sum == std::optional<std::string>(""));
  CHECK_EQ(info.deps.size(), size_t(2));
  CHECK(info.deps[0].replace.has_value() && info.deps[0].replace->path == "b.com/y");
  CHECK(!info.deps[1].sum.has_value() && !info.deps[1].replace.has_value());
  CHECK_EQ(info.settings.size(), size_t(2));  // the last line has no newline: not read
  CHECK_EQ(info.settings[0].key, std::string("a b"));
  CHECK_EQ(info.settings[0].value, std::string("c\td"));
  CHECK_EQ(info.settings[1].value, std::string(""));
}

TEST_CASE("go: malformed module lines are typed errors at their offset") {
  const std::vector<std::pair<std::string, uint64_t>> cases = {
      {"=>\ta\tb\tc\n", 0},     {"path\tp\ndep\ta\n", 7},     {"build\t\n", 0},       {"build\t=v\n", 0},
      {"build\tk v=1\n", 0},    {"build\tk=a b\n", 0},        {"build\t\"k\"v\n", 0}, {"build\tk=\"unterminated\n", 0},
      {"mod\ta\tb\tc\td\n", 0}, {"dep\ta\tv\n=>\tb\tv\n", 8},
  };
  for (const auto& [text, at] : cases) {
    gobuild::BuildInfo info;
    const auto error = gobuild::ParseModInfo(text, 1000, &info);
    CHECK(error.has_value());
    if (!error) continue;
    CHECK_EQ(error->code, std::string("ERR_SYSPROBE_BAD_GO_BUILDINFO"));
    CHECK_EQ(error->offset, static_cast<long long>(1000 + at));
  }
}

namespace {

// A 64-bit little-endian ELF: one PT_LOAD (rw-) holding the blob at file offset 0x80, no section headers.
std::vector<uint8_t> TinyElf() {
  std::vector<uint8_t> f(0x80, 0);
  const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
  std::copy(std::begin(ident), std::end(ident), f.begin());
  auto put = [&](size_t at, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) f[at + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  put(16, 2, 2), put(18, 62, 2), put(20, 1, 4), put(32, 64, 8), put(52, 64, 2), put(54, 56, 2), put(56, 1, 2);
  const std::string mod = std::string(16, 'S') + "path\tp\nbuild\tGOOS=linux\n" + std::string(16, 'E');
  std::string blob = std::string("\xff Go buildinf:", 14) + std::string("\x08\x02", 2) + std::string(16, '\0');
  blob += static_cast<char>(8);
  blob += "go1.21.0";
  blob += static_cast<char>(mod.size());
  blob += mod;
  blob += std::string(16, '\0');
  f.insert(f.end(), blob.begin(), blob.end());
  put(64, 1, 4), put(68, 6, 4), put(72, 0x80, 8), put(80, 0x400080, 8), put(96, blob.size(), 8), put(104, blob.size(), 8);
  return f;
}

}  // namespace

TEST_CASE("go: a minimal ELF, and every truncation of it") {
  const auto elf = TinyElf();
  sysprobe::core::MemorySource whole(elf.data(), elf.size());
  auto info = gobuild::Read(whole);
  CHECK(info.ok());
  if (info.ok()) {
    CHECK_EQ(info.value().goVersion, std::string("go1.21.0"));
    CHECK(info.value().path == std::optional<std::string>("p"));
    CHECK_EQ(info.value().settings.size(), size_t(1));
    CHECK_EQ(info.value().headerOffset, uint64_t(0x80));
  }
  // The 16 zero bytes after the blob are never read: cuts inside them still give the whole answer.
  for (size_t n = 0; n < elf.size(); ++n) {
    sysprobe::core::MemorySource cut(elf.data(), n);
    auto result = gobuild::Read(cut);
    CHECK_EQ(result.ok(), n >= elf.size() - 16);
    if (result.ok()) continue;
    CHECK_EQ(result.error().code, std::string(n < 16 ? "ERR_SYSPROBE_UNKNOWN_FORMAT" : "ERR_SYSPROBE_TRUNCATED"));
    CHECK(result.error().offset >= 0);
  }
}
