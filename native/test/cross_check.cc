// A program that calls every portable entry point of the core, built by .ci/run with a cross
// compiler (mingw-w64) to check that the non-Linux code paths compile and link. On Linux it also
// runs as a smoke test. It prints what it finds and exits 0 unless a call crashes.
#include <cstdio>

#include "core/inotify.h"
#include "core/libc_self.h"
#include "core/procenv.h"
#include "core/rlimits.h"

using namespace sysprobe::core;

static void PrintError(const char* what, const SysError& error) {
  std::printf("%s: error code=%s errno=%d syscall=%s message=%s\n", what, error.code.c_str(), error.errnum,
              error.syscall.c_str(), error.message.c_str());
}

int main() {
  auto limits = GetRlimits(-1, RlimitMode::Auto);
  if (limits.ok()) {
    for (const auto& entry : limits.value().entries) {
      std::printf("%-10s supported=%d soft=%s%llu hard=%s%llu source=%s\n", entry.name.c_str(), entry.supported ? 1 : 0,
                  entry.soft.unlimited ? "unlimited/" : "", entry.soft.value, entry.hard.unlimited ? "unlimited/" : "",
                  entry.hard.value, entry.source.c_str());
    }
  } else {
    PrintError("GetRlimits", limits.error());
  }
  auto other = GetRlimits(1, RlimitMode::Auto);
  if (!other.ok()) PrintError("GetRlimits(pid 1)", other.error());
  auto set = SetRlimit(-1, "nofile", RlimitValue{false, 512}, std::nullopt);
  if (!set.ok()) PrintError("SetRlimit(nofile)", set.error());
  auto env = ReadProcessEnv(1);
  if (!env.ok()) PrintError("ReadProcessEnv(1)", env.error());
  auto inotify = ProbeInotify();
  if (!inotify.ok()) PrintError("ProbeInotify", inotify.error());
  const auto libc = ProbeSelfLibc();
  std::printf("platform=%s compiled=%s\n", libc.platform.c_str(), libc.compiledFamily.c_str());
  return 0;
}
