// Where parsers get their bytes: a memory span parsed in place, or a file read by ranges with pread.
// Parsers ask for exactly the ranges they need; a range outside the input is ERR_SYSPROBE_TRUNCATED
// with the offset that was asked for. Never a whole multi-gigabyte file in memory, never mmap (a file
// truncated under an mmap would kill the host process with SIGBUS).
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <sys/stat.h>

#include "result.h"

namespace sysprobe::core {

struct ByteView {
  const uint8_t* data = nullptr;
  uint64_t size = 0;
};

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t Size() const = 0;
  // The bytes [offset, offset + length), valid while the source lives. `what` names the structure for
  // the error message. Lengths above kMaxRead are refused (ERR_SYSPROBE_BAD_ELF-style callers decide).
  Result<ByteView> Read(uint64_t offset, uint64_t length, const char* what);
  // True when [offset, offset + length) lies inside the input (overflow-safe).
  bool Contains(uint64_t offset, uint64_t length) const { return offset <= Size() && length <= Size() - offset; }
  static constexpr uint64_t kMaxRead = uint64_t(1) << 30;  // 1 GiB: no ELF table is larger

  // Between 1 and `length` bytes from `offset` (inside the input: ERR_SYSPROBE_TRUNCATED otherwise),
  // valid only until the next Peek: for bytes decoded or copied at once (a header, a name read window
  // by window). Unlike Read, nothing is kept per call, so scattered small reads cannot add up to the
  // size of the file; a FileSource keeps a few recent windows.
  Result<ByteView> Peek(uint64_t offset, uint64_t length, const char* what);

 protected:
  virtual Result<ByteView> ReadRange(uint64_t offset, uint64_t length) = 0;
  // `length` >= 1 and inside the input; may return fewer bytes (at least 1).
  virtual Result<ByteView> PeekRange(uint64_t offset, uint64_t length) { return ReadRange(offset, length); }
};

// A span owned by someone else (a Node Buffer): parsed in place, no copy.
class MemorySource final : public ByteSource {
 public:
  MemorySource(const uint8_t* data, uint64_t size) : data_(data), size_(size) {}
  uint64_t Size() const override { return size_; }

 protected:
  Result<ByteView> ReadRange(uint64_t offset, uint64_t length) override { return ByteView{data_ + offset, length}; }

 private:
  const uint8_t* data_;
  uint64_t size_;
};

// A regular file read by position (pread; on Windows an ifstream), in chunks of at least kChunk bytes
// that are kept until the source is destroyed (a parse touches a handful of small ranges).
class FileSource final : public ByteSource {
 public:
  // Opens a regular file (O_NONBLOCK so a FIFO cannot hang us; EISDIR for directories,
  // ERR_SYSPROBE_NOT_REGULAR for other non-regular files).
  static Result<std::unique_ptr<FileSource>> Open(const std::string& path);
#if !defined(_WIN32)
  // Takes an open fd (closed by the source, also on error) with the same checks; `path` names it in
  // errors; `st` (optional) receives its fstat.
  static Result<std::unique_ptr<FileSource>> FromFd(int fd, const std::string& path, struct stat* st = nullptr);
  int fd() const { return fd_; }
#endif
  ~FileSource() override;
  uint64_t Size() const override { return size_; }
  const std::string& path() const { return path_; }
  static constexpr uint64_t kChunk = 16384;
  static constexpr uint64_t kWindow = 16384;  // a Peek window; kWindows of them are kept
  static constexpr size_t kWindows = 4;

 protected:
  Result<ByteView> ReadRange(uint64_t offset, uint64_t length) override;
  Result<ByteView> PeekRange(uint64_t offset, uint64_t length) override;

 private:
  FileSource(uint64_t size, std::string path) : size_(size), path_(std::move(path)) {}
  // Reads up to `length` bytes at `offset` into `into`; the count read, or the OS error.
  Result<uint64_t> ReadAt(uint64_t offset, uint64_t length, uint8_t* into);
  struct Chunk {
    uint64_t offset;
    std::vector<uint8_t> bytes;
  };
#if defined(_WIN32)
  std::ifstream stream_;
#else
  int fd_ = -1;
#endif
  uint64_t size_;
  std::string path_;
  std::vector<std::unique_ptr<Chunk>> chunks_;
  Chunk windows_[kWindows];
  size_t nextWindow_ = 0;
};

}  // namespace sysprobe::core
