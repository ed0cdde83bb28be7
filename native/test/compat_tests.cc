// The ld.so.cache parser and lookup, the sandboxed root and the resolver's search-path rules.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "check.h"
#include "core/byte_source.h"
#include "core/json_read.h"
#include "core/ldcache.h"
#include "core/resolve.h"
#include "core/resolve_request.h"
#include "core/rootfs.h"

namespace ldcache = sysprobe::core::ldcache;

TEST_CASE("ldcache: _dl_cache_libcmp compares digit runs numerically") {
  CHECK(ldcache::LibCompare("libfoo.so.10", "libfoo.so.9") > 0);
  CHECK(ldcache::LibCompare("libfoo.so.9", "libfoo.so.10") < 0);
  CHECK(ldcache::LibCompare("libc.so.6", "libc.so.6") == 0);
  CHECK(ldcache::LibCompare("liba.so", "libb.so") < 0);
  CHECK(ldcache::LibCompare("lib1", "liba") > 0);  // a digit sorts after a non-digit
  CHECK(ldcache::LibCompare("libx", "libx.so") < 0);
  CHECK(ldcache::LibCompare("lib99999999999999999999", "lib1") > 0);  // no overflow
}

TEST_CASE("ldcache: lookup prefers the best active glibc-hwcaps entry, then the plain one") {
  ldcache::Cache cache;
  cache.format = "new";
  auto entry = [](const char* key, const char* value, int32_t flags, std::optional<std::string> hw, uint32_t isa) {
    ldcache::Entry e;
    e.key = key;
    e.value = value;
    e.flags = flags;
    e.hwcapExtension = hw.has_value();
    e.hwcapName = hw;
    e.isaLevel = isa;
    e.hwcap = hw ? (uint64_t(1) << 62) : 0;
    return e;
  };
  // Descending order, hwcaps entries first for a key (as ldconfig writes them).
  cache.entries = {entry("libz.so.1", "/v3/libz.so.1", 0x303, std::string("x86-64-v3"), 4),
                   entry("libz.so.1", "/v2/libz.so.1", 0x303, std::string("x86-64-v2"), 2),
                   entry("libz.so.1", "/lib/libz.so.1", 0x303, std::nullopt, 0),
                   entry("libm.so.6", "/lib32/libm.so.6", 0x3, std::nullopt, 0),
                   entry("libm.so.6", "/lib/libm.so.6", 0x303, std::nullopt, 0)};
  const auto x64 = ldcache::AcceptedFlags(64, 62, 0);
  auto hit = ldcache::Lookup(cache, "libz.so.1", x64, 0x303, {"x86-64-v4", "x86-64-v3", "x86-64-v2"}, 0xf);
  CHECK(hit && hit->path == "/v3/libz.so.1" && hit->hwcapName == std::optional<std::string>("x86-64-v3"));
  hit = ldcache::Lookup(cache, "libz.so.1", x64, 0x303, {"x86-64-v2"}, 0xf);
  CHECK(hit && hit->path == "/v2/libz.so.1");
  hit = ldcache::Lookup(cache, "libz.so.1", x64, 0x303, {}, 0xf);
  CHECK(hit && hit->path == "/lib/libz.so.1");
  hit = ldcache::Lookup(cache, "libz.so.1", x64, 0x303, {"x86-64-v3", "x86-64-v2"}, 0x3);  // CPU below v3's ISA level
  CHECK(hit && hit->path == "/v2/libz.so.1");
  hit = ldcache::Lookup(cache, "libm.so.6", x64, 0x303, {}, 0xf);  // the i386 entry (flags 3) is not for x86-64
  CHECK(hit && hit->path == "/lib/libm.so.6");
  hit = ldcache::Lookup(cache, "libm.so.6", ldcache::AcceptedFlags(32, 3, 0), 3, {}, 0xf);
  CHECK(hit && hit->path == "/lib32/libm.so.6");
  CHECK(!ldcache::Lookup(cache, "libnothere.so", x64, 0x303, {}, 0xf));
}

