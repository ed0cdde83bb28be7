// The C library banner scanner (native/core/libc_banner.h): the banner forms glibc printed over the
// years, window edges, the size bound, a file that shrinks while it is read, musl's version strings.
#include <string>

#include "check.h"
#include "core/byte_source.h"
#include "core/json.h"
#include "core/libc_banner.h"

namespace libc = sysprobe::core::libc;
using sysprobe::core::ByteView;
using sysprobe::core::Result;
using sysprobe::core::SysError;

namespace {

// Claims `size` bytes; the bytes come from `data` (repeated 'A' beyond it), and reads at or past
// `shrinkAt` fail as a file truncated under the reader does. Counts the bytes handed out.
class FakeFile final : public sysprobe::core::ByteSource {
 public:
  FakeFile(std::string data, uint64_t size, uint64_t shrinkAt = UINT64_MAX)
      : data_(std::move(data)), size_(size), shrinkAt_(shrinkAt) {}
  uint64_t Size() const override { return size_; }
  uint64_t handedOut = 0;

 protected:
  Result<ByteView> ReadRange(uint64_t offset, uint64_t length) override { return PeekRange(offset, length); }
  Result<ByteView> PeekRange(uint64_t offset, uint64_t length) override {
    if (offset >= shrinkAt_)
      return SysError::Malformed("ERR_SYSPROBE_TRUNCATED", "the file became shorter while it was read",
                                 static_cast<long long>(offset));
    if (length > 4096) length = 4096;  // short reads, as a FileSource's Peek gives
    if (length > shrinkAt_ - offset) length = shrinkAt_ - offset;
    window_.assign(static_cast<size_t>(length), 'A');
    for (uint64_t i = 0; i < length; ++i) {
      if (offset + i < data_.size()) window_[static_cast<size_t>(i)] = data_[static_cast<size_t>(offset + i)];
    }
    handedOut += length;
    return ByteView{reinterpret_cast<const uint8_t*>(window_.data()), length};
  }

