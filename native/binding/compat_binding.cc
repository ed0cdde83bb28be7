// readLdSoCache / resolveDeps: native/core/ldcache.h and resolve.h results as JSON text (built on the
// thread pool in the async forms), shaped in src/probes/compat/deps.ts. Options arrive validated from src/probes/compat/deps.ts.
#include "modules.h"
#include "promise_worker.h"

#include "../core/ldcache.h"
#include "../core/resolve.h"
#include "../core/compat_json.h"
#include "../core/root_read.h"

namespace sysprobe::binding {

namespace {

namespace ldcache = core::ldcache;
namespace resolve = core::resolve;

Napi::Value ToJs(Napi::Env env, const std::string& json) { return Napi::String::New(env, json); }

core::Result<std::string> CacheJson(const std::string& path) {
  auto cache = ldcache::ParseFile(path);
  if (!cache.ok()) return cache.error();
  return core::CacheToJson(cache.value());
}

core::Result<std::string> ResolveJson(const std::string& program, const resolve::Options& options, bool versions) {
  auto result = resolve::Resolve(program, options);
  if (!result.ok()) return result.error();
  return core::ResolveToJson(result.value(), versions);
}

// The version tables of every object are only sent when asked for (checkCompat): most of the JSON.
bool WantVersions(const Napi::CallbackInfo& info) {
  if (info.Length() < 2 || !info[1].IsObject()) return false;
  Napi::Value v = info[1].As<Napi::Object>().Get("versions");
  return v.IsBoolean() && v.As<Napi::Boolean>().Value();
}

std::string PathArg(const Napi::CallbackInfo& info, const char* what) {
  std::string path;
  if (info.Length() < 1 || !PathOf(info[0], &path)) ThrowError(info.Env(), InvalidArgument(std::string(what) + " expects a path"));
  return path;
}

// (program, { root, ldLibraryPath, cwd, hwcaps, platform, useCache }) validated in src/probes/compat/deps.ts.
resolve::Options ResolveOptions(const Napi::CallbackInfo& info) {
  resolve::Options options;
  if (info.Length() < 2 || !info[1].IsObject()) return options;
  Napi::Object o = info[1].As<Napi::Object>();
  // Paths (root, cwd, LD_LIBRARY_PATH) as strings or exact bytes.
  auto str = [&](const char* key) -> std::optional<std::string> {
    std::string value;
    if (PathOf(o.Get(key), &value)) return value;
    return std::nullopt;
  };
  if (auto root = str("root")) options.root = *root;
  options.ldLibraryPath = str("ldLibraryPath");
  if (auto cwd = str("cwd")) options.cwd = *cwd;
  options.platform = str("platform");
  Napi::Value hwcaps = o.Get("hwcaps");
  if (hwcaps.IsArray()) {
    std::vector<std::string> names;
    Napi::Array array = hwcaps.As<Napi::Array>();
    for (uint32_t i = 0; i < array.Length(); ++i) {
      Napi::Value item = array.Get(i);
      if (item.IsString()) names.push_back(item.As<Napi::String>().Utf8Value());
    }
    options.hwcaps = std::move(names);
  }
  Napi::Value useCache = o.Get("useCache");
  if (useCache.IsBoolean()) options.useCache = useCache.As<Napi::Boolean>().Value();
  return options;
}

Napi::Value ReadLdSoCacheSync(const Napi::CallbackInfo& info) {
  auto result = CacheJson(PathArg(info, "readLdSoCacheSync()"));
  if (!result.ok()) ThrowError(info.Env(), result.error());
  return ToJs(info.Env(), result.value());
}

Napi::Value ReadLdSoCache(const Napi::CallbackInfo& info) {
  std::string path = PathArg(info, "readLdSoCache()");
  return PromiseWorker<std::string>::Start(info.Env(), [path] { return CacheJson(path); }, ToJs);
}

Napi::Value ResolveDepsSync(const Napi::CallbackInfo& info) {
  auto result = ResolveJson(PathArg(info, "resolveDepsSync()"), ResolveOptions(info), WantVersions(info));
  if (!result.ok()) ThrowError(info.Env(), result.error());
  return ToJs(info.Env(), result.value());
}

Napi::Value ResolveDeps(const Napi::CallbackInfo& info) {
  std::string program = PathArg(info, "resolveDeps()");
  resolve::Options options = ResolveOptions(info);
  const bool versions = WantVersions(info);
  return PromiseWorker<std::string>::Start(info.Env(), [program, options, versions] { return ResolveJson(program, options, versions); }, ToJs);
}

// (root, path, what, flags, offset, length) validated in src/probes/libc/root.ts: one file inside a root.
core::RootRead RootReadArgs(const Napi::CallbackInfo& info) {
  core::RootRead request;
  if (info.Length() < 6 || !PathOf(info[0], &request.root) || !info[1].IsString() || !info[2].IsString() || !info[3].IsNumber() ||
      !info[4].IsNumber() || !info[5].IsNumber()) {
    ThrowError(info.Env(), InvalidArgument("readInRoot() expects (root, path, what, flags, offset, length)"));
  }
  request.path = info[1].As<Napi::String>().Utf8Value();
  request.what = info[2].As<Napi::String>().Utf8Value();
  request.flags = info[3].As<Napi::Number>().Int32Value();
  const double offset = info[4].As<Napi::Number>().DoubleValue();
  const double length = info[5].As<Napi::Number>().DoubleValue();
  request.offset = offset > 0 && offset < 9007199254740992.0 ? static_cast<uint64_t>(offset) : 0;
  request.length = length > 0 && length < 9007199254740992.0 ? static_cast<uint64_t>(length) : 0;
  return request;
}

Napi::Value ToBuffer(Napi::Env env, const std::string& bytes) { return Napi::Buffer<char>::Copy(env, bytes.data(), bytes.size()); }

// JSON text, or a Buffer of the bytes.
Napi::Value RootReadToJs(Napi::Env env, const std::string& what, const std::string& result) {
  return what == "bytes" ? ToBuffer(env, result) : ToJs(env, result);
}

Napi::Value ReadInRootSync(const Napi::CallbackInfo& info) {
  const core::RootRead request = RootReadArgs(info);
  auto result = core::ReadInRoot(request);
  if (!result.ok()) ThrowError(info.Env(), result.error());
  return RootReadToJs(info.Env(), request.what, result.value());
}

Napi::Value ReadInRoot(const Napi::CallbackInfo& info) {
  core::RootRead request = RootReadArgs(info);
  return PromiseWorker<std::string>::Start(info.Env(), [request] { return core::ReadInRoot(request); },
                                           request.what == "bytes" ? ToBuffer : ToJs);
}

}  // namespace

void RegisterCompat(Napi::Env env, Napi::Object exports) {
  exports.Set("readLdSoCacheSync", Napi::Function::New(env, ReadLdSoCacheSync, "readLdSoCacheSync"));
  exports.Set("readLdSoCache", Napi::Function::New(env, ReadLdSoCache, "readLdSoCache"));
  exports.Set("resolveDepsSync", Napi::Function::New(env, ResolveDepsSync, "resolveDepsSync"));
  exports.Set("resolveDeps", Napi::Function::New(env, ResolveDeps, "resolveDeps"));
  exports.Set("readInRootSync", Napi::Function::New(env, ReadInRootSync, "readInRootSync"));
  exports.Set("readInRoot", Napi::Function::New(env, ReadInRoot, "readInRoot"));
}

}  // namespace sysprobe::binding
