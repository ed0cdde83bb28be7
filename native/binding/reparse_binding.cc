// NTFS reparse points: decodeReparseBuffer over JS bytes, and the probe of a path (sync and on the
// thread pool). The raw facts of native/core/reparse.h as plain objects; src/probes/reparse/point.ts shapes them.
#include "modules.h"
#include "promise_worker.h"

#include "../core/reparse.h"
#include "../core/reparse_json.h"

namespace sysprobe::binding {

namespace {

// The decoded data from the core's one JSON form; nfs.type (64-bit) becomes a BigInt here.
Napi::Value DataToJs(Napi::Env env, const core::ReparseData& data) {
  Napi::Value parsed = ParseJson(env, core::ReparseToJson(data));
  if (data.nfs) parsed.As<Napi::Object>().Get("nfs").As<Napi::Object>().Set("type", Napi::BigInt::New(env, data.nfs->type));
  return parsed;
}

// A probe result with its decoded data computed on the worker thread.
struct ProbeOutcome {
  std::optional<core::ReparseProbe> probe;
  std::optional<core::Result<core::ReparseData>> decoded;
};

core::Result<ProbeOutcome> RunProbe(const std::string& path) {
  auto probe = core::ProbeReparsePoint(path);
  if (!probe.ok()) return probe.error();
  ProbeOutcome outcome;
  outcome.probe = std::move(probe.value());
  if (outcome.probe) {
    const std::vector<uint8_t>& raw = outcome.probe->raw;
    outcome.decoded.emplace(core::DecodeReparseBuffer(raw.data(), raw.size()));
  }
  return outcome;
}

Napi::Value ProbeToJs(Napi::Env env, const ProbeOutcome& outcome) {
  if (!outcome.probe) return env.Null();
  const core::ReparseProbe& probe = *outcome.probe;
  Napi::Object object = Napi::Object::New(env);
  object.Set("source", probe.source);
  object.Set("raw", Napi::Buffer<uint8_t>::Copy(env, probe.raw.data(), probe.raw.size()));
  object.Set("attributes", probe.attributes ? Napi::Number::New(env, *probe.attributes) : env.Null());
  object.Set("tagFromAttributes", probe.tagFromAttributes ? Napi::Number::New(env, *probe.tagFromAttributes) : env.Null());
  object.Set("placeholderMode", probe.placeholderMode.empty() ? env.Null() : Napi::String::New(env, probe.placeholderMode));
  if (outcome.decoded->ok()) {
    object.Set("decoded", DataToJs(env, outcome.decoded->value()));
    object.Set("decodeError", env.Null());
  } else {
    object.Set("decoded", env.Null());
    object.Set("decodeError", MakeError(env, outcome.decoded->error()).Value());
  }
  return object;
}

std::string PathArgument(const Napi::CallbackInfo& info, const char* name) {
  std::string path;
  if (info.Length() != 1 || !PathOf(info[0], &path)) {
    ThrowError(info.Env(), InvalidArgument(std::string(name) + "() expects one path (a string or a Buffer)"));
  }
  return path;
}

Napi::Value DecodeReparseBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowError(env, InvalidArgument("decodeReparseBuffer() expects one Uint8Array"));
  }
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  auto decoded = core::DecodeReparseBuffer(bytes.Data(), bytes.ElementLength());
  if (!decoded.ok()) ThrowError(env, decoded.error());
  return DataToJs(env, decoded.value());
}

Napi::Value ProbeReparsePointSync(const Napi::CallbackInfo& info) {
  const std::string path = PathArgument(info, "probeReparsePointSync");
  auto outcome = RunProbe(path);
  if (!outcome.ok()) ThrowError(info.Env(), outcome.error());
  return ProbeToJs(info.Env(), outcome.value());
}

Napi::Value ProbeReparsePoint(const Napi::CallbackInfo& info) {
  const std::string path = PathArgument(info, "probeReparsePoint");
  return PromiseWorker<ProbeOutcome>::Start(info.Env(), [path] { return RunProbe(path); }, ProbeToJs);
}

}  // namespace

void RegisterReparse(Napi::Env env, Napi::Object exports) {
  exports.Set("decodeReparseBuffer", Napi::Function::New(env, DecodeReparseBuffer, "decodeReparseBuffer"));
  exports.Set("probeReparsePointSync", Napi::Function::New(env, ProbeReparsePointSync, "probeReparsePointSync"));
  exports.Set("probeReparsePoint", Napi::Function::New(env, ProbeReparsePoint, "probeReparsePoint"));
}

}  // namespace sysprobe::binding
