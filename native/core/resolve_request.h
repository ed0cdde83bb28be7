// resolveDeps as one request and one answer, both JSON text, for the addon and the WebAssembly core alike.
// The request is what src/backends/wire.ts resolveRequest() writes: { program, root?, cwd?, ldLibraryPath?
// (paths as latin1 text of their bytes), platform?, hwcaps?, useCache?, versions? }; an absent key is unset.
#pragma once

#include <string>
#include <string_view>

#include "resolve.h"
#include "result.h"

namespace sysprobe::core {

struct ResolveRequest {
  std::string program;
  resolve::Options options;
  bool versions = false;  // send each object's version needs and definitions (checkCompat)
};

Result<ResolveRequest> ReadResolveRequest(std::string_view json);

// Reads the request, resolves, and writes the answer (compat_json.h ResolveToJson).
Result<std::string> ResolveRequestToJson(std::string_view json);

}  // namespace sysprobe::core
