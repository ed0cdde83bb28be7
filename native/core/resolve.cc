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
core::Result<Result> Resolve(const std::string&, const Options&) { return NotOnWindows(); }
}  // namespace sysprobe::core::resolve

#else

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "byte_source.h"
#include "elf_format.h"
#include "hwcaps.h"
#include "ldcache.h"
#include "loader_info.h"
#include "rootfs.h"
#include "search_path.h"

namespace sysprobe::core::resolve {

namespace {

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
    else if (fallback)
      out_.interpreter = fallback;
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
          for (const auto& have : cpu)
            if (have == name) out_.hwcaps.push_back(name);
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
        if (cache_) out_.cacheGenerator = cache_->generator;
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
        for (int r : required)
          if (r == static_cast<int>(q)) seen = true;
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
      for (size_t i = 0; i < ldso.size(); ++i)
        if (ldso[i] == '/') {
          z = t;
          t = i;
        }
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
    for (size_t i = 0; i < out_.objects.size(); ++i)
      if (out_.objects[i].isInterpreter) rtld = static_cast<int>(i);
    if (rtld >= 0) order.push_back(rtld);
    for (size_t i = 1; i < out_.objects.size(); ++i)
      if (static_cast<int>(i) != rtld) order.push_back(static_cast<int>(i));
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
    for (size_t i = 0; i < out_.objects.size(); ++i)
      if (out_.objects[i].isInterpreter) rtld = static_cast<int>(i);
    bool rtldNeeded = false;
    for (int i : out_.order)
      if (i == rtld) rtldNeeded = true;
    std::vector<int> order;
    for (size_t i = 1; i < out_.objects.size(); ++i)
      if (static_cast<int>(i) != rtld) order.push_back(static_cast<int>(i));
    if (rtldNeeded) {
      int previous = 0;
      for (int i : out_.order) {
        if (i == rtld) break;
        if (out_.objects[i].path) previous = i;
      }
      size_t at = 0;
      if (previous != 0) {
        for (size_t k = 0; k < order.size(); ++k)
          if (order[k] == previous) at = k + 1;
      }
      order.insert(order.begin() + static_cast<long>(at), rtld);
    }
    out_.order = std::move(order);
  }

  void Order(int index) {
    for (int i : out_.order)
      if (i == index) return;
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
    for (int i = 9; i < 16; ++i)
      if (h[i] != 0) padOk = false;
    if (!identOk || !padOk) {
      if (std::memcmp(h.data(), "\177ELF", 4) != 0) *error = "invalid ELF header";
      else if (h[4] != (cls_ == 64 ? 2 : 1))
        return "wrong-class";
      else if (h[5] != expectedData)
        *error = big_ ? "ELF file data encoding not big-endian" : "ELF file data encoding not little-endian";
      else if (h[6] != 1)
        *error = "ELF file version ident does not match current one";
      else if (h[7] != 0 && h[7] != 3)
        *error = "ELF file OS ABI invalid";
      else if (!(h[7] == 0 ? h[8] == 0 : h[8] < 4))
        *error = "ELF file ABI version invalid";
      else
        *error = "nonzero padding in e_ident";
      return "fatal";
    }
    elf::format::Decoder d{big_, cls_ == 64};
    const uint16_t type = d.U16(h.data() + 16), machine = d.U16(h.data() + 18);
    const uint32_t version = d.U32(h.data() + 20);
    const uint16_t phentsize = d.U16(h.data() + (cls_ == 64 ? 54 : 42));
    if (version != 1) {
      *error = "ELF file version does not match current one";
      return "fatal";
    }
    if (machine != machine_) return "wrong-machine";
    if (type != 2 && type != 3) {
      *error = "only ET_DYN and ET_EXEC can be loaded";
      return "fatal";
    }
    if (phentsize != (cls_ == 64 ? 56 : 32)) {
      *error = "ELF file's phentsize not the expected size";
      return "fatal";
    }
    if (!entry.elf) {
      *error = entry.parseError ? entry.parseError->message : "cannot read file data";
      return "fatal";
    }
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
          else if (!cap.empty())
            object.hwcaps = cap.substr(0, cap.size() - 1);
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

#if defined(__wasi__)
uint16_t hostMachine = 0;
bool hostWindows = false;
#endif

}  // namespace

#if defined(__wasi__)
void SetHost(uint16_t machine, bool windows) {
  hostMachine = machine;
  hostWindows = windows;
}
uint16_t HostMachine() { return hostMachine; }
#endif

core::Result<Result> Resolve(const std::string& program, const Options& options) {
#if defined(__wasi__)
  if (hostWindows) return NotOnWindows();
#endif
  return Resolver(options).Run(program);
}

}  // namespace sysprobe::core::resolve

#endif  // !_WIN32
