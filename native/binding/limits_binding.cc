// Resource limits and inotify: native/core/rlimits.h and inotify.h as their JSON text (native/core/*_json.h),
// decoded in src/backends/wire.ts. Options are
// validated in src/probes/limits/rlimits.ts; the checks here only keep a bad call from crashing the host.
#include "modules.h"
#include "promise_worker.h"

#include "../core/inotify.h"
#include "../core/inotify_json.h"
#include "../core/limits_json.h"
#include "../core/rlimits.h"

namespace sysprobe::binding {

namespace {

Napi::Value EntryToJs(Napi::Env env, const core::RlimitEntry& entry) { return Napi::String::New(env, core::RlimitEntryToJson(entry)); }

Napi::Value SetToJs(Napi::Env env, const core::RlimitSet& set) { return Napi::String::New(env, core::RlimitSetToJson(set)); }

long long PidArg(const Napi::CallbackInfo& info, size_t index) {
  if (info.Length() <= index || !info[index].IsNumber()) ThrowError(info.Env(), InvalidArgument("pid must be a number"));
  const double pid = info[index].As<Napi::Number>().DoubleValue();
  if (!(pid == -1 || (pid >= 1 && pid <= 2147483647.0)) || pid != static_cast<double>(static_cast<long long>(pid))) {
    ThrowError(info.Env(), InvalidArgument("pid must be -1 (self) or a positive integer"));
  }
  return static_cast<long long>(pid);
}

core::RlimitMode ModeArg(const Napi::CallbackInfo& info, size_t index) {
  if (info.Length() <= index || !info[index].IsString()) ThrowError(info.Env(), InvalidArgument("mode must be a string"));
  const std::string mode = info[index].As<Napi::String>().Utf8Value();
  if (mode == "auto") return core::RlimitMode::Auto;
  if (mode == "syscall") return core::RlimitMode::Syscall;
  if (mode == "procfs") return core::RlimitMode::Procfs;
  ThrowError(info.Env(), InvalidArgument("mode must be 'auto', 'syscall' or 'procfs'"));
}

core::RlimitValue ValueArg(const Napi::CallbackInfo& info, size_t index, const char* what) {
  core::RlimitValue value;
  if (info.Length() > index && info[index].IsString() && info[index].As<Napi::String>().Utf8Value() == "unlimited") {
    value.unlimited = true;
    return value;
  }
  if (info.Length() <= index || !info[index].IsBigInt()) {
    ThrowError(info.Env(), InvalidArgument(std::string(what) + " must be a bigint or 'unlimited'"));
  }
  bool lossless = false;
  value.value = info[index].As<Napi::BigInt>().Uint64Value(&lossless);
  if (!lossless) ThrowError(info.Env(), InvalidArgument(std::string(what) + " does not fit in 64 bits"));
  return value;
}

struct SetArgs {
  long long pid;
  std::string name;
  core::RlimitValue soft;
  std::optional<core::RlimitValue> hard;
};

// (pid, name, soft, hard | undefined)
SetArgs ParseSetArgs(const Napi::CallbackInfo& info) {
  SetArgs args;
  args.pid = PidArg(info, 0);
  if (info.Length() < 2 || !info[1].IsString()) ThrowError(info.Env(), InvalidArgument("name must be a string"));
  args.name = info[1].As<Napi::String>().Utf8Value();
  args.soft = ValueArg(info, 2, "soft");
  if (info.Length() > 3 && !info[3].IsUndefined()) args.hard = ValueArg(info, 3, "hard");
  return args;
}

Napi::Value RlimitsSync(const Napi::CallbackInfo& info) {
  auto result = core::GetRlimits(PidArg(info, 0), ModeArg(info, 1));
  if (!result.ok()) ThrowError(info.Env(), result.error());
  return SetToJs(info.Env(), result.value());
}

Napi::Value Rlimits(const Napi::CallbackInfo& info) {
  const long long pid = PidArg(info, 0);
  const core::RlimitMode mode = ModeArg(info, 1);
  return PromiseWorker<core::RlimitSet>::Start(
      info.Env(), [pid, mode] { return core::GetRlimits(pid, mode); }, SetToJs);
}

Napi::Value SetRlimitSync(const Napi::CallbackInfo& info) {
  SetArgs args = ParseSetArgs(info);
  auto result = core::SetRlimit(args.pid, args.name, args.soft, args.hard);
  if (!result.ok()) ThrowError(info.Env(), result.error());
  return EntryToJs(info.Env(), result.value());
}

Napi::Value SetRlimit(const Napi::CallbackInfo& info) {
  SetArgs args = ParseSetArgs(info);
  return PromiseWorker<core::RlimitEntry>::Start(
      info.Env(), [args] { return core::SetRlimit(args.pid, args.name, args.soft, args.hard); }, EntryToJs);
}

Napi::Value InotifyToJs(Napi::Env env, const core::InotifyFacts& facts) { return Napi::String::New(env, core::InotifyToJson(facts)); }

Napi::Value InotifySync(const Napi::CallbackInfo& info) {
  auto result = core::ProbeInotify();
  if (!result.ok()) ThrowError(info.Env(), result.error());
  return InotifyToJs(info.Env(), result.value());
}

Napi::Value Inotify(const Napi::CallbackInfo& info) {
  return PromiseWorker<core::InotifyFacts>::Start(
      info.Env(), [] { return core::ProbeInotify(); }, InotifyToJs);
}

}  // namespace

void RegisterLimits(Napi::Env env, Napi::Object exports) {
  exports.Set("rlimitsSync", Napi::Function::New(env, RlimitsSync, "rlimitsSync"));
  exports.Set("rlimits", Napi::Function::New(env, Rlimits, "rlimits"));
  exports.Set("setRlimitSync", Napi::Function::New(env, SetRlimitSync, "setRlimitSync"));
  exports.Set("setRlimit", Napi::Function::New(env, SetRlimit, "setRlimit"));
  exports.Set("inotifySync", Napi::Function::New(env, InotifySync, "inotifySync"));
  exports.Set("inotify", Napi::Function::New(env, Inotify, "inotify"));
}

}  // namespace sysprobe::binding
