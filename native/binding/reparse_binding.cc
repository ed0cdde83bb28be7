// NTFS reparse points: decodeReparseBuffer over JS bytes, and the probe of a path (sync and on the
// thread pool), as the JSON text of native/core/reparse_json.h. src/backends/wire.ts decodes it (and has the
// probe's bytes decoded by decodeReparseBuffer, as the koffi backend does); src/probes/reparse/point.ts shapes it.
#include "modules.h"
#include "promise_worker.h"

#include "../core/reparse.h"
#include "../core/reparse_json.h"

namespace sysprobe::binding {

namespace {

Napi::Value DataToJs(Napi::Env env, const core::ReparseData& data) { return Napi::String::New(env, core::ReparseToJson(data)); }

Napi::Value ProbeToJs(Napi::Env env, const std::optional<core::ReparseProbe>& probe) {
  return Napi::String::New(env, core::ReparseProbeToJson(probe));
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
  if (info.Length() != 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowError(env, InvalidArgument("decodeReparseBuffer() expects one Uint8Array"));
  }
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  auto decoded = core::DecodeReparseBuffer(bytes.Data(), bytes.ElementLength());
  if (!decoded.ok()) ThrowError(env, decoded.error());
  return DataToJs(env, decoded.value());
}

Napi::Value ProbeReparsePointSync(const Napi::CallbackInfo& info) {
  const std::string path = PathArgument(info, "probeReparsePointSync");
  auto probe = core::ProbeReparsePoint(path);
  if (!probe.ok()) ThrowError(info.Env(), probe.error());
  return ProbeToJs(info.Env(), probe.value());
}

Napi::Value ProbeReparsePoint(const Napi::CallbackInfo& info) {
  const std::string path = PathArgument(info, "probeReparsePoint");
  return PromiseWorker<std::optional<core::ReparseProbe>>::Start(
      info.Env(), [path] { return core::ProbeReparsePoint(path); }, ProbeToJs);
}

}  // namespace

void RegisterReparse(Napi::Env env, Napi::Object exports) {
  exports.Set("decodeReparseBuffer", Napi::Function::New(env, DecodeReparseBuffer, "decodeReparseBuffer"));
  exports.Set("probeReparsePointSync", Napi::Function::New(env, ProbeReparsePointSync, "probeReparsePointSync"));
  exports.Set("probeReparsePoint", Napi::Function::New(env, ProbeReparsePoint, "probeReparsePoint"));
}

}  // namespace sysprobe::binding
