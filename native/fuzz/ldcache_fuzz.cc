// libFuzzer target for the ld.so.cache parser and the loader's cache lookup: any bytes; a parse either
// fails with a malformed-input code and an offset, or every entry can be looked up. Built by CMake
// with -DSYSPROBE_FUZZ=ON (clang, ASan + UBSan); run by .ci/run, seeded by native/fuzz/ldcache_seeds.mjs.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "core/byte_source.h"
#include "core/ldcache.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace ldcache = sysprobe::core::ldcache;
  sysprobe::core::MemorySource source(data, size);
  auto result = ldcache::Parse(source);
  if (!result.ok()) {
    const auto& code = result.error().code;
    if ((code != "ERR_SYSPROBE_BAD_LDCACHE" && code != "ERR_SYSPROBE_TRUNCATED") || result.error().offset < 0) {
      std::fprintf(stderr, "unexpected error: code '%s' offset %lld: %s\n", code.c_str(), result.error().offset,
                   result.error().message.c_str());
      std::abort();
    }
    return 0;
  }
  const auto& cache = result.value();
  const std::vector<std::string> hwcaps = {"x86-64-v4", "x86-64-v3", "x86-64-v2"};
  size_t n = 0;
  for (const auto& entry : cache.entries) {
    if (++n > 64) break;
    for (const auto& flags : {ldcache::AcceptedFlags(64, 62, 0), ldcache::AcceptedFlags(32, 3, 0)}) {
      auto hit = ldcache::Lookup(cache, entry.key, flags, flags.back(), hwcaps, 0xf);
      (void)hit;
    }
    if (ldcache::LibCompare(entry.key, entry.key) != 0) {
      std::fprintf(stderr, "LibCompare is not reflexive on '%s'\n", entry.key.c_str());
      std::abort();
    }
  }
  return 0;
}
