// NTFS reparse points: decodeReparseBuffer over JS bytes, and the probe of a path (sync and on the
// thread pool). The raw facts of native/core/reparse.h as plain objects; src/reparse.ts shapes them.
#include "modules.h"
#include "promise_worker.h"

#include "../core/reparse.h"

namespace sysprobe::binding {

namespace {

Napi::Value OptionalNumber(Napi::Env env, const std::optional<uint32_t>& value) {
  return value ? Napi::Number::New(env, *value) : env.Null();
}

Napi::Value DataToJs(Napi::Env env, const core::ReparseData& data) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("tag", Napi::Number::New(env, data.tag));
  object.Set("dataLength", Napi::Number::New(env, data.dataLength));
  object.Set("reserved", Napi::Number::New(env, data.reserved));
  object.Set("tagName", data.tagName.empty() ? env.Null() : Napi::String::New(env, data.tagName));
  object.Set("kind", data.kind);
  object.Set("isMicrosoft", data.isMicrosoft);
  object.Set("highLatency", data.highLatency);
  object.Set("isNameSurrogate", data.isNameSurrogate);
  object.Set("isDirectory", data.isDirectory);
  object.Set("cloudSubtype", OptionalNumber(env, data.cloudSubtype));
  object.Set("guid", OptionalString(env, data.guid));
  object.Set("dataOffset", Napi::Number::New(env, static_cast<double>(data.dataOffset)));
  object.Set("trailingBytes", Napi::Number::New(env, static_cast<double>(data.trailingBytes)));
  if (data.names) {
    const core::ReparseTargetNames& names = *data.names;
    Napi::Object target = Napi::Object::New(env);
    target.Set("substituteName", Napi::String::New(env, names.substituteName));
    target.Set("printName", Napi::String::New(env, names.printName));
    target.Set("substituteNameOffset", Napi::Number::New(env, names.substituteNameOffset));
    target.Set("substituteNameLength", Napi::Number::New(env, names.substituteNameLength));
    target.Set("printNameOffset", Napi::Number::New(env, names.printNameOffset));
    target.Set("printNameLength", Napi::Number::New(env, names.printNameLength));
    target.Set("flags", OptionalNumber(env, names.flags));
    target.Set("relative", names.relative);
    object.Set("names", target);
  } else {
    object.Set("names", env.Null());
  }
  if (data.appExecLink) {
    Napi::Object link = Napi::Object::New(env);
    link.Set("version", Napi::Number::New(env, data.appExecLink->version));
    Napi::Array strings = Napi::Array::New(env, data.appExecLink->strings.size());
    for (size_t i = 0; i < data.appExecLink->strings.size(); ++i) {
      strings.Set(static_cast<uint32_t>(i), Napi::String::New(env, data.appExecLink->strings[i]));
    }
    link.Set("strings", strings);
    object.Set("appExecLink", link);
  } else {
    object.Set("appExecLink", env.Null());
  }
  object.Set("lxVersion", OptionalNumber(env, data.lxVersion));
  object.Set("lxTarget", OptionalString(env, data.lxTarget));
  if (data.nfs) {
    Napi::Object nfs = Napi::Object::New(env);
    nfs.Set("type", Napi::BigInt::New(env, data.nfs->type));
    nfs.Set("symlinkTarget", data.nfs->symlinkTarget ? Napi::String::New(env, *data.nfs->symlinkTarget) : env.Null());
    nfs.Set("major", OptionalNumber(env, data.nfs->major));
    nfs.Set("minor", OptionalNumber(env, data.nfs->minor));
    object.Set("nfs", nfs);
  } else {
    object.Set("nfs", env.Null());
  }
  if (data.wof) {
    Napi::Object wof = Napi::Object::New(env);
    wof.Set("version", Napi::Number::New(env, data.wof->version));
    wof.Set("provider", Napi::Number::New(env, data.wof->provider));
    wof.Set("fileVersion", OptionalNumber(env, data.wof->fileVersion));
    wof.Set("algorithm", OptionalNumber(env, data.wof->algorithm));
    object.Set("wof", wof);
  } else {
    object.Set("wof", env.Null());
  }
  return object;
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
  object.Set("attributes", OptionalNumber(env, probe.attributes));
  object.Set("tagFromAttributes", OptionalNumber(env, probe.tagFromAttributes));
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
  if (info.Length() != 1 || !info[0].IsString()) {
    ThrowError(info.Env(), InvalidArgument(std::string(name) + "() expects one path string"));
  }
  return info[0].As<Napi::String>().Utf8Value();
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
