#include "procenv_json.h"

#include "json.h"

namespace sysprobe::core {

std::string ProcessEnvToJson(const ProcessEnvFacts& facts) {
  Json j;
  j.Open('{');
  j.Key("pid").Uint(static_cast<uint64_t>(facts.pid));
  j.Key("source").String(facts.source);
  j.Key("entries").Open('[');
  for (const auto& entry : facts.entries) j.Latin1(entry);
  j.Close(']');
  j.Close('}');
  return std::move(j.text);
}

}  // namespace sysprobe::core
