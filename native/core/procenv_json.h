// The JSON form of native/core/procenv.h results (RawProcessEnv of src/backends/binding.ts), each entry as
// latin1 text of its bytes (they need not be UTF-8). Both backends send it; src/backends/wire.ts decodes it.
#pragma once

#include <string>

#include "procenv.h"

namespace sysprobe::core {

std::string ProcessEnvToJson(const ProcessEnvFacts& facts);

}  // namespace sysprobe::core
