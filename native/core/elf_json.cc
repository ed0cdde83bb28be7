// ElfFile as the JSON text of src/elf.ts's ElfInfo: the one converter, used by the addon
// (native/binding/elf_binding.cc) and the WebAssembly build (native/wasm/exports.cc). It is written in its
// final shape (src/elf-shape.ts parses it, slice by slice, and adds maxVersions): building thousands of objects property by
// property through Node-API on the main thread cost twice the parse itself; JSON.parse is far cheaper.
#include "elf_json.h"

#include <cxxabi.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "elf_names.h"

namespace sysprobe::core {

namespace {

// A name, or PREFIX_N for a number without one ("em_9999").
std::string Named(const char* name, const char* prefix, unsigned number) {
  return name ? std::string(name) : std::string(prefix) + "_" + std::to_string(number);
}

std::optional<std::string> SearchPath(const std::vector<std::string>& items) {
  if (items.empty()) return std::nullopt;
  std::string joined = items[0];
  for (size_t i = 1; i < items.size(); ++i) joined += ":" + items[i];
  return joined;
}

}  // namespace

// Whether a mangled name is safe to give the demangler: it recurses per nesting level (in WebAssembly
// on a 64 KiB stack), and back-references (S<seq>_, T<n>_) to types that hold back-references expand
// exponentially (a 213-byte name demangles to 52 MB). Both estimates over-count (letters of
// identifiers count too), so a doubtful name is refused, never a deep one accepted.
bool Tame(const std::string& name) {
  size_t refs = 0, open = 0, run = 0, worst = 0;
  for (size_t i = 2; i < name.size(); ++i) {
    const char c = name[i];
    if (c == 'S' || c == 'T') {
      size_t j = i + 1;
      while (j < name.size() && ((name[j] >= '0' && name[j] <= '9') || (name[j] >= 'A' && name[j] <= 'Z'))) ++j;
      if (j < name.size() && name[j] == '_') ++refs;
    }
    if (std::strchr("INFXLJ", c) != nullptr) ++open;
    else if (c == 'E' && open > 0)
      --open;
    if (std::strchr("PROCGKVAD", c) != nullptr) ++run;
    else if (!(c >= '0' && c <= '9') && c != '_')
      run = 0;
    if (open + run > worst) worst = open + run;
  }
  return refs <= kMaxDemangleRefs && worst <= kMaxDemangleDepth;
}

std::optional<std::string> Demangle(const std::string& name) {
  if (name.size() < 3 || name.size() > kMaxDemangled || name.compare(0, 2, "_Z") != 0 || !Tame(name)) return std::nullopt;
  int status = 0;
  char* text = abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status);
  if (status != 0 || text == nullptr) {
    std::free(text);
    return std::nullopt;
  }
  std::string out(text);
  std::free(text);
  return out;
}

void WriteVersionNeeds(Json& j, const std::vector<elf::VersionNeed>& needs) {
  j.Open('[');
  for (const auto& need : needs) {
    j.Open('{');
    j.Key("file").String(need.file);
    j.Key("version").Uint(need.version);
    j.Key("versions").Open('[');
    for (const auto& aux : need.versions) {
      j.Open('{');
      j.Key("name").String(aux.name);
      j.Key("hash").Uint(aux.hash);
      j.Key("weak").Bool(aux.weak());
      j.Key("flags").Uint(aux.flags);
      j.Key("index").Uint(aux.index);
      j.Close('}');
    }
    j.Close(']').Close('}');
  }
  j.Close(']');
}

void WriteVersionDefs(Json& j, const std::vector<elf::VersionDef>& defs) {
  j.Open('[');
  for (const auto& def : defs) {
    j.Open('{');
    j.Key("index").Uint(def.index);
    j.Key("name").String(def.name);
    j.Key("hash").Uint(def.hash);
    j.Key("flags").Uint(def.flags);
    j.Key("base").Bool((def.flags & 1) != 0);
    j.Key("weak").Bool((def.flags & 2) != 0);
    j.Key("parents").Strings(def.parents);
    j.Close('}');
  }
  j.Close(']');
}

