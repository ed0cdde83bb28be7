#include "resolve.h"

namespace sysprobe::core::resolve {
namespace {
// Resolution follows the glibc loader over POSIX paths and symlinks: not available on Windows (the addon
// built for it, and the WebAssembly build running there).
[[maybe_unused]] SysError NotOnWindows() {
  return SysError::Sysprobe("ERR_SYSPROBE_UNSUPPORTED", "resolveDeps() follows the glibc loader: not available on Windows");
}
}  // namespace
}  // namespace sysprobe::core::resolve

#if defined(_WIN32)

namespace sysprobe::core::resolve {
core::Result<Result> Resolve(const std::string&, const Options&) {
  return NotOnWindows();
}
std::vector<std::string> CpuHwcaps() { return {}; }
}  // namespace sysprobe::core::resolve

#else

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#if !defined(__wasi__)
#include <mutex>
#endif
#include <unordered_map>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "byte_source.h"
#include "elf_format.h"
#include "ldcache.h"
#include "rootfs.h"
#if defined(__wasi__)
#include "procfs.h"
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

// ---- facts cached across calls, keyed by the file's identity ------------------------------------------
std::string StatKey(const std::string& hostPath, const struct stat& st) {
#if defined(__APPLE__)
  const auto& mtime = st.st_mtimespec;
#else
  const auto& mtime = st.st_mtim;
#endif
  return hostPath + '\0' + std::to_string(st.st_dev) + ':' + std::to_string(st.st_ino) + ':' + std::to_string(st.st_size) +
         ':' + std::to_string(mtime.tv_sec) + '.' + std::to_string(mtime.tv_nsec);
}

struct ElfEntry {
  std::vector<uint8_t> head;                   // the first 64 bytes (fewer when the file is shorter)
  uint64_t size = 0;
  std::shared_ptr<const elf::ElfFile> elf;     // null when the parse failed
  std::optional<SysError> parseError;
};

struct LoaderInfo {
  std::vector<std::string> systemDirs;         // each ending in '/'
  std::vector<std::string> hwcapsSubdirs;      // the loader's own list ("x86-64-v4:x86-64-v3:x86-64-v2")
  bool glibcHwcaps = false;                    // the loader knows glibc-hwcaps (2.33+)
  std::optional<std::string> version;          // "2.36"
};

#if defined(__wasi__)
// The WebAssembly build runs on one thread: the caches need no lock there (and wasi-libc++ has no <mutex>).
struct CacheMutex {};
struct CacheLock {
  explicit CacheLock(CacheMutex&) {}
};
#else
using CacheMutex = std::mutex;
using CacheLock = std::lock_guard<std::mutex>;
#endif

CacheMutex cacheMutex;
std::unordered_map<std::string, std::shared_ptr<const ElfEntry>> elfCache;
std::unordered_map<std::string, std::shared_ptr<const LoaderInfo>> loaderCache;
std::unordered_map<std::string, std::shared_ptr<const ldcache::Cache>> ldCacheCache;

template <class Map>
void Trim(Map& map) {
  if (map.size() > 20000) map.clear();
}

// Every file is opened through the RootFs that found it: from its directory fd, checked to be the file
// `found` describes (a root stays a sandbox when its directories are swapped during the lookup).
std::shared_ptr<const ElfEntry> ReadElfEntry(RootFs& fs, const RootFs::Found& found) {
  const std::string key = StatKey(found.hostPath, found.st);
  {
    CacheLock lock(cacheMutex);
    auto it = elfCache.find(key);
    if (it != elfCache.end()) return it->second;
  }
  auto entry = std::make_shared<ElfEntry>();
  auto source = fs.Open(found);
  if (!source.ok()) {
    entry->parseError = source.error();
    return entry;  // not remembered: the next lookup opens it again
  } else {
    auto& src = *source.value();
    entry->size = src.Size();
    const uint64_t n = src.Size() < 64 ? src.Size() : 64;
    auto head = src.Read(0, n, "ELF header");
    if (head.ok()) entry->head.assign(head.value().data, head.value().data + head.value().size);
    elf::ParseOptions options;
    options.symbols = false;
    options.crossCheck = false;
    auto parsed = elf::Parse(src, options);
    if (parsed.ok()) entry->elf = std::make_shared<const elf::ElfFile>(std::move(parsed.value()));
    else entry->parseError = parsed.error();
  }
  CacheLock lock(cacheMutex);
  Trim(elfCache);
  elfCache[key] = entry;
  return entry;
}

