// The addon's entry point: per-load state, the error class hand-over, and each family's functions.
// Options are validated and reshaped in src/ before they reach the binding layer.
#include "modules.h"

namespace {

// init(SysprobeError): the JS error class every native failure is constructed with.
Napi::Value Init(const Napi::CallbackInfo& info) {
  using namespace sysprobe::binding;
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction()) {
    ThrowError(env, InvalidArgument("init() expects the SysprobeError class"));
  }
  env.GetInstanceData<AddonData>()->errorClass = Napi::Persistent(info[0].As<Napi::Function>());
  return env.Undefined();
}

}  // namespace

static Napi::Object RegisterSysprobe(Napi::Env env, Napi::Object exports) {
  using namespace sysprobe::binding;
  env.SetInstanceData(new AddonData());
  exports.Set("version", Napi::String::New(env, SYSPROBE_VERSION));
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  exports.Set("init", Napi::Function::New(env, Init, "init"));
  RegisterLibc(env, exports);
  RegisterLibcFiles(env, exports);
  RegisterElf(env, exports);
  RegisterCompat(env, exports);
  RegisterLimits(env, exports);
  RegisterEnv(env, exports);
  RegisterReparse(env, exports);
  RegisterGoBuildInfo(env, exports);
  return exports;
}

NODE_API_MODULE(sysprobe, RegisterSysprobe)
