#include "rlimits.h"

#include "procfs.h"

#include <cerrno>
#include <cstring>

#if defined(_WIN32)
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <stdio.h>
#include <windows.h>
#elif defined(__wasi__)
// The WebAssembly build reads /proc/PID/limits only (the koffi backend makes the calls itself, on Linux).
// Its resource numbers are Linux's asm-generic ones, as the koffi backend's table: x64, arm64, riscv64, ...
#define RLIMIT_CPU 0
#define RLIMIT_FSIZE 1
#define RLIMIT_DATA 2
#define RLIMIT_STACK 3
#define RLIMIT_CORE 4
#define RLIMIT_RSS 5
#define RLIMIT_NPROC 6
#define RLIMIT_NOFILE 7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS 9
#define RLIMIT_LOCKS 10
#define RLIMIT_SIGPENDING 11
#define RLIMIT_MSGQUEUE 12
#define RLIMIT_NICE 13
#define RLIMIT_RTPRIO 14
#define RLIMIT_RTTIME 15
#else
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#endif

namespace sysprobe::core {

namespace {

// name -> this platform's number; -1 where the platform has no such resource.
struct NameNumber {
  const char* name;
  int number;
};

#if defined(_WIN32)
#define SYSPROBE_RL(x) -1
#else
#define SYSPROBE_RL(x) static_cast<int>(x)
#endif

const NameNumber kResources[] = {
#if defined(RLIMIT_AS)
    {"as", SYSPROBE_RL(RLIMIT_AS)},
#else
    {"as", -1},
#endif
#if defined(RLIMIT_CORE)
    {"core", SYSPROBE_RL(RLIMIT_CORE)},
#else
    {"core", -1},
#endif
#if defined(RLIMIT_CPU)
    {"cpu", SYSPROBE_RL(RLIMIT_CPU)},
#else
    {"cpu", -1},
#endif
#if defined(RLIMIT_DATA)
    {"data", SYSPROBE_RL(RLIMIT_DATA)},
#else
    {"data", -1},
#endif
#if defined(RLIMIT_FSIZE)
    {"fsize", SYSPROBE_RL(RLIMIT_FSIZE)},
#else
    {"fsize", -1},
#endif
#if defined(RLIMIT_LOCKS)
    {"locks", SYSPROBE_RL(RLIMIT_LOCKS)},
#else
    {"locks", -1},
#endif
#if defined(RLIMIT_MEMLOCK)
    {"memlock", SYSPROBE_RL(RLIMIT_MEMLOCK)},
#else
    {"memlock", -1},
#endif
#if defined(RLIMIT_MSGQUEUE)
    {"msgqueue", SYSPROBE_RL(RLIMIT_MSGQUEUE)},
#else
    {"msgqueue", -1},
#endif
#if defined(RLIMIT_NICE)
    {"nice", SYSPROBE_RL(RLIMIT_NICE)},
#else
    {"nice", -1},
#endif
#if defined(RLIMIT_NOFILE)
    {"nofile", SYSPROBE_RL(RLIMIT_NOFILE)},
#else
    {"nofile", -1},
#endif
#if defined(RLIMIT_NPROC)
    {"nproc", SYSPROBE_RL(RLIMIT_NPROC)},
#else
    {"nproc", -1},
#endif
#if defined(RLIMIT_RSS)
    {"rss", SYSPROBE_RL(RLIMIT_RSS)},
#else
    {"rss", -1},
#endif
#if defined(RLIMIT_RTPRIO)
    {"rtprio", SYSPROBE_RL(RLIMIT_RTPRIO)},
#else
    {"rtprio", -1},
#endif
#if defined(RLIMIT_RTTIME)
    {"rttime", SYSPROBE_RL(RLIMIT_RTTIME)},
#else
    {"rttime", -1},
#endif
#if defined(RLIMIT_SIGPENDING)
    {"sigpending", SYSPROBE_RL(RLIMIT_SIGPENDING)},
#else
    {"sigpending", -1},
#endif
#if defined(RLIMIT_STACK)
    {"stack", SYSPROBE_RL(RLIMIT_STACK)},
#else
    {"stack", -1},
#endif
};
#undef SYSPROBE_RL

// The descriptions the kernel prints in /proc/PID/limits (fs/proc/base.c, lnames[]).
const struct {
  const char* description;
  const char* name;
} kProcNames[] = {
    {"Max cpu time", "cpu"},
    {"Max file size", "fsize"},
    {"Max data size", "data"},
    {"Max stack size", "stack"},
    {"Max core file size", "core"},
    {"Max resident set", "rss"},
    {"Max processes", "nproc"},
    {"Max open files", "nofile"},
    {"Max locked memory", "memlock"},
    {"Max address space", "as"},
    {"Max file locks", "locks"},
    {"Max pending signals", "sigpending"},
    {"Max msgqueue size", "msgqueue"},
    {"Max nice priority", "nice"},
    {"Max realtime priority", "rtprio"},
    {"Max realtime timeout", "rttime"},
};

[[maybe_unused]] int NumberOf(const std::string& name) {
  for (const auto& entry : kResources) {
    if (name == entry.name) return entry.number;
  }
  return -1;
}

bool KnownName(const std::string& name) {
  for (const auto& entry : kResources) {
    if (name == entry.name) return true;
  }
  return false;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

bool ParseLimitText(std::string_view text, RlimitValue* out) {
  if (text == "unlimited") {
    out->unlimited = true;
    out->value = 0;
    return true;
  }
  out->unlimited = false;
  return ParseU64(text.data(), text.data() + text.size(), &out->value);
}

#if !defined(_WIN32) && !defined(__wasi__)
#if defined(__GLIBC__) && defined(__linux__)
using Rlim = struct rlimit64;
inline int SysGet(int resource, Rlim* out) { return getrlimit64(static_cast<__rlimit_resource_t>(resource), out); }
inline int SysSet(int resource, const Rlim* in) { return setrlimit64(static_cast<__rlimit_resource_t>(resource), in); }
inline int SysPr(pid_t pid, int resource, const Rlim* in, Rlim* out) {
  return prlimit64(pid, static_cast<enum __rlimit_resource>(resource), in, out);
}
constexpr unsigned long long kInfinity = static_cast<unsigned long long>(RLIM64_INFINITY);
#else
using Rlim = struct rlimit;
inline int SysGet(int resource, Rlim* out) { return getrlimit(resource, out); }
inline int SysSet(int resource, const Rlim* in) { return setrlimit(resource, in); }
#if defined(__linux__)
inline int SysPr(pid_t pid, int resource, const Rlim* in, Rlim* out) { return prlimit(pid, resource, in, out); }
#endif
constexpr unsigned long long kInfinity = static_cast<unsigned long long>(RLIM_INFINITY);
#endif

RlimitValue FromRlim(unsigned long long raw) {
  RlimitValue v;
  if (raw == kInfinity) {
    v.unlimited = true;
  } else {
    v.value = raw;
  }
  return v;
}

unsigned long long ToRlim(const RlimitValue& v) { return v.unlimited ? kInfinity : v.value; }

// One resource of this process (pid < 0) or, on Linux, of another; 0 or -1 with errno.
int ReadOne(long long pid, int resource, Rlim* value) {
#if defined(__linux__)
  if (pid >= 0) return SysPr(static_cast<pid_t>(pid), resource, nullptr, value);
#else
  (void)pid;
#endif
  return SysGet(resource, value);
}
#endif

#if defined(__linux__)
bool FallbackErrno(int err) { return err == EPERM || err == EACCES || err == ENOSYS; }
#endif

#if defined(__linux__) || defined(__wasi__)

// /proc/PID/limits (or /proc/self/limits) into a set; ENOENT means the process is gone.
Result<RlimitSet> FromProcfs(long long pid) {
  const std::string path = pid < 0 ? std::string("/proc/self/limits") : "/proc/" + std::to_string(pid) + "/limits";
  auto text = ReadSmallFile(path);
  if (!text.ok()) {
    SysError error = text.error();
    if (error.errnum == ENOENT) error.errnum = ESRCH;  // no such process
    return error;
  }
  auto rows = ParseProcLimits(text.value());
  if (!rows.ok()) {
    SysError error = rows.error();
    error.path = path;
    return error;
  }
  RlimitSet set;
  set.pid = pid;
  set.source = "procfs";
  for (const std::string& name : RlimitNames()) {
    RlimitEntry entry;
    entry.name = name;
    entry.resource = NumberOf(name);
    for (const auto& row : rows.value()) {
      if (row.name != name) continue;
      entry.supported = true;
      entry.soft = row.soft;
      entry.hard = row.hard;
      entry.source = "procfs";
    }
    set.entries.push_back(entry);
  }
  return set;
}
#endif

#if defined(_WIN32)
Result<RlimitSet> WindowsLimits() {
  RlimitSet set;
  set.source = "crt";
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION job;
  memset(&job, 0, sizeof(job));
  BOOL inJob = FALSE;
  bool haveJob = false;
  if (IsProcessInJob(GetCurrentProcess(), nullptr, &inJob) && inJob) {
    haveJob = QueryInformationJobObject(nullptr, JobObjectExtendedLimitInformation, &job, sizeof(job), nullptr) != 0;
  }
  const DWORD flags = haveJob ? job.BasicLimitInformation.LimitFlags : 0;
  for (const std::string& name : RlimitNames()) {
    RlimitEntry entry;
    entry.name = name;
    if (name == "nofile") {
      // The C runtime's stream limit: _getmaxstdio(), raised up to 8192 by _setmaxstdio().
      entry.supported = true;
      entry.source = "crt";
      entry.soft.value = static_cast<unsigned long long>(_getmaxstdio());
      entry.hard.value = 8192;
    } else if (name == "as" || name == "cpu" || name == "nproc") {
      // Job-object limits: the process commit limit, user time per process, active processes.
      entry.supported = true;
      entry.source = "jobObject";
      RlimitValue v;
      v.unlimited = true;
      if (name == "as" && (flags & JOB_OBJECT_LIMIT_PROCESS_MEMORY) != 0) {
        v.unlimited = false;
        v.value = static_cast<unsigned long long>(job.ProcessMemoryLimit);
      } else if (name == "cpu" && (flags & JOB_OBJECT_LIMIT_PROCESS_TIME) != 0) {
        v.unlimited = false;  // 100 ns units -> seconds
        v.value = static_cast<unsigned long long>(job.BasicLimitInformation.PerProcessUserTimeLimit.QuadPart) / 10000000ULL;
      } else if (name == "nproc" && (flags & JOB_OBJECT_LIMIT_ACTIVE_PROCESS) != 0) {
        v.unlimited = false;
        v.value = job.BasicLimitInformation.ActiveProcessLimit;
      }
      entry.soft = v;
      entry.hard = v;
    }
    set.entries.push_back(entry);
  }
  return set;
}
#endif

}  // namespace

const std::vector<std::string>& RlimitNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& entry : kResources) out.emplace_back(entry.name);
    return out;
  }();
  return names;
}

