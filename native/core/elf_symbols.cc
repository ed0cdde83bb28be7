// The second half of the ELF parser (elf_parser.h): the version lists (Verneed, Verdef) and the dynamic
// symbols with their versions.
#include <unordered_map>

#include "elf_parser.h"

namespace sysprobe::core::elf::detail {

Result<std::optional<Parser::ListRegion>> Parser::Region(const Tag& tag, const Tag& num, uint32_t sectionType, const char* what) {
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

Result<const uint8_t*> Parser::Entry(uint64_t at, uint64_t limit, uint64_t size, const char* what) {
  if (at > limit || limit - at < size) {
    return MalformedAt(src_.Contains(at, size) ? kBad : kTruncated, at, "%s lies outside its segment", what);
  }
  return Record(at, size, what);
}

template <class Head, class Aux, class End>
std::optional<SysError> Parser::WalkList(const ListRegion& region, const ListForm& form, Head head, Aux aux, End end) {
  uint64_t auxBudget = (region.limit - region.start) / form.auxSize;
  uint64_t at = region.start;
  for (uint64_t i = 0; i < region.count; ++i) {
    SP_TRY(raw, Entry(at, region.limit, form.entrySize, form.entryName));
    Links links;
    SP_CHECK(head(raw, at, &links));
    uint64_t auxAt = 0;
    if (AddOverflows(at, links.aux, &auxAt))
      return MalformedAt(kBad, at + form.auxFieldAt, "%s: aux offset overflows", form.entryName);
    for (uint32_t j = 0; j < links.count; ++j) {
      if (auxBudget-- == 0) return MalformedAt(kBad, auxAt, "%s: more entries than the region can hold", form.auxName);
      SP_TRY(auxRaw, Entry(auxAt, region.limit, form.auxSize, form.auxName));
      uint32_t next = 0;
      SP_CHECK(aux(auxRaw, auxAt, j, &next));
      if (next == 0) {
        if (j + 1 < links.count) Diagnose("%s: the list ends after %u of %u entries", form.auxName, j + 1, links.count);
        break;
      }
      if (next < form.auxSize)
        return MalformedAt(kBad, auxAt + form.auxNextFieldAt, "%s: next %u does not advance past the entry", form.auxName, next);
      if (AddOverflows(auxAt, next, &auxAt)) return MalformedAt(kBad, auxAt + form.auxNextFieldAt, "%s: next overflows", form.auxName);
    }
    end();
    if (links.next == 0) {
      if (region.count != UINT64_MAX && i + 1 < region.count) {
        Diagnose("%s: the list ends after %llu of %llu entries", form.entryName, (unsigned long long)(i + 1),
                 (unsigned long long)region.count);
      }
      break;
    }
    if (links.next < form.entrySize)
      return MalformedAt(kBad, at + form.nextFieldAt, "%s: next %u does not advance past the entry", form.entryName, links.next);
    if (AddOverflows(at, links.next, &at)) return MalformedAt(kBad, at + form.nextFieldAt, "%s: next overflows", form.entryName);
  }
  return std::nullopt;
}

// ---- version needs: Verneed list, each with its Vernaux list -------------------------------------
std::optional<SysError> Parser::VersionNeeds() {
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
std::optional<SysError> Parser::VersionDefs() {
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
        if (j == 0) def.name = std::move(name);
        else
          def.parents.push_back(std::move(name));
        *next = vda.next;
        return std::nullopt;
      },
      [&] { out_.versionDefs.push_back(std::move(def)); });
}

// ---- dynamic symbols ----------------------------------------------------------------------------
Result<std::optional<uint64_t>> Parser::SymbolCountFromHash() {
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
      if (!src_.Contains(entryAt, 4) || entryAt < chainsAt)
        return MalformedAt(kTruncated, entryAt, "DT_GNU_HASH chain runs past the end of the input");
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

std::optional<SysError> Parser::Symbols() {
  std::optional<Located> where;
  SP_CHECK(Locate(symtab_, SHT_DYNSYM, "dynamic symbols (DT_SYMTAB)", &where));
  out_.symbolsRead = true;
  if (!where) return std::nullopt;
  const Shdr* section = SectionOfType(SHT_DYNSYM);
  uint64_t entsize = SymSize(d_.is64);
  if (syment_ && syment_->first != 0) {
    if (syment_->first < entsize)
      return MalformedAt(kBad, syment_->second, "DT_SYMENT %llu is smaller than a symbol", (unsigned long long)syment_->first);
    entsize = syment_->first;
  } else if (!symtab_ && section && section->entsize != 0) {
    if (section->entsize < entsize)
      return MalformedAt(kBad, eh_.shoff, ".dynsym sh_entsize %llu is smaller than a symbol", (unsigned long long)section->entsize);
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
        Diagnose("dynamic symbols: the table layout counts %llu, the section header %llu", (unsigned long long)count,
                 (unsigned long long)*fromSection);
      }
    }
  } else if (symtab_ && fromHash) {
    count = *fromHash;
    if (fromSection && *fromSection != count) {
      Diagnose("dynamic symbols: the hash table counts %llu, the section header %llu", (unsigned long long)count,
               (unsigned long long)*fromSection);
    }
  } else if (fromSection) {
    count = *fromSection;
  } else {
    Diagnose("dynamic symbols: no hash table and no section header tells how many there are");
    return std::nullopt;
  }
  uint64_t bytes = 0;
  if (MulOverflows(count, entsize, &bytes) || !src_.Contains(where->offset, bytes)) {
    return MalformedAt(kTruncated, where->offset, "dynamic symbol table (%llu symbols) extends past the end of the input",
                       (unsigned long long)count);
  }
  if (count > kMaxSymbols) {
    return MalformedAt(kTooLarge, where->offset, "dynamic symbol table: %llu symbols exceed the limit of %llu",
                       (unsigned long long)count, (unsigned long long)kMaxSymbols);
  }
  std::optional<Located> versymWhere;
  SP_CHECK(Locate(versym_, SHT_GNU_versym, "symbol versions (DT_VERSYM)", &versymWhere));
  if (versymWhere && !src_.Contains(versymWhere->offset, count * 2)) {
    SP_CHECK(src_.Read(versymWhere->offset, count * 2, "symbol version table").error());
  }
  // Version index -> the Verneed aux or Verdef that carries it.
  std::unordered_map<uint16_t, std::pair<const VersionNeed*, const VersionNeedAux*>> needByIndex;
  for (const auto& need : out_.versionNeeds) {
    for (const auto& aux : need.versions)
      needByIndex.emplace(static_cast<uint16_t>(aux.index & VERSYM_VERSION), std::make_pair(&need, &aux));
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

}  // namespace sysprobe::core::elf::detail
