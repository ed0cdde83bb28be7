// Shared pieces of the binding layer: per-load state, core errors -> SysprobeError, small converters.
#pragma once

#include "../config.h"
#include <napi.h>

#include <optional>
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

// A result the core wrote as JSON (native/core/*_json.h), as a JavaScript value.
inline Napi::Value ParseJson(Napi::Env env, const std::string& text) {
  Napi::Object json = env.Global().Get("JSON").As<Napi::Object>();
  return json.Get("parse").As<Napi::Function>().Call(json, {Napi::String::New(env, text)});
}

inline Napi::Value OptionalString(Napi::Env env, const std::optional<std::string>& text) {
  return text ? Napi::String::New(env, *text) : env.Null();
}

}  // namespace sysprobe::binding
