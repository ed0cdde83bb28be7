// The JSON form of native/core/inotify.h results (RawInotify of src/backends/binding.ts): both backends send
// this text; src/backends/wire.ts decodes it.
#pragma once

#include <string>

#include "inotify.h"

namespace sysprobe::core {

std::string InotifyToJson(const InotifyFacts& facts);

}  // namespace sysprobe::core