 private:
  std::string data_;
  uint64_t size_;
  uint64_t shrinkAt_;
  std::string window_;
};

// A literal's bytes, NULs included.
template <size_t N>
std::string Bytes(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

const std::string kBanner = "GNU C Library (Debian GLIBC 2.36-9+deb12u4) stable release version 2.36.\n";

}  // namespace

TEST_CASE("banner: glibc's banner forms, matched as the regular expression of the TS scanner did") {
  auto banner = libc::FindGlibcBanner(kBanner);
  CHECK(banner && banner->version == "2.36" && banner->release == std::optional<std::string>("stable"));
  CHECK(banner && banner->text == "GNU C Library (Debian GLIBC 2.36-9+deb12u4) stable release version 2.36.");
  banner = libc::FindGlibcBanner(Bytes("x\0GNU C Library (GNU libc) stable release version 2.17, by Roland McGrath et al."));
  CHECK(banner && banner->version == "2.17" && banner->text == "GNU C Library (GNU libc) stable release version 2.17,");
  banner = libc::FindGlibcBanner("GNU C Library development release version 2.37.9000.");
  CHECK(banner && banner->version == "2.37.9000" && banner->release == std::optional<std::string>("development"));
  banner = libc::FindGlibcBanner("GNU C Library (x) release version 2.3.6x.");  // no release word; X.Y.Z falls back to X.Y
  CHECK(banner && banner->version == "2.3" && !banner->release && banner->text == "GNU C Library (x) release version 2.3.");
  CHECK(!libc::FindGlibcBanner("GNU C Library (a\nb) stable release version 2.36."));
  CHECK(!libc::FindGlibcBanner(Bytes("GNU C Library (a\0b) stable release version 2.36.")));
  CHECK(!libc::FindGlibcBanner("GNU C Library (x) stable release version 2.36"));  // no '.' or ',' after it
  // The later of two product texts when only it completes.
  banner = libc::FindGlibcBanner("GNU C Library \nGNU C Library (y) pre-release release version 2.40.");
  CHECK(banner && banner->release == std::optional<std::string>("pre-release") && banner->text.find("(y)") != std::string::npos);
}

TEST_CASE("banner: the loader's and the cache generator's version") {
  CHECK_EQ(libc::LoaderVersion(Bytes("\0ld.so (Debian GLIBC 2.36-9) stable release version 2.36.\n")),
           std::optional<std::string>("2.36"));
  CHECK_EQ(libc::LoaderVersion("ld.so (x) stable release version 2.41..."), std::optional<std::string>("2.41"));
  CHECK_EQ(libc::LoaderVersion("ld.so (x) development release version 2.41."), std::optional<std::string>());
  CHECK_EQ(libc::LoaderVersion(") stable release version ."), std::optional<std::string>());
  CHECK_EQ(libc::GeneratorVersion("ldconfig (Debian GLIBC 2.36-9) stable release version 2.36"), std::optional<std::string>("2.36"));
  CHECK_EQ(libc::GeneratorVersion("release version x, then release version 2.17.1"), std::optional<std::string>("2.17"));
  CHECK_EQ(libc::GeneratorVersion("ldconfig"), std::optional<std::string>());
}

TEST_CASE("banner: found at every offset around the 64 KiB windows, and the whole file counted") {
  const uint64_t size = 3 * libc::kWindow + 77;
  for (uint64_t at : {uint64_t(0), libc::kWindow - 600, libc::kWindow - 512, libc::kWindow - 40, libc::kWindow - 1, libc::kWindow,
                      2 * libc::kWindow - 500, 3 * libc::kWindow - 20, size - kBanner.size()}) {
    std::string data(static_cast<size_t>(at), 'A');
    data += kBanner;
    FakeFile file(data, size);
    auto text = libc::ScanLibcText(file);
    CHECK(text.ok() && text.value().banner && text.value().banner->version == "2.36");
    CHECK(text.ok() && text.value().bytesRead == size);
    CHECK(file.handedOut < size + 4 * libc::kOverlap);  // windows overlap; nothing is read twice beyond that
  }
}

TEST_CASE("banner: a file above 64 MiB is not read at all; one that shrinks ends the scan") {
  CHECK_EQ(libc::kMaxBytes, uint64_t(64) << 20);
  FakeFile huge(kBanner, uint64_t(3) << 30);
  auto text = libc::ScanLibcText(huge);
  CHECK(text.ok() && text.value().size == (uint64_t(3) << 30) && text.value().bytesRead == 0 && !text.value().banner);
  CHECK_EQ(huge.handedOut, uint64_t(0));
  FakeFile limit(kBanner, libc::kMaxBytes);
  text = libc::ScanLibcText(limit);
  CHECK(text.ok() && text.value().banner);
  FakeFile shrinking(kBanner, 4 * libc::kWindow, libc::kWindow + 100);
  text = libc::ScanLibcText(shrinking);
  CHECK(text.ok() && text.value().banner && text.value().bytesRead < 2 * libc::kWindow);
}

TEST_CASE("banner: musl's NUL-bounded version strings, each match taking its closing NUL") {
  libc::LibcTextScanner scanner;
  scanner.Feed(
      Bytes("musl libc (x86_64)\0Version %s\0"
            "1.2.3\0"
            "1.2\0"));
  CHECK(scanner.text().muslMarker);
  CHECK(scanner.text().muslCandidates == std::vector<std::string>({"1.2.3"}));
  CHECK_EQ(scanner.text().MuslVersion(), std::optional<std::string>("1.2.3"));
  libc::LibcTextScanner two;
  // 1.2.4 has no NUL before it left (1.2.3's match took it); '+' ends a suffix; 1.2.3 is counted once.
  two.Feed(
      Bytes("\0"
            "1.2.3\0"
            "1.2.4\0\0"
            "1.2.5_git\0\0"
            "1.2.6_a+b\0\0"
            "1.2.3\0"));
  CHECK(two.text().muslCandidates == std::vector<std::string>({"1.2.3", "1.2.5_git"}));
  CHECK(!two.text().MuslVersion());  // no marker, and two candidates
  sysprobe::core::Json j;
  libc::WriteLibcText(j, two.text());
  CHECK(j.text.find("\"candidates\":[\"1.2.3\",\"1.2.5_git\"]") != std::string::npos);
  CHECK(j.text.find("\"limit\":67108864") != std::string::npos);
}

TEST_CASE("banner: hostile text stays bounded (many distinct musl candidates, a long line of repeated product names)") {
  std::string many("musl libc (x86_64)");
  for (int i = 0; i < 5000; ++i) many += std::string(1, '\0') + "1.2." + std::to_string(i) + std::string(1, '\0');
  libc::LibcTextScanner scanner;
  scanner.Feed(many);
  CHECK_EQ(scanner.text().muslCandidates.size(), libc::kMaxMuslCandidates);
  CHECK(!scanner.text().MuslVersion());  // ambiguous, as it was with every candidate kept
  // Repeated "GNU C Library " on one line with the banner's tail at its end: the leftmost start still wins.
  std::string line;
  for (int i = 0; i < 4000; ++i) line += "GNU C Library ";
  line += "release version 2.36.\n";
  libc::LibcTextScanner banner;
  banner.Feed(line);
  CHECK(banner.text().banner);
  CHECK_EQ(banner.text().banner->version, std::string("2.36"));
  CHECK_EQ(banner.text().banner->text.size(), line.size() - 1);
}
