// Resource limits by the names prlimit(1) uses. Resources are mapped by name to this platform's
// RLIMIT_* numbers at compile time (the numbers differ between platforms and on MIPS), never the
// reverse. Values are exact 64-bit integers with "unlimited" (RLIM_INFINITY) kept apart.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace sysprobe::core {

struct RlimitValue {
  bool unlimited = false;
  unsigned long long value = 0;  // meaningful when !unlimited
};

struct RlimitEntry {
  std::string name;        // "as", "core", ... (prlimit(1) names, lower case)
  bool supported = false;  // this platform has the resource (and, for procfs, the kernel listed it)
  int resource = -1;       // this platform's number for it, -1 when unsupported or not a RLIMIT_*
  RlimitValue soft;
  RlimitValue hard;
  std::string source;  // "getrlimit", "prlimit", "procfs", "crt", "jobObject", "" when unsupported
};

struct RlimitSet {
  long long pid = -1;  // -1: this process
  std::string source;  // how most entries were read: "getrlimit", "prlimit", "procfs", "crt"
  // When prlimit(2) was refused and /proc/PID/limits was read instead: the errno and the call.
  int fallbackErrno = 0;
  std::string fallbackSyscall;
  std::vector<RlimitEntry> entries;  // every name in RlimitNames() order
};

enum class RlimitMode { Auto, Syscall, Procfs };

// The 16 names, in prlimit(1)'s (alphabetical) order.
const std::vector<std::string>& RlimitNames();

// pid < 0: this process (getrlimit); otherwise prlimit(2), falling back to /proc/PID/limits when
// prlimit is refused (EPERM/EACCES/ENOSYS) and mode is Auto. Mode Procfs reads the file only.
Result<RlimitSet> GetRlimits(long long pid, RlimitMode mode);

// Sets `name` for this process (pid < 0) or another (prlimit). Without `hard`, the current hard
// limit is kept. The kernel's errors are returned as they are (EINVAL soft > hard, EPERM raising
// the hard limit without privilege). Returns the limit as read back afterwards.
Result<RlimitEntry> SetRlimit(long long pid, const std::string& name, RlimitValue soft, std::optional<RlimitValue> hard);

// One row of /proc/PID/limits.
struct ProcLimitRow {
  std::string description;  // "Max open files"
  std::string name;         // "nofile", or "" for a row this version does not know
  RlimitValue soft;
  RlimitValue hard;
  std::string units;  // "files", "" for nice/rtprio
};

// Parses /proc/PID/limits by the column offsets of its header line (descriptions contain spaces).
Result<std::vector<ProcLimitRow>> ParseProcLimits(std::string_view text);

}  // namespace sysprobe::core
