// Raw facts about the C library of the running process, gathered in-process: no file is parsed,
// no process is started. Interpreting them (family, version, disagreements) is done once, in
// src/libc.ts, so that every backend shares one set of rules.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sysprobe::core {

// A file as the loader named it and as it really is (symlinks resolved). realPath is empty when
// realpath() failed; realPathErrno then says why.
struct NamedFile {
  std::string name;
  std::string realPath;
  int realPathErrno = 0;
};

struct SelfLibcFacts {
  std::string platform;  // "linux", "darwin", "win32", "freebsd", ...

  // gnu_get_libc_version() / gnu_get_libc_release(), found with dlsym(RTLD_DEFAULT) so the
  // addon loads on a C library that lacks them (musl). `gnuVersionProvider` is the object that
  // really defines gnu_get_libc_version (libc.so.6, or libgcompat on musl).
  std::optional<std::string> gnuVersion;
  std::optional<std::string> gnuRelease;
  std::optional<NamedFile> gnuVersionProvider;
  // confstr(_CS_GNU_LIBC_VERSION), e.g. "glibc 2.36"; absent where the C library has no such name.
  std::optional<std::string> confstrVersion;

  // The program interpreter of the main executable, read from its program headers in memory.
  std::optional<std::string> interpreter;
  bool mainProgramSeen = false;
  // getauxval(AT_BASE): where the kernel mapped the dynamic loader; 0 for a static program.
  unsigned long long atBase = 0;
  // The loaded object mapped at AT_BASE.
  std::optional<NamedFile> loader;
  // The loaded object whose code contains getpid(), i.e. the C library serving ordinary libc calls.
  std::optional<NamedFile> libcObject;
  // The name of every loaded object, in load order (dl_iterate_phdr), vdso included; not resolved,
  // since realpath() on each costs system calls nobody asked for.
  std::vector<std::string> loadedObjects;

  // The C library this addon was compiled against ("glibc" with __GLIBC__.__GLIBC_MINOR__).
  std::string compiledFamily;  // "glibc", "musl-or-other", "msvcrt", "darwin", ""
  std::optional<std::string> compiledVersion;
};

SelfLibcFacts ProbeSelfLibc();

}  // namespace sysprobe::core
