// A root filesystem as a sandbox: every path resolves inside it. Symlinks are followed by hand, one
// component at a time (lstat + readlink under the root's host path): an absolute target restarts at
// the root, ".." stops at the root, at most 40 links per lookup (ELOOP, like the kernel). Nothing
// outside the root is ever opened. The root "/" (the host) uses the kernel's own resolution.
#pragma once

#include <sys/stat.h>

#include <string>
#include <unordered_map>

#include "result.h"

namespace sysprobe::core {

class RootFs {
 public:
  // `hostRoot`: a directory on this host; "" or "/" means the host itself.
  explicit RootFs(std::string hostRoot);
  bool isHost() const { return host_.empty(); }
  const std::string& hostRoot() const { return host_; }

  // The canonical path inside the root (absolute, no symlinks, no "." or ".."), following a final
  // symlink too. `path` is absolute inside the root or relative to `cwd` (inside the root).
  Result<std::string> RealPath(const std::string& path, const std::string& cwd = "/");
  // Resolves `path` and stats the file it names (following links). The host path to open is returned.
  struct Found {
    std::string inRoot;    // canonical path inside the root
    std::string hostPath;  // where it is on this host
    struct stat st;
  };
  Result<Found> Stat(const std::string& path, const std::string& cwd = "/");
  // The host path of a canonical in-root path.
  std::string HostPath(const std::string& inRoot) const { return host_.empty() ? inRoot : host_ + inRoot; }

 private:
  std::string host_;  // without a trailing slash; empty for the host
  // Directories already resolved in this root (unresolved absolute path -> canonical path or errno).
  std::unordered_map<std::string, std::pair<int, std::string>> dirs_;
};

// Normalizes "a//b/./c/" lexically (no filesystem access); keeps ".." components.
std::string JoinPath(const std::string& dir, const std::string& name);

}  // namespace sysprobe::core
