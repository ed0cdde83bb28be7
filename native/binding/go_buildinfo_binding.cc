// readGoBuildInfo / readGoBuildInfoSync: native/core/go_buildinfo.h results as the core's JSON text.
// (target, isPath): a string is a path; a Uint8Array is the file's bytes unless isPath says it holds a
// path's bytes. The sync form parses bytes in place; the async one parses a copy on the thread pool (the
// caller may detach or transfer its ArrayBuffer before the work runs).
#include "modules.h"
#include "promise_worker.h"

#include <memory>
#include <new>
#include <string>
#include <vector>

#include "../core/go_buildinfo.h"
#include "../core/go_buildinfo_json.h"

namespace sysprobe::binding {

namespace {

namespace gobuild = core::gobuild;

core::Result<std::string> FromSource(core::ByteSource& source) {
  auto info = gobuild::Read(source);
  if (!info.ok()) return info.error();
  return core::GoBuildInfoToJson(info.value());
}

core::Result<std::string> FromFile(const std::string& path) {
  auto info = gobuild::ReadFile(path);
  if (!info.ok()) return info.error();
  return core::GoBuildInfoToJson(info.value());
}

Napi::Value Text(Napi::Env env, std::string& json) { return Napi::String::New(env, json); }

bool BytesOf(const Napi::CallbackInfo& info, const uint8_t** data, size_t* size) {
  const bool isPath = info.Length() > 1 && info[1].ToBoolean().Value();
  if (isPath || info.Length() < 1 || !info[0].IsTypedArray()) return false;
  if (info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) return false;
  auto bytes = info[0].As<Napi::Uint8Array>();
  *data = bytes.Data();
  *size = bytes.ByteLength();
  return true;
}

Napi::Value ReadGoBuildInfoSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint8_t* data = nullptr;
  size_t size = 0;
  if (BytesOf(info, &data, &size)) {
    core::MemorySource source(data, size);
    auto result = FromSource(source);
    if (!result.ok()) ThrowError(env, result.error());
    return Text(env, result.value());
  }
  std::string path;
  if (info.Length() < 1 || !PathOf(info[0], &path))
    ThrowError(env, InvalidArgument("readGoBuildInfoSync() expects a path or a Uint8Array"));
  auto result = FromFile(path);
  if (!result.ok()) ThrowError(env, result.error());
  return Text(env, result.value());
}

Napi::Value ReadGoBuildInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint8_t* data = nullptr;
  size_t size = 0;
  if (BytesOf(info, &data, &size)) {
    std::shared_ptr<std::vector<uint8_t>> copy;
    try {
      copy = std::make_shared<std::vector<uint8_t>>(data, data + size);
    } catch (const std::bad_alloc&) {
      ThrowError(env, core::SysError::Sysprobe("ERR_SYSPROBE_TOO_LARGE",
                                               "readGoBuildInfo(): no memory for a copy of " + std::to_string(size) + " bytes"));
    }
    return PromiseWorker<std::string>::Start(
        env,
        [copy] {
          core::MemorySource source(copy->data(), copy->size());
          return FromSource(source);
        },
        Text);
  }
  std::string path;
  if (info.Length() < 1 || !PathOf(info[0], &path))
    ThrowError(env, InvalidArgument("readGoBuildInfo() expects a path or a Uint8Array"));
  return PromiseWorker<std::string>::Start(
      env, [path] { return FromFile(path); }, Text);
}

}  // namespace

void RegisterGoBuildInfo(Napi::Env env, Napi::Object exports) {
  exports.Set("readGoBuildInfoSync", Napi::Function::New(env, ReadGoBuildInfoSync, "readGoBuildInfoSync"));
  exports.Set("readGoBuildInfo", Napi::Function::New(env, ReadGoBuildInfo, "readGoBuildInfo"));
}

}  // namespace sysprobe::binding
