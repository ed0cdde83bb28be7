// The JSON forms of native/core/elf.h results (the ElfInfo of src/elf.ts; symbol values as decimal
// strings, since JSON has no 64-bit integers).
#pragma once

#include <string>
#include <vector>

#include "elf.h"
#include "json.h"

namespace sysprobe::core {

/** `path` is the path as given, null (nullptr) for bytes. */
std::string ElfToJson(const elf::ElfFile& file, const std::string* path);

/** [{ file, version, versions: [{ name, hash, weak, flags, index }] }] */
void WriteVersionNeeds(Json& j, const std::vector<elf::VersionNeed>& needs);
/** [{ index, name, hash, flags, base, weak, parents }] */
void WriteVersionDefs(Json& j, const std::vector<elf::VersionDef>& defs);

}  // namespace sysprobe::core
