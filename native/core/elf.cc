#include "elf.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <unordered_map>

#include "elf_format.h"

namespace sysprobe::core::elf {

namespace {

using namespace format;

constexpr const char* kBad = "ERR_SYSPROBE_BAD_ELF";
constexpr const char* kTruncated = "ERR_SYSPROBE_TRUNCATED";
constexpr const char* kNotElf = "ERR_SYSPROBE_NOT_ELF";
constexpr const char* kTooLarge = "ERR_SYSPROBE_TOO_LARGE";

bool AddOverflows(uint64_t a, uint64_t b, uint64_t* out) { return __builtin_add_overflow(a, b, out); }
bool MulOverflows(uint64_t a, uint64_t b, uint64_t* out) { return __builtin_mul_overflow(a, b, out); }

#define SP_TRY(decl, expr)                   \
  auto decl##_result = (expr);               \
  if (!decl##_result.ok()) return decl##_result.error(); \
  auto decl = std::move(decl##_result.value())

#define SP_CHECK(expr)                        \
  do {                                        \
    std::optional<SysError> sp_error_ = (expr); \
    if (sp_error_) return *sp_error_;         \
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

  Result<ElfFile> Run() {
    SP_CHECK(Header());
    if (opt_.crossCheck) LoadSections();
    SP_CHECK(ProgramHeaders());
    SP_CHECK(Dynamic());
    if (out_.hasDynamic) {
      SP_CHECK(StringTable());
      SP_CHECK(DynamicStrings());
      SP_CHECK(VersionNeeds());
      SP_CHECK(VersionDefs());
      if (opt_.symbols) SP_CHECK(Symbols());
    }
    return std::move(out_);
  }

 private:
  // ---- header ------------------------------------------------------------------------------------
  std::optional<SysError> Header() {
    const uint64_t size = src_.Size();
    if (size == 0) return MalformedAt(kNotElf, 0, "empty file: not an ELF file");
    const uint64_t identLength = size < kIdentSize ? size : kIdentSize;
    SP_TRY(ident, src_.Read(0, identLength, "ELF identification"));
    if (ident.size < 4 || std::memcmp(ident.data, "\177ELF", 4) != 0) {
      return MalformedAt(kNotElf, 0, "not an ELF file (no \\177ELF magic)");
    }
    if (ident.size < kIdentSize) return MalformedAt(kTruncated, 0, "ELF identification truncated (%llu bytes)", (unsigned long long)size);
    const uint8_t cls = ident.data[4], data = ident.data[5];
    if (cls != kClass32 && cls != kClass64) return MalformedAt(kBad, 4, "invalid ELF class %u", cls);
    if (data != kData2Lsb && data != kData2Msb) return MalformedAt(kBad, 5, "invalid ELF data encoding %u", data);
    d_.is64 = cls == kClass64;
    d_.big = data == kData2Msb;
    out_.elfClass = d_.is64 ? 64 : 32;
    out_.bigEndian = d_.big;
    out_.osabi = ident.data[7];
    out_.abiVersion = ident.data[8];
    SP_TRY(raw, src_.Read(0, EhdrSize(d_.is64), "ELF header"));
    eh_ = DecodeEhdr(d_, raw.data);
    out_.type = eh_.type;
    out_.machine = eh_.machine;
    out_.eflags = eh_.flags;
    out_.entry = eh_.entry;
    out_.phnum = eh_.phnum;
    out_.shnum = eh_.shnum;
    return std::nullopt;
  }

  // ---- section headers: fallback and cross-check, never fatal -------------------------------------
  void Diagnose(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
    if (out_.diagnostics.size() >= 32) return;
    char message[256];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(message, sizeof(message), fmt, args);
    va_end(args);
    out_.diagnostics.emplace_back(message);
  }

  void LoadSections() {
    if (sectionsLoaded_) return;
    sectionsLoaded_ = true;
    if (eh_.shoff == 0) return;
    const uint64_t entsize = eh_.shentsize;
    if (entsize < ShdrSize(d_.is64)) {
      Diagnose("section headers ignored: e_shentsize %llu is smaller than a section header", (unsigned long long)entsize);
      return;
    }
    uint64_t count = eh_.shnum;
    auto first = src_.Read(eh_.shoff, ShdrSize(d_.is64), "section header 0");
    if (!first.ok()) {
      Diagnose("section headers ignored: %s", first.error().message.c_str());
      return;
    }
    const Shdr zero = DecodeShdr(d_, first.value().data);
    if (count == 0) count = zero.size;  // more than SHN_LORESERVE sections
    if (eh_.phnum == PN_XNUM) xnumPhnum_ = zero.info;
    uint64_t bytes = 0;
    if (MulOverflows(count, entsize, &bytes)) {
      Diagnose("section headers ignored: %llu headers overflow", (unsigned long long)count);
      return;
    }
    if (!src_.Contains(eh_.shoff, bytes)) {
      Diagnose("section headers ignored: section header table (%llu bytes at offset %llu) extends past the end of the input",
               (unsigned long long)bytes, (unsigned long long)eh_.shoff);
      return;
    }
    if (count > kMaxSections) {
      Diagnose("section headers ignored: %llu section headers exceed the limit of %llu", (unsigned long long)count,
               (unsigned long long)kMaxSections);
      return;
    }
    shdrs_.reserve(static_cast<size_t>(count));
    for (uint64_t i = 0; i < count; ++i) {
      auto raw = Record(eh_.shoff + i * entsize, ShdrSize(d_.is64), "section header");
      if (!raw.ok()) {
        Diagnose("section headers ignored: %s", raw.error().message.c_str());
        shdrs_.clear();
        return;
      }
      shdrs_.push_back(DecodeShdr(d_, raw.value()));
    }
    out_.shnum = static_cast<uint32_t>(count);
  }

  const Shdr* SectionOfType(uint32_t type) {
    LoadSections();
    for (const auto& s : shdrs_) {
      if (s.type == type) return &s;
    }
    return nullptr;
  }

  // ---- program headers -----------------------------------------------------------------------------
  std::optional<SysError> ProgramHeaders() {
    uint64_t count = eh_.phnum;
    if (count == PN_XNUM) {
      LoadSections();
      count = xnumPhnum_;
    }
    if (count == 0) return std::nullopt;
    if (eh_.phentsize < PhdrSize(d_.is64)) {
      return MalformedAt(kBad, EhdrPhentsizeAt(d_.is64), "e_phentsize %u is smaller than a program header", eh_.phentsize);
    }
    uint64_t bytes = 0;
    MulOverflows(count, eh_.phentsize, &bytes);  // both are < 2^32: cannot overflow
    if (!src_.Contains(eh_.phoff, bytes)) SP_CHECK(src_.Read(eh_.phoff, bytes, "program header table").error());
    bool haveInterp = false;
    for (uint64_t i = 0; i < count; ++i) {
      const uint64_t at = eh_.phoff + i * eh_.phentsize;
      SP_TRY(raw, Record(at, PhdrSize(d_.is64), "program header"));
      const Phdr ph = DecodePhdr(d_, raw);
      if (ph.type == PT_LOAD) {
        loads_.push_back(ph);
      } else if (ph.type == PT_INTERP && !haveInterp) {
        haveInterp = true;
        if (!src_.Contains(ph.offset, ph.filesz)) SP_CHECK(src_.Read(ph.offset, ph.filesz, "PT_INTERP").error());
        // A PT_INTERP without file bytes (separate debug files) names nothing; the name ends at its
        // NUL or with the segment.
        if (ph.filesz != 0) {
          SP_TRY(text, Name(ph.offset, ph.offset + ph.filesz, false, at, "PT_INTERP"));
          out_.interpreter = std::move(text);
        }
      } else if (ph.type == PT_DYNAMIC && !dynamicPh_) {
        dynamicPh_ = ph;
      }
    }
    return std::nullopt;
  }

  // Maps a virtual address to a file offset: PT_LOAD first, then allocated sections.
  std::optional<Located> Map(uint64_t addr) {
    for (const auto& ph : loads_) {
      if (addr >= ph.vaddr && addr - ph.vaddr < ph.filesz) {
        uint64_t offset = 0;
        if (AddOverflows(ph.offset, addr - ph.vaddr, &offset)) continue;
        return Located{offset, ph.filesz - (addr - ph.vaddr)};
      }
    }
    LoadSections();
    for (const auto& s : shdrs_) {
      if ((s.flags & SHF_ALLOC) == 0 || s.type == SHT_NOBITS) continue;
      if (addr >= s.addr && addr - s.addr < s.size) {
        uint64_t offset = 0;
        if (AddOverflows(s.offset, addr - s.addr, &offset)) continue;
        return Located{offset, s.size - (addr - s.addr)};
      }
    }
    return std::nullopt;
  }

  // A DT_* address as a file location, or the section of `type` when the tag is absent.
  std::optional<SysError> Locate(const std::optional<std::pair<uint64_t, uint64_t>>& tag, uint32_t sectionType,
                                 const char* what, std::optional<Located>* result) {
    const Shdr* section = opt_.crossCheck || !tag ? SectionOfType(sectionType) : nullptr;
    if (tag) {
      auto located = Map(tag->first);
      if (!located) {
        return MalformedAt(kBad, tag->second, "%s address 0x%llx is not inside any loaded segment", what,
                    (unsigned long long)tag->first);
      }
      if (section && section->type != SHT_NOBITS && section->offset != located->offset) {
        Diagnose("%s: the dynamic table says offset %llu, the section header %llu", what,
                 (unsigned long long)located->offset, (unsigned long long)section->offset);
      }
      *result = located;
    } else if (section && section->type != SHT_NOBITS) {
      if (out_.dynamicSource == "program-headers") Diagnose("%s: only the section headers know it", what);
      *result = Located{section->offset, section->size};
    }
    return std::nullopt;
  }

  // ---- dynamic table -------------------------------------------------------------------------------
  std::optional<SysError> Dynamic() {
    Located where;
    if (dynamicPh_) {
      where = Located{dynamicPh_->offset, dynamicPh_->filesz};
      out_.dynamicSource = "program-headers";
      if (opt_.crossCheck) {
        const Shdr* section = SectionOfType(SHT_DYNAMIC);
        if (section && section->offset != where.offset) {
          Diagnose("dynamic table: PT_DYNAMIC says offset %llu, the section header %llu",
                   (unsigned long long)where.offset, (unsigned long long)section->offset);
        }
      }
    } else if (const Shdr* section = SectionOfType(SHT_DYNAMIC)) {
      if (section->type == SHT_NOBITS) return std::nullopt;
      where = Located{section->offset, section->size};
      out_.dynamicSource = "section-headers";
    } else {
      return std::nullopt;
    }
    const uint64_t entsize = DynSize(d_.is64);
    const uint64_t count = where.avail / entsize;
    if (!src_.Contains(where.offset, count * entsize)) SP_CHECK(src_.Read(where.offset, count * entsize, "dynamic table").error());
    out_.hasDynamic = true;
    // Read entry by entry up to DT_NULL: the segment may claim far more than the table uses.
    for (uint64_t i = 0; i < count; ++i) {
      const uint64_t at = where.offset + i * entsize;
      if (i == kMaxDynamicEntries) {
        return MalformedAt(kTooLarge, at, "dynamic table: more than %llu entries before DT_NULL (the limit)", (unsigned long long)kMaxDynamicEntries);
      }
      SP_TRY(raw, Record(at, entsize, "dynamic entry"));
      const Dyn dyn = DecodeDyn(d_, raw);
      const auto value = std::make_pair(dyn.val, at + entsize / 2);
      switch (dyn.tag) {
        case DT_NULL: return std::nullopt;
        case DT_NEEDED: neededAt_.push_back(value); break;
        case DT_SONAME: if (!soname_) soname_ = value; break;
        case DT_RPATH: rpathAt_.push_back(value); break;
        case DT_RUNPATH: runpathAt_.push_back(value); break;
        case DT_STRTAB: strtab_ = value; break;
        case DT_STRSZ: strsz_ = value; break;
        case DT_SYMTAB: symtab_ = value; break;
        case DT_SYMENT: syment_ = value; break;
        case DT_HASH: hash_ = value; break;
        case DT_GNU_HASH: gnuHash_ = value; break;
        case DT_VERSYM: versym_ = value; break;
        case DT_VERNEED: verneed_ = value; break;
        case DT_VERNEEDNUM: verneednum_ = value; break;
        case DT_VERDEF: verdef_ = value; break;
        case DT_VERDEFNUM: verdefnum_ = value; break;
        case DT_FLAGS: out_.flags = dyn.val; break;
        case DT_FLAGS_1: out_.flags1 = dyn.val; break;
        case DT_RELA: rela_ = value; break;
        case DT_REL: rel_ = value; break;
        case DT_JMPREL: jmprel_ = value; break;
        case DT_MIPS_SYMTABNO: if (eh_.machine == EM_MIPS) mipsSymtabno_ = value; break;
        default: break;
      }
    }
    return std::nullopt;
  }

  std::optional<SysError> StringTable() {
    std::optional<Located> where;
    if (strtab_) {
      auto located = Map(strtab_->first);
      if (!located) {
        return MalformedAt(kBad, strtab_->second, "DT_STRTAB address 0x%llx is not inside any loaded segment",
                    (unsigned long long)strtab_->first);
      }
      where = located;
      if (strsz_) where->avail = strsz_->first;
    } else if (const Shdr* dynsym = SectionOfType(SHT_DYNSYM)) {
      if (dynsym->link < shdrs_.size() && shdrs_[dynsym->link].type != SHT_NOBITS) {
        where = Located{shdrs_[dynsym->link].offset, shdrs_[dynsym->link].size};
      }
    }
    if (!where) return std::nullopt;  // strings are asked for later and fail with the referencing offset
    // Located, not read: each name is read by windows when asked for (a table may claim a gigabyte).
    if (!src_.Contains(where->offset, where->avail)) SP_CHECK(src_.Read(where->offset, where->avail, "dynamic string table").error());
    stringsAt_ = where->offset;
    stringsSize_ = where->avail;
    haveStrings_ = true;
    // Every symbol's name is asked for: one read beats a window per scattered name (libLLVM: 3 MiB).
    if (opt_.symbols && stringsSize_ <= kWholeStrings) {
      SP_TRY(bytes, src_.Read(stringsAt_, stringsSize_, "dynamic string table"));
      wholeStrings_ = bytes;
    }
    return std::nullopt;
  }

  // Exactly `size` (<= sizeof scratch_) bytes at `at`, valid until the next read.
  Result<const uint8_t*> Record(uint64_t at, uint64_t size, const char* what) {
    if (!src_.Contains(at, size)) return src_.Read(at, size, what).error();
    SP_TRY(first, src_.Peek(at, size, what));
    if (first.size == size) return first.data;
    for (uint64_t done = 0; done < size;) {  // the record straddles two windows
      SP_TRY(part, src_.Peek(at + done, size - done, what));
      std::memcpy(scratch_ + done, part.data, static_cast<size_t>(part.size));
      done += part.size;
    }
    return static_cast<const uint8_t*>(scratch_);
  }

  // The NUL-terminated name starting at `from`, which must end before `end` (unless `needNul` is false:
  // then the end also ends it), read window by window and at most kMaxName bytes long.
  Result<std::string> Name(uint64_t from, uint64_t end, bool needNul, uint64_t at, const char* what) {
    std::string name;
    for (uint64_t pos = from; pos < end;) {
      SP_TRY(view, src_.Peek(pos, end - pos, what));
      const void* nul = std::memchr(view.data, 0, static_cast<size_t>(view.size));
      const uint64_t length = nul ? static_cast<uint64_t>(static_cast<const uint8_t*>(nul) - view.data) : view.size;
      if (name.size() + length > kMaxName) {
        return MalformedAt(kTooLarge, at, "%s: the name at offset %llu is longer than %llu bytes (the limit)", what,
                           (unsigned long long)from, (unsigned long long)kMaxName);
      }
      if (!Spend(length, at)) return budgetError_;
      name.append(reinterpret_cast<const char*>(view.data), static_cast<size_t>(length));
      if (nul) return name;
      pos += view.size;
    }
    if (needNul) return MalformedAt(kBad, at, "%s: string at offset %llu is not terminated", what, (unsigned long long)(from - stringsAt_));
    return name;
  }

  // A string of the dynamic string table; `at` is the file offset of the field that referenced it.
  Result<std::string> Str(uint64_t index, uint64_t at, const char* what) {
    if (!haveStrings_) return MalformedAt(kBad, at, "%s: the file has no dynamic string table", what);
    if (index >= stringsSize_) {
      return MalformedAt(kBad, at, "%s: string offset %llu is outside the string table (%llu bytes)", what,
                  (unsigned long long)index, (unsigned long long)stringsSize_);
    }
    if (wholeStrings_.data == nullptr) return Name(stringsAt_ + index, stringsAt_ + stringsSize_, true, at, what);
    const char* start = reinterpret_cast<const char*>(wholeStrings_.data) + index;
    const void* nul = std::memchr(start, 0, static_cast<size_t>(stringsSize_ - index));
    if (!nul) return MalformedAt(kBad, at, "%s: string at offset %llu is not terminated", what, (unsigned long long)index);
    const size_t length = static_cast<size_t>(static_cast<const char*>(nul) - start);
    if (length > kMaxName) {
      return MalformedAt(kTooLarge, at, "%s: the name at offset %llu is longer than %llu bytes (the limit)", what,
                         (unsigned long long)index, (unsigned long long)kMaxName);
    }
    if (!Spend(length, at)) return budgetError_;
    return std::string(start, length);
  }

  // Every string copied out counts against a budget, so that many references to one long string
  // cannot exhaust memory.
  bool Spend(uint64_t bytes, uint64_t at) {
    if (budget_ == 0) {
      const uint64_t size = src_.Size();
      budget_ = (uint64_t(64) << 20) + (size < (uint64_t(224) << 20) ? size * 2 : (uint64_t(448) << 20));
    }
    if (bytes + 32 > budget_) {
      budgetError_ = MalformedAt(kBad, at, "string data referenced by the file exceeds %llu bytes", (unsigned long long)budget_);
      return false;
    }
    budget_ -= bytes + 32;
    return true;
  }

  std::optional<SysError> DynamicStrings() {
    for (const auto& [index, at] : neededAt_) {
      SP_TRY(text, Str(index, at, "DT_NEEDED"));
      out_.needed.push_back(std::move(text));
    }
    if (soname_) {
      SP_TRY(text, Str(soname_->first, soname_->second, "DT_SONAME"));
      out_.soname = std::move(text);
    }
    for (const auto& [index, at] : rpathAt_) {
      SP_TRY(text, Str(index, at, "DT_RPATH"));
      out_.rpath.push_back(std::move(text));
    }
    for (const auto& [index, at] : runpathAt_) {
      SP_TRY(text, Str(index, at, "DT_RUNPATH"));
      out_.runpath.push_back(std::move(text));
    }
    return std::nullopt;
  }

  // ---- the version lists: a region, a count, and entries that must lie inside the region ------------
  struct ListRegion {
    uint64_t start = 0, limit = 0, count = 0;
  };

  // Where a Verneed/Verdef list lives (DT tag, else its section), its end (the end of the segment or
  // section holding it) and how many entries it claims (DT_*NUM, else sh_info; unbounded when neither).
  Result<std::optional<ListRegion>> Region(const Tag& tag, const Tag& num, uint32_t sectionType, const char* what) {
    std::optional<Located> where;
    SP_CHECK(Locate(tag, sectionType, what, &where));
    if (!where) return std::optional<ListRegion>();
    const Shdr* section = opt_.crossCheck ? SectionOfType(sectionType) : nullptr;
    if (num && section && section->info != num->first) {
      Diagnose("%s: the dynamic table counts %llu entries, the section header %u", what, (unsigned long long)num->first, section->info);
    }
    ListRegion region;
    region.start = where->offset;
    if (AddOverflows(where->offset, where->avail, &region.limit)) return MalformedAt(kBad, where->offset, "%s: region overflows", what);
    region.count = num ? num->first : section ? section->info : UINT64_MAX;
    return std::optional<ListRegion>(region);
  }

  // The `size` bytes of a list entry at `at`, which must lie inside the list's region.
  Result<const uint8_t*> Entry(uint64_t at, uint64_t limit, uint64_t size, const char* what) {
    if (at > limit || limit - at < size) {
      return MalformedAt(src_.Contains(at, size) ? kBad : kTruncated, at, "%s lies outside its segment", what);
    }
    return Record(at, size, what);
  }

  // Both version lists have the same two-level form: entries linked by a relative `next` (0 ends the
  // list), each with `count` aux entries starting `aux` bytes after it, linked by their own `next`.
  struct ListForm {
    const char* entryName;
    uint64_t entrySize, auxFieldAt, nextFieldAt;  // the entry, where its aux and next fields are
    const char* auxName;
    uint64_t auxSize, auxNextFieldAt;             // an aux entry, where its next field is
  };
  struct Links {
    uint32_t aux = 0, count = 0, next = 0;
  };

  // Walks a list: head(bytes, at, &links) reads an entry, aux(bytes, at, j, &next) each aux entry,
  // end() closes the entry. Every `next` must advance past its entry, and the aux entries of all
  // entries together cannot outnumber what the region can hold (so entries sharing aux lists cannot
  // multiply the work).
  template <class Head, class Aux, class End>
  std::optional<SysError> WalkList(const ListRegion& region, const ListForm& form, Head head, Aux aux, End end) {
    uint64_t auxBudget = (region.limit - region.start) / form.auxSize;
    uint64_t at = region.start;
    for (uint64_t i = 0; i < region.count; ++i) {
      SP_TRY(raw, Entry(at, region.limit, form.entrySize, form.entryName));
      Links links;
      SP_CHECK(head(raw, at, &links));
      uint64_t auxAt = 0;
      if (AddOverflows(at, links.aux, &auxAt)) return MalformedAt(kBad, at + form.auxFieldAt, "%s: aux offset overflows", form.entryName);
      for (uint32_t j = 0; j < links.count; ++j) {
        if (auxBudget-- == 0) return MalformedAt(kBad, auxAt, "%s: more entries than the region can hold", form.auxName);
        SP_TRY(auxRaw, Entry(auxAt, region.limit, form.auxSize, form.auxName));
        uint32_t next = 0;
        SP_CHECK(aux(auxRaw, auxAt, j, &next));
        if (next == 0) {
          if (j + 1 < links.count) Diagnose("%s: the list ends after %u of %u entries", form.auxName, j + 1, links.count);
          break;
        }
        if (next < form.auxSize) return MalformedAt(kBad, auxAt + form.auxNextFieldAt, "%s: next %u does not advance past the entry", form.auxName, next);
        if (AddOverflows(auxAt, next, &auxAt)) return MalformedAt(kBad, auxAt + form.auxNextFieldAt, "%s: next overflows", form.auxName);
      }
      end();
      if (links.next == 0) {
        if (region.count != UINT64_MAX && i + 1 < region.count) {
          Diagnose("%s: the list ends after %llu of %llu entries", form.entryName, (unsigned long long)(i + 1), (unsigned long long)region.count);
        }
        break;
      }
      if (links.next < form.entrySize) return MalformedAt(kBad, at + form.nextFieldAt, "%s: next %u does not advance past the entry", form.entryName, links.next);
      if (AddOverflows(at, links.next, &at)) return MalformedAt(kBad, at + form.nextFieldAt, "%s: next overflows", form.entryName);
    }
    return std::nullopt;
  }

  // ---- version needs: Verneed list, each with its Vernaux list -------------------------------------
  std::optional<SysError> VersionNeeds() {
    SP_TRY(region, Region(verneed_, verneednum_, SHT_GNU_verneed, "version needs (DT_VERNEED)"));
    if (!region) return std::nullopt;
    static constexpr ListForm kForm{"version need entry", kVerneedSize, 8, 12, "version need aux entry", kVernauxSize, 12};
    VersionNeed need;
    return WalkList(
        *region, kForm,
        [&](const uint8_t* bytes, uint64_t at, Links* links) -> std::optional<SysError> {
          const Verneed vn = DecodeVerneed(d_, bytes);
          need = VersionNeed();
          need.version = vn.version;
          SP_TRY(file, Str(vn.file, at + 4, "vn_file"));
          need.file = std::move(file);
          *links = Links{vn.aux, vn.cnt, vn.next};
          return std::nullopt;
        },
        [&](const uint8_t* bytes, uint64_t at, uint32_t, uint32_t* next) -> std::optional<SysError> {
          const Vernaux vna = DecodeVernaux(d_, bytes);
          VersionNeedAux aux;
          aux.hash = vna.hash;
          aux.flags = vna.flags;
          aux.index = vna.other;
          SP_TRY(name, Str(vna.name, at + 8, "vna_name"));
          aux.name = std::move(name);
          need.versions.push_back(std::move(aux));
          *next = vna.next;
          return std::nullopt;
        },
        [&] { out_.versionNeeds.push_back(std::move(need)); });
  }

  // ---- version definitions: Verdef list, each with its Verdaux list (name, then parents) -----------
  std::optional<SysError> VersionDefs() {
    SP_TRY(region, Region(verdef_, verdefnum_, SHT_GNU_verdef, "version definitions (DT_VERDEF)"));
    if (!region) return std::nullopt;
    static constexpr ListForm kForm{"version definition", kVerdefSize, 12, 16, "version definition aux entry", kVerdauxSize, 4};
    VersionDef def;
    return WalkList(
        *region, kForm,
        [&](const uint8_t* bytes, uint64_t, Links* links) -> std::optional<SysError> {
          const Verdef vd = DecodeVerdef(d_, bytes);
          def = VersionDef();
          def.version = vd.version;
          def.flags = vd.flags;
          def.index = vd.ndx;
          def.hash = vd.hash;
          *links = Links{vd.aux, vd.cnt, vd.next};
          return std::nullopt;
        },
        [&](const uint8_t* bytes, uint64_t at, uint32_t j, uint32_t* next) -> std::optional<SysError> {
          const Verdaux vda = DecodeVerdaux(d_, bytes);
          SP_TRY(name, Str(vda.name, at, "vda_name"));
          if (j == 0) def.name = std::move(name); else def.parents.push_back(std::move(name));
          *next = vda.next;
          return std::nullopt;
        },
        [&] { out_.versionDefs.push_back(std::move(def)); });
  }

  // ---- dynamic symbols ----------------------------------------------------------------------------
  // The number of dynamic symbols: DT_HASH nchain, else the DT_GNU_HASH walk, else DT_MIPS_SYMTABNO.
  Result<std::optional<uint64_t>> SymbolCountFromHash() {
    const uint64_t hashEntry = (eh_.machine == 22 /* s390 */ || eh_.machine == 0x9026 /* alpha */) && d_.is64 ? 8 : 4;
    if (hash_) {
      auto where = Map(hash_->first);
      if (!where) return MalformedAt(kBad, hash_->second, "DT_HASH address is not inside any loaded segment");
      SP_TRY(raw, src_.Read(where->offset, 2 * hashEntry, "DT_HASH header"));
      return std::optional<uint64_t>(hashEntry == 8 ? d_.U64(raw.data + 8) : d_.U32(raw.data + 4));
    }
    if (gnuHash_) {
      auto where = Map(gnuHash_->first);
      if (!where) return MalformedAt(kBad, gnuHash_->second, "DT_GNU_HASH address is not inside any loaded segment");
      SP_TRY(head, src_.Read(where->offset, 16, "DT_GNU_HASH header"));
      const uint64_t nbuckets = d_.U32(head.data), symoffset = d_.U32(head.data + 4), bloomSize = d_.U32(head.data + 8);
      const uint64_t word = d_.is64 ? 8 : 4;
      if (!src_.Contains(where->offset, 16 + bloomSize * word)) {
        return MalformedAt(kTruncated, where->offset + 8, "DT_GNU_HASH bloom filter extends past the end of the input");
      }
      const uint64_t bucketsAt = where->offset + 16 + bloomSize * word;  // inside the input: checked above
      if (!src_.Contains(bucketsAt, nbuckets * 4)) SP_CHECK(src_.Read(bucketsAt, nbuckets * 4, "DT_GNU_HASH buckets").error());
      if (nbuckets > kMaxSymbols) {
        return MalformedAt(kTooLarge, where->offset, "DT_GNU_HASH: %llu buckets exceed the limit of %llu", (unsigned long long)nbuckets,
                           (unsigned long long)kMaxSymbols);
      }
      uint64_t maxBucket = 0;
      for (uint64_t i = 0; i < nbuckets;) {
        SP_TRY(part, src_.Peek(bucketsAt + i * 4, (nbuckets - i) * 4, "DT_GNU_HASH buckets"));
        const uint64_t words = part.size / 4;
        if (words == 0) {
          SP_TRY(raw, Record(bucketsAt + i * 4, 4, "DT_GNU_HASH bucket"));
          maxBucket = d_.U32(raw) > maxBucket ? d_.U32(raw) : maxBucket;
          ++i;
          continue;
        }
        for (uint64_t k = 0; k < words; ++k) {
          const uint64_t b = d_.U32(part.data + k * 4);
          if (b > maxBucket) maxBucket = b;
        }
        i += words;
      }
      // No hashed symbol: symoffset is only a lower bound (GNU ld on AArch64 writes 1 there while the
      // undefined symbols follow); the caller decides with the section header or the table layout.
      if (maxBucket < symoffset) {
        gnuHashLowerBound_ = true;
        return std::optional<uint64_t>(symoffset);
      }
      const uint64_t chainsAt = bucketsAt + nbuckets * 4;
      // Walk the last chain to its end marker (bit 0 set); bounded by the input.
      uint64_t index = maxBucket;
      for (;;) {
        const uint64_t entryAt = chainsAt + (index - symoffset) * 4;
        if (!src_.Contains(entryAt, 4) || entryAt < chainsAt) return MalformedAt(kTruncated, entryAt, "DT_GNU_HASH chain runs past the end of the input");
        if (index >= kMaxSymbols) {
          return MalformedAt(kTooLarge, entryAt, "DT_GNU_HASH: more than %llu symbols (the limit)", (unsigned long long)kMaxSymbols);
        }
        SP_TRY(entry, Record(entryAt, 4, "DT_GNU_HASH chain"));
        if (d_.U32(entry) & 1) break;
        ++index;
      }
      return std::optional<uint64_t>(index + 1);
    }
    if (mipsSymtabno_) return std::optional<uint64_t>(mipsSymtabno_->first);
    return std::optional<uint64_t>();
  }

  std::optional<SysError> Symbols() {
    std::optional<Located> where;
    SP_CHECK(Locate(symtab_, SHT_DYNSYM, "dynamic symbols (DT_SYMTAB)", &where));
    out_.symbolsRead = true;
    if (!where) return std::nullopt;
    const Shdr* section = SectionOfType(SHT_DYNSYM);
    uint64_t entsize = SymSize(d_.is64);
    if (syment_ && syment_->first != 0) {
      if (syment_->first < entsize) return MalformedAt(kBad, syment_->second, "DT_SYMENT %llu is smaller than a symbol", (unsigned long long)syment_->first);
      entsize = syment_->first;
    } else if (!symtab_ && section && section->entsize != 0) {
      if (section->entsize < entsize) return MalformedAt(kBad, eh_.shoff, ".dynsym sh_entsize %llu is smaller than a symbol", (unsigned long long)section->entsize);
      entsize = section->entsize;
    }
    SP_TRY(fromHash, SymbolCountFromHash());
    std::optional<uint64_t> fromSection;
    if (section && section->type != SHT_NOBITS) fromSection = section->size / (section->entsize ? section->entsize : SymSize(d_.is64));
    uint64_t count = 0;
    if (symtab_ && fromHash && gnuHashLowerBound_) {
      if (fromSection && *fromSection >= *fromHash) {
        count = *fromSection;
      } else {
        // Without section headers: the symbol table ends where the next table the dynamic section
        // points at begins (dynsym is followed by dynstr in every layout linkers produce).
        uint64_t end = UINT64_MAX;
        for (const Tag* tag : {&strtab_, &versym_, &verneed_, &verdef_, &hash_, &gnuHash_, &rela_, &rel_, &jmprel_}) {
          if (*tag && (*tag)->first > symtab_->first && (*tag)->first < end) end = (*tag)->first;
        }
        uint64_t estimate = end == UINT64_MAX ? 0 : (end - symtab_->first) / entsize;
        if (estimate > where->avail / entsize) estimate = where->avail / entsize;  // not past its segment
        count = estimate > *fromHash ? estimate : *fromHash;
        if (fromSection && *fromSection != count) {
          Diagnose("dynamic symbols: the table layout counts %llu, the section header %llu", (unsigned long long)count, (unsigned long long)*fromSection);
        }
      }
    } else if (symtab_ && fromHash) {
      count = *fromHash;
      if (fromSection && *fromSection != count) {
        Diagnose("dynamic symbols: the hash table counts %llu, the section header %llu", (unsigned long long)count, (unsigned long long)*fromSection);
      }
    } else if (fromSection) {
      count = *fromSection;
    } else {
      Diagnose("dynamic symbols: no hash table and no section header tells how many there are");
      return std::nullopt;
    }
    uint64_t bytes = 0;
    if (MulOverflows(count, entsize, &bytes) || !src_.Contains(where->offset, bytes)) {
      return MalformedAt(kTruncated, where->offset, "dynamic symbol table (%llu symbols) extends past the end of the input", (unsigned long long)count);
    }
    if (count > kMaxSymbols) {
      return MalformedAt(kTooLarge, where->offset, "dynamic symbol table: %llu symbols exceed the limit of %llu", (unsigned long long)count,
                         (unsigned long long)kMaxSymbols);
    }
    std::optional<Located> versymWhere;
    SP_CHECK(Locate(versym_, SHT_GNU_versym, "symbol versions (DT_VERSYM)", &versymWhere));
    if (versymWhere && !src_.Contains(versymWhere->offset, count * 2)) {
      SP_CHECK(src_.Read(versymWhere->offset, count * 2, "symbol version table").error());
    }
    // Version index -> the Verneed aux or Verdef that carries it.
    std::unordered_map<uint16_t, std::pair<const VersionNeed*, const VersionNeedAux*>> needByIndex;
    for (const auto& need : out_.versionNeeds) {
      for (const auto& aux : need.versions) needByIndex.emplace(static_cast<uint16_t>(aux.index & VERSYM_VERSION), std::make_pair(&need, &aux));
    }
    std::unordered_map<uint16_t, const VersionDef*> defByIndex;
    for (const auto& def : out_.versionDefs) defByIndex.emplace(static_cast<uint16_t>(def.index & VERSYM_VERSION), &def);

    out_.symbols.reserve(static_cast<size_t>(count));
    for (uint64_t i = 0; i < count; ++i) {
      const uint64_t at = where->offset + i * entsize;
      SP_TRY(bytes, Record(at, SymSize(d_.is64), "dynamic symbol"));
      const Sym raw = DecodeSym(d_, bytes);
      uint16_t vs = 0;
      if (versymWhere) {
        SP_TRY(entry, Record(versymWhere->offset + i * 2, 2, "symbol version"));
        vs = d_.U16(entry);
      }
      Symbol symbol;
      SP_TRY(name, Str(raw.name, at, "st_name"));
      symbol.name = std::move(name);
      symbol.value = raw.value;
      symbol.size = raw.size;
      symbol.type = raw.info & 0xf;
      symbol.binding = raw.info >> 4;
      symbol.visibility = raw.other & 0x3;
      symbol.shndx = raw.shndx;
      if (versymWhere) {
        symbol.hasVersion = true;
        symbol.versionIndex = vs & VERSYM_VERSION;
        symbol.hidden = (vs & VERSYM_HIDDEN) != 0;
        if (symbol.versionIndex >= 2) {
          const bool defined = raw.shndx != SHN_UNDEF;
          auto def = defined ? defByIndex.find(symbol.versionIndex) : defByIndex.end();
          if (def != defByIndex.end()) {
            if (!Spend(def->second->name.size(), at)) return budgetError_;
            symbol.version = def->second->name;
          } else if (auto need = needByIndex.find(symbol.versionIndex); need != needByIndex.end()) {
            if (!Spend(need->second.second->name.size() + need->second.first->file.size(), at)) return budgetError_;
            symbol.version = need->second.second->name;
            symbol.versionFile = need->second.first->file;
            symbol.versionWeak = need->second.second->weak();
          } else if (auto other = defByIndex.find(symbol.versionIndex); other != defByIndex.end()) {
            if (!Spend(other->second->name.size(), at)) return budgetError_;
            symbol.version = other->second->name;
          }
        }
      }
      out_.symbols.push_back(std::move(symbol));
    }
    return std::nullopt;
  }

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
  Tag soname_, strtab_, strsz_, symtab_, syment_, hash_, gnuHash_, versym_, verneed_, verneednum_, verdef_,
      verdefnum_, mipsSymtabno_, rela_, rel_, jmprel_;
  bool gnuHashLowerBound_ = false;
  uint64_t stringsAt_ = 0, stringsSize_ = 0;
  ByteView wholeStrings_;  // the string table, when read whole (symbols asked for)
  bool haveStrings_ = false;
  uint8_t scratch_[64] = {};
  uint64_t budget_ = 0;
  SysError budgetError_;
};

}  // namespace

Result<ElfFile> Parse(ByteSource& source, const ParseOptions& options) {
  Parser parser(source, options);
  auto result = parser.Run();
  if (!result.ok() && !result.error().code.empty()) {
    // The offset is a position in the input: a pointer that leads past the end fails at the end.
    const long long size = static_cast<long long>(source.Size());
    if (result.error().offset < 0 || result.error().offset > size) {
      SysError error = result.error();
      error.offset = size;
      return error;
    }
  }
  return result;
}

Result<ElfFile> ParseFile(const std::string& path, const ParseOptions& options) {
  auto opened = FileSource::Open(path);
  if (!opened.ok()) return opened.error();
  auto result = Parse(*opened.value(), options);
  if (!result.ok()) {
    SysError error = result.error();
    if (error.path.empty()) error.path = path;
    return error;
  }
  return result;
}

const char* MachineName(uint16_t machine, uint8_t elfClass, bool bigEndian) {
  const bool is64 = elfClass == 64;
  switch (machine) {
    case 2: return "sparc";
    case 3: return "i386";
    case 4: return "m68k";
    case 8: return is64 ? "mips64" : "mips";
    case 15: return "parisc";
    case 18: return "sparc32plus";
    case 20: return "ppc";
    case 21: return bigEndian ? "ppc64" : "ppc64le";
    case 22: return is64 ? "s390x" : "s390";
    case 40: return "arm";
    case 42: return "sh";
    case 43: return "sparc64";
    case 50: return "ia64";
    case 62: return is64 ? "x86_64" : "x32";
    case 183: return "aarch64";
    case 243: return is64 ? "riscv64" : "riscv32";
    case 258: return is64 ? "loongarch64" : "loongarch32";
    case 0x9026: return "alpha";
    default: return nullptr;
  }
}

const char* OsAbiName(uint8_t osabi) {
  switch (osabi) {
    case 0: return "sysv";
    case 1: return "hpux";
    case 2: return "netbsd";
    case 3: return "gnu";
    case 6: return "solaris";
    case 7: return "aix";
    case 8: return "irix";
    case 9: return "freebsd";
    case 12: return "openbsd";
    case 97: return "arm";
    case 255: return "standalone";
    default: return nullptr;
  }
}

const char* TypeName(uint16_t type) {
  switch (type) {
    case 0: return "none";
    case 1: return "rel";
    case 2: return "exec";
    case 3: return "dyn";
    case 4: return "core";
    default: return nullptr;
  }
}

const char* SymbolTypeName(uint8_t type) {
  static const char* const names[] = {"notype", "object", "func", "section", "file", "common", "tls"};
  if (type < 7) return names[type];
  if (type == 10) return "gnu_ifunc";
  return nullptr;
}

const char* SymbolBindingName(uint8_t binding) {
  switch (binding) {
    case 0: return "local";
    case 1: return "global";
    case 2: return "weak";
    case 10: return "gnu_unique";
    default: return nullptr;
  }
}

const char* SymbolVisibilityName(uint8_t visibility) {
  static const char* const names[] = {"default", "internal", "hidden", "protected"};
  return names[visibility & 3];
}

std::vector<std::string> FlagNames(std::optional<uint64_t> flags, std::optional<uint64_t> flags1) {
  static const char* const df[] = {"DF_ORIGIN", "DF_SYMBOLIC", "DF_TEXTREL", "DF_BIND_NOW", "DF_STATIC_TLS"};
  static const char* const df1[] = {"NOW", "GLOBAL", "GROUP", "NODELETE", "LOADFLTR", "INITFIRST", "NOOPEN",
                                    "ORIGIN", "DIRECT", "TRANS", "INTERPOSE", "NODEFLIB", "NODUMP", "CONFALT",
                                    "ENDFILTEE", "DISPRELDNE", "DISPRELPND", "NODIRECT", "IGNMULDEF", "NOKSYMS",
                                    "NOHDR", "EDITED", "NORELOC", "SYMINTPOSE", "GLOBAUDIT", "SINGLETON", "STUB",
                                    "PIE", "KMOD", "WEAKFILTER", "NOCOMMON"};
  std::vector<std::string> names;
  char buffer[40];
  if (flags) {
    for (unsigned bit = 0; bit < 64; ++bit) {
      if (!(*flags & (uint64_t(1) << bit))) continue;
      if (bit < 5) {
        names.emplace_back(df[bit]);
      } else {
        std::snprintf(buffer, sizeof(buffer), "DF_0x%llx", (unsigned long long)(uint64_t(1) << bit));
        names.emplace_back(buffer);
      }
    }
  }
  if (flags1) {
    for (unsigned bit = 0; bit < 64; ++bit) {
      if (!(*flags1 & (uint64_t(1) << bit))) continue;
      if (bit < 31) {
        names.emplace_back(std::string("DF_1_") + df1[bit]);
      } else {
        std::snprintf(buffer, sizeof(buffer), "DF_1_0x%llx", (unsigned long long)(uint64_t(1) << bit));
        names.emplace_back(buffer);
      }
    }
  }
  return names;
}

}  // namespace sysprobe::core::elf
