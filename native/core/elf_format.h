// ELF layout knowledge, in one place: constants, and decoders from raw bytes (either class, either byte
// order) into class-neutral 64-bit records. Callers make sure the bytes are there (kSize* below).
#pragma once

#include <cstdint>

namespace sysprobe::core::elf::format {

constexpr uint8_t kClass32 = 1, kClass64 = 2;
constexpr uint8_t kData2Lsb = 1, kData2Msb = 2;

constexpr uint32_t PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3;
constexpr uint32_t SHT_NOBITS = 8, SHT_DYNAMIC = 6, SHT_DYNSYM = 11;
constexpr uint32_t SHT_GNU_verdef = 0x6ffffffd, SHT_GNU_verneed = 0x6ffffffe, SHT_GNU_versym = 0x6fffffff;
constexpr uint64_t SHF_ALLOC = 2;
constexpr uint16_t PN_XNUM = 0xffff;
constexpr uint16_t SHN_UNDEF = 0, SHN_LORESERVE = 0xff00, SHN_XINDEX = 0xffff;

constexpr uint64_t DT_NULL = 0, DT_NEEDED = 1, DT_HASH = 4, DT_STRTAB = 5, DT_SYMTAB = 6, DT_RELA = 7, DT_STRSZ = 10, DT_SYMENT = 11,
                   DT_SONAME = 14, DT_RPATH = 15, DT_REL = 17, DT_JMPREL = 23, DT_RUNPATH = 29, DT_FLAGS = 30,
                   DT_GNU_HASH = 0x6ffffef5, DT_VERSYM = 0x6ffffff0, DT_FLAGS_1 = 0x6ffffffb, DT_VERDEF = 0x6ffffffc,
                   DT_VERDEFNUM = 0x6ffffffd, DT_VERNEED = 0x6ffffffe, DT_VERNEEDNUM = 0x6fffffff, DT_MIPS_SYMTABNO = 0x70000011;
constexpr uint16_t EM_MIPS = 8;

constexpr uint16_t VERSYM_HIDDEN = 0x8000, VERSYM_VERSION = 0x7fff;
constexpr uint16_t VER_FLG_BASE = 1, VER_FLG_WEAK = 2;

// Sizes of the records, per class.
constexpr uint64_t kIdentSize = 16;
constexpr uint64_t EhdrSize(bool is64) { return is64 ? 64 : 52; }
constexpr uint64_t PhdrSize(bool is64) { return is64 ? 56 : 32; }
constexpr uint64_t ShdrSize(bool is64) { return is64 ? 64 : 40; }
constexpr uint64_t DynSize(bool is64) { return is64 ? 16 : 8; }
constexpr uint64_t SymSize(bool is64) { return is64 ? 24 : 16; }
constexpr uint64_t kVerneedSize = 16, kVernauxSize = 16, kVerdefSize = 20, kVerdauxSize = 8;

struct Decoder {
  bool big = false;
  bool is64 = false;
  uint16_t U16(const uint8_t* p) const { return big ? uint16_t(uint16_t(p[0]) << 8 | p[1]) : uint16_t(uint16_t(p[1]) << 8 | p[0]); }
  uint32_t U32(const uint8_t* p) const {
    return big ? (uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3])
               : (uint32_t(p[3]) << 24 | uint32_t(p[2]) << 16 | uint32_t(p[1]) << 8 | p[0]);
  }
  uint64_t U64(const uint8_t* p) const { return big ? (uint64_t(U32(p)) << 32 | U32(p + 4)) : (uint64_t(U32(p + 4)) << 32 | U32(p)); }
  uint64_t Word(const uint8_t* p) const { return is64 ? U64(p) : U32(p); }  // Addr/Off/Xword by class
};