// Byte runs of the loader file: SYSTEM_DIRS ("/lib/x86_64-linux-gnu/\0/usr/lib/x86_64-linux-gnu/\0/lib/\0/usr/lib/\0"),
// the glibc-hwcaps subdirectory list and the --version banner.
std::shared_ptr<const LoaderInfo> ReadLoaderInfo(RootFs& fs, const RootFs::Found& found) {
  const std::string key = StatKey(found.hostPath, found.st);
  {
    CacheLock lock(cacheMutex);
    auto it = loaderCache.find(key);
    if (it != loaderCache.end()) return it->second;
  }
  auto info = std::make_shared<LoaderInfo>();
  auto source = fs.Open(found);
  if (!source.ok()) return info;  // not remembered: the next lookup opens it again
  if (source.value()->Size() <= (uint64_t(16) << 20)) {
    auto bytes = source.value()->Read(0, source.value()->Size(), "loader");
    if (bytes.ok()) {
      const std::string data(reinterpret_cast<const char*>(bytes.value().data), bytes.value().size);
      // SYSTEM_DIRS: the first run of at least two NUL-terminated absolute directories ending in '/'.
      for (size_t at = data.find('/'); at != std::string::npos && info->systemDirs.empty(); at = data.find('/', at + 1)) {
        if (at > 0 && data[at - 1] != '\0') continue;
        std::vector<std::string> dirs;
        size_t p = at;
        while (p < data.size() && data[p] == '/') {
          const size_t nul = data.find('\0', p);
          if (nul == std::string::npos || nul - p > 256) break;
          const std::string dir = data.substr(p, nul - p);
          bool printable = dir.size() >= 2 && dir.back() == '/';
          for (char c : dir) if (c <= ' ' || c > '~') printable = false;
          if (!printable) break;
          dirs.push_back(dir);
          p = nul + 1;
        }
        if (dirs.size() >= 2) info->systemDirs = std::move(dirs);
      }
      info->glibcHwcaps = data.find("glibc-hwcaps") != std::string::npos;
      for (const char* list : {"x86-64-v4:x86-64-v3:x86-64-v2", "z17:z16:z15:z14:z13", "z16:z15:z14:z13", "z15:z14:z13",
                               "power10:power9"}) {
        if (data.find(list) != std::string::npos) {
          std::string names(list);
          size_t start = 0;
          while (start <= names.size()) {
            size_t colon = names.find(':', start);
            if (colon == std::string::npos) colon = names.size();
            info->hwcapsSubdirs.push_back(names.substr(start, colon - start));
            start = colon + 1;
          }
          break;
        }
      }
      const size_t banner = data.find(") stable release version ");
      if (banner != std::string::npos) {
        size_t p = banner + std::strlen(") stable release version ");
        size_t e = p;
        while (e < data.size() && (std::isdigit(static_cast<unsigned char>(data[e])) || data[e] == '.')) ++e;
        while (e > p && data[e - 1] == '.') --e;
        if (e > p) info->version = data.substr(p, e - p);
      }
    }
  }
  CacheLock lock(cacheMutex);
  Trim(loaderCache);
  loaderCache[key] = info;
  return info;
}

std::shared_ptr<const ldcache::Cache> ReadLdCache(RootFs& fs, const RootFs::Found& found, std::optional<std::string>* error) {
  const std::string key = StatKey(found.hostPath, found.st);
  {
    CacheLock lock(cacheMutex);
    auto it = ldCacheCache.find(key);
    if (it != ldCacheCache.end()) return it->second;
  }
  auto file = fs.Open(found);
  auto parsed = file.ok() ? ldcache::ParseFile(*file.value()) : core::Result<ldcache::Cache>(file.error());
  std::shared_ptr<const ldcache::Cache> cache;
  if (parsed.ok()) cache = std::make_shared<const ldcache::Cache>(std::move(parsed.value()));
  else *error = parsed.error().message.empty() ? std::string(std::strerror(parsed.error().errnum)) : parsed.error().message;
  if (cache) {
    CacheLock lock(cacheMutex);
    Trim(ldCacheCache);
    ldCacheCache[key] = cache;
  }
  return cache;
}

bool VersionBelow(const std::optional<std::string>& version, int major, int minor) {
  if (!version) return true;  // no banner: glibc older than 2.33's --version text... or unknown
  int a = 0, b = 0;
  if (std::sscanf(version->c_str(), "%d.%d", &a, &b) < 1) return true;
  return a < major || (a == major && b < minor);
}

// ---- the machine's defaults -------------------------------------------------------------------------
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
        const bool haswell = (b7 & (1u << 5)) && (c1 & (1u << 12)) && (b7 & (1u << 3)) && (b7 & (1u << 8)) &&
                             (ce & (1u << 5)) && (c1 & (1u << 22)) && (c1 & (1u << 23));
        if (avx512cd && avx512er && avx512pf) platform = "xeon_phi";
        else if (haswell) platform = "haswell";
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

// The CPU does not change while we run: cpuid (a trap to the hypervisor on VMs) is asked once.
std::string PlatformFor(uint16_t machine) {
  static const std::string x86 = PlatformUncached(62);
  return machine == 62 ? x86 : PlatformUncached(machine);
}

// ---- search paths ----------------------------------------------------------------------------------
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

struct Dst {
  std::optional<std::string> origin;
  std::string platform, lib;
};

