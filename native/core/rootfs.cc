#include "rootfs.h"

#if !defined(_WIN32)  // POSIX paths and symlinks; the Windows build has no caller (resolve.cc is stubbed there)

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <deque>
#include <vector>

#if defined(__wasi__)
// The canonical path of `path` into `out`: its length, or -errno (WASI numbering).
extern "C" long sysprobe_host_realpath(const char* path, size_t length, char* out, size_t capacity)
    __attribute__((import_module("sysprobe"), import_name("realpath")));
#endif

namespace sysprobe::core {

namespace {

constexpr int kMaxLinks = 40;
constexpr size_t kMaxDepth = 256;       // directory levels below the root
constexpr size_t kMaxPath = 4096;       // PATH_MAX of Linux
constexpr size_t kMaxCachedDirs = 256;  // directories a RootFs remembers (with their fds)

// An intermediate directory: O_PATH where the kernel has it (no read permission needed, nothing
// opened for I/O), else a read-only directory open. Never follows a symlink.
#if defined(O_PATH)
constexpr int kDirFlags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
#else
constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
#endif

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

bool SameFile(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

using DirRef = std::shared_ptr<const int>;

DirRef Own(int fd) {
  return DirRef(new int(fd), [](const int* p) {
    ::close(*p);
    delete p;
  });
}

// The directories of a walk, root first: fds[i + 1] is names[i] inside fds[i].
struct WalkStack {
  std::vector<DirRef> fds;
  std::vector<std::string> names;
  std::string Canonical(const std::string& leaf = {}) const {
    std::string out;
    for (const auto& name : names) out += "/" + name;
    if (!leaf.empty()) out += "/" + leaf;
    return out.empty() ? std::string("/") : out;
  }
};

struct WalkEnd {
  std::string leaf;  // empty: the path ends at the stack's top directory
  struct stat st;    // lstat of the leaf (a symlink only when not followed), or fstat of the top directory
};

// Walks `todo` from the top of `stack`, one component at a time. With `wantDir` the last component is
// a directory pushed on the stack too; otherwise it is the returned leaf (its final link followed).
// `links` counts the symlinks of the whole lookup.
Result<WalkEnd> WalkFrom(WalkStack& stack, std::deque<std::string> todo, bool wantDir, int& links) {
  struct stat st {};
  while (!todo.empty()) {
    std::string part = std::move(todo.front());
    todo.pop_front();
    if (part == ".") continue;
    if (part == "..") {  // never asked of the kernel: the walk's own stack, clamped at the root
      if (!stack.names.empty()) {
        stack.names.pop_back();
        stack.fds.pop_back();
      }
      continue;
    }
    const bool last = todo.empty();
    const std::string candidate = stack.Canonical(part);
    if (candidate.size() > kMaxPath) return SysError::FromErrno(ENAMETOOLONG, "openat", candidate);
    const int at = *stack.fds.back();
    if (::fstatat(at, part.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return SysError::FromErrno(errno, "openat", candidate);
    if (S_ISLNK(st.st_mode)) {
      if (++links > kMaxLinks) return SysError::FromErrno(ELOOP, "openat", candidate);
      char target[kMaxPath + 1];
      const ssize_t n = ::readlinkat(at, part.c_str(), target, sizeof(target) - 1);
      if (n < 0) {
        // EINVAL: it stopped being a link since fstatat (swapped): look at it again (bounded by `links`).
        if (errno == EINVAL) {
          todo.push_front(part);
          continue;
        }
        return SysError::FromErrno(errno, "readlinkat", candidate);
      }
      const std::string text(target, static_cast<size_t>(n));
      auto parts = Split(text);
      for (auto it = parts.rbegin(); it != parts.rend(); ++it) todo.push_front(*it);
      if (!text.empty() && text[0] == '/') {  // absolute: restart at the root of the sandbox
        stack.fds.resize(1);
        stack.names.clear();
      }
      continue;
    }
    if (last && !wantDir) return WalkEnd{part, st};
    if (!S_ISDIR(st.st_mode)) return SysError::FromErrno(ENOTDIR, "openat", candidate);
    if (stack.names.size() >= kMaxDepth) return SysError::FromErrno(ENAMETOOLONG, "openat", candidate);
    const int fd = ::openat(at, part.c_str(), kDirFlags);
    if (fd < 0) {
      // ELOOP/ENOTDIR: swapped for a link or a file since fstatat: look at it again (bounded by `links`).
      if ((errno == ELOOP || errno == ENOTDIR) && ++links <= kMaxLinks) {
        todo.push_front(part);
        continue;
      }
      return SysError::FromErrno(errno, "openat", candidate);
    }
    stack.fds.push_back(Own(fd));
    stack.names.push_back(part);
  }
  // The path ends at a directory of the walk itself (the root, a trailing "/", "." or ".."), which is
  // then described by its own fd and an empty leaf.
  if (::fstat(*stack.fds.back(), &st) != 0) return SysError::FromErrno(errno, "fstat", stack.Canonical());
  return WalkEnd{std::string(), st};
}

std::deque<std::string> Parts(const std::string& path) {
  auto parts = Split(path);
  return std::deque<std::string>(parts.begin(), parts.end());
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

Result<DirRef> RootFs::RootFd() {
  if (rootFd_) return rootFd_;
  if (rootErrno_ == 0) {
    // The root itself is the caller's choice: the kernel may follow links in its path.
    const int fd = ::open(host_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) return rootFd_ = Own(fd);
    rootErrno_ = errno;
  }
  return SysError::FromErrno(rootErrno_, "open", host_);
}

// The directory part is resolved once per root and remembered (its fds); the last component every time.
Result<RootFs::Found> RootFs::Walk(const std::string& absolute) {
  auto root = RootFd();
  if (!root.ok()) return root.error();
  const size_t slash = absolute.rfind('/');
  const std::string dir = slash == std::string::npos || slash == 0 ? "/" : absolute.substr(0, slash);
  const std::string leaf = slash == std::string::npos ? absolute : absolute.substr(slash + 1);
  auto known = dirs_.find(dir);
  if (known == dirs_.end()) {
    WalkStack stack;
    stack.fds.push_back(root.value());
    int links = 0;
    auto walked = WalkFrom(stack, Parts(dir), true, links);
    DirWalk entry;
    if (walked.ok()) {
      entry.fds = std::move(stack.fds);
      entry.names = std::move(stack.names);
      entry.links = links;
    } else {
      entry.error = walked.error();
    }
    if (dirs_.size() >= kMaxCachedDirs) dirs_.clear();
    known = dirs_.emplace(dir, std::move(entry)).first;
  }
  if (known->second.error) return *known->second.error;  // the directory part's own error (its path, its call)
  WalkStack stack{known->second.fds, known->second.names};
  int links = known->second.links;
  auto walked = WalkFrom(stack, Parts(leaf), false, links);
  if (!walked.ok()) return walked.error();
  Found found;
  found.inRoot = stack.Canonical(walked.value().leaf);
  found.hostPath = HostPath(found.inRoot);
  found.st = walked.value().st;
  found.dir = stack.fds.back();
  found.leaf = walked.value().leaf;
  return found;
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
  auto walked = Walk(absolute);
  if (!walked.ok()) return walked.error();
  return walked.value().inRoot;
}

Result<RootFs::Found> RootFs::Stat(const std::string& path, const std::string& cwd) {
  Found found;
  if (isHost()) {
    found.inRoot = path;
    found.hostPath = path;
    found.leaf = path;
    if (::stat(path.c_str(), &found.st) != 0) return SysError::FromErrno(errno, "stat", path);
    return found;
  }
  return Walk(path.empty() || path[0] != '/' ? JoinPath(cwd.empty() ? "/" : cwd, path) : path);
}

Result<std::unique_ptr<FileSource>> RootFs::Open(const Found& found) {
  if (S_ISDIR(found.st.st_mode)) return SysError::FromErrno(EISDIR, "read", found.inRoot);
  if (!S_ISREG(found.st.st_mode)) {
    return SysError::Sysprobe("ERR_SYSPROBE_NOT_REGULAR", "not a regular file: " + found.inRoot, found.inRoot);
  }
  constexpr int kFlags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  if (!isHost() && (!found.dir || found.leaf.empty())) return SysError::FromErrno(EISDIR, "read", found.inRoot);
  const int fd = isHost() ? ::open(found.leaf.c_str(), kFlags) : ::openat(*found.dir, found.leaf.c_str(), kFlags | O_NOFOLLOW);
  if (fd < 0) return SysError::FromErrno(errno, isHost() ? "open" : "openat", found.inRoot);
  auto source = FileSource::FromFd(fd, found.inRoot);
  if (!source.ok()) return source.error();
  // The file opened is the one the walk saw (a swap in between is refused, not followed).
  struct stat now {};
  if (::fstat(source.value()->fd(), &now) != 0) return SysError::FromErrno(errno, "fstat", found.inRoot);
  if (!SameFile(now, found.st)) return SysError::FromErrno(ENOENT, "openat", found.inRoot);
  return source;
}

Result<std::unique_ptr<FileSource>> RootFs::OpenFile(const std::string& path, const std::string& cwd) {
  auto found = Stat(path, cwd);
  if (!found.ok()) return found.error();
  return Open(found.value());
}

}  // namespace sysprobe::core

#endif  // !_WIN32
