// The JSON forms of native/core/elf.h results (the ElfInfo of src/elf.ts; symbol values as decimal
// strings, since JSON has no 64-bit integers).
#pragma once

#include <string>
#include <vector>

#include "elf.h"
#include "json.h"

namespace sysprobe::core {

/**
 * `path` is the path as given, null (nullptr) for bytes. The text is the ElfInfo as one JSON object
 * (with `symbols: []` when symbols were read), then the symbols as JSON arrays of at most
 * kElfSymbolsPerSlice entries, each after a '\n' (which JSON text here never contains otherwise): src/
 * turns a large result into objects slice by slice, leaving the event loop its turns in between.
 */
std::string ElfToJson(const elf::ElfFile& file, const std::string* path);
constexpr size_t kElfSymbolsPerSlice = 1024;

/** [{ file, version, versions: [{ name, hash, weak, flags, index }] }] */
void WriteVersionNeeds(Json& j, const std::vector<elf::VersionNeed>& needs);
/** [{ index, name, hash, flags, base, weak, parents }] */
void WriteVersionDefs(Json& j, const std::vector<elf::VersionDef>& defs);

}  // namespace sysprobe::core