// One element with its DSTs replaced; nullopt when a known DST has no value (the element is dropped).
std::optional<std::string> Substitute(const std::string& input, const Dst& dst) {
  std::string out;
  for (size_t i = 0; i < input.size(); ++i) {
    if (input[i] != '$') { out += input[i]; continue; }
    size_t len;
    const std::string* value = nullptr;
    std::optional<std::string> none;
    if ((len = IsDst(input, i + 1, "ORIGIN")) != 0) value = dst.origin ? &*dst.origin : nullptr;
    else if ((len = IsDst(input, i + 1, "PLATFORM")) != 0) value = dst.platform.empty() ? nullptr : &dst.platform;
    else if ((len = IsDst(input, i + 1, "LIB")) != 0) value = &dst.lib;
    if (len == 0) { out += '$'; continue; }
    if (value == nullptr) return std::nullopt;
    out += *value;
    i += len;
  }
  return out;
}

// fillin_rpath: split, substitute, strip trailing slashes, add one, drop duplicates.
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
      for (const auto& d : dirs) if (d == dir) seen = true;
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

// ---- the resolver ----------------------------------------------------------------------------------
class Resolver {
 public:
  Resolver(const Options& options) : opt_(options), fs_(options.root) {}

  core::Result<Result> Run(const std::string& program) {
    // The program itself.
    auto found = fs_.Stat(program, opt_.cwd);
    if (!found.ok()) return found.error();
    auto entry = ReadElfEntry(fs_, found.value());
    if (!entry->elf) {
      SysError error = *entry->parseError;
      error.path = program;
      return error;
    }
    const elf::ElfFile& main = *entry->elf;
    cls_ = main.elfClass;
    big_ = main.bigEndian;
    machine_ = main.machine;

    Object mainObject;
    mainObject.name = program;
    mainObject.path = program;
    mainObject.foundVia = "main";
    auto real = fs_.RealPath(program, opt_.cwd);
    mainObject.realPath = real.ok() ? real.value() : found.value().inRoot;
    mainObject.hostPath = found.value().hostPath;
    mainObject.elf = entry->elf;
    out_.objects.push_back(std::move(mainObject));
    if (!main.hasDynamic) return std::move(out_);  // static: nothing is loaded

    // The loader: PT_INTERP, or the machine's default (a library given to ld.so --list).
    const char* fallback = DefaultInterpreter(machine_, cls_);
    if (main.interpreter) out_.interpreter = *main.interpreter;
    else if (fallback) out_.interpreter = fallback;
    std::shared_ptr<const LoaderInfo> loader;
    if (out_.interpreter) {
      auto interp = fs_.Stat(*out_.interpreter, "/");
      if (interp.ok()) {
        out_.interpreterHostPath = interp.value().hostPath;
        loader = ReadLoaderInfo(fs_, interp.value());
        Object rtld;
        rtld.name = *out_.interpreter;
        rtld.path = *out_.interpreter;
        rtld.realPath = interp.value().inRoot;
        rtld.hostPath = interp.value().hostPath;
        rtld.foundVia = "interpreter";
        rtld.isInterpreter = true;
        auto rtldEntry = ReadElfEntry(fs_, interp.value());
        rtld.elf = rtldEntry->elf;
        out_.objects.push_back(std::move(rtld));
      } else if (main.interpreter) {
        // The kernel cannot start the program at all; the libraries are still resolved, for the record.
        out_.fatalError = *main.interpreter + ": the program interpreter cannot be opened (" +
                          std::string(std::strerror(interp.error().errnum)) + "): the kernel refuses to execute the program";
      }
    }
    if (out_.interpreter) {
      const size_t slash = out_.interpreter->rfind('/');
      musl_ = out_.interpreter->compare(slash == std::string::npos ? 0 : slash + 1, 8, "ld-musl-") == 0;
    }
    if (musl_) return RunMusl();
    if (loader) {
      out_.loaderVersion = loader->version;
      out_.systemDirs = loader->systemDirs;
    }
    if (out_.systemDirs.empty()) out_.systemDirs = DefaultSystemDirs(cls_);
    out_.lib = out_.systemDirs[0].substr(1, out_.systemDirs[0].size() - 2);
    out_.platform = opt_.platform ? *opt_.platform : PlatformFor(machine_);
    if (loader && loader->glibcHwcaps) {
      if (opt_.hwcaps) {
        out_.hwcaps = *opt_.hwcaps;
      } else if (machine_ == 62 && cls_ == 64 && IsHostMachine()) {
        const auto cpu = CpuHwcaps();
        for (const auto& name : loader->hwcapsSubdirs) {
          for (const auto& have : cpu) if (have == name) out_.hwcaps.push_back(name);
        }
      }
    } else if (opt_.hwcaps) {
      out_.hwcaps = *opt_.hwcaps;
    }
    if (machine_ == 62 && cls_ == 64 && (!loader || VersionBelow(loader->version, 2, 37))) {
      // Legacy subdirectories (glibc <= 2.36): tls/PLATFORM/x86_64, tls/PLATFORM, tls/x86_64, tls,
      // PLATFORM/x86_64, PLATFORM, x86_64 (what LD_DEBUG=libs shows for 2.36).
      const std::string p = out_.platform, h = "x86_64";
      out_.legacyHwcaps = {"tls/" + p + "/" + h, "tls/" + p, "tls/" + h, "tls", p + "/" + h, p, h};
    }
    for (const auto& name : out_.hwcaps) capstr_.push_back("glibc-hwcaps/" + name + "/");
    for (const auto& name : out_.legacyHwcaps) capstr_.push_back(name + "/");
    capstr_.push_back("");
    isaLevel_ = 1;
    for (const auto& name : CpuHwcaps()) {
      if (name == "x86-64-v2") isaLevel_ |= 2;
      if (name == "x86-64-v3") isaLevel_ |= 4;
      if (name == "x86-64-v4") isaLevel_ |= 8;
    }
    if (!IsHostMachine() || machine_ != 62) isaLevel_ = 0xffffffffu;

    // The root's cache.
    out_.cachePath = "/etc/ld.so.cache";
    if (opt_.useCache) {
      auto cacheFile = fs_.Stat(out_.cachePath, "/");
      if (cacheFile.ok()) {
        out_.cacheHostPath = cacheFile.value().hostPath;
        cache_ = ReadLdCache(fs_, cacheFile.value(), &out_.cacheError);
        out_.cacheUsed = cache_ != nullptr;
      } else {
        out_.cacheError = std::string(std::strerror(cacheFile.error().errnum));
      }
    }
    accepted_ = ldcache::AcceptedFlags(cls_, machine_, main.eflags);
    defaultId_ = accepted_.back();

    Dst mainDst = DstFor(0);
    envDirs_ = opt_.ldLibraryPath ? SearchList({*opt_.ldLibraryPath}, ":;", mainDst) : std::vector<std::string>{};

    Walk();
    FinalOrder();
    return std::move(out_);
  }

