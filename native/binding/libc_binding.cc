// probeGlibc for this process: the raw facts of native/core/libc_self.h as a plain object.
#include "modules.h"
#include "promise_worker.h"

#include "../core/libc_self.h"

namespace sysprobe::binding {

namespace {

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

Napi::Value SelfLibcToJs(Napi::Env env, const core::SelfLibcFacts& facts) {
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

Napi::Value SelfLibcSync(const Napi::CallbackInfo& info) {
  if (info.Length() != 0) ThrowError(info.Env(), InvalidArgument("selfLibcSync() takes no arguments"));
  return SelfLibcToJs(info.Env(), core::ProbeSelfLibc());
}

Napi::Value SelfLibc(const Napi::CallbackInfo& info) {
  if (info.Length() != 0) ThrowError(info.Env(), InvalidArgument("selfLibc() takes no arguments"));
  return PromiseWorker<core::SelfLibcFacts>::Start(
      info.Env(), [] { return core::Result<core::SelfLibcFacts>(core::ProbeSelfLibc()); }, SelfLibcToJs);
}

}  // namespace

void RegisterLibc(Napi::Env env, Napi::Object exports) {
  exports.Set("selfLibcSync", Napi::Function::New(env, SelfLibcSync, "selfLibcSync"));
  exports.Set("selfLibc", Napi::Function::New(env, SelfLibc, "selfLibc"));
}

}  // namespace sysprobe::binding