TEST_CASE("ldcache: every prefix of this host's cache is a result or a typed error") {
  auto file = sysprobe::core::FileSource::Open("/etc/ld.so.cache");
  if (!file.ok()) return;
  auto whole = file.value()->Read(0, file.value()->Size() < 8192 ? file.value()->Size() : 8192, "cache");
  CHECK(whole.ok());
  for (uint64_t n = 0; n <= whole.value().size; n += 7) {
    sysprobe::core::MemorySource source(whole.value().data, n);
    auto parsed = ldcache::Parse(source);
    if (!parsed.ok()) CHECK(parsed.error().code == "ERR_SYSPROBE_BAD_LDCACHE" || parsed.error().code == "ERR_SYSPROBE_TRUNCATED");
  }
}

TEST_CASE("rootfs: absolute links re-rooted, .. clamped, loops bounded") {
  char dir[] = "/tmp/sysprobe-rootfs-XXXXXX";
  CHECK(mkdtemp(dir) != nullptr);
  const std::string root = dir;
  CHECK(mkdir((root + "/lib").c_str(), 0755) == 0);
  CHECK(mkdir((root + "/etc").c_str(), 0755) == 0);
  FILE* f = std::fopen((root + "/etc/passwd").c_str(), "w");
  CHECK(f != nullptr);
  if (f) std::fclose(f);
  CHECK(symlink("/etc/passwd", (root + "/lib/abs").c_str()) == 0);
  CHECK(symlink("../../../../../etc/passwd", (root + "/lib/up").c_str()) == 0);
  CHECK(symlink("loop", (root + "/lib/loop").c_str()) == 0);
  sysprobe::core::RootFs fs(root);
  auto abs = fs.RealPath("/lib/abs");
  CHECK(abs.ok() && abs.value() == "/etc/passwd");
  auto up = fs.Stat("/lib/up");
  CHECK(up.ok() && up.value().hostPath == root + "/etc/passwd");
  auto loop = fs.RealPath("/lib/loop");
  CHECK(!loop.ok() && loop.error().errnum == ELOOP);
  auto dots = fs.RealPath("/../../lib/../etc/./passwd");
  CHECK(dots.ok() && dots.value() == "/etc/passwd");
  for (const char* path : {"/lib/abs", "/lib/up", "/lib/loop", "/etc/passwd"}) unlink((root + path).c_str());
  rmdir((root + "/lib").c_str());
  rmdir((root + "/etc").c_str());
  rmdir(root.c_str());
}

