// probeGlibc for this process: the raw facts of native/core/libc_self.h as their JSON text (libc_self_json.h),
// decoded in src/backends/wire.ts.
#include "modules.h"
#include "promise_worker.h"

#include "../core/libc_self.h"
#include "../core/libc_self_json.h"

namespace sysprobe::binding {

namespace {

Napi::Value SelfLibcToJs(Napi::Env env, const core::SelfLibcFacts& facts) {
  return Napi::String::New(env, core::SelfLibcToJson(facts));
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
