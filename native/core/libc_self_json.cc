#include "libc_self_json.h"

#include "json.h"

namespace sysprobe::core {

namespace {

void File(Json& j, const std::optional<NamedFile>& file) {
  if (!file) {
    j.Null();
    return;
  }
  j.Open('{');
  j.Key("name").String(file->name);
  if (file->realPath.empty()) j.Key("realPath").Null();
  else
    j.Key("realPath").String(file->realPath);
  j.Key("realPathErrno").Number(file->realPathErrno);
  j.Close('}');
}

}  // namespace

std::string SelfLibcToJson(const SelfLibcFacts& facts) {
  Json j;
  j.Open('{');
  j.Key("platform").String(facts.platform);
  j.Key("gnuVersion").OptionalString(facts.gnuVersion);
  j.Key("gnuRelease").OptionalString(facts.gnuRelease);
  File(j.Key("gnuVersionProvider"), facts.gnuVersionProvider);
  j.Key("confstrVersion").OptionalString(facts.confstrVersion);
  j.Key("interpreter").OptionalString(facts.interpreter);
  j.Key("mainProgramSeen").Bool(facts.mainProgramSeen);
  j.Key("atBase").String(std::to_string(facts.atBase));
  File(j.Key("loader"), facts.loader);
  File(j.Key("libcObject"), facts.libcObject);
  j.Key("loadedObjects").Strings(facts.loadedObjects);
  j.Key("compiledFamily").String(facts.compiledFamily);
  j.Key("compiledVersion").OptionalString(facts.compiledVersion);
  j.Close('}');
  return std::move(j.text);
}

}  // namespace sysprobe::core
