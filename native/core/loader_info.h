// Facts about the files a resolution reads, cached across calls and keyed by the file's identity (host
// path, device, inode, size, mtime): each candidate's ELF header and parse, what the loader file says of
// itself (its system directories, glibc-hwcaps list and version banner), and the root's ld.so.cache.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "elf.h"
#include "ldcache.h"
#include "result.h"
#include "rootfs.h"

namespace sysprobe::core::resolve {

struct ElfEntry {
  std::vector<uint8_t> head;  // the first 64 bytes (fewer when the file is shorter)
  uint64_t size = 0;
  std::shared_ptr<const elf::ElfFile> elf;  // null when the parse failed
  std::optional<SysError> parseError;
};

struct LoaderInfo {
  std::vector<std::string> systemDirs;     // each ending in '/'
  std::vector<std::string> hwcapsSubdirs;  // the loader's own list ("x86-64-v4:x86-64-v3:x86-64-v2")
  bool glibcHwcaps = false;                // the loader knows glibc-hwcaps (2.33+)
  std::optional<std::string> version;      // "2.36"
};

// Every file is opened through the RootFs that found it: from its directory fd, checked to be the file
// `found` describes (a root stays a sandbox when its directories are swapped during the lookup).
std::shared_ptr<const ElfEntry> ReadElfEntry(RootFs& fs, const RootFs::Found& found);

// Byte runs of the loader file: SYSTEM_DIRS ("/lib/x86_64-linux-gnu/\0/usr/lib/x86_64-linux-gnu/\0/lib/\0/usr/lib/\0"),
// the glibc-hwcaps subdirectory list and the --version banner.
std::shared_ptr<const LoaderInfo> ReadLoaderInfo(RootFs& fs, const RootFs::Found& found);

// The parsed cache, or null with *error saying why.
std::shared_ptr<const ldcache::Cache> ReadLdCache(RootFs& fs, const RootFs::Found& found, std::optional<std::string>* error);

// The loader's version ("2.36") is below major.minor, or unknown.
bool VersionBelow(const std::optional<std::string>& version, int major, int minor);

}  // namespace sysprobe::core::resolve
