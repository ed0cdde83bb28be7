#include "convert.h"

namespace sysprobe::binding {

namespace {

Napi::Value OptionalString(Napi::Env env, const std::optional<std::string>& text) {
  return text ? Napi::String::New(env, *text) : env.Null();
}

Napi::Value FileToJs(Napi::Env env, const core::NamedFile& file) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("name", file.name);
  object.Set("realPath", file.realPath.empty() ? env.Null() : Napi::String::New(env, file.realPath));
  object.Set("realPathErrno", Napi::Number::New(env, file.realPathErrno));
  return object;
}

Napi::Value OptionalFile(Napi::Env env, const std::optional<core::NamedFile>& file) {
  return file ? FileToJs(env, *file) : env.Null();
}

}  // namespace

Napi::Error MakeError(Napi::Env env, const core::SysError& error) {
  Napi::Object facts = Napi::Object::New(env);
  if (!error.code.empty()) facts.Set("code", error.code);
  if (error.errnum != 0) facts.Set("errno", Napi::Number::New(env, error.errnum));
  if (error.winerror != 0) facts.Set("winerror", Napi::Number::New(env, static_cast<double>(error.winerror)));
  if (!error.syscall.empty()) facts.Set("syscall", error.syscall);
  if (!error.path.empty()) facts.Set("path", error.path);
  if (!error.message.empty()) facts.Set("message", error.message);

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

void ThrowError(Napi::Env env, const core::SysError& error) {
  throw MakeError(env, error);
}

Napi::Value ToJs(Napi::Env env, const core::SelfLibcFacts& facts) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("platform", facts.platform);
  object.Set("gnuVersion", OptionalString(env, facts.gnuVersion));
  object.Set("gnuRelease", OptionalString(env, facts.gnuRelease));
  object.Set("gnuVersionProvider", OptionalFile(env, facts.gnuVersionProvider));
  object.Set("confstrVersion", OptionalString(env, facts.confstrVersion));
  object.Set("interpreter", OptionalString(env, facts.interpreter));
  object.Set("mainProgramSeen", Napi::Boolean::New(env, facts.mainProgramSeen));
  object.Set("atBase", Napi::BigInt::New(env, static_cast<uint64_t>(facts.atBase)));
  object.Set("loader", OptionalFile(env, facts.loader));
  object.Set("libcObject", OptionalFile(env, facts.libcObject));
  Napi::Array objects = Napi::Array::New(env, facts.loadedObjects.size());
  for (size_t i = 0; i < facts.loadedObjects.size(); ++i) {
    objects.Set(static_cast<uint32_t>(i), Napi::String::New(env, facts.loadedObjects[i]));
  }
  object.Set("loadedObjects", objects);
  object.Set("compiledFamily", facts.compiledFamily);
  object.Set("compiledVersion", OptionalString(env, facts.compiledVersion));
  return object;
}

}  // namespace sysprobe::binding
