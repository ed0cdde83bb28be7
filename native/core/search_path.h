// Where the loader looks: the machine's defaults (PT_INTERP fallback, system directories, $PLATFORM)
// and search lists (DT_RPATH, DT_RUNPATH, LD_LIBRARY_PATH) with their dynamic string tokens replaced.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sysprobe::core::resolve {

// The loader of a machine (e_machine) and class (32/64) when a program names none; null when unknown.
const char* DefaultInterpreter(uint16_t machine, uint8_t cls);

// The system directories when the loader file does not show its own.
std::vector<std::string> DefaultSystemDirs(uint8_t cls);

// $PLATFORM as glibc names this CPU (x86-64: AT_PLATFORM or "haswell"/"xeon_phi"), else the machine's.
std::string PlatformFor(uint16_t machine);

// The values of the dynamic string tokens $ORIGIN, $PLATFORM and $LIB (also ${...}).
struct Dst {
  std::optional<std::string> origin;
  std::string platform, lib;
};

// One element with its DSTs replaced; nullopt when a known DST has no value (the element is dropped).
std::optional<std::string> Substitute(const std::string& input, const Dst& dst);

// fillin_rpath: split, substitute, strip trailing slashes, add one, drop duplicates.
std::vector<std::string> SearchList(const std::vector<std::string>& strings, const char* separators, const Dst& dst);

// The directory of a path as dirname(3) gives it ("." for a bare name, "/" for the root).
std::string DirName(const std::string& path);

// The errno names the resolver's results carry (EIO for any other).
const char* ErrnoName(int e);

}  // namespace sysprobe::core::resolve
