// Names of ELF numbers for presentation (elf_json.cc): machines, OS ABIs, types, symbol kinds, DT_FLAGS bits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sysprobe::core::elf {

// Names for presentation; nullptr when the number has no name here.
const char* MachineName(uint16_t machine, uint8_t elfClass, bool bigEndian);
const char* OsAbiName(uint8_t osabi);
const char* TypeName(uint16_t type);
const char* SymbolTypeName(uint8_t type);
const char* SymbolBindingName(uint8_t binding);
const char* SymbolVisibilityName(uint8_t visibility);
// "DF_BIND_NOW", "DF_1_PIE", ... for the bits set (unknown bits as "DF_0x..." / "DF_1_0x...").
std::vector<std::string> FlagNames(std::optional<uint64_t> flags, std::optional<uint64_t> flags1);

}  // namespace sysprobe::core::elf
