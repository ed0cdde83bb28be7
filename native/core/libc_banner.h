// The version texts glibc and musl keep in their files, found in the bytes (nothing is executed): the one
// place that reads them, for the resolver's ld.so scan, probeGlibc({ root }) and probeGlibc({ pid }).
//   libc.so.6: "GNU C Library (Debian GLIBC 2.36-9) stable release version 2.36." (older: "…version 2.17, by …")
//   ld.so:     "ld.so (Debian GLIBC 2.36-9) stable release version 2.36."
//   ldconfig, in the ld.so.cache it writes: "ldconfig (Debian GLIBC 2.36-9) stable release version 2.36"
//   musl:      the NUL-bounded "1.2.3" of src/internal/version.c, beside the loader's "musl libc (" usage text
// A C library file is read in bounded windows, never whole, whatever size it claims.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "byte_source.h"
#include "json.h"
#include "result.h"

namespace sysprobe::core::libc {

// The largest C library file scanned (glibc's libc.so.6 is ~2 MiB, musl's ~1 MiB); src/ reports a larger
// one as ERR_SYSPROBE_TOO_LARGE.
constexpr uint64_t kMaxBytes = uint64_t(64) << 20;
constexpr uint64_t kWindow = 64 * 1024;
// Distinct musl version candidates kept (a musl libc has one; with more its version is ambiguous).
constexpr size_t kMaxMuslCandidates = 16;
// Windows overlap by more than the longest text looked for, so none is cut at a window's edge.
constexpr uint64_t kOverlap = 512;

struct GlibcBanner {
  std::string text;                    // the whole match, from "GNU C Library" to the '.' or ',' after the version
  std::optional<std::string> release;  // "stable", "development" or "pre-release"
  std::string version;                 // "2.36" (X.Y or X.Y.Z)
};

// The first banner in `text`, matched as /GNU C Library ([^\n\0]*?) ?(?:\b(stable|development|pre-release))?
// release version (\d+\.\d+(?:\.\d+)?)[.,]/ would match it.
std::optional<GlibcBanner> FindGlibcBanner(std::string_view text);

// The loader's version from its --version text: the digits and dots after the first ") stable release
// version " (trailing dots dropped).
std::optional<std::string> LoaderVersion(std::string_view loaderBytes);

// "X.Y" after the first "release version " that has one (the ld.so.cache generator string).
std::optional<std::string> GeneratorVersion(std::string_view generator);

struct LibcText {
  uint64_t size = 0;  // the file's size; above kMaxBytes nothing was scanned
  uint64_t bytesRead = 0;
  std::optional<GlibcBanner> banner;
  bool muslMarker = false;                  // "musl libc (" seen
  std::vector<std::string> muslCandidates;  // NUL-bounded X.Y.Z strings, each once, in file order
  // musl's version: the only candidate, in a file with the marker.
  std::optional<std::string> MuslVersion() const;
};

// Feeds windows of a file and gathers what LibcText holds.
class LibcTextScanner {
 public:
  void Feed(std::string_view window);
  LibcText& text() { return text_; }

 private:
  LibcText text_;
};

// Scans `file` window by window (kWindow bytes, kOverlap apart). A file above kMaxBytes: only its size.
// A file that shrinks while it is read ends the scan where it ends.
Result<LibcText> ScanLibcText(ByteSource& file);

// {"size","limit","bytesRead","banner":null|{"text","release","version"},"musl":{"marker","candidates","version"}}
void WriteLibcText(Json& j, const LibcText& text);

}  // namespace sysprobe::core::libc
