// The node-addon-api layer: argument checks that JS cannot skip, calls into the core, conversion.
// Options are validated and reshaped in src/ before they reach this file.
#include "convert.h"
#include "promise_worker.h"

namespace sysprobe::binding {

namespace {

core::SysError InvalidArgument(const std::string& message) {
  return core::SysError::Sysprobe("ERR_SYSPROBE_INVALID_ARG", message);
}

// init(SysprobeError): the JS error class every native failure is constructed with.
Napi::Value Init(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction()) {
    ThrowError(env, InvalidArgument("init() expects the SysprobeError class"));
  }
  env.GetInstanceData<AddonData>()->errorClass = Napi::Persistent(info[0].As<Napi::Function>());
  return env.Undefined();
}

Napi::Value SelfLibcSync(const Napi::CallbackInfo& info) {
  if (info.Length() != 0) ThrowError(info.Env(), InvalidArgument("selfLibcSync() takes no arguments"));
  return ToJs(info.Env(), core::ProbeSelfLibc());
}

Napi::Value SelfLibc(const Napi::CallbackInfo& info) {
  if (info.Length() != 0) ThrowError(info.Env(), InvalidArgument("selfLibc() takes no arguments"));
  return PromiseWorker<core::SelfLibcFacts>::Start(info.Env(), [] { return core::ProbeSelfLibc(); });
}

}  // namespace

}  // namespace sysprobe::binding

static Napi::Object RegisterSysprobe(Napi::Env env, Napi::Object exports) {
  using namespace sysprobe::binding;
  env.SetInstanceData(new AddonData());
  exports.Set("version", Napi::String::New(env, SYSPROBE_VERSION));
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  exports.Set("init", Napi::Function::New(env, Init, "init"));
  exports.Set("selfLibcSync", Napi::Function::New(env, SelfLibcSync, "selfLibcSync"));
  exports.Set("selfLibc", Napi::Function::New(env, SelfLibc, "selfLibc"));
  return exports;
}

NODE_API_MODULE(sysprobe, RegisterSysprobe)
