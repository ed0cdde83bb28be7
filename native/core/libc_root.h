// probeGlibc({ root }) and the file reads of probeGlibc({ pid }), each one call into the core, answered
// as JSON text that src/probes/libc/ only interprets.
#pragma once

#include <string>

#include "result.h"

namespace sysprobe::core::libc {

// The C library of a root filesystem, nothing executed: the root's loader resolves libc.so.6 for the
// first of a few programs (/bin/sh, /bin/ls, … busybox) that needs it; else the musl loader a program
// names as PT_INTERP, else an ld-musl-ARCH.so.1 that exists. Every file is read inside the root by RootFs
// (race-free). `root`: a host directory ("" or "/": this host); `cwd`: for relative search paths.
//   {"programs":[…tried…],"found":null} when no C library is found, else
//   {"programs":[…],"found":{"family":"glibc"|"musl","how":"needed"|"interpreter"|"loader","program",
//    "libcPath","loaderPath","realPath","cachePath","generator","generatorVersion","text":{…LibcText…},
//    "versionDefs":[names]|null}}
// Errors: the root itself cannot be opened; the C library found cannot be read.
Result<std::string> ProbeRootJson(const std::string& root, const std::string& cwd);

// One C library file (probeGlibc({ pid }) passes /proc/self/fd/N of the file it holds open):
// {"text":{…LibcText…},"versionDefs":[names]|null}. Errors: the file cannot be opened or read.
Result<std::string> ScanFileJson(const std::string& path);

}  // namespace sysprobe::core::libc
