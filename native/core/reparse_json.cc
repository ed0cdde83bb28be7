#include "reparse_json.h"

#include "json.h"

namespace sysprobe::core {

namespace {

void OptionalUint(Json& j, const std::optional<uint32_t>& value) {
  if (value) j.Uint(*value);
  else
    j.Null();
}

}  // namespace

std::string ReparseToJson(const ReparseData& data) {
  Json j;
  j.Open('{');
  j.Key("tag").Uint(data.tag);
  j.Key("dataLength").Uint(data.dataLength);
  j.Key("reserved").Uint(data.reserved);
  if (data.tagName.empty()) j.Key("tagName").Null();
  else
    j.Key("tagName").String(data.tagName);
  j.Key("kind").String(data.kind);
  j.Key("isMicrosoft").Bool(data.isMicrosoft);
  j.Key("highLatency").Bool(data.highLatency);
  j.Key("isNameSurrogate").Bool(data.isNameSurrogate);
  j.Key("isDirectory").Bool(data.isDirectory);
  OptionalUint(j.Key("cloudSubtype"), data.cloudSubtype);
  j.Key("guid").OptionalString(data.guid);
  j.Key("dataOffset").Uint(data.dataOffset);
  j.Key("trailingBytes").Uint(data.trailingBytes);
  if (data.names) {
    const ReparseTargetNames& names = *data.names;
    j.Key("names").Open('{');
    j.Key("substituteName").String(names.substituteName);
    j.Key("printName").String(names.printName);
    j.Key("substituteNameOffset").Uint(names.substituteNameOffset);
    j.Key("substituteNameLength").Uint(names.substituteNameLength);
    j.Key("printNameOffset").Uint(names.printNameOffset);
    j.Key("printNameLength").Uint(names.printNameLength);
    OptionalUint(j.Key("flags"), names.flags);
    j.Key("relative").Bool(names.relative);
    j.Close('}');
  } else {
    j.Key("names").Null();
  }
  if (data.appExecLink) {
    j.Key("appExecLink").Open('{');
    j.Key("version").Uint(data.appExecLink->version);
    j.Key("strings").Strings(data.appExecLink->strings);
    j.Close('}');
  } else {
    j.Key("appExecLink").Null();
  }
  OptionalUint(j.Key("lxVersion"), data.lxVersion);
  j.Key("lxTarget").OptionalString(data.lxTarget);
  if (data.nfs) {
    j.Key("nfs").Open('{');
    j.Key("type").String(std::to_string(data.nfs->type));
    j.Key("symlinkTarget").OptionalString(data.nfs->symlinkTarget);
    OptionalUint(j.Key("major"), data.nfs->major);
    OptionalUint(j.Key("minor"), data.nfs->minor);
    j.Close('}');
  } else {
    j.Key("nfs").Null();
  }
  if (data.wof) {
    j.Key("wof").Open('{');
    j.Key("version").Uint(data.wof->version);
    j.Key("provider").Uint(data.wof->provider);
    OptionalUint(j.Key("fileVersion"), data.wof->fileVersion);
    OptionalUint(j.Key("algorithm"), data.wof->algorithm);
    j.Close('}');
  } else {
    j.Key("wof").Null();
  }
  j.Close('}');
  return std::move(j.text);
}

}  // namespace sysprobe::core

namespace sysprobe::core {

std::string ReparseProbeToJson(const std::optional<ReparseProbe>& probe) {
  if (!probe) return "null";
  Json j;
  j.Open('{');
  j.Key("source").String(probe->source);
  j.Key("raw").Latin1(std::string(probe->raw.begin(), probe->raw.end()));
  OptionalUint(j.Key("attributes"), probe->attributes);
  OptionalUint(j.Key("tagFromAttributes"), probe->tagFromAttributes);
  if (probe->placeholderMode.empty()) j.Key("placeholderMode").Null();
  else
    j.Key("placeholderMode").String(probe->placeholderMode);
  j.Close('}');
  return std::move(j.text);
}

}  // namespace sysprobe::core
