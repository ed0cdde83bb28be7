#include "procfs.h"

#include <cerrno>
#include <utility>

#if !defined(_WIN32)
#include <fcntl.h>
#include <unistd.h>
#endif

namespace sysprobe::core {

int ReadChunks(const std::string& path, const std::function<bool(const char*, size_t)>& sink, const char** failedCall) {
#if defined(_WIN32)
  (void)path;
  (void)sink;
  if (failedCall != nullptr) *failedCall = "open";
  return ENOENT;
#else
  int fd;
  do {
    fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    if (failedCall != nullptr) *failedCall = "open";
    return errno;
  }
  char buffer[16384];
  for (;;) {
    ssize_t got = read(fd, buffer, sizeof(buffer));
    if (got < 0) {
      if (errno == EINTR) continue;
      const int saved = errno;
      close(fd);
      if (failedCall != nullptr) *failedCall = "read";
      return saved;
    }
    if (got == 0 || !sink(buffer, static_cast<size_t>(got))) break;
  }
  close(fd);
  return 0;
#endif
}

Result<std::string> ReadSmallFile(const std::string& path, size_t cap) {
  std::string data;
  bool tooLarge = false;
  const char* call = "";
  const int err = ReadChunks(
      path,
      [&](const char* bytes, size_t size) {
        if (data.size() + size > cap) {
          tooLarge = true;
          return false;
        }
        data.append(bytes, size);
        return true;
      },
      &call);
  if (err != 0) return SysError::FromErrno(err, call, path);
  if (tooLarge) {
    return SysError::Sysprobe("ERR_SYSPROBE_TOO_LARGE", "file is larger than " + std::to_string(cap) + " bytes", path);
  }
  return data;
}

SysError NotSupported(std::string syscall, std::string message) {
  SysError e;
  e.code = "ENOTSUP";
  e.syscall = std::move(syscall);
  e.message = std::move(message);
  return e;
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
