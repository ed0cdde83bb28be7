// Core tests that need no Node: the self libc probe against the C library's own answers.
#include "check.h"
#include "core/libc_self.h"

#include <unistd.h>
#include <cstdlib>
#include <cstring>
#include <string>
#if defined(__GLIBC__)
#include <gnu/libc-version.h>
#endif

using sysprobe::core::ProbeSelfLibc;

TEST_CASE("self libc: version and release come from the running glibc") {
  const auto facts = ProbeSelfLibc();
  CHECK_EQ(facts.platform, std::string("linux"));
#if defined(__GLIBC__)
  CHECK(facts.gnuVersion.has_value());
  CHECK_EQ(*facts.gnuVersion, std::string(gnu_get_libc_version()));
  CHECK_EQ(*facts.gnuRelease, std::string(gnu_get_libc_release()));
  char buffer[64] = {};
  confstr(_CS_GNU_LIBC_VERSION, buffer, sizeof(buffer));
  CHECK(facts.confstrVersion.has_value());
  CHECK_EQ(*facts.confstrVersion, std::string(buffer));
  CHECK_EQ(facts.compiledFamily, std::string("glibc"));
  CHECK_EQ(*facts.compiledVersion, std::to_string(__GLIBC__) + "." + std::to_string(__GLIBC_MINOR__));
#endif
}

TEST_CASE("self libc: the loader at AT_BASE is the executable's PT_INTERP, both resolved") {
  const auto facts = ProbeSelfLibc();
  CHECK(facts.mainProgramSeen);
  CHECK(facts.interpreter.has_value());
  CHECK(facts.atBase != 0);
  CHECK(facts.loader.has_value());
  if (facts.loader && facts.interpreter) {
    CHECK_EQ(facts.loader->name, *facts.interpreter);
    char* resolved = realpath(facts.interpreter->c_str(), nullptr);
    CHECK(resolved != nullptr);
    if (resolved != nullptr) {
      CHECK_EQ(facts.loader->realPath, std::string(resolved));
      free(resolved);
    }
  }
  CHECK(facts.libcObject.has_value());
  if (facts.libcObject) CHECK(facts.libcObject->realPath.find("libc") != std::string::npos);
  CHECK(!facts.loadedObjects.empty());
}

int main() { return sysprobe::test::RunAll(); }
