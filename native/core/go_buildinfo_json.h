// The JSON form of a Go build info (RawGoBuildInfo of src/backends/binding-go.ts); both backends send this
// text and src/backends/wire.ts decodes it.
#pragma once

#include <string>

#include "go_buildinfo.h"

namespace sysprobe::core {

std::string GoBuildInfoToJson(const gobuild::BuildInfo& info);

}  // namespace sysprobe::core
