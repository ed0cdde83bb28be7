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

#include <map>

namespace sysprobe::core {

namespace {

#if !defined(_WIN32)
// realpath() of each distinct name once per probe: the loader and libc names repeat.
class Resolver {
 public:
  NamedFile operator()(const std::string& name) {
    auto found = cache_.find(name);
    if (found != cache_.end()) return found->second;
    NamedFile file;
    file.name = name;
    char* resolved = realpath(name.c_str(), nullptr);
    if (resolved != nullptr) {
      file.realPath = resolved;
      free(resolved);
    } else {
      file.realPathErrno = errno;
    }
    cache_.emplace(name, file);
    return file;
  }

 private:
  std::map<std::string, NamedFile> cache_;
};

template <class Fn>
Fn LookupDefault(const char* symbol) {
  void* address = dlsym(RTLD_DEFAULT, symbol);
  Fn fn = nullptr;
  static_assert(sizeof(fn) == sizeof(address), "function and data pointers differ in size");
  memcpy(&fn, &address, sizeof(fn));
  return fn;
}

template <class Fn>
uintptr_t AddressOf(Fn fn) {
  uintptr_t address = 0;
  static_assert(sizeof(fn) == sizeof(address), "function pointers are not address-sized");
  memcpy(&address, &fn, sizeof(address));
  return address;
}
#endif

#if defined(SYSPROBE_HAVE_DL_ITERATE_PHDR)
// One walk over the loaded objects finds the main program's PT_INTERP, the object at AT_BASE, and
// the objects whose PT_LOAD segments contain the given code addresses. (dladdr() would also name
// them, but glibc's searches the whole symbol table for the nearest symbol: microseconds each.)
struct PhdrWalk {
  SelfLibcFacts* facts = nullptr;
  uintptr_t gnuVersionAddress = 0;
  uintptr_t getpidAddress = 0;
  std::string loaderName, gnuVersionObject, getpidObject;
  bool first = true;
};

bool Contains(const struct dl_phdr_info* info, uintptr_t address) {
  if (address == 0) return false;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    const uintptr_t start = info->dlpi_addr + ph.p_vaddr;
    if (address >= start && address - start < ph.p_memsz) return true;
  }
  return false;
}

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
    // A static program serves libc calls from its own image, which has no name to report.
    return 0;
  }
  if (info->dlpi_name == nullptr || info->dlpi_name[0] == '\0') return 0;

  if (facts.atBase != 0 && static_cast<unsigned long long>(info->dlpi_addr) == facts.atBase) {
    walk->loaderName = info->dlpi_name;
  }
  if (walk->gnuVersionObject.empty() && Contains(info, walk->gnuVersionAddress)) walk->gnuVersionObject = info->dlpi_name;
  if (walk->getpidObject.empty() && Contains(info, walk->getpidAddress)) walk->getpidObject = info->dlpi_name;
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

const char* PlatformName() {
#if defined(__linux__)
  return "linux";
#elif defined(__APPLE__)
  return "darwin";
#elif defined(_WIN32)
  return "win32";
#elif defined(__FreeBSD__)
  return "freebsd";
#elif defined(__OpenBSD__)
  return "openbsd";
#elif defined(__NetBSD__)
  return "netbsd";
#else
  return "unknown";
#endif
}

}  // namespace

SelfLibcFacts ProbeSelfLibc() {
  SelfLibcFacts facts;
  facts.platform = PlatformName();
  RecordCompiledAgainst(facts);

#if !defined(_WIN32)
  using VersionFn = const char* (*)();
  auto version = LookupDefault<VersionFn>("gnu_get_libc_version");
  if (version != nullptr) {
    if (const char* text = version()) facts.gnuVersion = text;
  }
  if (auto release = LookupDefault<VersionFn>("gnu_get_libc_release")) {
    if (const char* text = release()) facts.gnuRelease = text;
  }
#if defined(_CS_GNU_LIBC_VERSION)
  char buffer[128];
  size_t needed = confstr(_CS_GNU_LIBC_VERSION, buffer, sizeof(buffer));
  if (needed > 0 && needed <= sizeof(buffer)) facts.confstrVersion = std::string(buffer);
#endif
  auto getpidFn = LookupDefault<pid_t (*)()>("getpid");
#endif

#if defined(__linux__)
  facts.atBase = static_cast<unsigned long long>(getauxval(AT_BASE));
#endif
#if defined(SYSPROBE_HAVE_DL_ITERATE_PHDR)
  PhdrWalk walk;
  walk.facts = &facts;
  walk.gnuVersionAddress = version != nullptr ? AddressOf(version) : 0;
  walk.getpidAddress = getpidFn != nullptr ? AddressOf(getpidFn) : 0;
  dl_iterate_phdr(VisitObject, &walk);
  Resolver resolve;
  if (!walk.loaderName.empty()) facts.loader = resolve(walk.loaderName);
  if (!walk.gnuVersionObject.empty()) facts.gnuVersionProvider = resolve(walk.gnuVersionObject);
  if (!walk.getpidObject.empty()) facts.libcObject = resolve(walk.getpidObject);
#elif !defined(_WIN32)
  // No dl_iterate_phdr (macOS): dladdr() names the defining images.
  Resolver resolve;
  Dl_info info{};
  if (version != nullptr && dladdr(reinterpret_cast<void*>(AddressOf(version)), &info) != 0 && info.dli_fname != nullptr) {
    facts.gnuVersionProvider = resolve(info.dli_fname);
  }
  if (getpidFn != nullptr && dladdr(reinterpret_cast<void*>(AddressOf(getpidFn)), &info) != 0 && info.dli_fname != nullptr) {
    facts.libcObject = resolve(info.dli_fname);
  }
#endif
  return facts;
}

}  // namespace sysprobe::core
