// ld.so.cache and resolver results as the JSON text src/compat.ts shapes (RawCache, RawResolve): used by
// the addon (native/binding/compat_binding.cc) and the WebAssembly build (native/wasm/exports.cc).
#include "compat_json.h"

#include "elf_json.h"
#include "json.h"

namespace sysprobe::core {

namespace {

// Integers without printf's floating-point path (-1 marks "none" in the resolver's indexes).
void Int(Json& j, int64_t value) {
  if (value < 0) j.Number(static_cast<double>(value));
  else
    j.Uint(static_cast<uint64_t>(value));
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

std::string StringsOrEmpty(const std::vector<std::string>& items) {
  std::string joined;
  for (size_t i = 0; i < items.size(); ++i) joined += (i ? ":" : "") + items[i];
  return joined;
}

}  // namespace

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
    if (o.realPath != shown) j.Key("realPath").String(o.realPath);
    else
      j.Key("realPath").Null();
    if (o.hostPath != o.realPath) j.Key("hostPath").String(o.hostPath);
    else
      j.Key("hostPath").Null();
    j.Key("foundVia").String(o.foundVia);
    if (o.viaObject) j.Key("viaObject").Uint(static_cast<uint64_t>(*o.viaObject));
    else
      j.Key("viaObject").Null();
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
      if (e.flags1) j.Key("flags1").Uint(*e.flags1);
      else
        j.Key("flags1").Null();
      j.Key("versionNeeds");
      WriteVersionNeeds(j, e.versionNeeds);
      j.Key("versionDefs");
      WriteVersionDefs(j, e.versionDefs);
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

}  // namespace sysprobe::core
