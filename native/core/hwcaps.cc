#include "hwcaps.h"

#if defined(_WIN32)

namespace sysprobe::core::resolve {
std::vector<std::string> CpuHwcaps() { return {}; }
}  // namespace sysprobe::core::resolve

#else

#include <cstdint>
#include <map>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#if defined(__wasi__)
#include "procfs.h"
#include "resolve.h"
#endif

namespace sysprobe::core::resolve {

namespace {
// The CPU features glibc's x86-64 ISA levels are made of (sysdeps/x86/get-isa-level.h), with the
// OS-enabled register state (XCR0) for AVX and AVX-512.
struct X86Features {
  bool cx16 = false, lahf = false, popcnt = false, sse3 = false, sse41 = false, sse42 = false, ssse3 = false;
  bool ymmState = false, avx = false, avx2 = false, bmi1 = false, bmi2 = false, f16c = false, fma = false, lzcnt = false,
       movbe = false;
  bool zmmState = false, avx512f = false, avx512bw = false, avx512cd = false, avx512dq = false, avx512vl = false;
};

[[maybe_unused]] std::vector<std::string> IsaLevels(const X86Features& f) {
  const bool v2 = f.cx16 && f.lahf && f.popcnt && f.sse3 && f.sse41 && f.sse42 && f.ssse3;
  const bool v3 = v2 && f.ymmState && f.avx && f.avx2 && f.bmi1 && f.bmi2 && f.f16c && f.fma && f.lzcnt && f.movbe;
  const bool v4 = v3 && f.zmmState && f.avx512f && f.avx512bw && f.avx512cd && f.avx512dq && f.avx512vl;
  std::vector<std::string> out;
  if (v4) out.push_back("x86-64-v4");
  if (v3) out.push_back("x86-64-v3");
  if (v2) out.push_back("x86-64-v2");
  return out;
}

std::vector<std::string> CpuHwcapsUncached() {
#if defined(__x86_64__)
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return {};
  const unsigned c1 = c;
  unsigned b7 = 0, c7 = 0, d7 = 0, a7 = 0;
  __get_cpuid_count(7, 0, &a7, &b7, &c7, &d7);
  unsigned ae = 0, be = 0, ce = 0, de = 0;
  __get_cpuid(0x80000001, &ae, &be, &ce, &de);
  uint64_t xcr0 = 0;
  if (c1 & (1u << 27)) {  // OSXSAVE
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = (uint64_t(hi) << 32) | lo;
  }
  X86Features f;
  f.cx16 = c1 & (1u << 13);
  f.lahf = ce & 1u;
  f.popcnt = c1 & (1u << 23);
  f.sse3 = c1 & 1u;
  f.sse41 = c1 & (1u << 19);
  f.sse42 = c1 & (1u << 20);
  f.ssse3 = c1 & (1u << 9);
  f.ymmState = (xcr0 & 6) == 6;
  f.zmmState = (xcr0 & 0xe6) == 0xe6;
  f.avx = c1 & (1u << 28);
  f.avx2 = b7 & (1u << 5);
  f.bmi1 = b7 & (1u << 3);
  f.bmi2 = b7 & (1u << 8);
  f.f16c = c1 & (1u << 29);
  f.fma = c1 & (1u << 12);
  f.lzcnt = ce & (1u << 5);
  f.movbe = c1 & (1u << 22);
  f.avx512f = b7 & (1u << 16);
  f.avx512dq = b7 & (1u << 17);
  f.avx512cd = b7 & (1u << 28);
  f.avx512bw = b7 & (1u << 30);
  f.avx512vl = b7 & (1u << 31);
  return IsaLevels(f);
#elif defined(__wasi__)
  // The WebAssembly build has no CPU of its own to ask: on an x86-64 Linux host (src/wasm.ts says so),
  // the kernel's view of the same cpuid bits is the "flags" line of /proc/cpuinfo. The kernel lists AVX
  // and AVX-512 only when it enabled their register state, which stands in for XCR0 here.
  if (HostMachine() != 62) return {};
  auto text = ReadSmallFile("/proc/cpuinfo", 4u << 20);
  if (!text.ok()) return {};
  const std::string& t = text.value();
  const size_t at = t.find("\nflags");
  if (at == std::string::npos) return {};
  const size_t end = t.find('\n', at + 1);
  const size_t colon = t.find(':', at);
  if (colon == std::string::npos || colon > end) return {};
  std::map<std::string, bool> have;
  for (size_t i = colon + 1; i < end && i < t.size();) {
    while (i < end && t[i] == ' ') ++i;
    size_t j = i;
    while (j < end && j < t.size() && t[j] != ' ') ++j;
    if (j > i) have[t.substr(i, j - i)] = true;
    i = j;
  }
  auto flag = [&](const char* name) { return have.count(name) != 0; };
  X86Features f;
  f.cx16 = flag("cx16");
  f.lahf = flag("lahf_lm");
  f.popcnt = flag("popcnt");
  f.sse3 = flag("pni");
  f.sse41 = flag("sse4_1");
  f.sse42 = flag("sse4_2");
  f.ssse3 = flag("ssse3");
  f.avx = flag("avx");
  f.ymmState = f.avx;
  f.avx2 = flag("avx2");
  f.bmi1 = flag("bmi1");
  f.bmi2 = flag("bmi2");
  f.f16c = flag("f16c");
  f.fma = flag("fma");
  f.lzcnt = flag("abm");
  f.movbe = flag("movbe");
  f.avx512f = flag("avx512f");
  f.zmmState = f.avx512f;
  f.avx512bw = flag("avx512bw");
  f.avx512cd = flag("avx512cd");
  f.avx512dq = flag("avx512dq");
  f.avx512vl = flag("avx512vl");
  return IsaLevels(f);
#else
  return {};
#endif
}
}  // namespace

std::vector<std::string> CpuHwcaps() {
  static const std::vector<std::string> levels = CpuHwcapsUncached();
  return levels;
}

}  // namespace sysprobe::core::resolve

#endif  // !_WIN32
