// The JSON forms of native/core/elf.h results (the ElfInfo of src/elf.ts; symbol values as decimal
// strings, since JSON has no 64-bit integers).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "elf.h"
#include "json.h"

namespace sysprobe::core {

/**
 * The text is the ElfInfo as one JSON object, its `path` null (the caller knows the path, and src/ sets
 * it: the name as given, which need not be UTF-8), with `symbols: []` when symbols were read, then the symbols as JSON arrays of at
 * most kElfSymbolsPerSlice entries, each after a '\n' (which JSON text here never contains otherwise): src/ turns a large result into
 * objects slice by slice, leaving the event loop its turns in between.
 */
std::string ElfToJson(const elf::ElfFile& file, bool demangle = false);
constexpr size_t kElfSymbolsPerSlice = 1024;

/** An Itanium C++ name demangled as c++filt does (abi::__cxa_demangle); nullopt when it is not one. */
std::optional<std::string> Demangle(const std::string& name);
/**
 * Not demangled (nullopt): names longer than kMaxDemangled, with more than kMaxDemangleRefs
 * back-references or nested deeper than kMaxDemangleDepth (estimated), and every name of a file once
 * kMaxDemangledTotal bytes of demangled text were written for it.
 */
constexpr size_t kMaxDemangled = 4096, kMaxDemangleRefs = 24, kMaxDemangleDepth = 256;
constexpr size_t kMaxDemangledTotal = size_t(64) << 20;

/** [{ file, version, versions: [{ name, hash, weak, flags, index }] }] */
void WriteVersionNeeds(Json& j, const std::vector<elf::VersionNeed>& needs);
/** [{ index, name, hash, flags, base, weak, parents }] */
void WriteVersionDefs(Json& j, const std::vector<elf::VersionDef>& defs);

}  // namespace sysprobe::core
