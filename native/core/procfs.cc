#include "procfs.h"

#if !defined(_WIN32)
#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#endif

namespace sysprobe::core {

Result<std::string> ReadSmallFile(const std::string& path, size_t cap) {
#if defined(_WIN32)
  (void)cap;
  return SysError::Sysprobe("ERR_SYSPROBE_UNSUPPORTED", "no procfs on this platform", path);
#else
  int fd;
  do {
    fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return SysError::FromErrno(errno, "open", path);
  std::string data;
  char buffer[16384];
  for (;;) {
    ssize_t got = read(fd, buffer, sizeof(buffer));
    if (got < 0) {
      if (errno == EINTR) continue;
      const int saved = errno;
      close(fd);
      return SysError::FromErrno(saved, "read", path);
    }
    if (got == 0) break;
    if (data.size() + static_cast<size_t>(got) > cap) {
      close(fd);
      return SysError::Sysprobe("ERR_SYSPROBE_TOO_LARGE",
                                "file is larger than " + std::to_string(cap) + " bytes", path);
    }
    data.append(buffer, static_cast<size_t>(got));
  }
  close(fd);
  return data;
#endif
}

bool ParseU64(const char* begin, const char* end, unsigned long long* out) {
  if (begin == end) return false;
  unsigned long long value = 0;
  for (const char* p = begin; p != end; ++p) {
    if (*p < '0' || *p > '9') return false;
    const unsigned digit = static_cast<unsigned>(*p - '0');
    if (value > (~0ULL - digit) / 10) return false;  // overflow
    value = value * 10 + digit;
  }
  *out = value;
  return true;
}

}  // namespace sysprobe::core
