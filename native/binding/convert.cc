#include "convert.h"

namespace sysprobe::binding {

Napi::Error MakeError(Napi::Env env, const core::SysError& error) {
  Napi::Object facts = Napi::Object::New(env);
  if (!error.code.empty()) facts.Set("code", error.code);
  if (error.errnum != 0) facts.Set("errno", Napi::Number::New(env, error.errnum));
  if (error.winerror != 0) facts.Set("winerror", Napi::Number::New(env, static_cast<double>(error.winerror)));
  if (!error.syscall.empty()) facts.Set("syscall", error.syscall);
  if (!error.path.empty()) facts.Set("path", error.path);
  if (!error.message.empty()) facts.Set("message", error.message);
  if (error.offset >= 0) facts.Set("offset", Napi::Number::New(env, static_cast<double>(error.offset)));

  auto* data = env.GetInstanceData<AddonData>();
  if (data != nullptr && !data->errorClass.IsEmpty()) {
    Napi::Object instance = data->errorClass.New({facts});
    return Napi::Error(env, instance);
  }
  Napi::Error fallback = Napi::Error::New(env, error.message.empty() ? error.code : error.message);
  Napi::Object fallbackObject = fallback.Value();
  for (const auto& entry : facts) fallbackObject.Set(entry.first, static_cast<Napi::Value>(entry.second));
  return fallback;
}

void ThrowError(Napi::Env env, const core::SysError& error) { throw MakeError(env, error); }

}  // namespace sysprobe::binding
