#include "elf.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "elf_parser.h"

namespace sysprobe::core::elf {

namespace detail {

Result<ElfFile> Parser::Run() {
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

// ---- header ------------------------------------------------------------------------------------
std::optional<SysError> Parser::Header() {
  const uint64_t size = src_.Size();
  if (size == 0) return MalformedAt(kNotElf, 0, "empty file: not an ELF file");
  const uint64_t identLength = size < kIdentSize ? size : kIdentSize;
  SP_TRY(ident, src_.Read(0, identLength, "ELF identification"));
  if (ident.size < 4 || std::memcmp(ident.data, "\177ELF", 4) != 0) {
    return MalformedAt(kNotElf, 0, "not an ELF file (no \\177ELF magic)");
  }
  if (ident.size < kIdentSize)
    return MalformedAt(kTruncated, 0, "ELF identification truncated (%llu bytes)", (unsigned long long)size);
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
void Parser::Diagnose(const char* fmt, ...) {
  if (out_.diagnostics.size() >= 32) return;
  char message[256];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(message, sizeof(message), fmt, args);
  va_end(args);
  out_.diagnostics.emplace_back(message);
}

void Parser::LoadSections() {
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

const Shdr* Parser::SectionOfType(uint32_t type) {
  LoadSections();
  for (const auto& s : shdrs_) {
    if (s.type == type) return &s;
  }
  return nullptr;
}

// ---- program headers -----------------------------------------------------------------------------
std::optional<SysError> Parser::ProgramHeaders() {
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

std::optional<Located> Parser::Map(uint64_t addr) {
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

std::optional<SysError> Parser::Locate(const std::optional<std::pair<uint64_t, uint64_t>>& tag, uint32_t sectionType, const char* what,
                                       std::optional<Located>* result) {
  const Shdr* section = opt_.crossCheck || !tag ? SectionOfType(sectionType) : nullptr;
  if (tag) {
    auto located = Map(tag->first);
    if (!located) {
      return MalformedAt(kBad, tag->second, "%s address 0x%llx is not inside any loaded segment", what,
                         (unsigned long long)tag->first);
    }
    if (section && section->type != SHT_NOBITS && section->offset != located->offset) {
      Diagnose("%s: the dynamic table says offset %llu, the section header %llu", what, (unsigned long long)located->offset,
               (unsigned long long)section->offset);
    }
    *result = located;
  } else if (section && section->type != SHT_NOBITS) {
    if (out_.dynamicSource == "program-headers") Diagnose("%s: only the section headers know it", what);
    *result = Located{section->offset, section->size};
  }
  return std::nullopt;
}

// ---- dynamic table -------------------------------------------------------------------------------
std::optional<SysError> Parser::Dynamic() {
  Located where;
  if (dynamicPh_) {
    where = Located{dynamicPh_->offset, dynamicPh_->filesz};
    out_.dynamicSource = "program-headers";
    if (opt_.crossCheck) {
      const Shdr* section = SectionOfType(SHT_DYNAMIC);
      if (section && section->offset != where.offset) {
        Diagnose("dynamic table: PT_DYNAMIC says offset %llu, the section header %llu", (unsigned long long)where.offset,
                 (unsigned long long)section->offset);
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
      return MalformedAt(kTooLarge, at, "dynamic table: more than %llu entries before DT_NULL (the limit)",
                         (unsigned long long)kMaxDynamicEntries);
    }
    SP_TRY(raw, Record(at, entsize, "dynamic entry"));
    const Dyn dyn = DecodeDyn(d_, raw);
    const auto value = std::make_pair(dyn.val, at + entsize / 2);
    switch (dyn.tag) {
      case DT_NULL: return std::nullopt;
      case DT_NEEDED: neededAt_.push_back(value); break;
      case DT_SONAME:
        if (!soname_) soname_ = value;
        break;
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
      case DT_MIPS_SYMTABNO:
        if (eh_.machine == EM_MIPS) mipsSymtabno_ = value;
        break;
      default: break;
    }
  }
  return std::nullopt;
}

std::optional<SysError> Parser::StringTable() {
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

Result<const uint8_t*> Parser::Record(uint64_t at, uint64_t size, const char* what) {
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

Result<std::string> Parser::Name(uint64_t from, uint64_t end, bool needNul, uint64_t at, const char* what) {
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
  if (needNul)
    return MalformedAt(kBad, at, "%s: string at offset %llu is not terminated", what, (unsigned long long)(from - stringsAt_));
  return name;
}

Result<std::string> Parser::Str(uint64_t index, uint64_t at, const char* what) {
  if (!haveStrings_) return MalformedAt(kBad, at, "%s: the file has no dynamic string table", what);
  if (index >= stringsSize_) {
    return MalformedAt(kBad, at, "%s: string offset %llu is outside the string table (%llu bytes)", what, (unsigned long long)index,
                       (unsigned long long)stringsSize_);
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

bool Parser::Spend(uint64_t bytes, uint64_t at) {
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

std::optional<SysError> Parser::DynamicStrings() {
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

}  // namespace detail

Result<ElfFile> Parse(ByteSource& source, const ParseOptions& options) {
  detail::Parser parser(source, options);
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

}  // namespace sysprobe::core::elf
