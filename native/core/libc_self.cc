#include "libc_self.h"

#if defined(__linux__) || defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__)
#define SYSPROBE_HAVE_DL_ITERATE_PHDR 1
#endif

#if !defined(_WIN32)
#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cerrno>
#endif
#if defined(SYSPROBE_HAVE_DL_ITERATE_PHDR)
#include <link.h>
#endif
#if defined(__linux__)
#include <sys/auxv.h>
#endif

namespace sysprobe::core {

namespace {

#if !defined(_WIN32)
NamedFile Resolve(const char* name) {
  NamedFile file;
  file.name = name;
  char* resolved = realpath(name, nullptr);
  if (resolved != nullptr) {
    file.realPath = resolved;
    free(resolved);
  } else {
    file.realPathErrno = errno;
  }
  return file;
}

std::optional<NamedFile> ObjectDefining(const void* address) {
  Dl_info info{};
  if (address == nullptr || dladdr(address, &info) == 0 || info.dli_fname == nullptr ||
      info.dli_fname[0] == '\0') {
    return std::nullopt;
  }
  return Resolve(info.dli_fname);
}

template <class Fn>
Fn LookupDefault(const char* symbol) {
  void* address = dlsym(RTLD_DEFAULT, symbol);
  Fn fn = nullptr;
  static_assert(sizeof(fn) == sizeof(address), "function and data pointers differ in size");
  memcpy(&fn, &address, sizeof(fn));
  return fn;
}
#endif

#if defined(SYSPROBE_HAVE_DL_ITERATE_PHDR)
struct PhdrWalk {
  SelfLibcFacts* facts;
  bool first = true;
};

int VisitObject(struct dl_phdr_info* info, size_t, void* data) {
  auto* walk = static_cast<PhdrWalk*>(data);
  SelfLibcFacts& facts = *walk->facts;
  const bool isMainProgram = walk->first;
  walk->first = false;

  if (isMainProgram) {
    facts.mainProgramSeen = true;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
      const ElfW(Phdr)& ph = info->dlpi_phdr[i];
      if (ph.p_type != PT_INTERP || ph.p_memsz == 0) continue;
      // The interpreter string lives in our own mapped image; bound it by the segment size.
      const char* text = reinterpret_cast<const char*>(info->dlpi_addr + ph.p_vaddr);
      facts.interpreter = std::string(text, strnlen(text, ph.p_memsz));
    }
    return 0;
  }
  if (info->dlpi_name == nullptr || info->dlpi_name[0] == '\0') return 0;

  if (facts.atBase != 0 && static_cast<unsigned long long>(info->dlpi_addr) == facts.atBase) {
    facts.loader = Resolve(info->dlpi_name);
  }
  facts.loadedObjects.emplace_back(info->dlpi_name);
  return 0;
}
#endif

void RecordCompiledAgainst(SelfLibcFacts& facts) {
#if defined(__GLIBC__)
  facts.compiledFamily = "glibc";
  facts.compiledVersion = std::to_string(__GLIBC__) + "." + std::to_string(__GLIBC_MINOR__);
#elif defined(_WIN32)
  facts.compiledFamily = "msvcrt";
#elif defined(__APPLE__)
  facts.compiledFamily = "darwin";
#elif defined(__linux__)
  // No macro identifies musl on purpose; a Linux build without __GLIBC__ is musl or another libc.
  facts.compiledFamily = "musl-or-other";
#endif
}

}  // namespace

SelfLibcFacts ProbeSelfLibc() {
  SelfLibcFacts facts;
#if defined(__linux__)
  facts.platform = "linux";
#elif defined(__APPLE__)
  facts.platform = "darwin";
#elif defined(_WIN32)
  facts.platform = "win32";
#elif defined(__FreeBSD__)
  facts.platform = "freebsd";
#elif defined(__OpenBSD__)
  facts.platform = "openbsd";
#elif defined(__NetBSD__)
  facts.platform = "netbsd";
#else
  facts.platform = "unknown";
#endif
  RecordCompiledAgainst(facts);

#if !defined(_WIN32)
  using VersionFn = const char* (*)();
  if (auto version = LookupDefault<VersionFn>("gnu_get_libc_version")) {
    if (const char* text = version()) facts.gnuVersion = text;
    void* address = nullptr;
    memcpy(&address, &version, sizeof(address));
    facts.gnuVersionProvider = ObjectDefining(address);
  }
  if (auto release = LookupDefault<VersionFn>("gnu_get_libc_release")) {
    if (const char* text = release()) facts.gnuRelease = text;
  }
#if defined(_CS_GNU_LIBC_VERSION)
  char buffer[128];
  size_t needed = confstr(_CS_GNU_LIBC_VERSION, buffer, sizeof(buffer));
  if (needed > 0 && needed <= sizeof(buffer)) facts.confstrVersion = std::string(buffer);
#endif
  if (auto getpidFn = LookupDefault<pid_t (*)()>("getpid")) {
    void* address = nullptr;
    memcpy(&address, &getpidFn, sizeof(address));
    facts.libcObject = ObjectDefining(address);
  }
#endif

#if defined(__linux__)
  facts.atBase = static_cast<unsigned long long>(getauxval(AT_BASE));
#endif
#if defined(SYSPROBE_HAVE_DL_ITERATE_PHDR)
  PhdrWalk walk{&facts};
  dl_iterate_phdr(VisitObject, &walk);
#endif
  return facts;
}

}  // namespace sysprobe::core
