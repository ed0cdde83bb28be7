// A root filesystem as a sandbox: every path resolves inside it. The walk is race-free: it holds a
// directory fd of the root and goes one component at a time with openat(dirfd, name, O_NOFOLLOW)
// (O_PATH on Linux), symlinks read with readlinkat and resolved by hand (an absolute target restarts
// at the root fd, ".." pops the walk's own stack and never goes above the root; the kernel is never
// asked for ".."), at most 40 links per lookup (ELOOP, like the kernel). The file finally read is
// opened from its parent directory fd with O_NOFOLLOW and checked by fstat against what the walk saw,
// so a directory swapped for a symlink between two steps cannot lead outside the root. The root "/"
// (the host) uses the kernel's own resolution.
#pragma once

#include <sys/stat.h>

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "byte_source.h"
#include "result.h"

namespace sysprobe::core {

class RootFs {
 public:
  // `hostRoot`: a directory on this host; "" or "/" means the host itself.
  explicit RootFs(std::string hostRoot);
  RootFs(const RootFs&) = delete;
  RootFs& operator=(const RootFs&) = delete;
  bool isHost() const { return host_.empty(); }
  const std::string& hostRoot() const { return host_; }

  // The canonical path inside the root (absolute, no symlinks, no "." or ".."), following a final
  // symlink too. `path` is absolute inside the root or relative to `cwd` (inside the root).
  Result<std::string> RealPath(const std::string& path, const std::string& cwd = "/");
  // Resolves `path` and stats the file it names (following links).
  struct Found {
    std::string inRoot;    // canonical path inside the root
    std::string hostPath;  // where it is on this host (for the record: never opened by this path)
    struct stat st;
    std::shared_ptr<const int> dir;  // the directory fd holding it; the host: none (leaf is the path)
    std::string leaf;                // its name in that directory
  };
  Result<Found> Stat(const std::string& path, const std::string& cwd = "/");
  // Opens what Stat found for reading: a regular file opened from its directory fd (O_NOFOLLOW) that is
  // still the file Stat saw (st_dev/st_ino). Errors name the in-root path.
  Result<std::unique_ptr<FileSource>> Open(const Found& found);
  // Stat then Open.
  Result<std::unique_ptr<FileSource>> OpenFile(const std::string& path, const std::string& cwd = "/");
  // The host path of a canonical in-root path.
  std::string HostPath(const std::string& inRoot) const { return host_.empty() ? inRoot : host_ + inRoot; }

 private:
  struct DirWalk;
  Result<std::shared_ptr<const int>> RootFd();
  Result<DirWalk> Dir(const std::string& dir);
  Result<Found> Walk(const std::string& absolute);

  std::string host_;  // without a trailing slash; empty for the host
  std::shared_ptr<const int> rootFd_;
  int rootErrno_ = 0;
  // Directories already resolved in this root (unresolved absolute path -> the walk's directory fds,
  // root first, or the error), so that a lookup opens only its last component.
  struct DirWalk {
    std::vector<std::shared_ptr<const int>> fds;
    std::vector<std::string> names;
    int links = 0;  // symlinks followed on the way (the lookup's limit of 40 counts them)
    std::optional<SysError> error;
  };
  std::unordered_map<std::string, DirWalk> dirs_;
};

// Normalizes "a//b/./c/" lexically (no filesystem access); keeps ".." components.
std::string JoinPath(const std::string& dir, const std::string& name);

}  // namespace sysprobe::core
