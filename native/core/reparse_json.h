// The JSON forms of a decoded reparse buffer (RawReparseData of src/backends/binding.ts; nfs.type, 64-bit,
// as a decimal string) and of what a probe read (raw as latin1 text of its bytes; "null": not a reparse
// point). Both backends send this text; src/backends/wire.ts decodes it.
#pragma once

#include <optional>
#include <string>

#include "reparse.h"

namespace sysprobe::core {

std::string ReparseToJson(const ReparseData& data);
std::string ReparseProbeToJson(const std::optional<ReparseProbe>& probe);

}  // namespace sysprobe::core