std::string ElfToJson(const elf::ElfFile& file, bool demangle) {
  Json j;
  // One allocation for the whole text: growing a 15 MB string by doubling maps and unmaps large
  // blocks, and the kernel's memory map lock that munmap holds stalls the main thread's page faults.
  size_t estimate = 4096;
  for (const auto& sym : file.symbols) {
    estimate += 300 + sym.name.size() + (sym.version ? sym.version->size() : 0) + (sym.versionFile ? sym.versionFile->size() : 0);
  }
  j.text.reserve(estimate);
  j.Open('{');
  j.Key("path").Null();  // first, where src/ puts the path
  j.Key("class").Uint(file.elfClass);
  j.Key("endian").String(file.bigEndian ? "big" : "little");
  j.Key("machine").String(Named(elf::MachineName(file.machine, file.elfClass, file.bigEndian), "em", file.machine));
  j.Key("machineId").Uint(file.machine);
  j.Key("osabi").String(Named(elf::OsAbiName(file.osabi), "osabi", file.osabi));
  j.Key("osabiId").Uint(file.osabi);
  j.Key("abiVersion").Uint(file.abiVersion);
  j.Key("eflags").Uint(file.eflags);
  j.Key("type").String(Named(elf::TypeName(file.type), "et", file.type));
  j.Key("typeId").Uint(file.type);
  j.Key("pie").Bool(file.pie());
  j.Key("interpreter").OptionalString(file.interpreter);
  j.Key("soname").OptionalString(file.soname);
  j.Key("needed").Strings(file.needed);
  j.Key("rpath").OptionalString(SearchPath(file.rpath));
  j.Key("runpath").OptionalString(SearchPath(file.runpath));
  j.Key("flags").Open('{');
  if (file.flags) j.Key("flags").Uint(*file.flags);
  else
    j.Key("flags").Null();
  if (file.flags1) j.Key("flags1").Uint(*file.flags1);
  else
    j.Key("flags1").Null();
  j.Key("names").Strings(elf::FlagNames(file.flags, file.flags1));
  j.Close('}');
  j.Key("versionNeeds");
  WriteVersionNeeds(j, file.versionNeeds);
  j.Key("versionDefs");
  WriteVersionDefs(j, file.versionDefs);
  if (file.symbolsRead) j.Key("symbols").Open('[').Close(']');
  j.Key("dynamicSource").String(file.dynamicSource);
  j.Key("diagnostics").Strings(file.diagnostics);
  j.Close('}');
  if (file.symbolsRead) {
    // Symbol 0 (the null symbol) is left out; indexes stay those of .dynsym. `value` is a decimal
    // string here (JSON has no 64-bit integers) and becomes a BigInt in src/elf-shape.ts.
    Json part;
    part.text.swap(j.text);
    size_t demangledBudget = kMaxDemangledTotal;
    for (size_t first = 1; first < file.symbols.size(); first += kElfSymbolsPerSlice) {
      const size_t end = file.symbols.size() - first > kElfSymbolsPerSlice ? first + kElfSymbolsPerSlice : file.symbols.size();
      part.text += '\n';
      part.Open('[');
      for (size_t i = first; i < end; ++i) {
        const auto& sym = file.symbols[i];
        part.Open('{');
        part.Key("index").Uint(i);
        part.Key("name").String(sym.name);
        if (demangle) {
          std::optional<std::string> plain = demangledBudget > 0 ? Demangle(sym.name) : std::nullopt;
          if (plain) demangledBudget = plain->size() < demangledBudget ? demangledBudget - plain->size() : 0;
          part.Key("demangled").OptionalString(plain);
        }
        part.Key("version").OptionalString(sym.version);
        if (sym.hasVersion) part.Key("versionIndex").Uint(sym.versionIndex);
        else
          part.Key("versionIndex").Null();
        part.Key("hidden").Bool(sym.hidden);
        part.Key("file").OptionalString(sym.versionFile);
        part.Key("weakVersion").Bool(sym.versionWeak);
        part.Key("defined").Bool(sym.shndx != 0);
        part.Key("binding").String(Named(elf::SymbolBindingName(sym.binding), "stb", sym.binding));
        part.Key("type").String(Named(elf::SymbolTypeName(sym.type), "stt", sym.type));
        part.Key("visibility").String(elf::SymbolVisibilityName(sym.visibility));
        part.Key("size").Number(static_cast<double>(sym.size));
        part.Key("value").String(std::to_string(sym.value));
        part.Key("shndx").Uint(sym.shndx);
        part.Close('}');
      }
      part.Close(']');
      part.Reset();
    }
    j.text.swap(part.text);
  }
  return std::move(j.text);
}

}  // namespace sysprobe::core
