// The JSON form of a decoded reparse buffer (RawReparseData of src/native.ts; nfs.type, 64-bit, as a
// decimal string). The one converter: the addon parses it (native/binding/reparse_binding.cc), and so
// does src/wasm.ts.
#pragma once

#include <string>

#include "reparse.h"

namespace sysprobe::core {

std::string ReparseToJson(const ReparseData& data);

}  // namespace sysprobe::core
