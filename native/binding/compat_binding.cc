// readLdSoCache / resolveDeps: native/core/ldcache.h and resolve.h results as JSON text (built on the
// thread pool in the async forms), shaped in src/compat.ts. Options arrive validated from src/compat.ts.
#include "modules.h"
#include "promise_worker.h"

#include "../core/ldcache.h"
#include "../core/resolve.h"
#include "json.h"

namespace sysprobe::binding {

namespace {

namespace ldcache = core::ldcache;
namespace resolve = core::resolve;

// Integers without printf's floating-point path (-1 marks "none" in the resolver's indexes).
void Int(Json& j, int64_t value) {
  if (value < 0) j.Number(static_cast<double>(value));
  else j.Uint(static_cast<uint64_t>(value));
}

void EntriesToJson(Json& j, const std::vector<ldcache::Entry>& entries) {
  j.Open('[');
  for (const auto& e : entries) {
    j.Open('{');
    j.Key("key").String(e.key);
    j.Key("value").String(e.value);
    Int(j.Key("flags"), e.flags);
    j.Key("osVersion").Uint(e.osVersion);
    j.Key("hwcap").String(std::to_string(e.hwcap));
    j.Key("hwcapExtension").Bool(e.hwcapExtension);
    j.Key("hwcapName").OptionalString(e.hwcapName);
    j.Key("isaLevel").Uint(e.isaLevel);
    j.Close('}');
  }
  j.Close(']');
}

std::string CacheToJson(const ldcache::Cache& cache) {
  Json j;
  j.Open('{');
  j.Key("format").String(cache.format);
  j.Key("endian").String(cache.bigEndian ? "big" : "little");
  j.Key("endianFlag").Uint(cache.endianFlag);
  j.Key("entries");
  EntriesToJson(j, cache.entries);
  j.Key("oldEntries");
  EntriesToJson(j, cache.oldEntries);
  j.Key("generator").OptionalString(cache.generator);
  j.Key("hwcapNames").Strings(cache.hwcapNames);
  j.Key("diagnostics").Strings(cache.diagnostics);
  j.Close('}');
  return std::move(j.text);
}

std::string StringsOrEmpty(const std::vector<std::string>& items) {
  std::string joined;
  for (size_t i = 0; i < items.size(); ++i) joined += (i ? ":" : "") + items[i];
  return joined;
}

std::string ResolveToJson(const resolve::Result& r, bool versions) {
  Json j;
  j.Open('{');
  j.Key("interpreter").OptionalString(r.interpreter);
  j.Key("interpreterHostPath").OptionalString(r.interpreterHostPath);
  j.Key("loaderVersion").OptionalString(r.loaderVersion);
  j.Key("systemDirs").Strings(r.systemDirs);
  j.Key("hwcaps").Strings(r.hwcaps);
  j.Key("legacyHwcaps").Strings(r.legacyHwcaps);
  j.Key("libc").String(r.libc);
  j.Key("platform").String(r.platform);
  j.Key("lib").String(r.lib);
  j.Key("cachePath").String(r.cachePath);
  j.Key("cacheHostPath").OptionalString(r.cacheHostPath);
  j.Key("cacheUsed").Bool(r.cacheUsed);
  j.Key("cacheError").OptionalString(r.cacheError);
  j.Key("fatalError").OptionalString(r.fatalError);
  j.Key("order").Open('[');
  for (int i : r.order) j.Uint(static_cast<uint64_t>(i));
  j.Close(']');
  j.Key("objects").Open('[');
  for (const auto& o : r.objects) {
    j.Open('{');
    j.Key("name").String(o.name);
    j.Key("path").OptionalString(o.path);
    // Most often all three name the same file: only differing paths are sent (null = same as before).
    const std::string& shown = o.path ? *o.path : o.name;
    if (o.realPath != shown) j.Key("realPath").String(o.realPath); else j.Key("realPath").Null();
    if (o.hostPath != o.realPath) j.Key("hostPath").String(o.hostPath); else j.Key("hostPath").Null();
    j.Key("foundVia").String(o.foundVia);
    if (o.viaObject) j.Key("viaObject").Uint(static_cast<uint64_t>(*o.viaObject)); else j.Key("viaObject").Null();
    j.Key("hwcaps").OptionalString(o.hwcaps);
    Int(j.Key("loader"), o.loader);
    j.Key("requiredBy").Open('[');
    for (int i : o.requiredBy) Int(j, i);
    j.Close(']');
    j.Key("deps").Open('[');
    for (int i : o.deps) Int(j, i);
    j.Close(']');
    j.Key("candidates").Open('[');
    for (const auto& c : o.candidates) {
      j.Open('{');
      j.Key("path").String(c.path);
      j.Key("result").String(c.result);
      j.Close('}');
    }
    j.Close(']');
    j.Key("error").OptionalString(o.error);
    j.Key("fatal").Bool(o.fatal);
    j.Key("isInterpreter").Bool(o.isInterpreter);
    j.Key("alias").Bool(o.alias);
    if (o.elf && !versions) {
      // resolveDeps needs only the SONAME; the rest is for checkCompat.
      j.Key("elf").Open('{');
      j.Key("soname").OptionalString(o.elf->soname);
      j.Close('}');
    } else if (o.elf) {
      const auto& e = *o.elf;
      j.Key("elf").Open('{');
      j.Key("class").Uint(e.elfClass);
      j.Key("machineId").Uint(e.machine);
      j.Key("soname").OptionalString(e.soname);
      j.Key("needed").Strings(e.needed);
      j.Key("rpath").String(StringsOrEmpty(e.rpath));
      j.Key("runpath").String(StringsOrEmpty(e.runpath));
      if (e.flags1) j.Key("flags1").Uint(*e.flags1); else j.Key("flags1").Null();
      j.Key("versionNeeds").Open('[');
      for (const auto& need : e.versionNeeds) {
        j.Open('{');
        j.Key("file").String(need.file);
        j.Key("versions").Open('[');
        for (const auto& aux : need.versions) {
          j.Open('{');
          j.Key("name").String(aux.name);
          j.Key("hash").Uint(aux.hash);
          j.Key("weak").Bool(aux.weak());
          j.Close('}');
        }
        j.Close(']').Close('}');
      }
      j.Close(']');
      j.Key("versionDefs").Open('[');
      for (const auto& def : e.versionDefs) {
        j.Open('{');
        j.Key("name").String(def.name);
        j.Key("hash").Uint(def.hash);
        j.Key("base").Bool((def.flags & 1) != 0);
        j.Close('}');
      }
      j.Close(']');
      j.Close('}');
    } else {
      j.Key("elf").Null();
    }
    j.Close('}');
  }
  j.Close(']');
  j.Close('}');
  return std::move(j.text);
}

Napi::Value ToJs(Napi::Env env, const std::string& json) { return Napi::String::New(env, json); }

core::Result<std::string> CacheJson(const std::string& path) {
  auto cache = ldcache::ParseFile(path);
  if (!cache.ok()) return cache.error();
  return CacheToJson(cache.value());
}

core::Result<std::string> ResolveJson(const std::string& program, const resolve::Options& options, bool versions) {
  auto result = resolve::Resolve(program, options);
  if (!result.ok()) return result.error();
  return ResolveToJson(result.value(), versions);
}

// The version tables of every object are only sent when asked for (checkCompat): most of the JSON.
bool WantVersions(const Napi::CallbackInfo& info) {
  if (info.Length() < 2 || !info[1].IsObject()) return false;
  Napi::Value v = info[1].As<Napi::Object>().Get("versions");
  return v.IsBoolean() && v.As<Napi::Boolean>().Value();
}

std::string PathArg(const Napi::CallbackInfo& info, const char* what) {
  if (info.Length() < 1 || !info[0].IsString()) ThrowError(info.Env(), InvalidArgument(std::string(what) + " expects a path"));
  return info[0].As<Napi::String>().Utf8Value();
}

// (program, { root, ldLibraryPath, cwd, hwcaps, platform, useCache }) validated in src/compat.ts.
resolve::Options ResolveOptions(const Napi::CallbackInfo& info) {
  resolve::Options options;
  if (info.Length() < 2 || !info[1].IsObject()) return options;
  Napi::Object o = info[1].As<Napi::Object>();
  auto str = [&](const char* key) -> std::optional<std::string> {
    Napi::Value v = o.Get(key);
    if (v.IsString()) return v.As<Napi::String>().Utf8Value();
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

}  // namespace

void RegisterCompat(Napi::Env env, Napi::Object exports) {
  exports.Set("readLdSoCacheSync", Napi::Function::New(env, ReadLdSoCacheSync, "readLdSoCacheSync"));
  exports.Set("readLdSoCache", Napi::Function::New(env, ReadLdSoCache, "readLdSoCache"));
  exports.Set("resolveDepsSync", Napi::Function::New(env, ResolveDepsSync, "resolveDepsSync"));
  exports.Set("resolveDeps", Napi::Function::New(env, ResolveDeps, "resolveDeps"));
}

}  // namespace sysprobe::binding
