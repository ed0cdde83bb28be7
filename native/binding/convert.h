// Shared pieces of the binding layer: per-load state, core errors -> SysprobeError, small converters.
#pragma once

#include <napi.h>
#include "../config.h"

#include <string>

#include "../core/result.h"

namespace sysprobe::binding {

// Per-load state (each Node environment or worker gets its own; nothing is kept in statics).
struct AddonData {
  Napi::FunctionReference errorClass;  // the JS-defined SysprobeError, handed over by init()
};

// Builds a SysprobeError (or, before init(), a plain Error carrying the same properties).
Napi::Error MakeError(Napi::Env env, const core::SysError& error);
[[noreturn]] void ThrowError(Napi::Env env, const core::SysError& error);

inline core::SysError InvalidArgument(const std::string& message) {
  return core::SysError::Sysprobe("ERR_SYSPROBE_INVALID_ARG", message);
}

// A path argument as the kernel gets it: a string UTF-8-encoded (as Node's fs does), or the exact bytes of a
// Buffer/Uint8Array (copied, so the caller may reuse it at once). False for anything else.
inline bool PathOf(const Napi::Value& value, std::string* out) {
  if (value.IsString()) {
    *out = value.As<Napi::String>().Utf8Value();
    return true;
  }
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) return false;
  auto bytes = value.As<Napi::Uint8Array>();
  out->assign(reinterpret_cast<const char*>(bytes.Data()), bytes.ByteLength());
  return true;
}

}  // namespace sysprobe::binding
