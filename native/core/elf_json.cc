// ElfFile as the JSON text of src/elf.ts's ElfInfo: the one converter, used by the addon
// (native/binding/elf_binding.cc) and the WebAssembly build (native/wasm/exports.cc). It is written in its
// final shape (src/elf.ts parses it and adds maxVersions): building thousands of objects property by
// property through Node-API on the main thread cost twice the parse itself; JSON.parse is far cheaper.
#include "elf_json.h"

#include <string>
#include <vector>

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

std::string ElfToJson(const elf::ElfFile& file, const std::string* path) {
  Json j;
  j.text.reserve(1024);
  j.Open('{');
  if (path) j.Key("path").String(*path); else j.Key("path").Null();
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
  if (file.flags) j.Key("flags").Uint(*file.flags); else j.Key("flags").Null();
  if (file.flags1) j.Key("flags1").Uint(*file.flags1); else j.Key("flags1").Null();
  j.Key("names").Strings(elf::FlagNames(file.flags, file.flags1));
  j.Close('}');
  j.Key("versionNeeds");
  WriteVersionNeeds(j, file.versionNeeds);
  j.Key("versionDefs");
  WriteVersionDefs(j, file.versionDefs);
  if (file.symbolsRead) {
    // Symbol 0 (the null symbol) is left out; indexes stay those of .dynsym. `value` is a decimal
    // string here (JSON has no 64-bit integers) and becomes a BigInt in src/elf.ts.
    j.Key("symbols").Open('[');
    for (size_t i = 1; i < file.symbols.size(); ++i) {
      const auto& sym = file.symbols[i];
      j.Open('{');
      j.Key("index").Uint(i);
      j.Key("name").String(sym.name);
      j.Key("version").OptionalString(sym.version);
      if (sym.hasVersion) j.Key("versionIndex").Uint(sym.versionIndex); else j.Key("versionIndex").Null();
      j.Key("hidden").Bool(sym.hidden);
      j.Key("file").OptionalString(sym.versionFile);
      j.Key("weakVersion").Bool(sym.versionWeak);
      j.Key("defined").Bool(sym.shndx != 0);
      j.Key("binding").String(Named(elf::SymbolBindingName(sym.binding), "stb", sym.binding));
      j.Key("type").String(Named(elf::SymbolTypeName(sym.type), "stt", sym.type));
      j.Key("visibility").String(elf::SymbolVisibilityName(sym.visibility));
      j.Key("size").Number(static_cast<double>(sym.size));
      j.Key("value").String(std::to_string(sym.value));
      j.Key("shndx").Uint(sym.shndx);
      j.Close('}');
    }
    j.Close(']');
  }
  j.Key("dynamicSource").String(file.dynamicSource);
  j.Key("diagnostics").Strings(file.diagnostics);
  j.Close('}');
  return std::move(j.text);
}

}  // namespace sysprobe::core
