// Core tests for the limits family that need no Node: the /proc/PID/limits parser against the
// kernel's own file and getrlimit(), malformed inputs, and the environment parsers on synthetic bytes.
#include "check.h"
#include "core/procenv.h"
#include "core/procfs.h"
#include "core/rlimits.h"

#include <sys/resource.h>
#include <cstring>
#include <string>

using namespace sysprobe::core;

namespace {
bool IsMalformed(const Result<std::vector<ProcLimitRow>>& result, long long offset) {
  return !result.ok() && result.error().code == "ERR_SYSPROBE_BAD_LIMITS" && result.error().offset == offset;
}
}  // namespace

TEST_CASE("ParseProcLimits: /proc/self/limits agrees with getrlimit() for every resource") {
  auto text = ReadSmallFile("/proc/self/limits");
  CHECK(text.ok());
  auto rows = ParseProcLimits(text.value());
  CHECK(rows.ok());
  if (!rows.ok()) return;
  CHECK_EQ(rows.value().size(), static_cast<size_t>(16));
  auto viaSyscall = GetRlimits(-1, RlimitMode::Auto);
  CHECK(viaSyscall.ok());
  for (const auto& row : rows.value()) {
    CHECK(!row.name.empty());
    for (const auto& entry : viaSyscall.value().entries) {
      if (entry.name != row.name) continue;
      CHECK_EQ(entry.soft.unlimited, row.soft.unlimited);
      CHECK_EQ(entry.soft.value, row.soft.value);
      CHECK_EQ(entry.hard.unlimited, row.hard.unlimited);
      CHECK_EQ(entry.hard.value, row.hard.value);
    }
  }
  struct rlimit nofile {};
  getrlimit(RLIMIT_NOFILE, &nofile);
  for (const auto& row : rows.value()) {
    if (row.name == "nofile") {
      CHECK_EQ(row.soft.value, static_cast<unsigned long long>(nofile.rlim_cur));
      CHECK_EQ(row.units, std::string("files"));
    }
    if (row.name == "nice") CHECK_EQ(row.units, std::string(""));
  }
}

TEST_CASE("ParseProcLimits: column offsets come from the header, values may be 20 digits") {
  const std::string text =
      "Limit          Soft Limit           Hard Limit           Units\n"
      "Max open files 18446744073709551614 unlimited            files\n"
      "Max nice priority 0                 0\n";
  // The nice row's soft value starts inside the description column: malformed.
  CHECK(!ParseProcLimits(text).ok());
  const std::string good =
      "Limit          Soft Limit           Hard Limit           Units\n"
      "Max open files 18446744073709551614 unlimited            files\n"
      "Max nice prio  0                    40                   \n";
  auto rows = ParseProcLimits(good);
  CHECK(rows.ok());
  if (!rows.ok()) return;
  CHECK_EQ(rows.value().size(), static_cast<size_t>(2));
  CHECK_EQ(rows.value()[0].name, std::string("nofile"));
  CHECK_EQ(rows.value()[0].soft.value, 18446744073709551614ULL);
  CHECK(rows.value()[0].hard.unlimited);
  CHECK_EQ(rows.value()[1].name, std::string(""));  // unknown description: kept, unnamed
  CHECK_EQ(rows.value()[1].hard.value, 40ULL);
}

TEST_CASE("ParseProcLimits: malformed input is a typed error with the offset, never a crash") {
  CHECK(IsMalformed(ParseProcLimits(""), 0));
  CHECK(IsMalformed(ParseProcLimits("Limit Soft Limit"), 16));
  CHECK(IsMalformed(ParseProcLimits("Nonsense\n"), 0));
  const std::string header = "Limit                     Soft Limit           Hard Limit           Units     \n";
  CHECK(IsMalformed(ParseProcLimits(header + "Max open files            12x                  20                   files\n"), 105));
  CHECK(IsMalformed(ParseProcLimits(header + "Max open files            1                    99999999999999999999 files\n"), 126));
  CHECK(IsMalformed(ParseProcLimits(header + "short\n"), 79));
  CHECK(IsMalformed(ParseProcLimits(header + "Max open files            123456789012345678901234 x\n"), 79));
  CHECK(ParseProcLimits(header).ok());
  for (size_t cut = 0; cut < header.size() + 40; ++cut) {
    std::string text = header + "Max open files            1024                 4096                 files     \n";
    (void)ParseProcLimits(std::string_view(text).substr(0, cut));  // must not crash under ASan
  }
}

TEST_CASE("ParseU64: digits only, overflow rejected") {
  unsigned long long v = 0;
  const char* max = "18446744073709551615";
  CHECK(ParseU64(max, max + strlen(max), &v) && v == ~0ULL);
  const char* over = "18446744073709551616";
  CHECK(!ParseU64(over, over + strlen(over), &v));
  const char* sign = "-1";
  CHECK(!ParseU64(sign, sign + 2, &v));
  CHECK(!ParseU64(sign, sign, &v));
}

TEST_CASE("SplitNulList: entries, empty entries, a missing final NUL") {
  using V = std::vector<std::string>;
  CHECK_EQ(SplitNulList(std::string_view("A=1\0B=\0", 7)), (V{"A=1", "B="}));
  CHECK_EQ(SplitNulList(std::string_view("A=1\0\0C", 6)), (V{"A=1", "", "C"}));
  CHECK_EQ(SplitNulList(std::string_view("", 0)), V{});
}

TEST_CASE("ParseProcArgs2: the environment after argc, exec path, padding and argv; apple strings excluded") {
  int argc = 2;
  std::string bytes(reinterpret_cast<const char*>(&argc), sizeof(argc));
  bytes += std::string(
      "/bin/sleep\0\0\0\0sleep\0"
      "600\0A=1\0B=x y\0C=\0\0executable_path=/bin/sleep\0",
      56);
  auto env = ParseProcArgs2(bytes);
  CHECK(env.ok());
  if (env.ok()) CHECK_EQ(env.value(), (std::vector<std::string>{"A=1", "B=x y", "C="}));
  CHECK(!ParseProcArgs2(std::string_view(bytes).substr(0, 3)).ok());
  CHECK(!ParseProcArgs2(std::string_view(bytes).substr(0, 8)).ok());   // path not terminated
  CHECK(!ParseProcArgs2(std::string_view(bytes).substr(0, 20)).ok());  // argv not terminated
  int negative = -1;
  CHECK(!ParseProcArgs2(std::string(reinterpret_cast<const char*>(&negative), sizeof(negative)) + "x\0").ok());
  for (size_t cut = 0; cut <= bytes.size(); ++cut) (void)ParseProcArgs2(std::string_view(bytes).substr(0, cut));
}

int main() { return sysprobe::test::RunAll(); }
