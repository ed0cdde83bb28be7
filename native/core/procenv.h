// The environment a running process was started with, as the bytes the kernel keeps for it:
// Linux /proc/PID/environ, macOS sysctl KERN_PROCARGS2, FreeBSD sysctl KERN_PROC_ENV. Entries are
// byte strings ("NAME=value", not necessarily UTF-8); splitting at '=' is left to the caller.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace sysprobe::core {

struct ProcessEnvFacts {
  long long pid = 0;
  std::string source;                // "procfs", "kern.procargs2", "kern.proc.env"
  std::vector<std::string> entries;  // in the order the process received them
};

// ESRCH when the process does not exist, EACCES when the caller may not read it.
Result<ProcessEnvFacts> ReadProcessEnv(long long pid);

// NUL-separated strings; the terminating NUL of the last one is optional (a process that
// overwrote its environment area may leave it out).
std::vector<std::string> SplitNulList(std::string_view bytes);

// The environment part of a KERN_PROCARGS2 buffer: int argc (host byte order), the executable
// path, NUL padding, argc argument strings, then the environment strings up to an empty string
// (the "apple" strings that follow are not part of the environment).
Result<std::vector<std::string>> ParseProcArgs2(std::string_view bytes);

}  // namespace sysprobe::core
