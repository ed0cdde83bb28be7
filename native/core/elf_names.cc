#include "elf_names.h"

#include <cstdio>

namespace sysprobe::core::elf {

const char* MachineName(uint16_t machine, uint8_t elfClass, bool bigEndian) {
  const bool is64 = elfClass == 64;
  switch (machine) {
    case 2: return "sparc";
    case 3: return "i386";
    case 4: return "m68k";
    case 8: return is64 ? "mips64" : "mips";
    case 15: return "parisc";
    case 18: return "sparc32plus";
    case 20: return "ppc";
    case 21: return bigEndian ? "ppc64" : "ppc64le";
    case 22: return is64 ? "s390x" : "s390";
    case 40: return "arm";
    case 42: return "sh";
    case 43: return "sparc64";
    case 50: return "ia64";
    case 62: return is64 ? "x86_64" : "x32";
    case 183: return "aarch64";
    case 243: return is64 ? "riscv64" : "riscv32";
    case 258: return is64 ? "loongarch64" : "loongarch32";
    case 0x9026: return "alpha";
    default: return nullptr;
  }
}

const char* OsAbiName(uint8_t osabi) {
  switch (osabi) {
    case 0: return "sysv";
    case 1: return "hpux";
    case 2: return "netbsd";
    case 3: return "gnu";
    case 6: return "solaris";
    case 7: return "aix";
    case 8: return "irix";
    case 9: return "freebsd";
    case 12: return "openbsd";
    case 97: return "arm";
    case 255: return "standalone";
    default: return nullptr;
  }
}

const char* TypeName(uint16_t type) {
  switch (type) {
    case 0: return "none";
    case 1: return "rel";
    case 2: return "exec";
    case 3: return "dyn";
    case 4: return "core";
    default: return nullptr;
  }
}

const char* SymbolTypeName(uint8_t type) {
  static const char* const names[] = {"notype", "object", "func", "section", "file", "common", "tls"};
  if (type < 7) return names[type];
  if (type == 10) return "gnu_ifunc";
  return nullptr;
}

const char* SymbolBindingName(uint8_t binding) {
  switch (binding) {
    case 0: return "local";
    case 1: return "global";
    case 2: return "weak";
    case 10: return "gnu_unique";
    default: return nullptr;
  }
}

const char* SymbolVisibilityName(uint8_t visibility) {
  static const char* const names[] = {"default", "internal", "hidden", "protected"};
  return names[visibility & 3];
}

std::vector<std::string> FlagNames(std::optional<uint64_t> flags, std::optional<uint64_t> flags1) {
  static const char* const df[] = {"DF_ORIGIN", "DF_SYMBOLIC", "DF_TEXTREL", "DF_BIND_NOW", "DF_STATIC_TLS"};
  static const char* const df1[] = {"NOW",       "GLOBAL",     "GROUP",      "NODELETE",  "LOADFLTR",  "INITFIRST", "NOOPEN",
                                    "ORIGIN",    "DIRECT",     "TRANS",      "INTERPOSE", "NODEFLIB",  "NODUMP",    "CONFALT",
                                    "ENDFILTEE", "DISPRELDNE", "DISPRELPND", "NODIRECT",  "IGNMULDEF", "NOKSYMS",   "NOHDR",
                                    "EDITED",    "NORELOC",    "SYMINTPOSE", "GLOBAUDIT", "SINGLETON", "STUB",      "PIE",
                                    "KMOD",      "WEAKFILTER", "NOCOMMON"};
  std::vector<std::string> names;
  char buffer[40];
  if (flags) {
    for (unsigned bit = 0; bit < 64; ++bit) {
      if (!(*flags & (uint64_t(1) << bit))) continue;
      if (bit < 5) {
        names.emplace_back(df[bit]);
      } else {
        std::snprintf(buffer, sizeof(buffer), "DF_0x%llx", (unsigned long long)(uint64_t(1) << bit));
        names.emplace_back(buffer);
      }
    }
  }
  if (flags1) {
    for (unsigned bit = 0; bit < 64; ++bit) {
      if (!(*flags1 & (uint64_t(1) << bit))) continue;
      if (bit < 31) {
        names.emplace_back(std::string("DF_1_") + df1[bit]);
      } else {
        std::snprintf(buffer, sizeof(buffer), "DF_1_0x%llx", (unsigned long long)(uint64_t(1) << bit));
        names.emplace_back(buffer);
      }
    }
  }
  return names;
}

}  // namespace sysprobe::core::elf
