// The JSON forms of native/core/rlimits.h results (RawRlimitSet and RawRlimitEntry of src/native.ts), with
// soft and hard limits as decimal strings or "unlimited" (JSON has no 64-bit integers): the one converter,
// parsed by the addon (native/binding/limits_binding.cc, which makes the values BigInts) and src/wasm.ts.
#pragma once

#include <string>

#include "rlimits.h"

namespace sysprobe::core {

std::string RlimitEntryToJson(const RlimitEntry& entry);
std::string RlimitSetToJson(const RlimitSet& set);

}  // namespace sysprobe::core