TEST_CASE("rootfs: the file opened is the one the walk found, from its directory fd") {
  char dir[] = "/tmp/sysprobe-rootfs-XXXXXX";
  CHECK(mkdtemp(dir) != nullptr);
  const std::string root = dir;
  CHECK(mkdir((root + "/lib").c_str(), 0755) == 0);
  CHECK(mkdir((root + "/elsewhere").c_str(), 0755) == 0);
  for (const char* name : {"/lib/a", "/lib/b", "/elsewhere/a"}) {
    FILE* f = std::fopen((root + name).c_str(), "w");
    CHECK(f != nullptr);
    if (f) std::fclose(f);
  }
  sysprobe::core::RootFs fs(root);
  // A trailing slash on a file is ENOTDIR, as the kernel says.
  auto slash = fs.Stat("/lib/a/");
  CHECK(!slash.ok() && slash.error().errnum == ENOTDIR && slash.error().syscall == "openat");
  // Replaced between the walk and the open: refused, not the new file.
  auto found = fs.Stat("/lib/a");
  CHECK(found.ok());
  CHECK(rename((root + "/lib/b").c_str(), (root + "/lib/a").c_str()) == 0);
  auto opened = fs.Open(found.value());
  CHECK(!opened.ok() && opened.error().errnum == ENOENT && opened.error().path == "/lib/a");
  // The directory swapped for a symlink after the walk cached it: the cached fd is the real directory,
  // and a fresh lookup sees the link, resolved inside the root.
  auto again = fs.Stat("/lib/a");
  CHECK(again.ok());
  CHECK(rename((root + "/lib").c_str(), (root + "/lib.old").c_str()) == 0);
  CHECK(symlink((root + "/elsewhere").c_str(), (root + "/lib").c_str()) == 0);
  auto viaFd = fs.Open(again.value());
  CHECK(viaFd.ok());
  sysprobe::core::RootFs fresh(root);
  auto link = fresh.Stat("/lib/a");
  CHECK(!link.ok() && link.error().errnum == ENOENT);  // the host path of "elsewhere" does not exist inside the root
  // A missing root is the root's own error.
  sysprobe::core::RootFs missing(root + "/none");
  auto none = missing.Stat("/x");
  CHECK(!none.ok() && none.error().errnum == ENOENT && none.error().syscall == "open" && none.error().path == root + "/none");
  for (const char* path : {"/lib.old/a", "/elsewhere/a", "/lib"}) unlink((root + path).c_str());
  rmdir((root + "/lib.old").c_str());
  rmdir((root + "/elsewhere").c_str());
  rmdir(root.c_str());
}

TEST_CASE("resolve request: the JSON text src/backends/wire.ts writes, paths as latin1 text of their bytes") {
  // JSON.stringify({ program: Buffer.from([0x2f, 0xff, 0x0a]).toString('latin1'), ... }): \u00ff as UTF-8, \n escaped.
  auto request = sysprobe::core::ReadResolveRequest(
      "{\"program\":\"/\xc3\xbf\\n\",\"root\":\"/r\",\"cwd\":\"/\",\"ldLibraryPath\":\"\",\"hwcaps\":[\"x86-64-v3\",\"\\u0041\"],"
      "\"platform\":\"haswell\",\"useCache\":false,\"versions\":true}");
  CHECK(request.ok());
  if (!request.ok()) return;
  const auto& r = request.value();
  CHECK_EQ(r.program, std::string("/\xff\n"));
  CHECK_EQ(r.options.root, std::string("/r"));
  CHECK_EQ(r.options.cwd, std::string("/"));
  CHECK(r.options.ldLibraryPath.has_value() && r.options.ldLibraryPath->empty());
  CHECK(r.options.hwcaps.has_value() && r.options.hwcaps->size() == 2 && (*r.options.hwcaps)[1] == "A");
  CHECK(r.options.platform.has_value() && *r.options.platform == "haswell");
  CHECK(!r.options.useCache);
  CHECK(r.versions);
  // Absent keys stay unset.
  auto plain = sysprobe::core::ReadResolveRequest("{\"program\":\"/bin/ls\"}");
  CHECK(plain.ok() && !plain.value().options.ldLibraryPath && !plain.value().options.hwcaps && plain.value().options.useCache);
}

TEST_CASE("resolve request: anything but the flat object is refused as an invalid argument") {
  for (const char* bad :
       {"", "[]", "{", "{\"program\":1}", "{\"program\":\"/a\",\"program\":\"/b\"}", "{\"program\":\"/a\"} x",
        "{\"program\":\"\\ud800\"}", "{\"program\":\"\xe2\x82\xac\"}", "{\"root\":\"/\"}", "{\"program\":\"/a\",\"what\":true}",
        "{\"program\":\"/a\",\"hwcaps\":[1]}", "{\"program\":\"/a\",\"useCache\":\"no\"}", "{\"program\":\"a\\q\"}"}) {
    auto request = sysprobe::core::ReadResolveRequest(bad);
    CHECK(!request.ok());
    if (!request.ok()) CHECK_EQ(request.error().code, std::string("ERR_SYSPROBE_INVALID_ARG"));
  }
}
