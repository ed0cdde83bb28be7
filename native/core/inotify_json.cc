#include "inotify_json.h"

#include "json.h"

namespace sysprobe::core {

namespace {

// -1 (not readable, or absent on this kernel) is null.
void OptionalCount(Json& j, long long value) {
  if (value < 0) j.Null();
  else
    j.Uint(static_cast<uint64_t>(value));
}

}  // namespace

std::string InotifyToJson(const InotifyFacts& facts) {
  Json j;
  j.Open('{');
  OptionalCount(j.Key("maxUserWatches"), facts.maxUserWatches);
  OptionalCount(j.Key("maxUserInstances"), facts.maxUserInstances);
  OptionalCount(j.Key("maxQueuedEvents"), facts.maxQueuedEvents);
  OptionalCount(j.Key("nsMaxWatches"), facts.nsMaxWatches);
  OptionalCount(j.Key("nsMaxInstances"), facts.nsMaxInstances);
  j.Key("uid").Uint(facts.uid);
  j.Key("fds").Uint(facts.fds);
  j.Key("instances").Uint(facts.instances);
  j.Key("watches").Uint(facts.watches);
  j.Key("processesScanned").Uint(facts.processesScanned);
  j.Key("processesUnreadable").Uint(facts.processesUnreadable);
  j.Key("dedup").Bool(facts.dedup);
  j.Key("processes").Open('[');
  for (const auto& p : facts.processes) {
    j.Open('{');
    j.Key("pid").Uint(static_cast<uint64_t>(p.pid));
    j.Key("comm").String(p.comm);
    j.Key("fds").Uint(p.fds);
    j.Key("instances").Uint(p.instances);
    j.Key("watches").Uint(p.watches);
    j.Close('}');
  }
  j.Close(']');
  j.Close('}');
  return std::move(j.text);
}

}  // namespace sysprobe::core