 private:
  // Breadth first (dl-deps.c, and musl's load_deps): each object's DT_NEEDED in order, new objects appended.
  void Walk() {
    for (size_t q = 0; q < out_.objects.size(); ++q) {
      if (!out_.objects[q].elf || out_.objects[q].isInterpreter || out_.objects[q].alias) continue;
      const auto needed = out_.objects[q].elf->needed;
      for (const auto& name : needed) {
        int index = Find(name);
        if (index < 0) {
          index = static_cast<int>(out_.objects.size());
          out_.objects.push_back(Map(name, static_cast<int>(q)));
          if (out_.objects.back().fatal) {
            out_.objects[q].deps.push_back(index);
            out_.objects[index].requiredBy.push_back(static_cast<int>(q));
            if (!out_.fatalError) out_.fatalError = *out_.objects.back().path + ": " + *out_.objects.back().error;
            Order(index);
            return;
          }
        }
        out_.objects[q].deps.push_back(index);
        auto& required = out_.objects[index].requiredBy;
        bool seen = false;
        for (int r : required) if (r == static_cast<int>(q)) seen = true;
        if (!seen) required.push_back(static_cast<int>(q));
        Order(index);
      }
    }
  }

  // musl (ldso/dynlink.c): no cache, no hwcaps, no version checks; LD_LIBRARY_PATH, then the RUNPATH (or
  // else RPATH) of the requester and of each object up its needed_by chain, then the path file
  // PREFIX/etc/ld-musl-ARCH.path (default /lib:/usr/local/lib:/usr/lib). Reserved names (libc, libm,
  // libpthread, librt, libdl, libutil, libxnet) are the loader itself.
  core::Result<Result> RunMusl() {
    out_.libc = "musl";
    out_.platform = "";
    out_.lib = "";
    capstr_ = {""};
    const std::string& ldso = *out_.interpreter;
    size_t prefixLength = 0;
    if (!ldso.empty() && ldso[0] == '/') {
      size_t t = 0, z = 0;
      for (size_t i = 0; i < ldso.size(); ++i) if (ldso[i] == '/') { z = t; t = i; }
      prefixLength = z;
    }
    const size_t dash = ldso.rfind("ld-musl-");
    const std::string arch = ldso.substr(dash + 8, ldso.size() - (dash + 8) - 5);  // "x86_64" from ld-musl-x86_64.so.1
    const std::string pathFile = ldso.substr(0, prefixLength) + "/etc/ld-musl-" + arch + ".path";
    std::string sysPath = "/lib:/usr/local/lib:/usr/lib";
    auto found = fs_.Stat(pathFile, "/");
    if (found.ok() && S_ISREG(found.value().st.st_mode)) {
      auto file = fs_.Open(found.value());
      if (file.ok() && file.value()->Size() < 65536) {
        auto bytes = file.value()->Read(0, file.value()->Size(), "musl path file");
        if (bytes.ok()) sysPath.assign(reinterpret_cast<const char*>(bytes.value().data), bytes.value().size);
      }
    }
    out_.cachePath = pathFile;
    out_.systemDirs = MuslList(sysPath);
    if (opt_.ldLibraryPath) envDirs_ = MuslList(*opt_.ldLibraryPath);
    Walk();
    // ldd order: the loader first, then the objects in load order.
    std::vector<int> order;
    int rtld = -1;
    for (size_t i = 0; i < out_.objects.size(); ++i) if (out_.objects[i].isInterpreter) rtld = static_cast<int>(i);
    if (rtld >= 0) order.push_back(rtld);
    for (size_t i = 1; i < out_.objects.size(); ++i) if (static_cast<int>(i) != rtld) order.push_back(static_cast<int>(i));
    out_.order = std::move(order);
    return std::move(out_);
  }