struct Ehdr {
  uint16_t type, machine;
  uint32_t version, flags;
  uint64_t entry, phoff, shoff;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
inline Ehdr DecodeEhdr(const Decoder& d, const uint8_t* p) {
  Ehdr e{};
  e.type = d.U16(p + 16);
  e.machine = d.U16(p + 18);
  e.version = d.U32(p + 20);
  if (d.is64) {
    e.entry = d.U64(p + 24);
    e.phoff = d.U64(p + 32);
    e.shoff = d.U64(p + 40);
    e.flags = d.U32(p + 48);
    e.ehsize = d.U16(p + 52);
    e.phentsize = d.U16(p + 54);
    e.phnum = d.U16(p + 56);
    e.shentsize = d.U16(p + 58);
    e.shnum = d.U16(p + 60);
    e.shstrndx = d.U16(p + 62);
  } else {
    e.entry = d.U32(p + 24);
    e.phoff = d.U32(p + 28);
    e.shoff = d.U32(p + 32);
    e.flags = d.U32(p + 36);
    e.ehsize = d.U16(p + 40);
    e.phentsize = d.U16(p + 42);
    e.phnum = d.U16(p + 44);
    e.shentsize = d.U16(p + 46);
    e.shnum = d.U16(p + 48);
    e.shstrndx = d.U16(p + 50);
  }
  return e;
}
// Offsets of Ehdr fields (for error offsets).
constexpr uint64_t EhdrPhoffAt(bool is64) { return is64 ? 32 : 28; }
constexpr uint64_t EhdrShoffAt(bool is64) { return is64 ? 40 : 32; }
constexpr uint64_t EhdrPhentsizeAt(bool is64) { return is64 ? 54 : 42; }
constexpr uint64_t EhdrShentsizeAt(bool is64) { return is64 ? 58 : 46; }

struct Phdr {
  uint32_t type, flags;
  uint64_t offset, vaddr, filesz, memsz;
};
inline Phdr DecodePhdr(const Decoder& d, const uint8_t* p) {
  Phdr h{};
  h.type = d.U32(p);
  if (d.is64) {
    h.flags = d.U32(p + 4);
    h.offset = d.U64(p + 8);
    h.vaddr = d.U64(p + 16);
    h.filesz = d.U64(p + 32);
    h.memsz = d.U64(p + 40);
  } else {
    h.offset = d.U32(p + 4);
    h.vaddr = d.U32(p + 8);
    h.filesz = d.U32(p + 16);
    h.memsz = d.U32(p + 20);
    h.flags = d.U32(p + 24);
  }
  return h;
}

struct Shdr {
  uint32_t name, type, link, info;
  uint64_t flags, addr, offset, size, entsize;
};
inline Shdr DecodeShdr(const Decoder& d, const uint8_t* p) {
  Shdr s{};
  s.name = d.U32(p);
  s.type = d.U32(p + 4);
  if (d.is64) {
    s.flags = d.U64(p + 8);
    s.addr = d.U64(p + 16);
    s.offset = d.U64(p + 24);
    s.size = d.U64(p + 32);
    s.link = d.U32(p + 40);
    s.info = d.U32(p + 44);
    s.entsize = d.U64(p + 56);
  } else {
    s.flags = d.U32(p + 8);
    s.addr = d.U32(p + 12);
    s.offset = d.U32(p + 16);
    s.size = d.U32(p + 20);
    s.link = d.U32(p + 24);
    s.info = d.U32(p + 28);
    s.entsize = d.U32(p + 36);
  }
  return s;
}

struct Dyn {
  uint64_t tag, val;
};
inline Dyn DecodeDyn(const Decoder& d, const uint8_t* p) {
  // d_tag is signed; read as unsigned of the class width (32-bit tags are not sign-extended: the
  // tags we know are all positive).
  return d.is64 ? Dyn{d.U64(p), d.U64(p + 8)} : Dyn{d.U32(p), d.U32(p + 4)};
}

struct Sym {
  uint32_t name;
  uint8_t info, other;
  uint16_t shndx;
  uint64_t value, size;
};
inline Sym DecodeSym(const Decoder& d, const uint8_t* p) {
  Sym s{};
  s.name = d.U32(p);
  if (d.is64) {
    s.info = p[4];
    s.other = p[5];
    s.shndx = d.U16(p + 6);
    s.value = d.U64(p + 8);
    s.size = d.U64(p + 16);
  } else {
    s.value = d.U32(p + 4);
    s.size = d.U32(p + 8);
    s.info = p[12];
    s.other = p[13];
    s.shndx = d.U16(p + 14);
  }
  return s;
}

struct Verneed {
  uint16_t version, cnt;
  uint32_t file, aux, next;
};
inline Verneed DecodeVerneed(const Decoder& d, const uint8_t* p) {
  return Verneed{d.U16(p), d.U16(p + 2), d.U32(p + 4), d.U32(p + 8), d.U32(p + 12)};
}
struct Vernaux {
  uint32_t hash;
  uint16_t flags, other;
  uint32_t name, next;
};
inline Vernaux DecodeVernaux(const Decoder& d, const uint8_t* p) {
  return Vernaux{d.U32(p), d.U16(p + 4), d.U16(p + 6), d.U32(p + 8), d.U32(p + 12)};
}
struct Verdef {
  uint16_t version, flags, ndx, cnt;
  uint32_t hash, aux, next;
};
inline Verdef DecodeVerdef(const Decoder& d, const uint8_t* p) {
  return Verdef{d.U16(p), d.U16(p + 2), d.U16(p + 4), d.U16(p + 6), d.U32(p + 8), d.U32(p + 12), d.U32(p + 16)};
}
struct Verdaux {
  uint32_t name, next;
};
inline Verdaux DecodeVerdaux(const Decoder& d, const uint8_t* p) { return Verdaux{d.U32(p), d.U32(p + 4)}; }

}  // namespace sysprobe::core::elf::format
