#include "root_read.h"

#include <cerrno>

#include "compat_json.h"
#include "elf.h"
#include "elf_json.h"
#include "json.h"
#include "ldcache.h"
#include "rootfs.h"

namespace sysprobe::core {

#if defined(_WIN32)

Result<std::string> ReadInRoot(const RootRead& request) { return SysError::FromErrno(ENOTSUP, "open", request.path); }

#else

Result<std::string> ReadInRoot(const RootRead& request) {
  RootFs fs(request.root == "/" ? std::string() : request.root);
  auto found = fs.Stat(request.path, "/");
  if (!found.ok()) return found.error();
  auto file = fs.Open(found.value());
  if (!file.ok()) return file.error();
  FileSource& source = *file.value();
  const std::string& inRoot = found.value().inRoot;
  if (request.what == "elf") {
    elf::ParseOptions options;
    options.symbols = (request.flags & 1) != 0;
    options.crossCheck = (request.flags & 2) != 0;
    auto parsed = elf::Parse(source, options);
    if (!parsed.ok()) {
      SysError error = parsed.error();
      if (error.path.empty()) error.path = inRoot;
      return error;
    }
    return ElfToJson(parsed.value());
  }
  if (request.what == "ldcache") {
    auto cache = ldcache::ParseFile(source);
    if (!cache.ok()) return cache.error();
    return CacheToJson(cache.value());
  }
  if (request.what == "size") {
    Json j;
    j.Open('{');
    j.Key("path").String(inRoot);
    j.Key("size").Uint(source.Size());
    j.Close('}');
    return std::move(j.text);
  }
  if (request.what != "bytes") return SysError::Sysprobe("ERR_SYSPROBE_INVALID_ARG", "readInRoot: unknown kind " + request.what);
  const uint64_t offset = request.offset < source.Size() ? request.offset : source.Size();
  uint64_t length = request.length < RootRead::kMaxBytes ? request.length : RootRead::kMaxBytes;
  if (length > source.Size() - offset) length = source.Size() - offset;
  auto bytes = source.Read(offset, length, "file");
  if (!bytes.ok()) return bytes.error();
  return std::string(reinterpret_cast<const char*>(bytes.value().data), static_cast<size_t>(bytes.value().size));
}

#endif

}  // namespace sysprobe::core
