#include "go_buildinfo_json.h"

#include "json.h"

namespace sysprobe::core {

namespace {

void WriteModule(Json& j, const gobuild::ModuleVersion& module, const std::optional<gobuild::ModuleVersion>* replace) {
  j.Open('{');
  j.Key("path").String(module.path);
  j.Key("version").String(module.version);
  j.Key("sum").OptionalString(module.sum);
  if (replace != nullptr && *replace) {
    j.Key("replace");
    WriteModule(j, **replace, nullptr);
  } else {
    j.Key("replace").Null();
  }
  j.Close('}');
}

}  // namespace

std::string GoBuildInfoToJson(const gobuild::BuildInfo& info) {
  Json j;
  j.Open('{');
  j.Key("format").String(info.format);
  j.Key("goVersion").String(info.goVersion);
  j.Key("path").OptionalString(info.path);
  if (info.main) {
    j.Key("main");
    WriteModule(j, *info.main, &info.main->replace);
  } else {
    j.Key("main").Null();
  }
  j.Key("deps").Open('[');
  for (const auto& dep : info.deps) WriteModule(j, dep, &dep.replace);
  j.Close(']');
  j.Key("settings").Open('[');
  for (const auto& setting : info.settings) {
    j.Open('{');
    j.Key("key").String(setting.key);
    j.Key("value").String(setting.value);
    j.Close('}');
  }
  j.Close(']');
  j.Key("ptrSize").Uint(info.ptrSize);
  j.Key("bigEndian").Bool(info.bigEndian);
  j.Key("inlineStrings").Bool(info.inlineStrings);
  j.Close('}');
  return std::move(j.text);
}

}  // namespace sysprobe::core
