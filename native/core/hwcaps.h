// The glibc-hwcaps subdirectories this CPU qualifies for: glibc's x86-64 ISA levels.
#pragma once

#include <string>
#include <vector>

namespace sysprobe::core::resolve {

// x86-64 ISA levels this CPU supports as glibc-hwcaps names, best first (cpuid + xgetbv); empty elsewhere.
std::vector<std::string> CpuHwcaps();

}  // namespace sysprobe::core::resolve
