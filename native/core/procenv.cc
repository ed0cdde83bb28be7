#include "procenv.h"

#include "procfs.h"

#include <cerrno>
#include <cstring>

#if defined(__APPLE__) || defined(__FreeBSD__)
#include <signal.h>
#include <sys/sysctl.h>
#include <sys/types.h>
#endif

namespace sysprobe::core {

std::vector<std::string> SplitNulList(std::string_view bytes) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < bytes.size()) {
    size_t end = bytes.find('\0', start);
    if (end == std::string_view::npos) end = bytes.size();
    out.emplace_back(bytes.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Result<std::vector<std::string>> ParseProcArgs2(std::string_view bytes) {
  int argc = 0;
  if (bytes.size() < sizeof(argc)) {
    return SysError::Malformed("ERR_SYSPROBE_TRUNCATED", "KERN_PROCARGS2 buffer shorter than argc", 0);
  }
  memcpy(&argc, bytes.data(), sizeof(argc));
  if (argc < 0) return SysError::Malformed("ERR_SYSPROBE_BAD_PROCARGS", "negative argc", 0);
  size_t pos = sizeof(argc);
  // The executable path, then NUL padding up to the first argument.
  const size_t pathEnd = bytes.find('\0', pos);
  if (pathEnd == std::string_view::npos) {
    return SysError::Malformed("ERR_SYSPROBE_TRUNCATED", "executable path not terminated", static_cast<long long>(pos));
  }
  pos = pathEnd;
  while (pos < bytes.size() && bytes[pos] == '\0') ++pos;
  for (int i = 0; i < argc; ++i) {
    const size_t end = bytes.find('\0', pos);
    if (end == std::string_view::npos) {
      return SysError::Malformed("ERR_SYSPROBE_TRUNCATED", "argument " + std::to_string(i) + " not terminated",
                                 static_cast<long long>(pos));
    }
    pos = end + 1;
  }
  std::vector<std::string> env;
  while (pos < bytes.size()) {
    size_t end = bytes.find('\0', pos);
    if (end == std::string_view::npos) end = bytes.size();
    if (end == pos) break;  // the empty string that ends the environment
    env.emplace_back(bytes.substr(pos, end - pos));
    pos = end + 1;
  }
  return env;
}

Result<ProcessEnvFacts> ReadProcessEnv(long long pid) {
  ProcessEnvFacts facts;
  facts.pid = pid;
  if (pid <= 0) return SysError::Sysprobe("ERR_SYSPROBE_INVALID_ARG", "pid must be a positive integer");
#if defined(__linux__) || defined(__wasi__)
  // __wasi__: the WebAssembly build, which the koffi backend uses on Linux hosts only.
  facts.source = "procfs";
  const std::string path = "/proc/" + std::to_string(pid) + "/environ";
  auto bytes = ReadSmallFile(path, 64u << 20);
  if (!bytes.ok()) {
    SysError error = bytes.error();
    if (error.errnum == ENOENT) error.errnum = ESRCH;
    return error;
  }
  facts.entries = SplitNulList(bytes.value());
  return facts;
#elif defined(__APPLE__) || defined(__FreeBSD__)
  if (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return SysError::FromErrno(ESRCH, "kill");
#if defined(__APPLE__)
  facts.source = "kern.procargs2";
  int argmax = 0;
  size_t argmaxSize = sizeof(argmax);
  int argmaxMib[2] = {CTL_KERN, KERN_ARGMAX};
  if (sysctl(argmaxMib, 2, &argmax, &argmaxSize, nullptr, 0) != 0 || argmax <= 0) {
    return SysError::FromErrno(errno, "sysctl");
  }
  int mib[3] = {CTL_KERN, KERN_PROCARGS2, static_cast<int>(pid)};
#else
  facts.source = "kern.proc.env";
  int argmax = 1 << 20;
  int mib[4] = {CTL_KERN, KERN_PROC, KERN_PROC_ENV, static_cast<int>(pid)};
#endif
  std::string buffer(static_cast<size_t>(argmax), '\0');
  size_t size = buffer.size();
  if (sysctl(mib, sizeof(mib) / sizeof(mib[0]), &buffer[0], &size, nullptr, 0) != 0) {
    const int err = errno;
    // macOS answers EINVAL both for a process that is gone and for one that is not ours.
    if (err == EINVAL) {
      if (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return SysError::FromErrno(ESRCH, "sysctl");
      return SysError::FromErrno(EACCES, "sysctl");
    }
    return SysError::FromErrno(err, "sysctl");
  }
  buffer.resize(size);
#if defined(__APPLE__)
  auto parsed = ParseProcArgs2(buffer);
  if (!parsed.ok()) return parsed.error();
  facts.entries = std::move(parsed.value());
#else
  facts.entries = SplitNulList(buffer);
#endif
  return facts;
#else
  return NotSupported("probeProcessEnv", "reading another process's environment is not implemented on this platform");
#endif
}

}  // namespace sysprobe::core
