#include "loader_info.h"

#if !defined(_WIN32)  // POSIX paths and symlinks; the Windows build has no caller (resolve.cc is stubbed there)

#include <sys/stat.h>

#include <cctype>
#include <cstdio>
#include <cstring>
#if !defined(__wasi__)
#include <mutex>
#endif
#include <unordered_map>

#include "libc_banner.h"

namespace sysprobe::core::resolve {

namespace {

std::string StatKey(const std::string& hostPath, const struct stat& st) {
#if defined(__APPLE__)
  const auto& mtime = st.st_mtimespec;
#else
  const auto& mtime = st.st_mtim;
#endif
  return hostPath + '\0' + std::to_string(st.st_dev) + ':' + std::to_string(st.st_ino) + ':' + std::to_string(st.st_size) + ':' +
         std::to_string(mtime.tv_sec) + '.' + std::to_string(mtime.tv_nsec);
}

#if defined(__wasi__)
// The WebAssembly build runs on one thread: the caches need no lock there (and wasi-libc++ has no <mutex>).
struct CacheMutex {};
struct CacheLock {
  explicit CacheLock(CacheMutex&) {}
};
#else
using CacheMutex = std::mutex;
using CacheLock = std::lock_guard<std::mutex>;
#endif

CacheMutex cacheMutex;
std::unordered_map<std::string, std::shared_ptr<const ElfEntry>> elfCache;
std::unordered_map<std::string, std::shared_ptr<const LoaderInfo>> loaderCache;
std::unordered_map<std::string, std::shared_ptr<const ldcache::Cache>> ldCacheCache;

template <class Map>
void Trim(Map& map) {
  if (map.size() > 20000) map.clear();
}

}  // namespace

std::shared_ptr<const ElfEntry> ReadElfEntry(RootFs& fs, const RootFs::Found& found) {
  const std::string key = StatKey(found.hostPath, found.st);
  {
    CacheLock lock(cacheMutex);
    auto it = elfCache.find(key);
    if (it != elfCache.end()) return it->second;
  }
  auto entry = std::make_shared<ElfEntry>();
  auto source = fs.Open(found);
  if (!source.ok()) {
    entry->parseError = source.error();
    return entry;  // not remembered: the next lookup opens it again
  } else {
    auto& src = *source.value();
    entry->size = src.Size();
    const uint64_t n = src.Size() < 64 ? src.Size() : 64;
    auto head = src.Read(0, n, "ELF header");
    if (head.ok()) entry->head.assign(head.value().data, head.value().data + head.value().size);
    elf::ParseOptions options;
    options.symbols = false;
    options.crossCheck = false;
    auto parsed = elf::Parse(src, options);
    if (parsed.ok()) entry->elf = std::make_shared<const elf::ElfFile>(std::move(parsed.value()));
    else
      entry->parseError = parsed.error();
  }
  CacheLock lock(cacheMutex);
  Trim(elfCache);
  elfCache[key] = entry;
  return entry;
}

std::shared_ptr<const LoaderInfo> ReadLoaderInfo(RootFs& fs, const RootFs::Found& found) {
  const std::string key = StatKey(found.hostPath, found.st);
  {
    CacheLock lock(cacheMutex);
    auto it = loaderCache.find(key);
    if (it != loaderCache.end()) return it->second;
  }
  auto info = std::make_shared<LoaderInfo>();
  auto source = fs.Open(found);
  if (!source.ok()) return info;  // not remembered: the next lookup opens it again
  if (source.value()->Size() <= (uint64_t(16) << 20)) {
    auto bytes = source.value()->Read(0, source.value()->Size(), "loader");
    if (bytes.ok()) {
      const std::string data(reinterpret_cast<const char*>(bytes.value().data), bytes.value().size);
      // SYSTEM_DIRS: the first run of at least two NUL-terminated absolute directories ending in '/'.
      for (size_t at = data.find('/'); at != std::string::npos && info->systemDirs.empty(); at = data.find('/', at + 1)) {
        if (at > 0 && data[at - 1] != '\0') continue;
        std::vector<std::string> dirs;
        size_t p = at;
        while (p < data.size() && data[p] == '/') {
          const size_t nul = data.find('\0', p);
          if (nul == std::string::npos || nul - p > 256) break;
          const std::string dir = data.substr(p, nul - p);
          bool printable = dir.size() >= 2 && dir.back() == '/';
          for (char c : dir)
            if (c <= ' ' || c > '~') printable = false;
          if (!printable) break;
          dirs.push_back(dir);
          p = nul + 1;
        }
        if (dirs.size() >= 2) info->systemDirs = std::move(dirs);
      }
      info->glibcHwcaps = data.find("glibc-hwcaps") != std::string::npos;
      for (const char* list :
           {"x86-64-v4:x86-64-v3:x86-64-v2", "z17:z16:z15:z14:z13", "z16:z15:z14:z13", "z15:z14:z13", "power10:power9"}) {
        if (data.find(list) != std::string::npos) {
          std::string names(list);
          size_t start = 0;
          while (start <= names.size()) {
            size_t colon = names.find(':', start);
            if (colon == std::string::npos) colon = names.size();
            info->hwcapsSubdirs.push_back(names.substr(start, colon - start));
            start = colon + 1;
          }
          break;
        }
      }
      info->version = libc::LoaderVersion(data);
    }
  }
  CacheLock lock(cacheMutex);
  Trim(loaderCache);
  loaderCache[key] = info;
  return info;
}

std::shared_ptr<const ldcache::Cache> ReadLdCache(RootFs& fs, const RootFs::Found& found, std::optional<std::string>* error) {
  const std::string key = StatKey(found.hostPath, found.st);
  {
    CacheLock lock(cacheMutex);
    auto it = ldCacheCache.find(key);
    if (it != ldCacheCache.end()) return it->second;
  }
  auto file = fs.Open(found);
  auto parsed = file.ok() ? ldcache::ParseFile(*file.value()) : core::Result<ldcache::Cache>(file.error());
  std::shared_ptr<const ldcache::Cache> cache;
  if (parsed.ok()) cache = std::make_shared<const ldcache::Cache>(std::move(parsed.value()));
  else
    *error = parsed.error().message.empty() ? std::string(std::strerror(parsed.error().errnum)) : parsed.error().message;
  if (cache) {
    CacheLock lock(cacheMutex);
    Trim(ldCacheCache);
    ldCacheCache[key] = cache;
  }
  return cache;
}

bool VersionBelow(const std::optional<std::string>& version, int major, int minor) {
  if (!version) return true;  // no banner: glibc older than 2.33's --version text... or unknown
  int a = 0, b = 0;
  if (std::sscanf(version->c_str(), "%d.%d", &a, &b) < 1) return true;
  return a < major || (a == major && b < minor);
}

}  // namespace sysprobe::core::resolve

#endif  // !_WIN32
