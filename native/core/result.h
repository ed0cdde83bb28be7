// Value-or-error for the core: OS calls and parsers never throw; they return what failed, with the
// facts a SysprobeError needs (errno or Win32 code, the call that failed, the path).
#pragma once

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>

namespace sysprobe::core {

struct SysError {
  int errnum = 0;              // positive errno from the OS, 0 when not an errno failure
  unsigned long winerror = 0;  // Win32 error code, 0 when none
  std::string code;            // ERR_SYSPROBE_* when the failure is ours, empty for errno failures
  std::string syscall;         // the call that failed ("open", "realpath", ...)
  std::string path;            // the path involved, empty when none
  std::string message;         // for ERR_SYSPROBE_* codes; errno failures are worded in JS
  long long offset = -1;       // for parser errors: the byte offset in the input that failed, -1 when none

  static SysError FromErrno(int errnum, std::string syscall, std::string path = {}) {
    SysError e;
    e.errnum = errnum;
    e.syscall = std::move(syscall);
    e.path = std::move(path);
    return e;
  }
  static SysError Sysprobe(std::string code, std::string message, std::string path = {}) {
    SysError e;
    e.code = std::move(code);
    e.message = std::move(message);
    e.path = std::move(path);
    return e;
  }
  // A malformed input: the code (ERR_SYSPROBE_TRUNCATED, ERR_SYSPROBE_BAD_ELF, ...) and where it failed.
  static SysError Malformed(std::string code, std::string message, long long offset) {
    SysError e = Sysprobe(std::move(code), std::move(message));
    e.offset = offset;
    return e;
  }
};

// A malformed input with a printf-style message: what every parser reports, with the offset that failed.
inline SysError MalformedAt(const char* code, uint64_t offset, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
inline SysError MalformedAt(const char* code, uint64_t offset, const char* fmt, ...) {
  char message[256];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(message, sizeof(message), fmt, args);
  va_end(args);
  return SysError::Malformed(code, message, static_cast<long long>(offset));
}

template <class T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(SysError error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return value_.has_value(); }
  const T& value() const { return *value_; }
  T& value() { return *value_; }
  const SysError& error() const { return error_; }

 private:
  std::optional<T> value_;
  SysError error_;
};

}  // namespace sysprobe::core
