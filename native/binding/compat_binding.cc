// readLdSoCache / resolveDeps: native/core/ldcache.h and resolve.h results as JSON text (built on the
// thread pool in the async forms), shaped in src/probes/compat/deps.ts. resolveDeps takes its request as JSON
// text too (native/core/resolve_request.h), validated in src/probes/compat/deps.ts.
#include "modules.h"
#include "promise_worker.h"

#include "../core/compat_json.h"
#include "../core/ldcache.h"
#include "../core/resolve_request.h"
#include "../core/root_read.h"

namespace sysprobe::binding {

namespace {

namespace ldcache = core::ldcache;

Napi::Value ToJs(Napi::Env env, const std::string& json) { return Napi::String::New(env, json); }

core::Result<std::string> CacheJson(const std::string& path) {
  auto cache = ldcache::ParseFile(path);
  if (!cache.ok()) return cache.error();
  return core::CacheToJson(cache.value());
}

std::string PathArg(const Napi::CallbackInfo& info, const char* what) {
  std::string path;
  if (info.Length() < 1 || !PathOf(info[0], &path)) ThrowError(info.Env(), InvalidArgument(std::string(what) + " expects a path"));
  return path;
}

// The request's JSON text (src/backends/wire.ts resolveRequest), read by the core as the WebAssembly build reads it.
std::string RequestArg(const Napi::CallbackInfo& info, const char* what) {
  if (info.Length() != 1 || !info[0].IsString())
    ThrowError(info.Env(), InvalidArgument(std::string(what) + " expects the request's JSON text"));
  return info[0].As<Napi::String>().Utf8Value();
}

Napi::Value ReadLdSoCacheSync(const Napi::CallbackInfo& info) {
  auto result = CacheJson(PathArg(info, "readLdSoCacheSync()"));
  if (!result.ok()) ThrowError(info.Env(), result.error());
  return ToJs(info.Env(), result.value());
}

Napi::Value ReadLdSoCache(const Napi::CallbackInfo& info) {
  std::string path = PathArg(info, "readLdSoCache()");
  return PromiseWorker<std::string>::Start(
      info.Env(), [path] { return CacheJson(path); }, ToJs);
}

Napi::Value ResolveDepsSync(const Napi::CallbackInfo& info) {
  auto result = core::ResolveRequestToJson(RequestArg(info, "resolveDepsSync()"));
  if (!result.ok()) ThrowError(info.Env(), result.error());
  return ToJs(info.Env(), result.value());
}

Napi::Value ResolveDeps(const Napi::CallbackInfo& info) {
  std::string request = RequestArg(info, "resolveDeps()");
  return PromiseWorker<std::string>::Start(
      info.Env(), [request] { return core::ResolveRequestToJson(request); }, ToJs);
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
  return PromiseWorker<std::string>::Start(
      info.Env(), [request] { return core::ReadInRoot(request); }, request.what == "bytes" ? ToBuffer : ToJs);
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
