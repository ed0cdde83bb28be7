// Dependency resolution as glibc's dynamic loader does it (elf/dl-load.c _dl_map_object, elf/dl-deps.c),
// from any root filesystem, without running anything from it:
//   breadth-first load order; reuse of a loaded object by name or DT_SONAME; DT_RPATH of the requester
//   and its loaders (none when the requester has DT_RUNPATH), then the main program's; LD_LIBRARY_PATH
//   (':' and ';'); DT_RUNPATH of the requester only; the root's etc/ld.so.cache (DF_1_NODEFLIB drops
//   hits in system directories); the loader's system directories (not with DF_1_NODEFLIB); $ORIGIN,
//   $LIB, $PLATFORM (also ${...}); glibc-hwcaps subdirectories (and the legacy ones of glibc < 2.37);
//   wrong class or machine skipped, a bad header fatal (open_verify).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "elf.h"
#include "result.h"

namespace sysprobe::core::resolve {

struct Options {
  std::string root;                                // host directory of the root; "" = this host
  std::optional<std::string> ldLibraryPath;        // LD_LIBRARY_PATH
  std::string cwd = "/";                           // for relative search-path entries and names (inside the root)
  std::optional<std::vector<std::string>> hwcaps;  // active glibc-hwcaps subdirs, best first (default: CPU)
  std::optional<std::string> platform;             // $PLATFORM (default: this CPU as glibc names it)
  bool useCache = true;
};

struct Candidate {
  std::string path;    // as the loader builds it
  std::string result;  // "found", "ENOENT", "ENOTDIR", "EACCES", "wrong-class", "wrong-machine", "fatal"
};

struct Object {
  std::string name;                   // as requested (DT_NEEDED, PT_INTERP, the program path)
  std::optional<std::string> path;    // as the loader names it (search dir + name); null when not found
  std::string realPath;               // canonical path inside the root
  std::string hostPath;               // where the file is on this host
  std::string foundVia;               // main, interpreter, direct, rpath, ld_library_path, runpath, cache, default
  std::optional<int> viaObject;       // rpath: whose DT_RPATH
  std::optional<std::string> hwcaps;  // glibc-hwcaps subdirectory it came from
  std::vector<int> requiredBy;        // objects whose DT_NEEDED mapped to this one
  int loader = -1;                    // the object that first required it (l_loader)
  std::vector<int> deps;              // one per DT_NEEDED of this object, -1 when not loaded
  std::vector<Candidate> candidates;
  std::optional<std::string> error;  // "cannot open shared object file: No such file or directory", ...
  bool fatal = false;                // error stops the loader (invalid ELF header, ...)
  bool isInterpreter = false;
  bool alias = false;                       // musl: a reserved name (libc.so, libm.so.6, ...) answered by the loader itself
  std::shared_ptr<const elf::ElfFile> elf;  // null when not found
};

struct Result {
  std::vector<Object> objects;             // index 0 is the program; load order (BFS)
  std::vector<int> order;                  // the --list order: objects after the program, interpreter placed where first needed
  std::optional<std::string> interpreter;  // PT_INTERP (or the default loader of the machine)
  std::optional<std::string> interpreterHostPath;
  std::optional<std::string> loaderVersion;  // from the loader's "ld.so (...) stable release version X.Y." banner
  std::vector<std::string> systemDirs;
  std::vector<std::string> hwcaps;        // active glibc-hwcaps subdirectories, best first
  std::vector<std::string> legacyHwcaps;  // legacy subdirectories searched (glibc < 2.37)
  std::string platform, lib;
  std::string libc = "glibc";  // whose rules: "glibc" or "musl" (an ld-musl-* interpreter)
  std::string cachePath;
  std::optional<std::string> cacheHostPath;  // where the root's cache is on this host (resolved inside the root)
  bool cacheUsed = false;
  std::optional<std::string> cacheGenerator;  // the generator string of the cache read (probeGlibc({ root }) reports it)
  std::optional<std::string> cacheError;
  std::optional<std::string> fatalError;  // the message the loader stops with
};

core::Result<Result> Resolve(const std::string& program, const Options& options);

#if defined(__wasi__)
// The WebAssembly build runs on no machine of its own: the host tells it its ELF machine (62 on x86-64
// Linux; 0, the default, for none), which decides whether the host CPU's ISA levels apply, and whether it
// is Windows, where Resolve refuses as the addon built for Windows does.
void SetHost(uint16_t machine, bool windows);
uint16_t HostMachine();
#endif

}  // namespace sysprobe::core::resolve
