// probeGlibc({ root }) and probeGlibc({ pid })'s file reads: native/core/libc_root.h, one call each, as
// JSON text (built on the thread pool in the async forms), interpreted in src/probes/libc/.
#include "modules.h"
#include "promise_worker.h"

#include "../core/libc_root.h"

namespace sysprobe::binding {

namespace {

Napi::Value ToJs(Napi::Env env, const std::string& json) { return Napi::String::New(env, json); }

// (root, cwd) validated in src/probes/libc/root.ts.
void RootArgs(const Napi::CallbackInfo& info, std::string* root, std::string* cwd) {
  if (info.Length() < 2 || !PathOf(info[0], root) || !PathOf(info[1], cwd)) {
    ThrowError(info.Env(), InvalidArgument("probeLibcRoot() expects (root, cwd)"));
  }
}

Napi::Value ProbeLibcRootSync(const Napi::CallbackInfo& info) {
  std::string root, cwd;
  RootArgs(info, &root, &cwd);
  auto result = core::libc::ProbeRootJson(root, cwd);
  if (!result.ok()) ThrowError(info.Env(), result.error());
  return ToJs(info.Env(), result.value());
}

Napi::Value ProbeLibcRoot(const Napi::CallbackInfo& info) {
  std::string root, cwd;
  RootArgs(info, &root, &cwd);
  return PromiseWorker<std::string>::Start(
      info.Env(), [root, cwd] { return core::libc::ProbeRootJson(root, cwd); }, ToJs);
}

std::string FileArg(const Napi::CallbackInfo& info) {
  std::string path;
  if (info.Length() < 1 || !PathOf(info[0], &path)) ThrowError(info.Env(), InvalidArgument("scanLibcFile() expects a path"));
  return path;
}

Napi::Value ScanLibcFileSync(const Napi::CallbackInfo& info) {
  auto result = core::libc::ScanFileJson(FileArg(info));
  if (!result.ok()) ThrowError(info.Env(), result.error());
  return ToJs(info.Env(), result.value());
}

Napi::Value ScanLibcFile(const Napi::CallbackInfo& info) {
  std::string path = FileArg(info);
  return PromiseWorker<std::string>::Start(
      info.Env(), [path] { return core::libc::ScanFileJson(path); }, ToJs);
}

}  // namespace

void RegisterLibcFiles(Napi::Env env, Napi::Object exports) {
  exports.Set("probeLibcRootSync", Napi::Function::New(env, ProbeLibcRootSync, "probeLibcRootSync"));
  exports.Set("probeLibcRoot", Napi::Function::New(env, ProbeLibcRoot, "probeLibcRoot"));
  exports.Set("scanLibcFileSync", Napi::Function::New(env, ScanLibcFileSync, "scanLibcFileSync"));
  exports.Set("scanLibcFile", Napi::Function::New(env, ScanLibcFile, "scanLibcFile"));
}

}  // namespace sysprobe::binding
