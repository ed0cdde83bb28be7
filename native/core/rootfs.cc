#include "rootfs.h"

#if !defined(_WIN32)  // POSIX paths and symlinks; the Windows build has no caller (resolve.cc is stubbed there)

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <deque>
#include <unistd.h>
#include <vector>

#if defined(__wasi__)
// The canonical path of `path` into `out`: its length, or -errno (WASI numbering).
extern "C" long sysprobe_host_realpath(const char* path, size_t length, char* out, size_t capacity)
    __attribute__((import_module("sysprobe"), import_name("realpath")));
#endif

namespace sysprobe::core {

namespace {

// stat or lstat (the glibc-2.17 prebuilds answer both in native/compat/glibc_floor.cc).
int PathStat(const char* path, struct stat* st, bool follow) { return follow ? ::stat(path, st) : ::lstat(path, st); }

constexpr int kMaxLinks = 40;

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

}  // namespace

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (!name.empty() && name[0] == '/') return name;
  if (dir.empty()) return name;
  if (dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

RootFs::RootFs(std::string hostRoot) : host_(std::move(hostRoot)) {
  while (!host_.empty() && host_.back() == '/') host_.pop_back();
}

Result<std::string> RootFs::RealPath(const std::string& path, const std::string& cwd) {
  const std::string absolute = path.empty() || path[0] != '/' ? JoinPath(cwd.empty() ? "/" : cwd, path) : path;
  if (isHost()) {
#if defined(__wasi__)
    // WASI has no realpath(): the host answers (src/wasm.ts, fs.realpathSync.native).
    char buffer[4096];
    const long length = sysprobe_host_realpath(absolute.data(), absolute.size(), buffer, sizeof(buffer));
    if (length < 0) return SysError::FromErrno(static_cast<int>(-length), "realpath", absolute);
    return std::string(buffer, static_cast<size_t>(length));
#else
    char buffer[PATH_MAX];
    if (::realpath(absolute.c_str(), buffer) == nullptr) return SysError::FromErrno(errno, "realpath", absolute);
    return std::string(buffer);
#endif
  }
  std::deque<std::string> todo;
  for (auto& part : Split(absolute)) todo.push_back(std::move(part));
  std::vector<std::string> done;  // canonical components so far
  int links = 0;
  std::string current;            // "/a/b" form of `done`, "" for the root
  while (!todo.empty()) {
    std::string part = std::move(todo.front());
    todo.pop_front();
    if (part == ".") continue;
    if (part == "..") {
      if (!done.empty()) {
        done.pop_back();
        const size_t cut = current.rfind('/');
        current.resize(cut == std::string::npos ? 0 : cut);
      }
      continue;
    }
    const std::string candidate = current + "/" + part;
    struct stat st;
    if (PathStat((host_ + candidate).c_str(), &st, false) != 0) return SysError::FromErrno(errno, "lstat", candidate);
    if (S_ISLNK(st.st_mode)) {
      if (++links > kMaxLinks) return SysError::FromErrno(ELOOP, "readlink", candidate);
      char target[PATH_MAX];
      const ssize_t n = ::readlink((host_ + candidate).c_str(), target, sizeof(target) - 1);
      if (n < 0) return SysError::FromErrno(errno, "readlink", candidate);
      const std::string text(target, static_cast<size_t>(n));
      auto parts = Split(text);
      for (auto it = parts.rbegin(); it != parts.rend(); ++it) todo.push_front(*it);
      if (!text.empty() && text[0] == '/') {  // absolute: restart at the root of the sandbox
        done.clear();
        current.clear();
      }
      continue;
    }
    if (!todo.empty() && !S_ISDIR(st.st_mode)) return SysError::FromErrno(ENOTDIR, "lstat", candidate);
    done.push_back(part);
    current = candidate;
  }
  return current.empty() ? std::string("/") : current;
}

Result<RootFs::Found> RootFs::Stat(const std::string& path, const std::string& cwd) {
  Found found;
  if (isHost()) {
    found.inRoot = path;
    found.hostPath = path;
    if (PathStat(path.c_str(), &found.st, true) != 0) return SysError::FromErrno(errno, "stat", path);
    return found;
  }
  // The directory part is resolved once per root and remembered; the last component every time.
  const std::string absolute = path.empty() || path[0] != '/' ? JoinPath(cwd.empty() ? "/" : cwd, path) : path;
  const size_t slash = absolute.rfind('/');
  const std::string dir = absolute.substr(0, slash == 0 ? 1 : slash);
  const std::string leaf = absolute.substr(slash + 1);
  auto known = dirs_.find(dir);
  if (known == dirs_.end()) {
    auto real = RealPath(dir, "/");
    known = dirs_.emplace(dir, real.ok() ? std::make_pair(0, real.value()) : std::make_pair(real.error().errnum, std::string())).first;
  }
  if (known->second.first != 0) return SysError::FromErrno(known->second.first, "lstat", absolute);
  auto real = leaf.empty() ? Result<std::string>(known->second.second) : RealPath(JoinPath(known->second.second, leaf), "/");
  if (!real.ok()) return real.error();
  found.inRoot = real.value();
  found.hostPath = HostPath(found.inRoot);
  if (PathStat(found.hostPath.c_str(), &found.st, false) != 0) return SysError::FromErrno(errno, "lstat", found.inRoot);
  return found;
}

}  // namespace sysprobe::core

#endif  // !_WIN32
