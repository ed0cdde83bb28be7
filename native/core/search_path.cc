#include "search_path.h"

#if !defined(_WIN32)  // the loader model is POSIX only (resolve.cc is stubbed on Windows)

#include <cctype>
#include <cerrno>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#if defined(__linux__)
// getauxval without <sys/auxv.h>, whose <elf.h> macros collide with elf_format.h's constants.
extern "C" unsigned long getauxval(unsigned long type);
#endif

namespace sysprobe::core::resolve {

namespace {

#if defined(__linux__)
constexpr unsigned long kAtPlatform = 15;  // AT_PLATFORM
#endif

std::string PlatformUncached(uint16_t machine) {
#if defined(__x86_64__) && defined(__linux__)
  if (machine == 62) {
    // AT_PLATFORM, overridden by glibc on Intel CPUs (sysdeps/x86/cpu-features.c): "haswell", "xeon_phi".
    const char* at = reinterpret_cast<const char*>(getauxval(kAtPlatform));
    std::string platform = at ? at : "x86_64";
    unsigned a, b, c, d;
    if (__get_cpuid(0, &a, &b, &c, &d) && b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e) {  // GenuineIntel
      unsigned a1, b1, c1, d1, a7, b7, c7, d7, ae, be, ce, de;
      if (__get_cpuid(1, &a1, &b1, &c1, &d1) && __get_cpuid_count(7, 0, &a7, &b7, &c7, &d7) &&
          __get_cpuid(0x80000001, &ae, &be, &ce, &de)) {
        const bool avx512er = b7 & (1u << 27), avx512pf = b7 & (1u << 26), avx512cd = b7 & (1u << 28);
        const bool haswell = (b7 & (1u << 5)) && (c1 & (1u << 12)) && (b7 & (1u << 3)) && (b7 & (1u << 8)) && (ce & (1u << 5)) &&
                             (c1 & (1u << 22)) && (c1 & (1u << 23));
        if (avx512cd && avx512er && avx512pf) platform = "xeon_phi";
        else if (haswell)
          platform = "haswell";
      }
    }
    return platform;
  }
#endif
  switch (machine) {
    case 62: return "x86_64";
    case 3: return "i686";
    case 183: return "aarch64";
    case 22: return "z900";
    default: return "";
  }
}

bool IsIdent(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Length of the DST named `ref` at `input` (just after '$'): "ORIGIN" or "{ORIGIN}", 0 when not it.
size_t IsDst(const std::string& input, size_t at, const char* ref) {
  const size_t rlen = std::strlen(ref);
  if (at < input.size() && input[at] == '{') {
    if (input.compare(at + 1, rlen, ref) != 0 || at + 1 + rlen >= input.size() || input[at + 1 + rlen] != '}') return 0;
    return rlen + 2;
  }
  if (input.compare(at, rlen, ref) != 0) return 0;
  if (at + rlen < input.size() && IsIdent(input[at + rlen])) return 0;
  return rlen;
}

}  // namespace

const char* DefaultInterpreter(uint16_t machine, uint8_t cls) {
  switch (machine) {
    case 62: return cls == 64 ? "/lib64/ld-linux-x86-64.so.2" : "/libx32/ld-linux-x32.so.2";
    case 3: return "/lib/ld-linux.so.2";
    case 183: return "/lib/ld-linux-aarch64.so.1";
    case 22: return cls == 64 ? "/lib/ld64.so.1" : "/lib/ld.so.1";
    case 21: return "/lib64/ld64.so.2";
    case 40: return "/lib/ld-linux-armhf.so.3";
    case 243: return "/lib/ld-linux-riscv64-lp64d.so.1";
    default: return nullptr;
  }
}

std::vector<std::string> DefaultSystemDirs(uint8_t cls) {
  if (cls == 64) return {"/lib64/", "/usr/lib64/"};
  return {"/lib/", "/usr/lib/"};
}

// The CPU does not change while we run: cpuid (a trap to the hypervisor on VMs) is asked once.
std::string PlatformFor(uint16_t machine) {
  static const std::string x86 = PlatformUncached(62);
  return machine == 62 ? x86 : PlatformUncached(machine);
}

std::optional<std::string> Substitute(const std::string& input, const Dst& dst) {
  std::string out;
  for (size_t i = 0; i < input.size(); ++i) {
    if (input[i] != '$') {
      out += input[i];
      continue;
    }
    size_t len;
    const std::string* value = nullptr;
    std::optional<std::string> none;
    if ((len = IsDst(input, i + 1, "ORIGIN")) != 0) value = dst.origin ? &*dst.origin : nullptr;
    else if ((len = IsDst(input, i + 1, "PLATFORM")) != 0)
      value = dst.platform.empty() ? nullptr : &dst.platform;
    else if ((len = IsDst(input, i + 1, "LIB")) != 0)
      value = &dst.lib;
    if (len == 0) {
      out += '$';
      continue;
    }
    if (value == nullptr) return std::nullopt;
    out += *value;
    i += len;
  }
  return out;
}

std::vector<std::string> SearchList(const std::vector<std::string>& strings, const char* separators, const Dst& dst) {
  std::vector<std::string> dirs;
  for (const auto& whole : strings) {
    if (whole.empty()) continue;  // an empty DT_RPATH/DT_RUNPATH is ignored
    size_t start = 0;
    while (start <= whole.size()) {
      size_t end = whole.find_first_of(separators, start);
      if (end == std::string::npos) end = whole.size();
      std::string element = whole.substr(start, end - start);
      start = end + 1;
      std::string dir;
      if (!element.empty()) {
        auto expanded = Substitute(element, dst);
        if (!expanded || expanded->empty()) continue;
        dir = *expanded;
        while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
        if (dir.back() != '/') dir += '/';
      }
      bool seen = false;
      for (const auto& d : dirs)
        if (d == dir) seen = true;
      if (!seen) dirs.push_back(dir);
    }
  }
  return dirs;
}

std::string DirName(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

const char* ErrnoName(int e) {
  switch (e) {
    case ENOENT: return "ENOENT";
    case ENOTDIR: return "ENOTDIR";
    case EACCES: return "EACCES";
    case ELOOP: return "ELOOP";
    case EISDIR: return "EISDIR";
    case EAGAIN: return "EAGAIN";  // a root's directory renamed during the lookup, again and again
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EPERM: return "EPERM";
    case EINVAL: return "EINVAL";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case ENOMEM: return "ENOMEM";
    case ENXIO: return "ENXIO";
    case ENODEV: return "ENODEV";
    case EOVERFLOW: return "EOVERFLOW";
    default: return "EIO";
  }
}

}  // namespace sysprobe::core::resolve

#endif  // !_WIN32
