#include "byte_source.h"

#include <cerrno>
#include <cstdio>

#if defined(_WIN32)
#include <filesystem>
#include <system_error>
#else
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace sysprobe::core {

Result<ByteView> ByteSource::Read(uint64_t offset, uint64_t length, const char* what) {
  if (!Contains(offset, length)) {
    char message[160];
    std::snprintf(message, sizeof(message), "%s (%llu bytes at offset %llu) extends past the end of the input (%llu bytes)", what,
                  static_cast<unsigned long long>(length), static_cast<unsigned long long>(offset),
                  static_cast<unsigned long long>(Size()));
    return SysError::Malformed("ERR_SYSPROBE_TRUNCATED", message, static_cast<long long>(offset));
  }
  if (length > kMaxRead) {
    char message[160];
    std::snprintf(message, sizeof(message), "%s is implausibly large (%llu bytes)", what, static_cast<unsigned long long>(length));
    return SysError::Malformed("ERR_SYSPROBE_BAD_ELF", message, static_cast<long long>(offset));
  }
  if (length == 0) return ByteView{nullptr, 0};
  return ReadRange(offset, length);
}

Result<ByteView> ByteSource::Peek(uint64_t offset, uint64_t length, const char* what) {
  if (length == 0) return ByteView{nullptr, 0};
  if (!Contains(offset, 1)) return Read(offset, length, what);  // the truncation error
  if (length > Size() - offset) length = Size() - offset;
  return PeekRange(offset, length);
}

#if defined(_WIN32)

// Windows (the mingw-w64 prebuild): std::filesystem takes the UTF-8 path, an ifstream reads it.
Result<std::unique_ptr<FileSource>> FileSource::Open(const std::string& path) {
  std::error_code ec;
  const auto native = std::filesystem::u8path(path);
  const auto status = std::filesystem::status(native, ec);
  if (ec || !std::filesystem::exists(status)) {
    if (!ec || ec == std::errc::no_such_file_or_directory) return SysError::FromErrno(ENOENT, "open", path);
    SysError error = SysError::FromErrno(EIO, "open", path);
    error.winerror = static_cast<unsigned long>(ec.value());
    return error;
  }
  if (std::filesystem::is_directory(status)) return SysError::FromErrno(EISDIR, "read", path);
  if (!std::filesystem::is_regular_file(status)) {
    return SysError::Sysprobe("ERR_SYSPROBE_NOT_REGULAR", "not a regular file: " + path, path);
  }
  const uint64_t size = std::filesystem::file_size(native, ec);
  if (ec) return SysError::FromErrno(EIO, "stat", path);
  std::unique_ptr<FileSource> source(new FileSource(size, path));
  source->stream_.open(native, std::ios::binary);
  if (!source->stream_) return SysError::FromErrno(EACCES, "open", path);
  return source;
}

FileSource::~FileSource() = default;

Result<uint64_t> FileSource::ReadAt(uint64_t offset, uint64_t length, uint8_t* into) {
  stream_.clear();
  stream_.seekg(static_cast<std::streamoff>(offset));
  stream_.read(reinterpret_cast<char*>(into), static_cast<std::streamsize>(length));
  if (stream_.bad()) return SysError::FromErrno(EIO, "read", path_);
  return static_cast<uint64_t>(stream_.gcount());
}

#else

Result<std::unique_ptr<FileSource>> FileSource::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return SysError::FromErrno(errno, "open", path);
  return FromFd(fd, path);
}

Result<std::unique_ptr<FileSource>> FileSource::FromFd(int fd, const std::string& path, struct stat* out) {
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
  if (out != nullptr) *out = st;
  std::unique_ptr<FileSource> source(new FileSource(static_cast<uint64_t>(st.st_size), path));
  source->fd_ = fd;
  return source;
}

FileSource::~FileSource() {
  if (fd_ >= 0) ::close(fd_);
}

Result<uint64_t> FileSource::ReadAt(uint64_t offset, uint64_t length, uint8_t* into) {
  uint64_t done = 0;
  while (done < length) {
    ssize_t got = ::pread(fd_, into + done, static_cast<size_t>(length - done), static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      return SysError::FromErrno(errno, "pread", path_);
    }
    if (got == 0) break;  // the file shrank since fstat
    done += static_cast<uint64_t>(got);
  }
  return done;
}

#endif

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
  auto read = ReadAt(offset, want, chunk->bytes.data());
  if (!read.ok()) return read.error();
  const uint64_t done = read.value();
  if (done < length) {
    return SysError::Malformed("ERR_SYSPROBE_TRUNCATED", "the file became shorter while it was read",
                               static_cast<long long>(offset + done));
  }
  chunk->bytes.resize(static_cast<size_t>(done));
  const uint8_t* data = chunk->bytes.data();
  chunks_.push_back(std::move(chunk));
  return ByteView{data, length};
}

Result<ByteView> FileSource::PeekRange(uint64_t offset, uint64_t length) {
  for (const auto& chunk : chunks_) {
    if (offset >= chunk->offset && offset - chunk->offset < chunk->bytes.size()) {
      const uint64_t at = offset - chunk->offset, have = chunk->bytes.size() - at;
      return ByteView{chunk->bytes.data() + at, have < length ? have : length};
    }
  }
  for (const auto& window : windows_) {
    if (offset >= window.offset && offset - window.offset < window.bytes.size()) {
      const uint64_t at = offset - window.offset, have = window.bytes.size() - at;
      return ByteView{window.bytes.data() + at, have < length ? have : length};
    }
  }
  Chunk& window = windows_[nextWindow_];
  nextWindow_ = (nextWindow_ + 1) % kWindows;
  // Aligned down a little, so that a walk that steps back (a list, a name before the last) still hits.
  const uint64_t start = offset - offset % 4096;
  const uint64_t want = size_ - start < kWindow ? size_ - start : kWindow;
  window.offset = start;
  window.bytes.resize(static_cast<size_t>(want));
  auto read = ReadAt(start, want, window.bytes.data());
  if (!read.ok()) {
    window.bytes.clear();
    return read.error();
  }
  window.bytes.resize(static_cast<size_t>(read.value()));
  if (window.bytes.size() <= offset - start) {
    window.bytes.clear();
    return SysError::Malformed("ERR_SYSPROBE_TRUNCATED", "the file became shorter while it was read", static_cast<long long>(offset));
  }
  const uint64_t have = window.bytes.size() - (offset - start);
  return ByteView{window.bytes.data() + (offset - start), have < length ? have : length};
}

}  // namespace sysprobe::core
