// The JSON forms of native/core/rlimits.h results (RawRlimitSet and RawRlimitEntry of src/backends/binding.ts),
// with soft and hard limits as decimal strings or "unlimited" (JSON has no 64-bit integers) and pid -1 for
// this process. Both backends send this text; src/backends/wire.ts decodes it (BigInts there).
#pragma once

#include <string>

#include "rlimits.h"

namespace sysprobe::core {

std::string RlimitEntryToJson(const RlimitEntry& entry);
std::string RlimitSetToJson(const RlimitSet& set);

}  // namespace sysprobe::core