Result<std::vector<ProcLimitRow>> ParseProcLimits(std::string_view text) {
  const size_t headerEnd = text.find('\n');
  if (headerEnd == std::string_view::npos) {
    return SysError::Malformed("ERR_SYSPROBE_BAD_LIMITS", "no header line", static_cast<long long>(text.size()));
  }
  const std::string_view header = text.substr(0, headerEnd);
  const size_t softCol = header.find("Soft Limit");
  const size_t hardCol = header.find("Hard Limit");
  const size_t unitsCol = header.find("Units");
  if (header.rfind("Limit", 0) != 0 || softCol == std::string_view::npos || hardCol == std::string_view::npos ||
      unitsCol == std::string_view::npos || !(0 < softCol && softCol < hardCol && hardCol < unitsCol)) {
    return SysError::Malformed("ERR_SYSPROBE_BAD_LIMITS", "the header does not have the columns Limit, Soft Limit, Hard Limit, Units",
                               0);
  }
  std::vector<ProcLimitRow> rows;
  size_t lineStart = headerEnd + 1;
  while (lineStart < text.size()) {
    size_t lineEnd = text.find('\n', lineStart);
    if (lineEnd == std::string_view::npos) lineEnd = text.size();
    const std::string_view line = text.substr(lineStart, lineEnd - lineStart);
    const long long at = static_cast<long long>(lineStart);
    if (!Trim(line).empty()) {
      // A value wider than its column would run into the next one: the cell must end in a space.
      if (line.size() <= hardCol || line[softCol - 1] != ' ' || line[hardCol - 1] != ' ' ||
          (line.size() > unitsCol && line[unitsCol - 1] != ' ')) {
        return SysError::Malformed("ERR_SYSPROBE_BAD_LIMITS", "a row does not fit the header's columns", at);
      }
      ProcLimitRow row;
      row.description = std::string(Trim(line.substr(0, softCol)));
      const std::string_view soft = Trim(line.substr(softCol, hardCol - softCol));
      const std::string_view hard = Trim(line.substr(hardCol, line.size() > unitsCol ? unitsCol - hardCol : std::string_view::npos));
      row.units = line.size() > unitsCol ? std::string(Trim(line.substr(unitsCol))) : std::string();
      if (row.description.empty() || !ParseLimitText(soft, &row.soft)) {
        return SysError::Malformed("ERR_SYSPROBE_BAD_LIMITS", "bad soft limit in row '" + row.description + "'",
                                   at + static_cast<long long>(softCol));
      }
      if (!ParseLimitText(hard, &row.hard)) {
        return SysError::Malformed("ERR_SYSPROBE_BAD_LIMITS", "bad hard limit in row '" + row.description + "'",
                                   at + static_cast<long long>(hardCol));
      }
      for (const auto& known : kProcNames) {
        if (row.description == known.description) row.name = known.name;
      }
      rows.push_back(std::move(row));
    }
    lineStart = lineEnd + 1;
  }
  return rows;
}

