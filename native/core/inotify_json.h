// The JSON form of native/core/inotify.h results (RawInotify of src/native.ts): the one converter, parsed
// by the addon (native/binding/limits_binding.cc) and by src/wasm.ts.
#pragma once

#include <string>

#include "inotify.h"

namespace sysprobe::core {

std::string InotifyToJson(const InotifyFacts& facts);

}  // namespace sysprobe::core