  static std::vector<std::string> MuslList(const std::string& text) {
    std::vector<std::string> dirs;
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find_first_of(":\n", start);
      if (end == std::string::npos) end = text.size();
      std::string dir = text.substr(start, end - start);
      start = end + 1;
      if (dir.empty()) continue;
      if (dir.back() != '/') dir += '/';
      dirs.push_back(dir);
    }
    return dirs;
  }

  static bool MuslReserved(const std::string& name) {
    if (name.compare(0, 3, "lib") != 0) return false;
    for (const char* r : {"c.", "pthread.", "rt.", "m.", "dl.", "util.", "xnet."}) {
      if (name.compare(3, std::strlen(r), r) == 0) return true;
    }
    return false;
  }

  Object MapMusl(const std::string& name, int loaderIndex) {
    Object object;
    object.name = name;
    object.loader = loaderIndex;
    bool otherClass = false;
    if (MuslReserved(name)) {
      for (const auto& o : out_.objects) {
        if (!o.isInterpreter) continue;
        object.path = o.path;
        object.realPath = o.realPath;
        object.hostPath = o.hostPath;
        object.elf = o.elf;
        object.foundVia = "interpreter";
        object.alias = true;
        return object;
      }
    }
    if (name.find('/') != std::string::npos) {
      object.foundVia = "direct";
      if (Try(name, object, &otherClass)) return object;
      return NotFound(std::move(object), otherClass);
    }
    if (!envDirs_.empty() && OpenPath(name, envDirs_, object, &otherClass)) {
      object.foundVia = "ld_library_path";
      return object;
    }
    for (int l = loaderIndex; l >= 0; l = out_.objects[l].loader) {
      const auto& e = out_.objects[l].elf;
      if (!e) continue;
      const bool runpath = !e->runpath.empty();
      const auto& list = runpath ? e->runpath : e->rpath;
      if (list.empty()) continue;
      Dst dst = DstFor(l);
      std::vector<std::string> dirs;
      for (const auto& whole : list) {
        auto expanded = Substitute(whole, dst);
        if (!expanded) continue;
        for (auto& d : MuslList(*expanded)) dirs.push_back(d);
      }
      if (OpenPath(name, dirs, object, &otherClass)) {
        object.foundVia = runpath ? "runpath" : "rpath";
        object.viaObject = l;
        return object;
      }
    }
    if (OpenPath(name, out_.systemDirs, object, &otherClass)) {
      object.foundVia = "default";
      return object;
    }
    return NotFound(std::move(object), otherClass);
  }

  bool IsHostMachine() const {
#if defined(__x86_64__)
    return machine_ == 62 && !big_;
#elif defined(__wasi__)
    return machine_ == 62 && !big_ && HostMachine() == 62;
#else
    return false;
#endif
  }

  // The --list order is the namespace list: objects in the order they were created (faked, i.e. not
  // found, ones included), with the loader moved right after the object that precedes it in the search
  // list (first-encounter order without faked objects), as rtld.c does.
  void FinalOrder() {
    int rtld = -1;
    for (size_t i = 0; i < out_.objects.size(); ++i) if (out_.objects[i].isInterpreter) rtld = static_cast<int>(i);
    bool rtldNeeded = false;
    for (int i : out_.order) if (i == rtld) rtldNeeded = true;
    std::vector<int> order;
    for (size_t i = 1; i < out_.objects.size(); ++i) if (static_cast<int>(i) != rtld) order.push_back(static_cast<int>(i));
    if (rtldNeeded) {
      int previous = 0;
      for (int i : out_.order) {
        if (i == rtld) break;
        if (out_.objects[i].path) previous = i;
      }
      size_t at = 0;
      if (previous != 0) {
        for (size_t k = 0; k < order.size(); ++k) if (order[k] == previous) at = k + 1;
      }
      order.insert(order.begin() + static_cast<long>(at), rtld);
    }
    out_.order = std::move(order);
  }

  void Order(int index) {
    for (int i : out_.order) if (i == index) return;
    out_.order.push_back(index);
  }

  Dst DstFor(int index) const {
    Dst dst;
    dst.platform = out_.platform;
    dst.lib = out_.lib;
    const Object& object = out_.objects[index];
    if (index == 0) {
      dst.origin = DirName(object.realPath);  // the program: dirname of /proc/self/exe (symlinks resolved)
    } else if (object.path) {
      std::string path = *object.path;
      if (path.empty() || path[0] != '/') path = JoinPath(opt_.cwd, path);
      dst.origin = DirName(path);  // a library: the directory it was opened from (symlinks kept)
    }
    return dst;
  }

  // _dl_lookup_map: a loaded, not faked object whose name, path or DT_SONAME is `name`.
  int Find(const std::string& name) const {
    for (size_t i = 0; i < out_.objects.size(); ++i) {
      const Object& o = out_.objects[i];
      if (!o.path) continue;  // faked (not found): never matched
      if (o.name == name || *o.path == name) return static_cast<int>(i);
      if (!musl_ && o.elf && o.elf->soname && *o.elf->soname == name) return static_cast<int>(i);  // musl: short names only
    }
    return -1;
  }

  // open_verify: the header checks, in glibc's order. Returns "found", a skip reason, or "fatal" with *error.
  std::string Verify(const ElfEntry& entry, std::string* error) const {
    const uint64_t ehdrSize = cls_ == 64 ? 64 : 52;
    const auto& h = entry.head;
    if (entry.size < ehdrSize || h.size() < ehdrSize) {
      if (h.size() >= 5 && std::memcmp(h.data(), "\177ELF", 4) == 0 && h[4] != (cls_ == 64 ? 2 : 1)) return "wrong-class";
      *error = "file too short";
      return "fatal";
    }
    const uint8_t expectedData = big_ ? 2 : 1;
    const bool identOk = std::memcmp(h.data(), "\177ELF", 4) == 0 && h[4] == (cls_ == 64 ? 2 : 1) && h[5] == expectedData &&
                         h[6] == 1 && (h[7] == 0 || h[7] == 3) && (h[7] == 0 ? h[8] == 0 : h[8] < 4);
    bool padOk = true;
    for (int i = 9; i < 16; ++i) if (h[i] != 0) padOk = false;
    if (!identOk || !padOk) {
      if (std::memcmp(h.data(), "\177ELF", 4) != 0) *error = "invalid ELF header";
      else if (h[4] != (cls_ == 64 ? 2 : 1)) return "wrong-class";
      else if (h[5] != expectedData) *error = big_ ? "ELF file data encoding not big-endian" : "ELF file data encoding not little-endian";
      else if (h[6] != 1) *error = "ELF file version ident does not match current one";
      else if (h[7] != 0 && h[7] != 3) *error = "ELF file OS ABI invalid";
      else if (!(h[7] == 0 ? h[8] == 0 : h[8] < 4)) *error = "ELF file ABI version invalid";
      else *error = "nonzero padding in e_ident";
      return "fatal";
    }
    elf::format::Decoder d{big_, cls_ == 64};
    const uint16_t type = d.U16(h.data() + 16), machine = d.U16(h.data() + 18);
    const uint32_t version = d.U32(h.data() + 20);
    const uint16_t phentsize = d.U16(h.data() + (cls_ == 64 ? 54 : 42));
    if (version != 1) { *error = "ELF file version does not match current one"; return "fatal"; }
    if (machine != machine_) return "wrong-machine";
    if (type != 2 && type != 3) { *error = "only ET_DYN and ET_EXEC can be loaded"; return "fatal"; }
    if (phentsize != (cls_ == 64 ? 56 : 32)) { *error = "ELF file's phentsize not the expected size"; return "fatal"; }
    if (!entry.elf) { *error = entry.parseError ? entry.parseError->message : "cannot read file data"; return "fatal"; }
    return "found";
  }

  // Tries one path; true when the search ends (found or fatal).
  bool Try(const std::string& path, Object& object, bool* otherClass) {
    const std::string lookup = path.empty() || path[0] != '/' ? JoinPath(opt_.cwd, path) : path;
    auto found = fs_.Stat(lookup, "/");
    if (!found.ok()) {
      object.candidates.push_back({path, ErrnoName(found.error().errnum)});
      return false;
    }
    if (!S_ISREG(found.value().st.st_mode)) {
      object.candidates.push_back({path, S_ISDIR(found.value().st.st_mode) ? "EISDIR" : "not-regular"});
      return false;
    }
    auto entry = ReadElfEntry(fs_, found.value());
    if (entry->head.empty() && entry->parseError && entry->parseError->errnum != 0) {
      object.candidates.push_back({path, ErrnoName(entry->parseError->errnum)});
      return false;
    }
    std::string error;
    const std::string verdict = Verify(*entry, &error);
    object.candidates.push_back({path, verdict});
    if (verdict == "wrong-class") *otherClass = true;
    if (verdict != "found" && verdict != "fatal") return false;
    object.path = path;
    object.realPath = found.value().inRoot;
    object.hostPath = found.value().hostPath;
    if (verdict == "fatal") {
      object.error = error;
      object.fatal = true;
      return true;
    }
    object.elf = entry->elf;
    return true;
  }

  bool OpenPath(const std::string& name, const std::vector<std::string>& dirs, Object& object, bool* otherClass) {
    for (const auto& dir : dirs) {
      for (const auto& cap : capstr_) {
        if (Try(dir + cap + name, object, otherClass)) {
          if (!cap.empty() && cap.compare(0, 13, "glibc-hwcaps/") == 0) object.hwcaps = cap.substr(13, cap.size() - 14);
          else if (!cap.empty()) object.hwcaps = cap.substr(0, cap.size() - 1);
          return true;
        }
      }
    }
    return false;
  }

  Object Map(const std::string& name, int loaderIndex) {
    if (musl_) return MapMusl(name, loaderIndex);
    Object object;
    object.name = name;
    object.loader = loaderIndex;
    bool otherClass = false;
    const Object& loader = out_.objects[loaderIndex];
    const elf::ElfFile& loaderElf = *loader.elf;
    if (name.find('/') != std::string::npos) {
      auto expanded = Substitute(name, DstFor(loaderIndex));
      object.foundVia = "direct";
      if (expanded && Try(*expanded, object, &otherClass)) return object;
      return NotFound(std::move(object), otherClass);
    }
    if (loaderElf.runpath.empty()) {
      bool didMain = false;
      for (int l = loaderIndex; l >= 0; l = out_.objects[l].loader) {
        const auto& e = out_.objects[l].elf;
        if (!e || e->rpath.empty() || !e->runpath.empty()) continue;  // DT_RUNPATH drops the object's own DT_RPATH
        if (OpenPath(name, SearchList(e->rpath, ":", DstFor(l)), object, &otherClass)) {
          object.foundVia = "rpath";
          object.viaObject = l;
          return object;
        }
        didMain |= l == 0;
      }
      const auto& me = out_.objects[0].elf;
      if (!didMain && me && !me->rpath.empty() && me->runpath.empty() &&
          OpenPath(name, SearchList(me->rpath, ":", DstFor(0)), object, &otherClass)) {
        object.foundVia = "rpath";
        object.viaObject = 0;
        return object;
      }
    }
    if (!envDirs_.empty() && OpenPath(name, envDirs_, object, &otherClass)) {
      object.foundVia = "ld_library_path";
      return object;
    }
    if (!loaderElf.runpath.empty() && OpenPath(name, SearchList(loaderElf.runpath, ":", DstFor(loaderIndex)), object, &otherClass)) {
      object.foundVia = "runpath";
      object.viaObject = loaderIndex;
      return object;
    }
    const bool nodeflib = loaderElf.flags1 && (*loaderElf.flags1 & 0x800);  // DF_1_NODEFLIB
    if (cache_) {
      auto hit = ldcache::Lookup(*cache_, name, accepted_, defaultId_, out_.hwcaps, isaLevel_);
      if (hit && nodeflib) {
        for (const auto& dir : out_.systemDirs) {
          if (hit->path.compare(0, dir.size(), dir) == 0) {
            object.candidates.push_back({hit->path, "nodeflib"});
            hit.reset();
            break;
          }
        }
      }
      if (hit && Try(hit->path, object, &otherClass)) {
        object.foundVia = "cache";
        object.hwcaps = hit->hwcapName;
        return object;
      }
    }
    if (!nodeflib && OpenPath(name, out_.systemDirs, object, &otherClass)) {
      object.foundVia = "default";
      return object;
    }
    return NotFound(std::move(object), otherClass);
  }

  Object NotFound(Object object, bool otherClass) {
    object.path.reset();
    object.error = otherClass ? (cls_ == 32 ? "wrong ELF class: ELFCLASS64" : "wrong ELF class: ELFCLASS32")
                              : "cannot open shared object file: No such file or directory";
    return object;
  }

  const Options& opt_;
  RootFs fs_;
  Result out_;
  uint8_t cls_ = 64;
  bool big_ = false;
  uint16_t machine_ = 0;
  std::vector<std::string> capstr_;
  std::vector<std::string> envDirs_;
  std::shared_ptr<const ldcache::Cache> cache_;
  std::vector<int32_t> accepted_;
  int32_t defaultId_ = 3;
  uint32_t isaLevel_ = 1;
  bool musl_ = false;
};

}  // namespace

