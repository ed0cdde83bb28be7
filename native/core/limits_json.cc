#include "limits_json.h"

#include "json.h"

namespace sysprobe::core {

namespace {

void Limit(Json& j, bool supported, const RlimitValue& value) {
  if (!supported) j.Null();
  else if (value.unlimited)
    j.String("unlimited");
  else
    j.String(std::to_string(value.value));
}

void Entry(Json& j, const RlimitEntry& entry) {
  j.Open('{');
  j.Key("name").String(entry.name);
  j.Key("supported").Bool(entry.supported);
  if (entry.resource >= 0) j.Key("resource").Uint(static_cast<uint64_t>(entry.resource));
  else
    j.Key("resource").Null();
  Limit(j.Key("soft"), entry.supported, entry.soft);
  Limit(j.Key("hard"), entry.supported, entry.hard);
  if (entry.source.empty()) j.Key("source").Null();
  else
    j.Key("source").String(entry.source);
  j.Close('}');
}

}  // namespace

std::string RlimitEntryToJson(const RlimitEntry& entry) {
  Json j;
  Entry(j, entry);
  return std::move(j.text);
}

std::string RlimitSetToJson(const RlimitSet& set) {
  Json j;
  j.Open('{');
  j.Key("pid").Number(static_cast<double>(set.pid));  // -1: this process
  j.Key("source").String(set.source);
  if (set.fallbackErrno != 0) {
    j.Key("fallback").Open('{');
    j.Key("errno").Uint(static_cast<uint64_t>(set.fallbackErrno));
    j.Key("syscall").String(set.fallbackSyscall);
    j.Close('}');
  } else {
    j.Key("fallback").Null();
  }
  j.Key("entries").Open('[');
  for (const auto& entry : set.entries) Entry(j, entry);
  j.Close(']');
  j.Close('}');
  return std::move(j.text);
}

}  // namespace sysprobe::core
