// Turning core results into JavaScript values, and core errors into SysprobeError instances.
#pragma once

#include "../config.h"
#include <napi.h>

#include "../core/libc_self.h"
#include "../core/result.h"

namespace sysprobe::binding {

// Per-load state (each Node environment or worker gets its own; nothing is kept in statics).
struct AddonData {
  Napi::FunctionReference errorClass;  // the JS-defined SysprobeError, handed over by init()
};

// Builds a SysprobeError (or, before init(), a plain Error carrying the same properties).
Napi::Error MakeError(Napi::Env env, const core::SysError& error);
[[noreturn]] void ThrowError(Napi::Env env, const core::SysError& error);

Napi::Value ToJs(Napi::Env env, const core::SelfLibcFacts& facts);

}  // namespace sysprobe::binding
