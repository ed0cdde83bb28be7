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
  // A component that keeps changing between two looks (renamed under us) is looked at again, a bounded
  // number of times: then EAGAIN, as openat2(RESOLVE_IN_ROOT) answers a rename race.
  int retries = 0;
  constexpr int kMaxRetries = 64;
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
    const bool dirStep = !last || wantDir;
    if (dirStep) {
      // Most components are directories: open it (never following a link) and look closer only when
      // that fails because it is a link or not a directory.
      if (stack.names.size() >= kMaxDepth) return SysError::FromErrno(ENAMETOOLONG, "openat", candidate);
      const int fd = ::openat(at, part.c_str(), kDirFlags);
      if (fd >= 0) {
        stack.fds.push_back(Own(fd));
        stack.names.push_back(part);
        continue;
      }
      if (errno != ELOOP && errno != ENOTDIR) return SysError::FromErrno(errno, "openat", candidate);
    }
    if (::fstatat(at, part.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return SysError::FromErrno(errno, "openat", candidate);
    if (S_ISLNK(st.st_mode)) {
      if (++links > kMaxLinks) return SysError::FromErrno(ELOOP, "openat", candidate);
      char target[kMaxPath + 1];
      const ssize_t n = ::readlinkat(at, part.c_str(), target, sizeof(target) - 1);
      if (n < 0) {
        // EINVAL: it stopped being a link since fstatat (swapped): look at it again.
        if (errno == EINVAL) {
          if (++retries > kMaxRetries) return SysError::FromErrno(EAGAIN, "readlinkat", candidate);
          --links;
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
    if (!dirStep) return WalkEnd{part, st};
    if (!S_ISDIR(st.st_mode)) return SysError::FromErrno(ENOTDIR, "openat", candidate);
    // A directory again (swapped back since the open failed): look at it again.
    if (++retries > kMaxRetries) return SysError::FromErrno(EAGAIN, "openat", candidate);
    todo.push_front(part);
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

// A directory of the root by its unresolved path, resolved once per RootFs and remembered with its fds:
// from its longest remembered ancestor, one component at a time (resolving "/a/b/c" is resolving "/a/b",
// then "c" from there, as the kernel's walk is).
Result<RootFs::DirWalk> RootFs::Dir(const std::string& dir) {
  auto known = dirs_.find(dir);
  if (known != dirs_.end()) return known->second;
  auto root = RootFd();
  if (!root.ok()) return root.error();
  if (dir.size() > kMaxPath) return SysError::FromErrno(ENAMETOOLONG, "openat", dir);
  // The ancestors not yet known, nearest first.
  std::vector<std::string> pending;
  std::string at = dir;
  DirWalk base;
  while (true) {
    if (at == "/" || at.empty()) {
      base.fds.push_back(root.value());
      break;
    }
    auto cached = dirs_.find(at);
    if (cached != dirs_.end()) {
      base = cached->second;
      break;
    }
    pending.push_back(at);
    const size_t slash = at.rfind('/');
    at = slash == std::string::npos || slash == 0 ? "/" : at.substr(0, slash);
  }
  if (dirs_.size() + pending.size() > kMaxCachedDirs) dirs_.clear();
  for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
    DirWalk next;
    if (base.error) {
      next.error = base.error;
    } else {
      WalkStack stack{base.fds, base.names};
      int links = base.links;
      auto walked = WalkFrom(stack, Parts(it->substr(it->rfind('/') + 1)), true, links);
      if (walked.ok()) {
        next.fds = std::move(stack.fds);
        next.names = std::move(stack.names);
        next.links = links;
      } else {
        next.error = walked.error();
      }
    }
    dirs_[*it] = next;
    base = std::move(next);
  }
  return base;
}

// The directory part comes from Dir(); the last component is looked up every time.
Result<RootFs::Found> RootFs::Walk(const std::string& absolute) {
  const size_t slash = absolute.rfind('/');
  const std::string dir = slash == std::string::npos || slash == 0 ? "/" : absolute.substr(0, slash);
  const std::string leaf = slash == std::string::npos ? absolute : absolute.substr(slash + 1);
  auto known = Dir(dir);
  if (!known.ok()) return known.error();
  if (known.value().error) return *known.value().error;
  WalkStack stack{known.value().fds, known.value().names};
  int links = known.value().links;
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
  struct stat now {};
  auto source = FileSource::FromFd(fd, found.inRoot, &now);
  if (!source.ok()) return source.error();
  // The file opened is the one the walk saw (a swap in between is refused, not followed).
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
