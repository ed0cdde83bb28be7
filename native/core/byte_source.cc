#include "byte_source.h"

#include <cerrno>
#include <cstdio>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sysprobe::core {

Result<ByteView> ByteSource::Read(uint64_t offset, uint64_t length, const char* what) {
  if (!Contains(offset, length)) {
    char message[160];
    std::snprintf(message, sizeof(message), "%s (%llu bytes at offset %llu) extends past the end of the input (%llu bytes)",
                  what, static_cast<unsigned long long>(length), static_cast<unsigned long long>(offset),
                  static_cast<unsigned long long>(Size()));
    return SysError::Malformed("ERR_SYSPROBE_TRUNCATED", message, static_cast<long long>(offset));
  }
  if (length > kMaxRead) {
    char message[160];
    std::snprintf(message, sizeof(message), "%s is implausibly large (%llu bytes)", what,
                  static_cast<unsigned long long>(length));
    return SysError::Malformed("ERR_SYSPROBE_BAD_ELF", message, static_cast<long long>(offset));
  }
  if (length == 0) return ByteView{nullptr, 0};
  return ReadRange(offset, length);
}

Result<std::unique_ptr<FileSource>> FileSource::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return SysError::FromErrno(errno, "open", path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int error = errno;
    ::close(fd);
    return SysError::FromErrno(error, "fstat", path);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return SysError::FromErrno(EISDIR, "read", path);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return SysError::Sysprobe("ERR_SYSPROBE_NOT_REGULAR", "not a regular file: " + path, path);
  }
  return std::unique_ptr<FileSource>(new FileSource(fd, static_cast<uint64_t>(st.st_size), path));
}

FileSource::~FileSource() {
  if (fd_ >= 0) ::close(fd_);
}

Result<ByteView> FileSource::ReadRange(uint64_t offset, uint64_t length) {
  for (const auto& chunk : chunks_) {
    if (offset >= chunk->offset && offset - chunk->offset <= chunk->bytes.size() &&
        length <= chunk->bytes.size() - (offset - chunk->offset)) {
      return ByteView{chunk->bytes.data() + (offset - chunk->offset), length};
    }
  }
  // Read at least kChunk bytes (clipped to the file) so neighbouring small reads hit the same chunk.
  uint64_t want = length < kChunk ? kChunk : length;
  if (want > size_ - offset) want = size_ - offset;
  auto chunk = std::make_unique<Chunk>();
  chunk->offset = offset;
  chunk->bytes.resize(static_cast<size_t>(want));
  uint64_t done = 0;
  while (done < want) {
    ssize_t got = ::pread(fd_, chunk->bytes.data() + done, static_cast<size_t>(want - done),
                          static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      return SysError::FromErrno(errno, "pread", path_);
    }
    if (got == 0) break;  // the file shrank since fstat
    done += static_cast<uint64_t>(got);
  }
  if (done < length) {
    return SysError::Malformed("ERR_SYSPROBE_TRUNCATED", "the file became shorter while it was read",
                               static_cast<long long>(offset + done));
  }
  chunk->bytes.resize(static_cast<size_t>(done));
  const uint8_t* data = chunk->bytes.data();
  chunks_.push_back(std::move(chunk));
  return ByteView{data, length};
}

}  // namespace sysprobe::core
