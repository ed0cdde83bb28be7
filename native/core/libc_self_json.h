// The JSON form of native/core/libc_self.h facts (RawSelfLibc of src/backends/binding.ts; atBase, 64-bit,
// as a decimal string), decoded by src/backends/wire.ts. The addon's only: the koffi backend asks the OS itself.
#pragma once

#include <string>

#include "libc_self.h"

namespace sysprobe::core {

std::string SelfLibcToJson(const SelfLibcFacts& facts);

}  // namespace sysprobe::core