namespace {
// The CPU features glibc's x86-64 ISA levels are made of (sysdeps/x86/get-isa-level.h), with the
// OS-enabled register state (XCR0) for AVX and AVX-512.
struct X86Features {
  bool cx16 = false, lahf = false, popcnt = false, sse3 = false, sse41 = false, sse42 = false, ssse3 = false;
  bool ymmState = false, avx = false, avx2 = false, bmi1 = false, bmi2 = false, f16c = false, fma = false, lzcnt = false,
       movbe = false;
  bool zmmState = false, avx512f = false, avx512bw = false, avx512cd = false, avx512dq = false, avx512vl = false;
};

[[maybe_unused]] std::vector<std::string> IsaLevels(const X86Features& f) {
  const bool v2 = f.cx16 && f.lahf && f.popcnt && f.sse3 && f.sse41 && f.sse42 && f.ssse3;
  const bool v3 = v2 && f.ymmState && f.avx && f.avx2 && f.bmi1 && f.bmi2 && f.f16c && f.fma && f.lzcnt && f.movbe;
  const bool v4 = v3 && f.zmmState && f.avx512f && f.avx512bw && f.avx512cd && f.avx512dq && f.avx512vl;
  std::vector<std::string> out;
  if (v4) out.push_back("x86-64-v4");
  if (v3) out.push_back("x86-64-v3");
  if (v2) out.push_back("x86-64-v2");
  return out;
}

#if defined(__wasi__)
uint16_t hostMachine = 0;
bool hostWindows = false;
#endif

std::vector<std::string> CpuHwcapsUncached() {
#if defined(__x86_64__)
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return {};
  const unsigned c1 = c;
  unsigned b7 = 0, c7 = 0, d7 = 0, a7 = 0;
  __get_cpuid_count(7, 0, &a7, &b7, &c7, &d7);
  unsigned ae = 0, be = 0, ce = 0, de = 0;
  __get_cpuid(0x80000001, &ae, &be, &ce, &de);
  uint64_t xcr0 = 0;
  if (c1 & (1u << 27)) {  // OSXSAVE
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = (uint64_t(hi) << 32) | lo;
  }
  X86Features f;
  f.cx16 = c1 & (1u << 13); f.lahf = ce & 1u; f.popcnt = c1 & (1u << 23); f.sse3 = c1 & 1u;
  f.sse41 = c1 & (1u << 19); f.sse42 = c1 & (1u << 20); f.ssse3 = c1 & (1u << 9);
  f.ymmState = (xcr0 & 6) == 6; f.zmmState = (xcr0 & 0xe6) == 0xe6;
  f.avx = c1 & (1u << 28); f.avx2 = b7 & (1u << 5); f.bmi1 = b7 & (1u << 3); f.bmi2 = b7 & (1u << 8);
  f.f16c = c1 & (1u << 29); f.fma = c1 & (1u << 12); f.lzcnt = ce & (1u << 5); f.movbe = c1 & (1u << 22);
  f.avx512f = b7 & (1u << 16); f.avx512dq = b7 & (1u << 17); f.avx512cd = b7 & (1u << 28);
  f.avx512bw = b7 & (1u << 30); f.avx512vl = b7 & (1u << 31);
  return IsaLevels(f);
#elif defined(__wasi__)
  // The WebAssembly build has no CPU of its own to ask: on an x86-64 Linux host (src/wasm.ts says so),
  // the kernel's view of the same cpuid bits is the "flags" line of /proc/cpuinfo. The kernel lists AVX
  // and AVX-512 only when it enabled their register state, which stands in for XCR0 here.
  if (hostMachine != 62) return {};
  auto text = ReadSmallFile("/proc/cpuinfo", 4u << 20);
  if (!text.ok()) return {};
  const std::string& t = text.value();
  const size_t at = t.find("\nflags");
  if (at == std::string::npos) return {};
  const size_t end = t.find('\n', at + 1);
  const size_t colon = t.find(':', at);
  if (colon == std::string::npos || colon > end) return {};
  std::map<std::string, bool> have;
  for (size_t i = colon + 1; i < end && i < t.size();) {
    while (i < end && t[i] == ' ') ++i;
    size_t j = i;
    while (j < end && j < t.size() && t[j] != ' ') ++j;
    if (j > i) have[t.substr(i, j - i)] = true;
    i = j;
  }
  auto flag = [&](const char* name) { return have.count(name) != 0; };
  X86Features f;
  f.cx16 = flag("cx16"); f.lahf = flag("lahf_lm"); f.popcnt = flag("popcnt"); f.sse3 = flag("pni");
  f.sse41 = flag("sse4_1"); f.sse42 = flag("sse4_2"); f.ssse3 = flag("ssse3");
  f.avx = flag("avx"); f.ymmState = f.avx;
  f.avx2 = flag("avx2"); f.bmi1 = flag("bmi1"); f.bmi2 = flag("bmi2"); f.f16c = flag("f16c"); f.fma = flag("fma");
  f.lzcnt = flag("abm"); f.movbe = flag("movbe");
  f.avx512f = flag("avx512f"); f.zmmState = f.avx512f; f.avx512bw = flag("avx512bw"); f.avx512cd = flag("avx512cd");
  f.avx512dq = flag("avx512dq"); f.avx512vl = flag("avx512vl");
  return IsaLevels(f);
#else
  return {};
#endif
}
}  // namespace

#if defined(__wasi__)
void SetHost(uint16_t machine, bool windows) {
  hostMachine = machine;
  hostWindows = windows;
}
uint16_t HostMachine() { return hostMachine; }
#endif

std::vector<std::string> CpuHwcaps() {
  static const std::vector<std::string> levels = CpuHwcapsUncached();
  return levels;
}

core::Result<Result> Resolve(const std::string& program, const Options& options) {
#if defined(__wasi__)
  if (hostWindows) return NotOnWindows();
#endif
  return Resolver(options).Run(program);
}

}  // namespace sysprobe::core::resolve

#endif  // !_WIN32