Result<RlimitSet> GetRlimits(long long pid, RlimitMode mode) {
#if defined(_WIN32)
  if (pid >= 0) return NotSupported("prlimit", "Windows has no resource limits of other processes to read");
  if (mode == RlimitMode::Procfs) return NotSupported("open", "Windows has no /proc");
  return WindowsLimits();
#else
  if (mode == RlimitMode::Procfs) {
#if defined(__linux__) || defined(__wasi__)
    return FromProcfs(pid);
#else
    return NotSupported("open", "/proc/PID/limits exists only on Linux");
#endif
  }
#if defined(__wasi__)
  return NotSupported("getrlimit", "the WebAssembly build reads /proc/PID/limits only");
#else
#if !defined(__linux__)
  if (pid >= 0) return NotSupported("prlimit", "this platform cannot read the resource limits of another process");
#endif
  RlimitSet set;
  set.pid = pid;
  set.source = pid < 0 ? "getrlimit" : "prlimit";
  for (const std::string& name : RlimitNames()) {
    RlimitEntry entry;
    entry.name = name;
    entry.resource = NumberOf(name);
    if (entry.resource >= 0) {
      Rlim value{};
      if (ReadOne(pid, entry.resource, &value) != 0) {
        const int err = errno;
        // A resource the headers know but this kernel does not: unsupported, not a failure.
        if (err == EINVAL) {
          set.entries.push_back(entry);
          continue;
        }
#if defined(__linux__)
        if (pid >= 0 && mode == RlimitMode::Auto && FallbackErrno(err)) {
          auto fallback = FromProcfs(pid);
          if (!fallback.ok()) return fallback;
          fallback.value().fallbackErrno = err;
          fallback.value().fallbackSyscall = "prlimit";
          return fallback;
        }
#endif
        return SysError::FromErrno(err, set.source);
      }
      entry.supported = true;
      entry.source = set.source;
      entry.soft = FromRlim(value.rlim_cur);
      entry.hard = FromRlim(value.rlim_max);
    }
    set.entries.push_back(entry);
  }
  return set;
#endif  // __wasi__
#endif
}

