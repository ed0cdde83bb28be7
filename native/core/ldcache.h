// /etc/ld.so.cache as glibc writes it (elf/cache.c) and reads it (elf/dl-cache.c, sysdeps/generic/dl-cache.h):
// the old "ld.so-1.7.0" format, the new "glibc-ld.so.cache1.1" format, and the compat file (new inside the
// old one's string area); the endianness flag; the extension directory (generator string, glibc-hwcaps
// subdirectory names). Every count, offset and string is checked against the input, unlike glibc (which
// trusts the new header of a compat file) and the other C parsers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "byte_source.h"
#include "result.h"

namespace sysprobe::core::ldcache {

struct Entry {
  int32_t flags = 0;       // FLAG_ELF_LIBC6 | FLAG_X8664_LIB64 ...
  std::string key;         // the SONAME
  std::string value;       // the full path
  uint32_t osVersion = 0;  // new format only (unused since glibc 2.33)
  uint64_t hwcap = 0;      // new format only
  // hwcap bit 62 with only ISA-level bits above: the low 32 bits index the glibc-hwcaps names.
  bool hwcapExtension = false;
  std::optional<std::string> hwcapName;
  uint32_t isaLevel = 0;  // bits 32..41 of an extension entry's hwcap (x86 ISA level)
};

struct Cache {
  std::string format;                    // "old", "new", "compat"
  bool bigEndian = false;                // new format: the file's byte order
  uint8_t endianFlag = 0;                // new format: the low 2 bits of the flags byte (0 unset, 2 little, 3 big)
  std::vector<Entry> entries;            // the table glibc searches: the new one when there is one
  std::vector<Entry> oldEntries;         // the old-format table (old and compat files)
  std::optional<std::string> generator;  // extension tag 0
  std::vector<std::string> hwcapNames;   // extension tag 1
  std::vector<std::string> diagnostics;  // unknown extension tags and the like
};

// Parses a whole cache from any byte source. ERR_SYSPROBE_BAD_LDCACHE / ERR_SYSPROBE_TRUNCATED with the offset.
Result<Cache> Parse(ByteSource& source);
Result<Cache> ParseFile(const std::string& path);
// A file already opened (inside a root: RootFs::Open); errors name the file's path.
Result<Cache> ParseFile(FileSource& file);

// glibc's _dl_cache_libcmp: digit runs compare numerically, everything else bytewise.
int LibCompare(const std::string& a, const std::string& b);

// The cache flags the loader of this ELF class/machine/flags accepts (_dl_cache_check_flags), as a
// list: x86-64 {0x303}; i386 and other generic targets {1, 3}; ...
std::vector<int32_t> AcceptedFlags(uint8_t elfClass, uint16_t machine, uint32_t eflags);

struct LookupResult {
  std::string path;
  std::optional<std::string> hwcapName;
};
// search_cache() of elf/dl-cache.c (glibc 2.33+ semantics): binary search by _dl_cache_libcmp, first
// equal key, then the acceptable entries in file order; glibc-hwcaps entries by the priority of
// `activeHwcaps` (index 0 = best; names not in it are unusable), a plain entry with hwcap bits set is
// skipped, a plain entry ends the scan once a hwcaps match exists or when its flags are the default id.
std::optional<LookupResult> Lookup(const Cache& cache, const std::string& name, const std::vector<int32_t>& accepted,
                                   int32_t defaultId, const std::vector<std::string>& activeHwcaps, uint32_t isaLevelSupported);

}  // namespace sysprobe::core::ldcache
