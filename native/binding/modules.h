// Each probe family registers its functions on the addon's exports from its own binding file.
#pragma once

#include "convert.h"

namespace sysprobe::binding {

void RegisterLibc(Napi::Env env, Napi::Object exports);         // libc_binding.cc
void RegisterLibcFiles(Napi::Env env, Napi::Object exports);    // libc_files_binding.cc
void RegisterElf(Napi::Env env, Napi::Object exports);          // elf_binding.cc
void RegisterCompat(Napi::Env env, Napi::Object exports);       // compat_binding.cc
void RegisterLimits(Napi::Env env, Napi::Object exports);       // limits_binding.cc
void RegisterEnv(Napi::Env env, Napi::Object exports);          // env_binding.cc
void RegisterReparse(Napi::Env env, Napi::Object exports);      // reparse_binding.cc
void RegisterGoBuildInfo(Napi::Env env, Napi::Object exports);  // go_buildinfo_binding.cc

}  // namespace sysprobe::binding
