// A minimal check harness for the core's C++ tests: no dependency to install, output ctest reads.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace sysprobe::test {

struct Case {
  const char* name;
  std::function<void()> body;
};

inline std::vector<Case>& Cases() {
  static std::vector<Case> cases;
  return cases;
}

inline int& Failures() {
  static int failures = 0;
  return failures;
}

struct Register {
  Register(const char* name, std::function<void()> body) { Cases().push_back({name, std::move(body)}); }
};

inline void Fail(const char* file, int line, const std::string& what) {
  std::fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what.c_str());
  ++Failures();
}

inline int RunAll() {
  int failedCases = 0;
  for (const Case& c : Cases()) {
    const int before = Failures();
    c.body();
    const bool ok = Failures() == before;
    if (!ok) ++failedCases;
    std::printf("%s %s\n", ok ? "ok" : "FAIL", c.name);
  }
  std::printf("%d passed, %d failed\n", static_cast<int>(Cases().size()) - failedCases, failedCases);
  return failedCases == 0 ? 0 : 1;
}

}  // namespace sysprobe::test

#define SYSPROBE_CONCAT2(a, b) a##b
#define SYSPROBE_CONCAT(a, b) SYSPROBE_CONCAT2(a, b)
#define TEST_CASE(name)                                                                                                     \
  static void SYSPROBE_CONCAT(test_body_, __LINE__)();                                                                      \
  static ::sysprobe::test::Register SYSPROBE_CONCAT(test_register_, __LINE__)(name, SYSPROBE_CONCAT(test_body_, __LINE__)); \
  static void SYSPROBE_CONCAT(test_body_, __LINE__)()
#define CHECK(condition)                                                      \
  do {                                                                        \
    if (!(condition)) ::sysprobe::test::Fail(__FILE__, __LINE__, #condition); \
  } while (0)
#define CHECK_EQ(a, b)                                                                                \
  do {                                                                                                \
    const auto& check_a = (a);                                                                        \
    const auto& check_b = (b);                                                                        \
    if (!(check_a == check_b)) ::sysprobe::test::Fail(__FILE__, __LINE__, std::string(#a " == " #b)); \
  } while (0)
