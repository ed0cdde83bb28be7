#include "libc_root.h"

#include <cerrno>
#include <optional>
#include <vector>

#include "byte_source.h"
#include "elf.h"
#include "json.h"
#include "libc_banner.h"
#include "resolve.h"
#if !defined(_WIN32)
#include "rootfs.h"
#endif

namespace sysprobe::core::libc {

namespace {

// Programs whose dependencies show which libc a root's loader picks, in the order they are tried.
const char* const kPrograms[] = {"/bin/sh",      "/usr/bin/sh",  "/bin/ls",         "/usr/bin/ls",
                                 "/usr/bin/env", "/bin/busybox", "/usr/bin/busybox"};
// musl's loader is its libc: tried when no program of the root names a libc.
const char* const kMuslArches[] = {"x86_64", "aarch64", "i386", "armhf", "arm", "s390x", "powerpc64le", "riscv64"};

// /(^|\/)ld-musl-[^/]+\.so\.1$/
bool IsMuslLoader(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  const std::string prefix = "ld-musl-", suffix = ".so.1";
  return name.size() > prefix.size() + suffix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct Found {
  const char* family;
  const char* how;  // "needed": libc.so.6 as the loader resolves it; "interpreter": a musl PT_INTERP; "loader": it exists
  std::string program;
  std::string libcPath;  // as the loader names it
  std::optional<std::string> loaderPath;
  std::string realPath;  // canonical, inside the root
  std::optional<std::string> generator;
};

Found With(const resolve::Result& resolved, Found found) {
  // glibc's cache, when the resolver read one (musl has none).
  if (resolved.cacheHostPath && resolved.libc == "glibc") found.generator = resolved.cacheGenerator;
  return found;
}

const resolve::Object* Loaded(const resolve::Result& resolved, const std::string& name) {
  for (int index : resolved.order) {
    const resolve::Object& object = resolved.objects[static_cast<size_t>(index)];
    if (object.name == name && object.path) return &object;
  }
  return nullptr;
}

// A program the root does not have (or that cannot be read) is skipped; the root itself failing is not.
bool RootFailed(const SysError& error, const std::string& root) {
  return !root.empty() && error.errnum != 0 && error.syscall == "open" && error.path == root;
}

Result<std::optional<Found>> Locate(const std::string& root, const std::string& cwd) {
  resolve::Options options;
  options.root = root;
  options.cwd = cwd;
  for (const char* program : kPrograms) {
    auto resolved = resolve::Resolve(program, options);
    if (!resolved.ok()) {
      if (RootFailed(resolved.error(), root)) return resolved.error();
      continue;
    }
    const resolve::Result& r = resolved.value();
    if (const resolve::Object* libc = Loaded(r, "libc.so.6")) {
      return std::optional<Found>(With(r, {"glibc", "needed", program, *libc->path, r.interpreter, libc->realPath, {}}));
    }
    if (r.interpreter && IsMuslLoader(*r.interpreter)) {
      if (const resolve::Object* loader = Loaded(r, *r.interpreter)) {
        return std::optional<Found>(With(r, {"musl", "interpreter", program, *r.interpreter, r.interpreter, loader->realPath, {}}));
      }
    }
  }
  for (const char* arch : kMuslArches) {
    const std::string loader = std::string("/lib/ld-musl-") + arch + ".so.1";
    auto resolved = resolve::Resolve(loader, options);
    if (!resolved.ok()) {
      if (RootFailed(resolved.error(), root)) return resolved.error();
      continue;
    }
    // The loader itself was found inside the root: its real path is the program's.
    const resolve::Result& r = resolved.value();
    return std::optional<Found>(With(r, {"musl", "loader", loader, loader, loader, r.objects[0].realPath, {}}));
  }
  return std::optional<Found>();
}

// The banner and, for a file small enough to be a C library, its version definitions (null when the
// file does not parse as ELF).
std::optional<SysError> WriteScan(FileSource& file, Json& j) {
  auto text = ScanLibcText(file);
  if (!text.ok()) return text.error();
  j.Key("text");
  WriteLibcText(j, text.value());
  j.Key("versionDefs");
  std::optional<elf::ElfFile> parsed;
  if (text.value().size <= kMaxBytes) {
    elf::ParseOptions options;
    options.symbols = false;
    options.crossCheck = true;
    auto elf = elf::Parse(file, options);
    if (elf.ok()) parsed = std::move(elf.value());
  }
  if (!parsed) {
    j.Null();
  } else {
    j.Open('[');
    for (const auto& def : parsed->versionDefs) j.String(def.name);
    j.Close(']');
  }
  return std::nullopt;
}

}  // namespace

Result<std::string> ProbeRootJson(const std::string& root, const std::string& cwd) {
  const std::string hostRoot = root == "/" ? std::string() : root;
  auto located = Locate(hostRoot, cwd);
  if (!located.ok()) return located.error();
  Json j;
  j.Open('{');
  j.Key("programs").Open('[');
  for (const char* program : kPrograms) j.String(program);
  j.Close(']');
  j.Key("found");
  if (!located.value()) {
    j.Null();
    j.Close('}');
    return std::move(j.text);
  }
#if defined(_WIN32)
  return SysError::FromErrno(ENOTSUP, "open", root);  // unreached: Resolve refuses on Windows
#else
  const Found& found = *located.value();
  j.Open('{');
  j.Key("family").String(found.family);
  j.Key("how").String(found.how);
  j.Key("program").String(found.program);
  j.Key("libcPath").String(found.libcPath);
  j.Key("loaderPath").OptionalString(found.loaderPath);
  j.Key("realPath").String(found.realPath);
  j.Key("generator").OptionalString(found.generator);
  j.Key("generatorVersion").OptionalString(found.generator ? GeneratorVersion(*found.generator) : std::nullopt);
  // Read as the resolver reads: opened from its directory fd inside the root, never by a host path.
  RootFs fs(hostRoot);
  auto file = fs.OpenFile(found.realPath, "/");
  if (!file.ok()) return file.error();
  if (auto error = WriteScan(*file.value(), j)) return *error;
  j.Close('}');
  j.Close('}');
  return std::move(j.text);
#endif
}

Result<std::string> ScanFileJson(const std::string& path) {
  auto file = FileSource::Open(path);
  if (!file.ok()) return file.error();
  Json j;
  j.Open('{');
  if (auto error = WriteScan(*file.value(), j)) return *error;
  j.Close('}');
  return std::move(j.text);
}

}  // namespace sysprobe::core::libc