Result<RlimitEntry> SetRlimit(long long pid, const std::string& name, RlimitValue soft, std::optional<RlimitValue> hard) {
  if (!KnownName(name)) {
    return SysError::Sysprobe("ERR_SYSPROBE_INVALID_ARG", "unknown resource '" + name + "'");
  }
#if defined(_WIN32)
  if (pid >= 0) return NotSupported("prlimit", "Windows has no resource limits of other processes to set");
  if (name != "nofile") return NotSupported("setrlimit", "only 'nofile' (_setmaxstdio) can be set on Windows");
  if (hard && (hard->unlimited || hard->value != 8192)) {
    SysError e;
    e.code = "EINVAL";
    e.syscall = "_setmaxstdio";
    e.message = "the hard limit of 'nofile' on Windows is fixed at 8192";
    return e;
  }
  if (soft.unlimited || soft.value > 8192 || _setmaxstdio(static_cast<int>(soft.value)) == -1) {
    SysError e;
    e.code = "EINVAL";
    e.syscall = "_setmaxstdio";
    e.message = "_setmaxstdio() accepts 20..8192";
    return e;
  }
  auto after = WindowsLimits();
  for (const auto& entry : after.value().entries) {
    if (entry.name == name) return entry;
  }
  return NotSupported("setrlimit", name);
#elif defined(__wasi__)
  (void)pid;
  (void)soft;
  (void)hard;
  return NotSupported("setrlimit", "the WebAssembly build reads /proc/PID/limits only");
#else
  const int resource = NumberOf(name);
  if (resource < 0) return NotSupported("setrlimit", "this platform has no resource '" + name + "'");
#if !defined(__linux__)
  if (pid >= 0) return NotSupported("prlimit", "this platform cannot set the resource limits of another process");
#endif
  Rlim current{};
  if (!hard) {
    if (ReadOne(pid, resource, &current) != 0) return SysError::FromErrno(errno, pid < 0 ? "getrlimit" : "prlimit");
  }
  Rlim wanted{};
  wanted.rlim_cur = static_cast<decltype(wanted.rlim_cur)>(ToRlim(soft));
  wanted.rlim_max = hard ? static_cast<decltype(wanted.rlim_max)>(ToRlim(*hard)) : current.rlim_max;
  Rlim after{};
#if defined(__linux__)
  const int rc = pid >= 0 ? SysPr(static_cast<pid_t>(pid), resource, &wanted, nullptr) : SysSet(resource, &wanted);
#else
  const int rc = SysSet(resource, &wanted);
#endif
  if (rc != 0) return SysError::FromErrno(errno, pid < 0 ? "setrlimit" : "prlimit");
  if (ReadOne(pid, resource, &after) != 0) return SysError::FromErrno(errno, pid < 0 ? "getrlimit" : "prlimit");
  RlimitEntry entry;
  entry.name = name;
  entry.resource = resource;
  entry.supported = true;
  entry.source = pid < 0 ? "getrlimit" : "prlimit";
  entry.soft = FromRlim(after.rlim_cur);
  entry.hard = FromRlim(after.rlim_max);
  return entry;
#endif
}

}  // namespace sysprobe::core
