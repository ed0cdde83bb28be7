// One file inside a root, read race-free (opened through RootFs: the fd walk, O_NOFOLLOW, fstat
// identity) and handed to the one parser of its kind: checkCompat({ root }) reads the symbols of a
// root's libraries this way, never by a host path string (probeGlibc({ root }) is native/core/libc_root.h).
#pragma once

#include <cstdint>
#include <string>

#include "result.h"

namespace sysprobe::core {

struct RootRead {
  std::string root;  // host directory of the root ("" or "/": this host)
  std::string path;  // inside the root
  std::string what;  // "elf" (flags: 1 symbols, 2 crossCheck), "ldcache", "size", or "bytes" (offset, length)
  int flags = 0;
  uint64_t offset = 0;
  uint64_t length = 0;  // "bytes": at most this many (capped at kMaxBytes)
  static constexpr uint64_t kMaxBytes = uint64_t(64) << 20;
};

// JSON text: readElf's (path: the canonical in-root path), readLdSoCache's, or {"path", "size"}; "bytes":
// the bytes themselves (a bounded window: probeGlibc scans the libc window by window).
Result<std::string> ReadInRoot(const RootRead& request);

}  // namespace sysprobe::core
