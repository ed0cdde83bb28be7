#include "libc_banner.h"

#include <algorithm>
#include <cstring>

namespace sysprobe::core::libc {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWord(char c) { return IsDigit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsAlnumOrDot(char c) { return (IsWord(c) && c != '_') || c == '.'; }

size_t Digits(std::string_view text, size_t at) {
  size_t end = at;
  while (end < text.size() && IsDigit(text[end])) ++end;
  return end;
}

bool At(std::string_view text, size_t at, std::string_view literal) {
  return at <= text.size() && text.substr(at, literal.size()) == literal;
}

// "\d+\.\d+" at `at`: the end of the second run of digits, or npos.
size_t MajorMinor(std::string_view text, size_t at) {
  const size_t major = Digits(text, at);
  if (major == at || major >= text.size() || text[major] != '.') return std::string_view::npos;
  const size_t minor = Digits(text, major + 1);
  return minor == major + 1 ? std::string_view::npos : minor;
}

constexpr std::string_view kReleaseVersion = " release version ";

// The banner's tail at `at`: "release version X.Y[.Z]" then '.' or ','; the version and the match's end.
bool VersionTail(std::string_view text, size_t at, std::string* version, size_t* end) {
  if (!At(text, at, kReleaseVersion)) return false;
  const size_t start = at + kReleaseVersion.size();
  const size_t minor = MajorMinor(text, start);
  if (minor == std::string_view::npos) return false;
  auto terminator = [&](size_t p) { return p < text.size() && (text[p] == '.' || text[p] == ','); };
  if (minor + 1 < text.size() && text[minor] == '.' && IsDigit(text[minor + 1])) {
    const size_t patch = Digits(text, minor + 1);
    if (terminator(patch)) {
      *version = std::string(text.substr(start, patch - start));
      *end = patch + 1;
      return true;
    }
  }
  if (!terminator(minor)) return false;
  *version = std::string(text.substr(start, minor - start));
  *end = minor + 1;
  return true;
}

// " ?(?:\b(stable|development|pre-release))? release version …" after the package text ending at `at`,
// tried in the regular expression's order (the space taken first, the release word taken first).
bool BannerTail(std::string_view text, size_t at, GlibcBanner* banner, size_t* end) {
  static constexpr std::string_view kReleases[] = {"stable", "development", "pre-release"};
  for (const size_t word : {at + 1, at}) {
    if (word == at + 1 && (at >= text.size() || text[at] != ' ')) continue;
    const bool boundary = !IsWord(text[word - 1]);
    for (const auto release : kReleases) {
      if (boundary && At(text, word, release) && VersionTail(text, word + release.size(), &banner->version, end)) {
        banner->release = std::string(release);
        return true;
      }
    }
    if (VersionTail(text, word, &banner->version, end)) {
      banner->release.reset();
      return true;
    }
  }
  return false;
}

}  // namespace

std::optional<GlibcBanner> FindGlibcBanner(std::string_view text) {
  constexpr std::string_view kProduct = "GNU C Library ";
  // A tail tried at one position fails for every start before it on the same line, so each position is
  // tried once: without that, a line of repeated "GNU C Library " took time quadratic in its length.
  size_t tried = 0;
  for (size_t start = text.find(kProduct); start != std::string_view::npos; start = text.find(kProduct, start + 1)) {
    // The package text ("(Debian GLIBC 2.36-9)") is the shortest run without '\n' or NUL that lets the rest match.
    for (size_t at = std::max(start + kProduct.size(), tried);; ++at) {
      tried = at;
      GlibcBanner banner;
      size_t end = 0;
      if (BannerTail(text, at, &banner, &end)) {
        banner.text = std::string(text.substr(start, end - start));
        return banner;
      }
      if (at >= text.size() || text[at] == '\n' || text[at] == '\0') break;
    }
  }
  return std::nullopt;
}

std::optional<std::string> LoaderVersion(std::string_view loaderBytes) {
  constexpr std::string_view kBanner = ") stable release version ";
  const size_t banner = loaderBytes.find(kBanner);
  if (banner == std::string_view::npos) return std::nullopt;
  const size_t start = banner + kBanner.size();
  size_t end = start;
  while (end < loaderBytes.size() && (IsDigit(loaderBytes[end]) || loaderBytes[end] == '.')) ++end;
  while (end > start && loaderBytes[end - 1] == '.') --end;
  if (end == start) return std::nullopt;
  return std::string(loaderBytes.substr(start, end - start));
}

std::optional<std::string> GeneratorVersion(std::string_view generator) {
  constexpr std::string_view kText = "release version ";
  for (size_t at = generator.find(kText); at != std::string_view::npos; at = generator.find(kText, at + 1)) {
    const size_t start = at + kText.size();
    const size_t minor = MajorMinor(generator, start);
    if (minor != std::string_view::npos) return std::string(generator.substr(start, minor - start));
  }
  return std::nullopt;
}

std::optional<std::string> LibcText::MuslVersion() const {
  if (!muslMarker || muslCandidates.size() != 1) return std::nullopt;
  return muslCandidates[0];
}

void LibcTextScanner::Feed(std::string_view window) {
  if (!text_.banner) text_.banner = FindGlibcBanner(window);
  if (!text_.muslMarker) text_.muslMarker = window.find("musl libc (") != std::string_view::npos;
  // /\0(\d+\.\d+\.\d+(?:[_+~-][0-9A-Za-z.]+)?)\0/g: each match consumes its closing NUL.
  for (size_t at = window.find('\0'); at != std::string_view::npos; at = window.find('\0', at)) {
    const size_t start = at + 1;
    size_t end = MajorMinor(window, start);
    if (end != std::string_view::npos && end + 1 < window.size() && window[end] == '.' && IsDigit(window[end + 1])) {
      end = Digits(window, end + 1);
      if (end < window.size() && std::strchr("_+~-", window[end]) != nullptr && window[end] != '\0') {
        size_t suffix = end + 1;
        while (suffix < window.size() && IsAlnumOrDot(window[suffix])) ++suffix;
        end = suffix > end + 1 ? suffix : std::string_view::npos;
      }
      if (end != std::string_view::npos && end < window.size() && window[end] == '\0') {
        const std::string candidate(window.substr(start, end - start));
        bool seen = false;
        for (const auto& known : text_.muslCandidates) seen = seen || known == candidate;
        // Bounded: a musl libc has one such string; past a few its version is ambiguous (null) anyway.
        if (!seen && text_.muslCandidates.size() < kMaxMuslCandidates) text_.muslCandidates.push_back(candidate);
        at = end + 1;
        continue;
      }
    }
    at = start;
  }
}

Result<LibcText> ScanLibcText(ByteSource& file) {
  LibcTextScanner scanner;
  const uint64_t size = file.Size();
  scanner.text().size = size;
  if (size > kMaxBytes) return std::move(scanner.text());
  std::string window;
  uint64_t position = 0;
  while (position < size) {
    const uint64_t want = size - position < kWindow ? size - position : kWindow;
    window.clear();
    while (window.size() < want) {
      // Peek keeps only a few recent windows: the file is never held whole.
      auto bytes = file.Peek(position + window.size(), want - window.size(), "C library");
      if (!bytes.ok()) {
        if (bytes.error().code == "ERR_SYSPROBE_TRUNCATED") break;  // shorter now than at the start
        return bytes.error();
      }
      window.append(reinterpret_cast<const char*>(bytes.value().data), static_cast<size_t>(bytes.value().size));
    }
    const uint64_t n = window.size();
    if (n == 0) break;
    scanner.Feed(window);
    if (position + n >= size) {
      position += n;
      break;
    }
    position += n > kOverlap ? n - kOverlap : n;
  }
  scanner.text().bytesRead = position < size ? position : size;
  return std::move(scanner.text());
}

void WriteLibcText(Json& j, const LibcText& text) {
  j.Open('{');
  j.Key("size").Uint(text.size);
  j.Key("limit").Uint(kMaxBytes);
  j.Key("bytesRead").Uint(text.bytesRead);
  j.Key("banner");
  if (text.banner) {
    j.Open('{');
    j.Key("text").Latin1(text.banner->text);
    j.Key("release").OptionalString(text.banner->release);
    j.Key("version").String(text.banner->version);
    j.Close('}');
  } else {
    j.Null();
  }
  j.Key("musl").Open('{');
  j.Key("marker").Bool(text.muslMarker);
  j.Key("candidates").Strings(text.muslCandidates);
  j.Key("version").OptionalString(text.MuslVersion());
  j.Close('}');
  j.Close('}');
}

}  // namespace sysprobe::core::libc
