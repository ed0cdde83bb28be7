// Whole-file reads for small kernel-generated files (/proc, /proc/sys): their size is not known
// from stat(), so they are read until EOF, with a cap so that a runaway file cannot exhaust memory.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "result.h"

namespace sysprobe::core {

// Reads `path` to EOF in chunks handed to `sink` (which returns false to stop early). Returns 0 or
// the errno of the failed open()/read(); `*failedCall` names that call.
int ReadChunks(const std::string& path, const std::function<bool(const char*, size_t)>& sink, const char** failedCall = nullptr);

// Reads `path` to EOF (at most `cap` bytes; more is ERR_SYSPROBE_TOO_LARGE). errno failures keep
// the call that failed ("open" or "read") and the path.
Result<std::string> ReadSmallFile(const std::string& path, size_t cap = 1 << 20);

// Parses a decimal unsigned 64-bit number that fills all of `text` (no sign, no spaces).
bool ParseU64(const char* begin, const char* end, unsigned long long* out);

// A typed ENOTSUP for what a platform does not have (the code is set explicitly: errno numbers of
// the C runtime do not match Node's on Windows).
SysError NotSupported(std::string syscall, std::string message);

}  // namespace sysprobe::core
