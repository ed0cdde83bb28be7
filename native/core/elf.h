// THE ELF parser of sysprobe: headers, PT_INTERP, the dynamic table, version needs/definitions and
// dynamic symbols with their versions, for any class, byte order and machine.
//
// Program headers first (PT_INTERP, PT_DYNAMIC, DT_* addresses mapped through PT_LOAD, the symbol count
// from DT_HASH / DT_GNU_HASH); section headers are a fallback (a table the dynamic section does not
// point at) and a cross-check (disagreements become diagnostics). Every offset, size and count read
// from the file is bounds- and overflow-checked; every linked list must advance and is bounded by the
// bytes that can hold it. Failures: ERR_SYSPROBE_NOT_ELF, ERR_SYSPROBE_TRUNCATED, ERR_SYSPROBE_BAD_ELF,
// ERR_SYSPROBE_TOO_LARGE (the limits below), each with the byte offset that failed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "byte_source.h"
#include "result.h"

namespace sysprobe::core::elf {

struct VersionNeedAux {
  std::string name;    // vna_name: "GLIBC_2.34"
  uint32_t hash = 0;   // vna_hash
  uint16_t flags = 0;  // vna_flags (VER_FLG_WEAK = 2)
  uint16_t index = 0;  // vna_other: the index symbols use in .gnu.version
  bool weak() const { return (flags & 0x2) != 0; }
};

struct VersionNeed {
  std::string file;      // vn_file: "libc.so.6"
  uint16_t version = 0;  // vn_version (1)
  std::vector<VersionNeedAux> versions;
};

struct VersionDef {
  uint16_t version = 0;              // vd_version (1)
  uint16_t flags = 0;                // VER_FLG_BASE 1, VER_FLG_WEAK 2
  uint16_t index = 0;                // vd_ndx
  uint32_t hash = 0;                 // vd_hash
  std::string name;                  // first Verdaux
  std::vector<std::string> parents;  // further Verdaux entries
};

struct Symbol {
  std::string name;
  uint64_t value = 0;
  uint64_t size = 0;
  uint8_t type = 0;           // STT_*
  uint8_t binding = 0;        // STB_*
  uint8_t visibility = 0;     // STV_*
  uint16_t shndx = 0;         // SHN_UNDEF (0) = undefined
  bool hasVersion = false;    // a .gnu.version entry exists for this symbol
  uint16_t versionIndex = 0;  // .gnu.version entry & 0x7fff (0 local, 1 global)
  bool hidden = false;        // .gnu.version entry & 0x8000
  // The version name (from Verneed for references, Verdef for definitions), and for a Verneed
  // version the file it is needed from and whether the reference is weak (VER_FLG_WEAK).
  std::optional<std::string> version;
  std::optional<std::string> versionFile;
  bool versionWeak = false;
};

struct ElfFile {
  uint8_t elfClass = 0;  // 32 or 64
  bool bigEndian = false;
  uint8_t osabi = 0;
  uint8_t abiVersion = 0;
  uint16_t type = 0;     // ET_*
  uint16_t machine = 0;  // EM_*
  uint32_t eflags = 0;
  uint64_t entry = 0;
  uint16_t phnum = 0;
  uint32_t shnum = 0;
  std::optional<std::string> interpreter;
  std::optional<std::string> soname;
  std::vector<std::string> needed;
  std::vector<std::string> rpath;    // every DT_RPATH string, in table order (normally one)
  std::vector<std::string> runpath;  // every DT_RUNPATH string
  bool hasDynamic = false;
  std::optional<uint64_t> flags;   // DT_FLAGS
  std::optional<uint64_t> flags1;  // DT_FLAGS_1
  std::vector<VersionNeed> versionNeeds;
  std::vector<VersionDef> versionDefs;
  bool symbolsRead = false;
  std::vector<Symbol> symbols;
  // Where the dynamic facts came from: "program-headers", "section-headers" or "none".
  std::string dynamicSource = "none";
  // Disagreements between program and section headers, and section headers that could not be read.
  std::vector<std::string> diagnostics;
  bool pie() const { return type == 3 && flags1 && (*flags1 & 0x08000000u) != 0; }
};

struct ParseOptions {
  bool symbols = false;    // read .dynsym and .gnu.version
  bool crossCheck = true;  // read section headers to cross-check (they are always the fallback)
};

// Limits beyond which a file is refused with ERR_SYSPROBE_TOO_LARGE (a file may claim any size for a
// table; a sparse file claims gigabytes cheaply). No table is read whole: names are read window by
// window, entries one by one, so memory follows what the file really uses, not what it claims.
constexpr uint64_t kMaxSymbols = uint64_t(1) << 20;         // dynamic symbols (libLLVM has ~46,000)
constexpr uint64_t kMaxDynamicEntries = uint64_t(1) << 16;  // dynamic table entries before DT_NULL
constexpr uint64_t kMaxName = uint64_t(1) << 20;            // one name: a symbol, a library, PT_INTERP
// With `symbols`, a string table up to this size is read in one piece (every name is asked for).
constexpr uint64_t kWholeStrings = uint64_t(64) << 20;
// More section headers than this are ignored with a diagnostic (they are only a fallback).
constexpr uint64_t kMaxSections = uint64_t(1) << 18;

// Parses from any byte source (a span in memory, a file through pread).
Result<ElfFile> Parse(ByteSource& source, const ParseOptions& options);
// Opens `path` (a regular file) and parses it; errors carry the path.
Result<ElfFile> ParseFile(const std::string& path, const ParseOptions& options);

}  // namespace sysprobe::core::elf
