// The environment of a running process (native/core/procenv.h) as its JSON text (procenv_json.h), decoded in
// src/backends/wire.ts; splitting at '=' happens in src/probes/env/index.ts.
#include "modules.h"
#include "promise_worker.h"

#include "../core/procenv.h"
#include "../core/procenv_json.h"

namespace sysprobe::binding {

namespace {

Napi::Value EnvToJs(Napi::Env env, const core::ProcessEnvFacts& facts) {
  return Napi::String::New(env, core::ProcessEnvToJson(facts));
}

long long PidArg(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) ThrowError(info.Env(), InvalidArgument("pid must be a number"));
  const double pid = info[0].As<Napi::Number>().DoubleValue();
  if (!(pid >= 1 && pid <= 2147483647.0) || pid != static_cast<double>(static_cast<long long>(pid))) {
    ThrowError(info.Env(), InvalidArgument("pid must be a positive integer"));
  }
  return static_cast<long long>(pid);
}

Napi::Value ProcessEnvSync(const Napi::CallbackInfo& info) {
  auto result = core::ReadProcessEnv(PidArg(info));
  if (!result.ok()) ThrowError(info.Env(), result.error());
  return EnvToJs(info.Env(), result.value());
}

Napi::Value ProcessEnv(const Napi::CallbackInfo& info) {
  const long long pid = PidArg(info);
  return PromiseWorker<core::ProcessEnvFacts>::Start(
      info.Env(), [pid] { return core::ReadProcessEnv(pid); }, EnvToJs);
}

}  // namespace

void RegisterEnv(Napi::Env env, Napi::Object exports) {
  exports.Set("processEnvSync", Napi::Function::New(env, ProcessEnvSync, "processEnvSync"));
  exports.Set("processEnv", Napi::Function::New(env, ProcessEnv, "processEnv"));
}

}  // namespace sysprobe::binding
