// The JSON forms of native/core/ldcache.h and resolve.h results (RawCache and RawResolve of src/native.ts).
#pragma once

#include <string>

#include "ldcache.h"
#include "resolve.h"

namespace sysprobe::core {

std::string CacheToJson(const ldcache::Cache& cache);
/** `versions`: each object's version needs and definitions too (checkCompat); otherwise only its SONAME. */
std::string ResolveToJson(const resolve::Result& result, bool versions);

}  // namespace sysprobe::core
