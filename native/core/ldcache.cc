#include "ldcache.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>

#include "elf_format.h"

namespace sysprobe::core::ldcache {

namespace {

using elf::format::Decoder;

constexpr const char* kBad = "ERR_SYSPROBE_BAD_LDCACHE";
constexpr const char* kTruncated = "ERR_SYSPROBE_TRUNCATED";

constexpr char kOldMagic[] = "ld.so-1.7.0";           // 11 bytes, then uint32 nlibs at offset 12
constexpr char kNewMagic[] = "glibc-ld.so.cache1.1";  // 20 bytes
constexpr uint64_t kOldHeader = 16, kOldEntry = 12;
constexpr uint64_t kNewHeader = 48, kNewEntry = 24;
constexpr uint32_t kExtensionMagic = 0xEAA42174u;  // (uint32_t) -358342284
constexpr uint64_t kHwcapExtension = uint64_t(1) << 62;
constexpr uint64_t kIsaLevelMask = 0x3ff;

#define SP_TRY(decl, expr)                               \
  auto decl##_result = (expr);                           \
  if (!decl##_result.ok()) return decl##_result.error(); \
  auto decl = std::move(decl##_result.value())

// A NUL-terminated string at base + index, inside [base, end): glibc only checks index < size.
Result<std::string> StringAt(ByteSource& src, uint64_t base, uint64_t end, uint64_t index, const char* what) {
  uint64_t at = 0;
  if (__builtin_add_overflow(base, index, &at) || at >= end) {
    return MalformedAt(kBad, at, "%s: string index %llu outside the string table", what, (unsigned long long)index);
  }
  // Read up to 4 KiB at a time until the NUL.
  std::string out;
  while (at < end) {
    const uint64_t chunk = end - at < 4096 ? end - at : 4096;
    SP_TRY(view, src.Read(at, chunk, what));
    const void* nul = std::memchr(view.data, 0, view.size);
    if (nul != nullptr) {
      out.append(reinterpret_cast<const char*>(view.data), static_cast<const uint8_t*>(nul) - view.data);
      return out;
    }
    out.append(reinterpret_cast<const char*>(view.data), view.size);
    at += chunk;
  }
  return MalformedAt(kBad, base + index, "%s: string not terminated inside the file", what);
}

class Parser {
 public:
  explicit Parser(ByteSource& src) : src_(src) {}

  Result<Cache> Run() {
    const uint64_t size = src_.Size();
    const uint64_t headLength = size < 20 ? size : 20;
    SP_TRY(head, src_.Read(0, headLength, "cache header"));
    if (head.size >= 20 && std::memcmp(head.data, kNewMagic, 20) == 0) {
      out_.format = "new";
      auto error = New(0);
      if (error) return *error;
      return std::move(out_);
    }
    if (head.size >= 11 && std::memcmp(head.data, kOldMagic, 11) == 0) {
      auto error = Old();
      if (error) return *error;
      return std::move(out_);
    }
    return MalformedAt(kBad, 0, "not an ld.so cache (neither \"ld.so-1.7.0\" nor \"glibc-ld.so.cache1.1\")");
  }

 private:
  std::optional<SysError> Old() {
    const uint64_t size = src_.Size();
    if (size < kOldHeader) return MalformedAt(kTruncated, 0, "old cache header truncated (%llu bytes)", (unsigned long long)size);
    // The old format has no byte-order mark: a compat file's new header tells; otherwise host order (LE
    // is assumed and checked below against the compat part).
    SP_TRY(raw, src_.Read(12, 4, "old cache nlibs"));
    uint8_t nlibsBytes[4];
    std::memcpy(nlibsBytes, raw.data, 4);
    // Try both byte orders for the embedded new header; the one that finds it decides.
    for (bool big : {false, true}) {
      Decoder d{big, false};
      const uint64_t nlibs = d.U32(nlibsBytes);
      if (nlibs > (size - kOldHeader) / kOldEntry) continue;
      const uint64_t offset = Align(kOldHeader + nlibs * kOldEntry);
      if (offset + kNewHeader <= size) {
        SP_TRY(magic, src_.Read(offset, 20, "compat new header"));
        if (std::memcmp(magic.data, kNewMagic, 20) == 0) {
          // Alignment: 8 on LP64 ABIs, 4 on i386; try the other when 8 finds nothing (below).
          out_.format = "compat";
          auto error = New(offset);
          if (error) return error;
          return OldEntries(d, nlibs, size);
        }
      }
      const uint64_t offset4 = (kOldHeader + nlibs * kOldEntry + 3) & ~uint64_t(3);
      if (offset4 != offset && offset4 + kNewHeader <= size) {
        SP_TRY(magic, src_.Read(offset4, 20, "compat new header"));
        if (std::memcmp(magic.data, kNewMagic, 20) == 0) {
          out_.format = "compat";
          auto error = New(offset4);
          if (error) return error;
          return OldEntries(d, nlibs, size);
        }
      }
    }
    // Old format only: little-endian unless the count only fits big-endian.
    Decoder d{false, false};
    uint64_t nlibs = d.U32(nlibsBytes);
    if (nlibs > (size - kOldHeader) / kOldEntry) {
      d.big = true;
      nlibs = d.U32(nlibsBytes);
      if (nlibs > (size - kOldHeader) / kOldEntry) {
        return MalformedAt(kBad, 12, "old cache: %u entries do not fit in %llu bytes", Decoder{false, false}.U32(nlibsBytes),
                           (unsigned long long)size);
      }
    }
    out_.format = "old";
    out_.bigEndian = d.big;
    auto error = OldEntries(d, nlibs, size);
    if (error) return error;
    out_.entries = out_.oldEntries;
    return std::nullopt;
  }

  static uint64_t Align(uint64_t value) { return (value + 7) & ~uint64_t(7); }

  std::optional<SysError> OldEntries(const Decoder& d, uint64_t nlibs, uint64_t size) {
    const uint64_t strings = kOldHeader + nlibs * kOldEntry;  // &libs[nlibs]: old string offsets start here
    for (uint64_t i = 0; i < nlibs; ++i) {
      const uint64_t at = kOldHeader + i * kOldEntry;
      SP_TRY(raw, src_.Read(at, kOldEntry, "old cache entry"));
      Entry entry;
      entry.flags = static_cast<int32_t>(d.U32(raw.data));
      const uint32_t key = d.U32(raw.data + 4), value = d.U32(raw.data + 8);
      SP_TRY(k, StringAt(src_, strings, size, key, "old cache key"));
      SP_TRY(v, StringAt(src_, strings, size, value, "old cache value"));
      entry.key = std::move(k);
      entry.value = std::move(v);
      out_.oldEntries.push_back(std::move(entry));
    }
    return std::nullopt;
  }

  // The new-format table whose header starts at `base` (0, or inside a compat file).
  std::optional<SysError> New(uint64_t base) {
    const uint64_t size = src_.Size();
    if (size - base < kNewHeader) return MalformedAt(kTruncated, base, "new cache header truncated");
    SP_TRY(raw, src_.Read(base, kNewHeader, "new cache header"));
    uint8_t header[kNewHeader];
    std::memcpy(header, raw.data, kNewHeader);
    const uint8_t flags = header[28];
    out_.endianFlag = flags & 3;
    if (out_.endianFlag == 1) return MalformedAt(kBad, base + 28, "new cache: endianness flag says 'invalid'");
    bool big;
    if (out_.endianFlag == 2) big = false;
    else if (out_.endianFlag == 3)
      big = true;
    else {
      // Unset (caches of glibc < 2.32): host order in glibc; here the order in which nlibs fits.
      const uint64_t limit = (size - base - kNewHeader) / kNewEntry;
      big = Decoder{false, false}.U32(header + 20) > limit && Decoder{true, false}.U32(header + 20) <= limit;
    }
    Decoder d{big, false};
    out_.bigEndian = big;
    const uint64_t nlibs = d.U32(header + 20);
    const uint32_t lenStrings = d.U32(header + 24);
    const uint32_t extension = d.U32(header + 32);
    if (nlibs > (size - base - kNewHeader) / kNewEntry) {
      return MalformedAt(kBad, base + 20, "new cache: %llu entries do not fit in the file", (unsigned long long)nlibs);
    }
    (void)lenStrings;  // glibc does not use it either: strings run to the end of the file
    for (uint64_t i = 0; i < nlibs; ++i) {
      const uint64_t at = base + kNewHeader + i * kNewEntry;
      SP_TRY(entryRaw, src_.Read(at, kNewEntry, "new cache entry"));
      Entry entry;
      entry.flags = static_cast<int32_t>(d.U32(entryRaw.data));
      const uint32_t key = d.U32(entryRaw.data + 4), value = d.U32(entryRaw.data + 8);
      entry.osVersion = d.U32(entryRaw.data + 12);
      entry.hwcap = d.U64(entryRaw.data + 16);
      SP_TRY(k, StringAt(src_, base, size, key, "new cache key"));
      SP_TRY(v, StringAt(src_, base, size, value, "new cache value"));
      entry.key = std::move(k);
      entry.value = std::move(v);
      entry.hwcapExtension = ((entry.hwcap >> 32) & ~kIsaLevelMask) == (kHwcapExtension >> 32);
      if (entry.hwcapExtension) entry.isaLevel = static_cast<uint32_t>((entry.hwcap >> 32) & kIsaLevelMask);
      out_.entries.push_back(std::move(entry));
    }
    if (extension != 0) {
      auto error = Extensions(d, base, extension);
      if (error) return error;
    }
    for (auto& entry : out_.entries) {
      if (!entry.hwcapExtension) continue;
      const uint32_t index = static_cast<uint32_t>(entry.hwcap);
      if (index < out_.hwcapNames.size()) entry.hwcapName = out_.hwcapNames[index];
    }
    return std::nullopt;
  }

  // The extension directory: {magic, count} then count x {tag, flags, offset, size}; offsets from the file
  // start (cache_extension_load() gets the file base); hwcaps names index the string table at `base`.
  // glibc treats a corrupt directory as a corrupt cache (not used at all): so do we (an error).
  std::optional<SysError> Extensions(const Decoder& d, uint64_t base, uint32_t offset) {
    const uint64_t size = src_.Size();
    if (offset % 4 != 0) return MalformedAt(kBad, base + 32, "extension offset %u is not a multiple of 4", offset);
    const uint64_t at = offset;
    if (at > size || size - at < 8) return MalformedAt(kTruncated, at, "extension directory outside the file");
    SP_TRY(head, src_.Read(at, 8, "extension directory"));
    if (d.U32(head.data) != kExtensionMagic) return MalformedAt(kBad, at, "extension directory without its magic number");
    const uint64_t count = d.U32(head.data + 4);
    if (count > (size - at - 8) / 16)
      return MalformedAt(kBad, at + 4, "extension directory: %llu sections do not fit", (unsigned long long)count);
    for (uint64_t i = 0; i < count; ++i) {
      SP_TRY(sec, src_.Read(at + 8 + i * 16, 16, "extension section"));
      const uint32_t tag = d.U32(sec.data), secOffset = d.U32(sec.data + 8), secSize = d.U32(sec.data + 12);
      uint64_t start = 0, end = 0;
      if (__builtin_add_overflow(uint64_t(0), uint64_t(secOffset), &start) || __builtin_add_overflow(start, uint64_t(secSize), &end) ||
          end > size) {
        return MalformedAt(kBad, at + 8 + i * 16, "extension section %llu (tag %u) outside the file", (unsigned long long)i, tag);
      }
      if (tag == 0) {
        SP_TRY(text, src_.Read(start, secSize, "generator string"));
        std::string generator(reinterpret_cast<const char*>(text.data), text.size);
        const size_t nul = generator.find('\0');
        if (nul != std::string::npos) generator.resize(nul);
        out_.generator = std::move(generator);
      } else if (tag == 1) {
        if (secSize % 4 != 0 || secOffset % 4 != 0) {
          return MalformedAt(kBad, start, "glibc-hwcaps section: size %u or offset %u not a multiple of 4", secSize, secOffset);
        }
        for (uint64_t k = 0; k < secSize / 4; ++k) {
          SP_TRY(idx, src_.Read(start + k * 4, 4, "glibc-hwcaps index"));
          SP_TRY(name, StringAt(src_, base, size, d.U32(idx.data), "glibc-hwcaps name"));
          out_.hwcapNames.push_back(std::move(name));
        }
      } else {
        out_.diagnostics.push_back("unknown extension tag " + std::to_string(tag) + " ignored");
      }
    }
    return std::nullopt;
  }

  ByteSource& src_;
  Cache out_;
};

}  // namespace

Result<Cache> Parse(ByteSource& source) { return Parser(source).Run(); }

Result<Cache> ParseFile(const std::string& path) {
  auto file = FileSource::Open(path);
  if (!file.ok()) return file.error();
  return ParseFile(*file.value());
}

Result<Cache> ParseFile(FileSource& file) {
  auto result = Parse(file);
  if (!result.ok()) {
    SysError error = result.error();
    if (error.path.empty()) error.path = file.path();
    return error;
  }
  return result;
}

int LibCompare(const std::string& a, const std::string& b) {
  // Indexing past the end yields '\0' (std::string guarantees s[size()] == 0).
  size_t i = 0, j = 0;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  while (i < a.size()) {
    const char p1 = a[i], p2 = j < b.size() ? b[j] : '\0';
    if (digit(p1)) {
      if (!digit(p2)) return 1;
      uint64_t v1 = 0, v2 = 0;
      while (i < a.size() && digit(a[i])) {
        v1 = v1 * 10 + uint64_t(a[i] - '0');
        if (v1 > 0xffffffffull) v1 = 0xffffffffull;
        ++i;
      }
      while (j < b.size() && digit(b[j])) {
        v2 = v2 * 10 + uint64_t(b[j] - '0');
        if (v2 > 0xffffffffull) v2 = 0xffffffffull;
        ++j;
      }
      if (v1 != v2) return v1 < v2 ? -1 : 1;
    } else if (digit(p2)) {
      return -1;
    } else if (p1 != p2) {
      return static_cast<unsigned char>(p1) - static_cast<unsigned char>(p2);
    } else {
      ++i;
      ++j;
    }
  }
  return 0 - static_cast<int>(j < b.size() ? static_cast<unsigned char>(b[j]) : 0);
}

std::vector<int32_t> AcceptedFlags(uint8_t elfClass, uint16_t machine, uint32_t eflags) {
  const bool is64 = elfClass == 64;
  switch (machine) {
    case 62: return {is64 ? 0x0303 : 0x0803};                                          // x86-64 / x32: == _DL_CACHE_DEFAULT_ID
    case 183: return {is64 ? 0x0a03 : 0x0a03};                                         // AArch64 (ILP32 uses FLAG_AARCH64_LIB32, rare)
    case 22: return is64 ? std::vector<int32_t>{0x0403} : std::vector<int32_t>{1, 3};  // s390x / s390
    case 21: return {0x0503};                                                          // ppc64
    case 43: return {0x0103};                                                          // sparc64
    case 40: return {1, (eflags & 0x400) ? 0x0903 : 0x0b03};  // ARM: hard-float (EF_ARM_ABI_FLOAT_HARD) or soft
    case 243: {                                               // RISC-V: by float ABI
      const uint32_t abi = eflags & 0x6;
      return {abi == 4 ? 0x1003 : abi == 0 ? 0x0f03 : 3};
    }
    case 258: return {(eflags & 0x3) == 3 ? 0x1203 : 0x1103};  // LoongArch
    default: return {1, 3};                                    // generic: ELF libc6 or old ELF
  }
}

std::optional<LookupResult> Lookup(const Cache& cache, const std::string& name, const std::vector<int32_t>& accepted,
                                   int32_t defaultId, const std::vector<std::string>& activeHwcaps, uint32_t isaLevelSupported) {
  const auto& libs = cache.entries;
  const bool newFormat = cache.format != "old";
  auto acceptable = [&](int32_t flags) {
    for (int32_t f : accepted)
      if (f == flags) return true;
    return false;
  };
  int64_t left = 0, right = static_cast<int64_t>(libs.size()) - 1;
  while (left <= right) {
    int64_t middle = (left + right) / 2;
    const int cmp = LibCompare(name, libs[middle].key);
    if (cmp == 0) {
      left = middle;
      while (middle > 0 && LibCompare(name, libs[middle - 1].key) == 0) --middle;
      std::optional<LookupResult> best;
      uint32_t bestPriority = 0;
      for (; middle <= right; ++middle) {
        const Entry& lib = libs[middle];
        if (middle > left && LibCompare(name, lib.key) != 0) break;
        if (!acceptable(lib.flags)) continue;
        if (newFormat) {
          const bool named = lib.hwcapExtension;
          if (named && (lib.isaLevel & isaLevelSupported) != lib.isaLevel) continue;
          if (!named && best) break;
          if (!named && lib.hwcap != 0) continue;  // legacy hwcap entries: not used since glibc 2.37
          if (named) {
            uint32_t priority = 0;
            if (lib.hwcapName) {
              for (size_t k = 0; k < activeHwcaps.size(); ++k) {
                if (activeHwcaps[k] == *lib.hwcapName) {
                  priority = static_cast<uint32_t>(k + 1);
                  break;
                }
              }
            }
            if (priority == 0) continue;
            if (!best || priority < bestPriority) {
              bestPriority = priority;
              best = LookupResult{lib.value, lib.hwcapName};
            }
            continue;
          }
        }
        best = LookupResult{lib.value, std::nullopt};
        if (lib.flags == defaultId) break;
      }
      return best;
    }
    if (cmp < 0) left = middle + 1;
    else
      right = middle - 1;
  }
  return std::nullopt;
}

}  // namespace sysprobe::core::ldcache
