// The ELF parser behind elf.h's Parse, in two files along its one seam: elf.cc reads the header, the
// section and program headers, the dynamic table and its strings; elf_symbols.cc reads what those locate,
// the version lists and the dynamic symbols.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "byte_source.h"
#include "elf.h"
#include "elf_format.h"
#include "result.h"

namespace sysprobe::core::elf::detail {

using namespace format;

constexpr const char* kBad = "ERR_SYSPROBE_BAD_ELF";
constexpr const char* kTruncated = "ERR_SYSPROBE_TRUNCATED";
constexpr const char* kNotElf = "ERR_SYSPROBE_NOT_ELF";
constexpr const char* kTooLarge = "ERR_SYSPROBE_TOO_LARGE";

inline bool AddOverflows(uint64_t a, uint64_t b, uint64_t* out) { return __builtin_add_overflow(a, b, out); }
inline bool MulOverflows(uint64_t a, uint64_t b, uint64_t* out) { return __builtin_mul_overflow(a, b, out); }

#define SP_TRY(decl, expr)                               \
  auto decl##_result = (expr);                           \
  if (!decl##_result.ok()) return decl##_result.error(); \
  auto decl = std::move(decl##_result.value())

#define SP_CHECK(expr)                          \
  do {                                          \
    std::optional<SysError> sp_error_ = (expr); \
    if (sp_error_) return *sp_error_;           \
  } while (0)

// A table located in the file: where, how many bytes can belong to it, and where that came from.
struct Located {
  uint64_t offset = 0;
  uint64_t avail = 0;  // bytes from offset to the end of the segment/section holding it
};

class Parser {
 public:
  using Tag = std::optional<std::pair<uint64_t, uint64_t>>;  // a DT_* value and the file offset of its d_val

  Parser(ByteSource& source, const ParseOptions& options) : src_(source), opt_(options) {}

  Result<ElfFile> Run();

 private:
  // ---- header ------------------------------------------------------------------------------------
  std::optional<SysError> Header();

  // ---- section headers: fallback and cross-check, never fatal -------------------------------------
  void Diagnose(const char* fmt, ...) __attribute__((format(printf, 2, 3)));

  void LoadSections();

  const Shdr* SectionOfType(uint32_t type);

  // ---- program headers -----------------------------------------------------------------------------
  std::optional<SysError> ProgramHeaders();

  // Maps a virtual address to a file offset: PT_LOAD first, then allocated sections.
  std::optional<Located> Map(uint64_t addr);

  // A DT_* address as a file location, or the section of `type` when the tag is absent.
  std::optional<SysError> Locate(const std::optional<std::pair<uint64_t, uint64_t>>& tag, uint32_t sectionType, const char* what,
                                 std::optional<Located>* result);

  // ---- dynamic table -------------------------------------------------------------------------------
  std::optional<SysError> Dynamic();

  std::optional<SysError> StringTable();

  // Exactly `size` (<= sizeof scratch_) bytes at `at`, valid until the next read.
  Result<const uint8_t*> Record(uint64_t at, uint64_t size, const char* what);

  // The NUL-terminated name starting at `from`, which must end before `end` (unless `needNul` is false:
  // then the end also ends it), read window by window and at most kMaxName bytes long.
  Result<std::string> Name(uint64_t from, uint64_t end, bool needNul, uint64_t at, const char* what);

  // A string of the dynamic string table; `at` is the file offset of the field that referenced it.
  Result<std::string> Str(uint64_t index, uint64_t at, const char* what);

  // Every string copied out counts against a budget, so that many references to one long string
  // cannot exhaust memory.
  bool Spend(uint64_t bytes, uint64_t at);

  std::optional<SysError> DynamicStrings();

  // ---- the version lists: a region, a count, and entries that must lie inside the region ------------
  struct ListRegion {
    uint64_t start = 0, limit = 0, count = 0;
  };

  // Where a Verneed/Verdef list lives (DT tag, else its section), its end (the end of the segment or
  // section holding it) and how many entries it claims (DT_*NUM, else sh_info; unbounded when neither).
  Result<std::optional<ListRegion>> Region(const Tag& tag, const Tag& num, uint32_t sectionType, const char* what);

  // The `size` bytes of a list entry at `at`, which must lie inside the list's region.
  Result<const uint8_t*> Entry(uint64_t at, uint64_t limit, uint64_t size, const char* what);

  // Both version lists have the same two-level form: entries linked by a relative `next` (0 ends the
  // list), each with `count` aux entries starting `aux` bytes after it, linked by their own `next`.
  struct ListForm {
    const char* entryName;
    uint64_t entrySize, auxFieldAt, nextFieldAt;  // the entry, where its aux and next fields are
    const char* auxName;
    uint64_t auxSize, auxNextFieldAt;  // an aux entry, where its next field is
  };
  struct Links {
    uint32_t aux = 0, count = 0, next = 0;
  };

  // Walks a list: head(bytes, at, &links) reads an entry, aux(bytes, at, j, &next) each aux entry,
  // end() closes the entry. Every `next` must advance past its entry, and the aux entries of all
  // entries together cannot outnumber what the region can hold (so entries sharing aux lists cannot
  // multiply the work).
  template <class Head, class Aux, class End>
  std::optional<SysError> WalkList(const ListRegion& region, const ListForm& form, Head head, Aux aux, End end);

  // ---- version needs: Verneed list, each with its Vernaux list -------------------------------------
  std::optional<SysError> VersionNeeds();

  // ---- version definitions: Verdef list, each with its Verdaux list (name, then parents) -----------
  std::optional<SysError> VersionDefs();

  // ---- dynamic symbols ----------------------------------------------------------------------------
  // The number of dynamic symbols: DT_HASH nchain, else the DT_GNU_HASH walk, else DT_MIPS_SYMTABNO.
  Result<std::optional<uint64_t>> SymbolCountFromHash();

  std::optional<SysError> Symbols();

  ByteSource& src_;
  ParseOptions opt_;
  Decoder d_;
  Ehdr eh_{};
  ElfFile out_;
  bool sectionsLoaded_ = false;
  std::vector<Shdr> shdrs_;
  uint64_t xnumPhnum_ = 0;
  std::vector<Phdr> loads_;
  std::optional<Phdr> dynamicPh_;
  std::vector<std::pair<uint64_t, uint64_t>> neededAt_, rpathAt_, runpathAt_;
  Tag soname_, strtab_, strsz_, symtab_, syment_, hash_, gnuHash_, versym_, verneed_, verneednum_, verdef_, verdefnum_, mipsSymtabno_,
      rela_, rel_, jmprel_;
  bool gnuHashLowerBound_ = false;
  uint64_t stringsAt_ = 0, stringsSize_ = 0;
  ByteView wholeStrings_;  // the string table, when read whole (symbols asked for)
  bool haveStrings_ = false;
  uint8_t scratch_[64] = {};
  uint64_t budget_ = 0;
  SysError budgetError_;
};

}  // namespace sysprobe::core::elf::detail
