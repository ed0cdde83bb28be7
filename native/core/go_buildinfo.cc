// Finding and decoding the blob, after Go's src/debug/buildinfo/buildinfo.go (Go 1.22's form: the search
// bounded by the data section or segment, a header that must fit in it). Each executable format gives the
// same two things: its segments (virtual address, file offset, size in the file: how addresses map to
// bytes) and where the blob is to be searched (DataStart).
#include "go_buildinfo.h"

#include <cstring>
#include <memory>
#include <utility>

#include "elf_format.h"

namespace sysprobe::core::gobuild {

namespace {

constexpr const char* kUnknownFormat = "ERR_SYSPROBE_UNKNOWN_FORMAT";
constexpr const char* kNotGo = "ERR_SYSPROBE_NOT_GO";
constexpr const char* kBad = "ERR_SYSPROBE_BAD_GO_BUILDINFO";
constexpr const char* kTooLarge = "ERR_SYSPROBE_TOO_LARGE";

constexpr uint8_t kMagic[14] = {0xff, ' ', 'G', 'o', ' ', 'b', 'u', 'i', 'l', 'd', 'i', 'n', 'f', ':'};
constexpr uint64_t kAlign = 16, kHeaderSize = 32;

#define GB_TRY(decl, expr)                               \
  auto decl##_result = (expr);                           \
  if (!decl##_result.ok()) return decl##_result.error(); \
  auto decl = std::move(decl##_result.value())

struct Segment {
  uint64_t vaddr = 0, offset = 0, filesz = 0;
  uint64_t memsz = 0;  // beyond filesz: zero-filled (.bss), not in the file
};

// An executable as the search needs it (Go's exe interface).
struct Exe {
  std::string format;
  std::vector<Segment> segments;
  uint64_t dataStart = 0, dataSize = 0;
};

// Where the bytes at a virtual address are: a file offset and how many bytes (at most `size`) the segment
// holding it has from there (Go's DataReader / ReadData). nullopt: no segment maps it.
struct Span {
  uint64_t offset = 0, length = 0;
};
std::optional<Span> Map(const Exe& exe, uint64_t addr, uint64_t size) {
  for (const Segment& s : exe.segments) {
    if (s.filesz == 0 || addr < s.vaddr || addr - s.vaddr >= s.filesz) continue;
    const uint64_t into = addr - s.vaddr, left = s.filesz - into;
    uint64_t offset = 0;
    if (__builtin_add_overflow(s.offset, into, &offset)) return std::nullopt;
    return Span{offset, left < size ? left : size};
  }
  return std::nullopt;
}

// Whether `size` bytes at `addr` lie in the zero-filled part of a segment (a variable never set: .bss).
bool ZeroFilled(const Exe& exe, uint64_t addr, uint64_t size) {
  for (const Segment& s : exe.segments) {
    if (addr < s.vaddr || s.memsz <= s.filesz) continue;
    const uint64_t into = addr - s.vaddr;
    if (into >= s.filesz && into < s.memsz && s.memsz - into >= size) return true;
  }
  return false;
}

struct Reader {
  bool big = false;
  uint16_t U16(const uint8_t* p) const { return big ? uint16_t(p[0] << 8 | p[1]) : uint16_t(p[1] << 8 | p[0]); }
  uint32_t U32(const uint8_t* p) const {
    return big ? (uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3])
               : (uint32_t(p[3]) << 24 | uint32_t(p[2]) << 16 | uint32_t(p[1]) << 8 | p[0]);
  }
  uint64_t U64(const uint8_t* p) const { return big ? (uint64_t(U32(p)) << 32 | U32(p + 4)) : (uint64_t(U32(p + 4)) << 32 | U32(p)); }
};

// ---- ELF: program headers map addresses; the section `.go.buildinfo`, else the first PT_LOAD that is
// writable and not executable, is searched.
Result<Exe> ElfExe(ByteSource& src) {
  namespace f = elf::format;
  GB_TRY(ident, src.Read(0, f::kIdentSize, "the ELF identification"));
  if ((ident.data[4] != f::kClass32 && ident.data[4] != f::kClass64) ||
      (ident.data[5] != f::kData2Lsb && ident.data[5] != f::kData2Msb)) {
    return MalformedAt(kUnknownFormat, 4, "an ELF file of unknown class %u or byte order %u", ident.data[4], ident.data[5]);
  }
  f::Decoder d;
  d.is64 = ident.data[4] == f::kClass64;
  d.big = ident.data[5] == f::kData2Msb;
  GB_TRY(header, src.Read(0, f::EhdrSize(d.is64), "the ELF header"));
  const f::Ehdr eh = f::DecodeEhdr(d, header.data);
  Exe exe;
  exe.format = "elf";
  if (eh.phnum > 0 && eh.phentsize < f::PhdrSize(d.is64)) {
    return MalformedAt(kUnknownFormat, f::EhdrPhentsizeAt(d.is64), "e_phentsize %u is too small", eh.phentsize);
  }
  std::optional<f::Phdr> dataLoad;
  for (uint64_t i = 0; i < eh.phnum; ++i) {
    const uint64_t at = eh.phoff + i * eh.phentsize;
    if (at < eh.phoff) return MalformedAt(kUnknownFormat, f::EhdrPhoffAt(d.is64), "program headers overflow");
    GB_TRY(bytes, src.Read(at, f::PhdrSize(d.is64), "a program header"));
    const f::Phdr ph = f::DecodePhdr(d, bytes.data);
    exe.segments.push_back(Segment{ph.vaddr, ph.offset, ph.filesz, ph.memsz});
    constexpr uint32_t PF_X = 1, PF_W = 2;
    if (!dataLoad && ph.type == f::PT_LOAD && (ph.flags & (PF_X | PF_W)) == PF_W) dataLoad = ph;
  }
  if (eh.shnum > 0 && eh.shoff != 0) {
    if (eh.shentsize < f::ShdrSize(d.is64)) {
      return MalformedAt(kUnknownFormat, f::EhdrShentsizeAt(d.is64), "e_shentsize %u is too small", eh.shentsize);
    }
    auto shdr = [&](uint64_t index) -> Result<f::Shdr> {
      const uint64_t at = eh.shoff + index * eh.shentsize;
      if (at < eh.shoff) return MalformedAt(kUnknownFormat, f::EhdrShoffAt(d.is64), "section headers overflow");
      GB_TRY(bytes, src.Read(at, f::ShdrSize(d.is64), "a section header"));
      return f::DecodeShdr(d, bytes.data);
    };
    std::optional<f::Shdr> names;
    if (eh.shstrndx < eh.shnum) {
      GB_TRY(strtab, shdr(eh.shstrndx));
      if (!src.Contains(strtab.offset, strtab.size)) {
        return MalformedAt("ERR_SYSPROBE_TRUNCATED", eh.shoff + uint64_t(eh.shstrndx) * eh.shentsize + (d.is64 ? 24 : 16),
                           "the section names (%llu bytes at offset %llu) extend past the end of the input",
                           (unsigned long long)strtab.size, (unsigned long long)strtab.offset);
      }
      names = strtab;
    }
    static const char kName[] = ".go.buildinfo";  // with its NUL
    for (uint64_t i = 0; names && i < eh.shnum && i < kMaxTables; ++i) {
      GB_TRY(s, shdr(i));
      if (s.name >= names->size || names->size - s.name < sizeof(kName)) continue;
      GB_TRY(name, src.Read(names->offset + s.name, sizeof(kName), "a section name"));
      if (std::memcmp(name.data, kName, sizeof(kName)) == 0) {
        exe.dataStart = s.addr;
        exe.dataSize = s.size;
        return exe;
      }
    }
  }
  if (dataLoad) {
    exe.dataStart = dataLoad->vaddr;
    exe.dataSize = dataLoad->memsz;
  }
  return exe;
}

// ---- PE: sections map addresses (relative to the image base); the first section that is initialized
// data, readable and writable (.data) is searched.
Result<Exe> PeExe(ByteSource& src) {
  Reader r;
  GB_TRY(dos, src.Read(0, 64, "the DOS header"));
  const uint64_t pe = r.U32(dos.data + 0x3c);
  GB_TRY(coff, src.Read(pe, 24, "the PE signature and COFF header"));
  if (std::memcmp(coff.data, "PE\0\0", 4) != 0) return MalformedAt(kUnknownFormat, pe, "no PE signature where e_lfanew points");
  const uint16_t sections = r.U16(coff.data + 6), optionalSize = r.U16(coff.data + 20);
  uint64_t imageBase = 0;
  if (optionalSize >= 2) {
    GB_TRY(optional, src.Read(pe + 24, optionalSize < 32 ? optionalSize : 32, "the PE optional header"));
    const uint16_t magic = r.U16(optional.data);
    if (magic == 0x10b && optional.size >= 32) imageBase = r.U32(optional.data + 28);
    else if (magic == 0x20b && optional.size >= 32)
      imageBase = r.U64(optional.data + 24);
    else if (magic != 0x10b && magic != 0x20b)
      return MalformedAt(kUnknownFormat, pe + 24, "unknown PE optional header magic 0x%x", magic);
  }
  Exe exe;
  exe.format = "pe";
  const uint64_t table = pe + 24 + optionalSize;
  bool found = false;
  for (uint64_t i = 0; i < sections; ++i) {
    GB_TRY(s, src.Read(table + i * 40, 40, "a PE section header"));
    const uint32_t virtualSize = r.U32(s.data + 8), va = r.U32(s.data + 12), rawSize = r.U32(s.data + 16), raw = r.U32(s.data + 20),
                   characteristics = r.U32(s.data + 36);
    exe.segments.push_back(Segment{imageBase + va, raw, rawSize, virtualSize});
    constexpr uint32_t kInitializedData = 0x40, kRead = 0x40000000, kWrite = 0x80000000, kAlign32 = 0x600000;
    if (!found && va != 0 && rawSize != 0 && (characteristics & ~kAlign32) == (kInitializedData | kRead | kWrite)) {
      exe.dataStart = imageBase + va;
      exe.dataSize = virtualSize;
      found = true;
    }
  }
  return exe;
}

// ---- Mach-O: segments (but __PAGEZERO) map addresses; the section __go_buildinfo, else the first
// non-empty segment with protections rw- (initial and maximum), is searched.
// `base`: where the Mach-O file starts (0, or a slice of a universal file); file offsets in it are relative to it.
Result<Exe> MachoExe(ByteSource& src, uint64_t base) {
  GB_TRY(start, src.Read(base, 4, "the Mach-O magic"));
  const uint8_t* magic = start.data;
  const uint32_t be = uint32_t(magic[0]) << 24 | uint32_t(magic[1]) << 16 | uint32_t(magic[2]) << 8 | magic[3];
  Reader r;
  bool is64 = false;
  if (be == 0xfeedface || be == 0xfeedfacf) r.big = true;
  else if (be != 0xcefaedfe && be != 0xcffaedfe)
    return MalformedAt(kUnknownFormat, base, "unknown Mach-O magic 0x%08x", be);
  is64 = be == 0xfeedfacf || be == 0xcffaedfe;
  const uint64_t headerSize = is64 ? 32 : 28;
  GB_TRY(header, src.Read(base, headerSize, "the Mach-O header"));
  const uint32_t ncmds = r.U32(header.data + 16), sizeofcmds = r.U32(header.data + 20);
  if (ncmds > kMaxTables)
    return MalformedAt(kTooLarge, 16, "%u Mach-O load commands (the limit is %llu)", ncmds, (unsigned long long)kMaxTables);
  Exe exe;
  exe.format = "macho";
  std::optional<Segment> rw;
  uint64_t rwSize = 0;
  bool named = false;
  uint64_t at = base + headerSize;
  const uint64_t end = at + sizeofcmds;
  for (uint32_t i = 0; i < ncmds; ++i) {
    if (end - at < 8 || at > end) return MalformedAt(kUnknownFormat, at, "load command %u runs past sizeofcmds", i);
    GB_TRY(head, src.Read(at, 8, "a Mach-O load command"));
    const uint32_t cmd = r.U32(head.data), cmdsize = r.U32(head.data + 4);
    if (cmdsize < 8 || cmdsize > end - at) return MalformedAt(kUnknownFormat, at + 4, "load command %u has size %u", i, cmdsize);
    constexpr uint32_t LC_SEGMENT = 0x1, LC_SEGMENT_64 = 0x19;
    if (cmd == LC_SEGMENT || cmd == LC_SEGMENT_64) {
      const bool seg64 = cmd == LC_SEGMENT_64;
      const uint64_t fixed = seg64 ? 72 : 56, sectSize = seg64 ? 80 : 68;
      if (cmdsize < fixed) return MalformedAt(kUnknownFormat, at + 4, "segment command of %u bytes", cmdsize);
      GB_TRY(seg, src.Read(at, fixed, "a Mach-O segment command"));
      const uint8_t* p = seg.data;
      const bool pageZero = std::memcmp(p + 8, "__PAGEZERO\0", 11) == 0;
      const uint64_t vmaddr = seg64 ? r.U64(p + 24) : r.U32(p + 24), vmsize = seg64 ? r.U64(p + 32) : r.U32(p + 28);
      const uint64_t fileoff = seg64 ? r.U64(p + 40) : r.U32(p + 32), filesize = seg64 ? r.U64(p + 48) : r.U32(p + 36);
      const uint32_t maxprot = r.U32(p + (seg64 ? 56 : 40)), initprot = r.U32(p + (seg64 ? 60 : 44)),
                     nsects = r.U32(p + (seg64 ? 64 : 48));
      if (nsects > (cmdsize - fixed) / sectSize)
        return MalformedAt(kUnknownFormat, at + (seg64 ? 64 : 48), "%u sections do not fit", nsects);
      uint64_t offset = 0;
      if (__builtin_add_overflow(base, fileoff, &offset))
        return MalformedAt(kUnknownFormat, at, "a segment's file offset wraps around");
      if (!pageZero) exe.segments.push_back(Segment{vmaddr, offset, filesize, vmsize});
      if (!rw && vmaddr != 0 && filesize != 0 && initprot == 3 && maxprot == 3) {
        rw = Segment{vmaddr, offset, filesize, vmsize};
        rwSize = vmsize;
      }
      for (uint32_t k = 0; k < nsects && !named; ++k) {
        GB_TRY(sect, src.Read(at + fixed + k * sectSize, sectSize, "a Mach-O section"));
        if (std::memcmp(sect.data, "__go_buildinfo\0", 15) != 0) continue;
        exe.dataStart = seg64 ? r.U64(sect.data + 32) : r.U32(sect.data + 32);
        exe.dataSize = seg64 ? r.U64(sect.data + 40) : r.U32(sect.data + 36);
        named = true;
      }
    }
    at += cmdsize;
  }
  if (!named && rw) {
    exe.dataStart = rw->vaddr;
    exe.dataSize = rwSize;
  }
  return exe;
}

Result<Exe> Identify(ByteSource& src) {
  if (src.Size() < 16) return MalformedAt(kUnknownFormat, 0, "%llu bytes: not an executable", (unsigned long long)src.Size());
  GB_TRY(ident, src.Read(0, 16, "the file's first bytes"));
  const uint8_t* p = ident.data;
  if (std::memcmp(p,
                  "\x7f"
                  "ELF",
                  4) == 0)
    return ElfExe(src);
  if (p[0] == 'M' && p[1] == 'Z') return PeExe(src);
  if (std::memcmp(p, "\xfe\xed\xfa", 3) == 0 || std::memcmp(p + 1, "\xfa\xed\xfe", 3) == 0) return MachoExe(src, 0);
  // A universal (fat) Mach-O file: its first architecture, as Go 1.22's reader takes it.
  if (std::memcmp(p, "\xca\xfe\xba\xbe", 4) == 0 || std::memcmp(p, "\xca\xfe\xba\xbf", 4) == 0) {
    Reader be;
    be.big = true;
    if (be.U32(p + 4) == 0) return MalformedAt(kUnknownFormat, 4, "a universal Mach-O file without architectures");
    const bool fat64 = p[3] == 0xbf;
    GB_TRY(arch, src.Read(8, fat64 ? 32 : 20, "the first architecture of a universal Mach-O file"));
    return MachoExe(src, fat64 ? be.U64(arch.data + 8) : be.U32(arch.data + 8));
  }
  return MalformedAt(kUnknownFormat, 0, "not an ELF, PE or Mach-O executable");
}

SysError NotFound(const Exe& exe) {
  return MalformedAt(kNotGo, 0, "no Go build info (no \"\\xff Go buildinf:\" in the %s data section)", exe.format.c_str());
}

// The first 16-byte aligned magic in [start, start + size) with a whole header before the end.
Result<uint64_t> SearchMagic(ByteSource& src, const Exe& exe) {
  uint64_t end = 0;
  if (__builtin_add_overflow(exe.dataStart, exe.dataSize, &end))
    return MalformedAt(kUnknownFormat, 0, "the data section wraps around");
  uint64_t pos = (exe.dataStart + kAlign - 1) & ~(kAlign - 1);
  if (pos < exe.dataStart) return MalformedAt(kNotGo, 0, "no Go build info");
  if (end - exe.dataStart > kMaxSearch) end = exe.dataStart + kMaxSearch;
  while (pos < end && end - pos >= kHeaderSize) {
    const auto span = Map(exe, pos, end - pos);
    if (!span) break;
    uint64_t k = 0;
    while (k < span->length && span->length - k >= sizeof(kMagic) && end - (pos + k) >= kHeaderSize) {
      const uint64_t want = span->length - k < 65536 ? span->length - k : 65536;
      GB_TRY(view, src.Peek(span->offset + k, want, "the data searched for Go build info"));
      if (view.size >= sizeof(kMagic)) {
        uint64_t j = 0;
        for (; j + sizeof(kMagic) <= view.size; j += kAlign) {
          if (end - (pos + k + j) < kHeaderSize) return NotFound(exe);
          if (std::memcmp(view.data + j, kMagic, sizeof(kMagic)) == 0) return pos + k + j;
        }
        k += j;
      } else {
        // The window ends inside this candidate: gather its bytes piece by piece.
        uint8_t bytes[sizeof(kMagic)];
        for (uint64_t got = 0; got < sizeof(kMagic);) {
          GB_TRY(piece, src.Peek(span->offset + k + got, sizeof(kMagic) - got, "the data searched for Go build info"));
          std::memcpy(bytes + got, piece.data, piece.size);
          got += piece.size;
        }
        if (std::memcmp(bytes, kMagic, sizeof(kMagic)) == 0) return pos + k;
        k += kAlign;
      }
    }
    uint64_t next = pos + ((span->length + kAlign - 1) & ~(kAlign - 1));
    if (next <= pos) break;
    pos = next;
  }
  return NotFound(exe);
}

// `length` bytes at the address (within one segment), as a string.
Result<std::string> Bytes(ByteSource& src, const Exe& exe, uint64_t addr, uint64_t length, uint64_t at, const char* what) {
  if (length == 0) return std::string();
  if (length > kMaxString) {
    return MalformedAt(kTooLarge, at, "%s of %llu bytes (the limit is %llu)", what, (unsigned long long)length,
                       (unsigned long long)kMaxString);
  }
  const auto span = Map(exe, addr, length);
  if (!span) return MalformedAt(kBad, at, "%s at address 0x%llx is not in the file", what, (unsigned long long)addr);
  if (span->length < length) return MalformedAt(kBad, at, "%s runs past the end of its segment", what);
  GB_TRY(bytes, src.Read(span->offset, length, what));
  return std::string(reinterpret_cast<const char*>(bytes.data), length);
}

// A varint-length-prefixed string at `addr` (the format since Go 1.18); `*next` is the address after it.
Result<std::string> InlineString(ByteSource& src, const Exe& exe, uint64_t addr, uint64_t* next, const char* what) {
  const auto span = Map(exe, addr, 10);
  if (!span) return MalformedAt(kBad, 0, "the length of %s is not in the file", what);
  GB_TRY(view, src.Read(span->offset, span->length, what));
  uint64_t length = 0;
  unsigned shift = 0, n = 0;
  for (;; ++n) {
    if (n >= view.size) return MalformedAt(kBad, span->offset, "the length of %s is cut short", what);
    const uint8_t b = view.data[n];
    if (n == 9 && b > 1) return MalformedAt(kBad, span->offset, "the length of %s overflows", what);
    length |= uint64_t(b & 0x7f) << shift;
    shift += 7;
    if (b < 0x80) break;
  }
  ++n;
  GB_TRY(text, Bytes(src, exe, addr + n, length, span->offset, what));
  *next = addr + n + length;
  return text;
}

// A Go string header (pointer, length) at `addr` (before Go 1.18), and the string it points at.
Result<std::string> PointedString(ByteSource& src, const Exe& exe, uint64_t addr, uint8_t ptrSize, const Reader& r, uint64_t at,
                                  const char* what) {
  const auto span = Map(exe, addr, 2u * ptrSize);
  // An empty string variable (runtime.modinfo of a build without modules) lives in .bss.
  if (!span && ZeroFilled(exe, addr, 2u * ptrSize)) return std::string();
  if (!span || span->length < 2u * ptrSize) {
    return MalformedAt(kBad, at, "the string header of %s at address 0x%llx is not in the file", what, (unsigned long long)addr);
  }
  GB_TRY(header, src.Read(span->offset, 2u * ptrSize, what));
  const uint64_t data = ptrSize == 8 ? r.U64(header.data) : r.U32(header.data);
  const uint64_t length = ptrSize == 8 ? r.U64(header.data + 8) : r.U32(header.data + 4);
  return Bytes(src, exe, data, length, span->offset, what);
}

}  // namespace

static Result<BuildInfo> ReadBlob(ByteSource& src) {
  GB_TRY(exe, Identify(src));
  if (exe.dataSize == 0) return MalformedAt(kNotGo, 0, "no Go build info (no data section)");
  GB_TRY(addr, SearchMagic(src, exe));
  const auto span = Map(exe, addr, kHeaderSize);
  if (!span || span->length < kHeaderSize) return MalformedAt(kNotGo, 0, "the Go build info header is cut short");
  GB_TRY(header, src.Read(span->offset, kHeaderSize, "the Go build info header"));
  BuildInfo info;
  info.format = exe.format;
  info.headerOffset = span->offset;
  info.ptrSize = header.data[14];
  const uint8_t flags = header.data[15];
  info.bigEndian = (flags & 1) != 0;
  info.inlineStrings = (flags & 2) != 0;
  if (info.ptrSize != 4 && info.ptrSize != 8) {
    return MalformedAt(kBad, span->offset + 14, "the Go build info header gives a pointer size of %u", info.ptrSize);
  }
  std::string mod;
  uint64_t modAt = 0;
  if (info.inlineStrings) {
    uint64_t next = 0;
    GB_TRY(version, InlineString(src, exe, addr + kHeaderSize, &next, "the Go version"));
    info.goVersion = std::move(version);
    const auto modSpan = Map(exe, next, 1);
    modAt = modSpan ? modSpan->offset : 0;
    GB_TRY(text, InlineString(src, exe, next, &next, "the module info"));
    mod = std::move(text);
  } else {
    Reader r;
    r.big = info.bigEndian;
    const uint8_t* p = header.data + 16;
    const uint64_t versionAt = info.ptrSize == 8 ? r.U64(p) : r.U32(p);
    const uint64_t modinfoAt = info.ptrSize == 8 ? r.U64(p + 8) : r.U32(p + 4);
    GB_TRY(version, PointedString(src, exe, versionAt, info.ptrSize, r, span->offset + 16, "the Go version"));
    info.goVersion = std::move(version);
    GB_TRY(text, PointedString(src, exe, modinfoAt, info.ptrSize, r, span->offset + 16 + info.ptrSize, "the module info"));
    mod = std::move(text);
  }
  if (info.goVersion.empty()) return MalformedAt(kNotGo, span->offset, "the Go build info has no Go version");
  // The module info is framed by 16-byte sentinels (cmd/go/internal/modload infoStart, infoEnd).
  if (mod.size() >= 33 && mod[mod.size() - 17] == '\n') {
    mod = mod.substr(16, mod.size() - 32);
    modAt += 16;
  } else {
    mod.clear();
  }
  if (auto error = ParseModInfo(mod, modAt, &info)) return *error;
  return info;
}

Result<BuildInfo> Read(ByteSource& src) {
  auto info = ReadBlob(src);
  // A file offset taken from the file may be anywhere in 64 bits; past the input, the error says where it ends.
  if (!info.ok() && info.error().offset < 0) {
    SysError error = info.error();
    error.offset = static_cast<long long>(src.Size());
    return error;
  }
  return info;
}

Result<BuildInfo> ReadFile(const std::string& path) {
  auto source = FileSource::Open(path);
  if (!source.ok()) return source.error();
  auto info = Read(*source.value());
  if (!info.ok()) {
    SysError error = info.error();
    if (error.path.empty()) error.path = path;
    return error;
  }
  return info;
}

}  // namespace sysprobe::core::gobuild
