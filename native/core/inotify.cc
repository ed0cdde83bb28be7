#include "inotify.h"

#include "procfs.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#if defined(__linux__) || defined(__wasi__)
#include <dirent.h>
#include <unistd.h>
#endif
#if defined(__linux__)
#include <sys/syscall.h>
#endif

#if defined(__wasi__)
// The WebAssembly build (the koffi backend on Linux) reads /proc through WASI; what WASI has no call for,
// the host answers (src/wasm.ts, with koffi): the effective uid, and kcmp(KCMP_FILE) between two
// processes' fds, 0 same, 1 different, -1 not available. kcmp_works: kcmp asked about a file the host
// holds itself.
extern "C" double sysprobe_host_geteuid() __attribute__((import_module("sysprobe"), import_name("geteuid")));
extern "C" int sysprobe_host_kcmp_file(double pidA, double pidB, int fdA, int fdB)
    __attribute__((import_module("sysprobe"), import_name("kcmp_file")));
extern "C" int sysprobe_host_kcmp_works() __attribute__((import_module("sysprobe"), import_name("kcmp_works")));
#endif

namespace sysprobe::core {

namespace {

#if defined(__linux__) || defined(__wasi__)
long long ReadNumber(const std::string& path) {
  auto text = ReadSmallFile(path, 4096);
  if (!text.ok()) return -1;
  std::string_view view = text.value();
  while (!view.empty() && (view.back() == '\n' || view.back() == ' ')) view.remove_suffix(1);
  unsigned long long value = 0;
  if (!ParseU64(view.data(), view.data() + view.size(), &value) || value > 0x7fffffffffffffffULL) return -1;
  return static_cast<long long>(value);
}

bool IsNumber(const char* name) {
  if (*name == '\0') return false;
  for (const char* p = name; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9') return false;
  }
  return true;
}

// The effective uid from /proc/PID/status ("Uid:\treal\teffective\tsaved\tfs").
bool EffectiveUid(const std::string& dir, unsigned long long* uid) {
  auto status = ReadSmallFile(dir + "/status", 1 << 16);
  if (!status.ok()) return false;
  const std::string& text = status.value();
  size_t at = text.find("\nUid:");
  if (at == std::string::npos) return false;
  at += 5;
  for (int field = 0; field < 2; ++field) {
    while (at < text.size() && (text[at] == '\t' || text[at] == ' ')) ++at;
    size_t end = at;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    if (field == 1) return ParseU64(text.data() + at, text.data() + end, uid);
    at = end;
  }
  return false;
}

// Counts the lines of an inotify fdinfo file that start with "inotify wd:"; returns 0 or an errno.
int CountWatchLines(const std::string& path, unsigned long long* count) {
  static constexpr char kPrefix[] = "inotify wd:";
  constexpr size_t kPrefixLength = sizeof(kPrefix) - 1;
  size_t matched = 0;       // characters of kPrefix matched at the start of the current line
  bool atLineStart = true;  // still inside the first kPrefixLength characters of a line
  return ReadChunks(path, [&](const char* bytes, size_t size) {
    for (size_t i = 0; i < size; ++i) {
      const char c = bytes[i];
      if (c == '\n') {
        matched = 0;
        atLineStart = true;
      } else if (atLineStart) {
        if (c != kPrefix[matched]) {
          atLineStart = false;
        } else if (++matched == kPrefixLength) {
          ++*count;
          atLineStart = false;
        }
      }
    }
    return true;
  });
}

struct Instance {
  long long pid;
  int fd;
};

// 0: same open file, 1: different, -1: kcmp not available or not permitted.
int SameFile(const Instance& a, const Instance& b) {
#if defined(__wasi__)
  return sysprobe_host_kcmp_file(static_cast<double>(a.pid), static_cast<double>(b.pid), a.fd, b.fd);
#elif defined(SYS_kcmp)
  constexpr int kKcmpFile = 0;  // KCMP_FILE
  long rc = syscall(SYS_kcmp, static_cast<pid_t>(a.pid), static_cast<pid_t>(b.pid), kKcmpFile, static_cast<unsigned long>(a.fd),
                    static_cast<unsigned long>(b.fd));
  if (rc == 0) return 0;
  if (rc > 0) return 1;
  return -1;
#else
  (void)a;
  (void)b;
  return -1;
#endif
}
#endif

}  // namespace

Result<InotifyFacts> ProbeInotify() {
#if !defined(__linux__) && !defined(__wasi__)
  return NotSupported("probeInotify", "inotify exists only on Linux");
#else
  InotifyFacts facts;
  auto present = ReadSmallFile("/proc/sys/fs/inotify/max_user_watches", 4096);
  if (!present.ok()) return present.error();  // no procfs, or a kernel without inotify
  facts.maxUserWatches = ReadNumber("/proc/sys/fs/inotify/max_user_watches");
  facts.maxUserInstances = ReadNumber("/proc/sys/fs/inotify/max_user_instances");
  facts.maxQueuedEvents = ReadNumber("/proc/sys/fs/inotify/max_queued_events");
  facts.nsMaxWatches = ReadNumber("/proc/sys/user/max_inotify_watches");
  facts.nsMaxInstances = ReadNumber("/proc/sys/user/max_inotify_instances");
#if defined(__wasi__)
  facts.uid = static_cast<unsigned long long>(sysprobe_host_geteuid());
#else
  facts.uid = static_cast<unsigned long long>(geteuid());
#endif

  DIR* proc = opendir("/proc");
  if (proc == nullptr) return SysError::FromErrno(errno, "opendir", "/proc");
  std::vector<Instance> distinct;
  std::vector<unsigned long long> fdWatches;  // per listed process: watches summed over every fd
  // kcmp(2) needs CONFIG_KCMP and ptrace read access; ask it once about a file we hold ourselves.
#if defined(__wasi__)
  bool kcmpWorks = sysprobe_host_kcmp_works() == 0;
#else
  const Instance probe{static_cast<long long>(getpid()), dirfd(proc)};
  bool kcmpWorks = SameFile(probe, probe) == 0;
#endif
  while (dirent* entry = readdir(proc)) {
    if (!IsNumber(entry->d_name)) continue;
    const std::string dir = std::string("/proc/") + entry->d_name;
    unsigned long long uid = 0;
    if (!EffectiveUid(dir, &uid) || uid != facts.uid) continue;
    ++facts.processesScanned;
    InotifyProcess process;
    process.pid = strtoll(entry->d_name, nullptr, 10);
    DIR* fds = opendir((dir + "/fd").c_str());
    if (fds == nullptr) {
      if (errno != ENOENT) ++facts.processesUnreadable;
      continue;
    }
    bool unreadable = false;
    unsigned long long allWatches = 0;
    while (dirent* fdEntry = readdir(fds)) {
      if (!IsNumber(fdEntry->d_name)) continue;
      char target[64];
      const std::string link = dir + "/fd/" + fdEntry->d_name;
      ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
      if (n < 0) continue;  // closed meanwhile
      target[n] = '\0';
      if (strcmp(target, "anon_inode:inotify") != 0) continue;
      // fdinfo has one line per watch: count them streaming (a million watches is ~100 MB of text).
      unsigned long long count = 0;
      const int err = CountWatchLines(dir + "/fdinfo/" + fdEntry->d_name, &count);
      if (err != 0) {
        if (err != ENOENT) unreadable = true;
        continue;
      }
      Instance self{process.pid, atoi(fdEntry->d_name)};
      ++process.fds;
      allWatches += count;
      bool seen = false;
      if (kcmpWorks) {
        for (const Instance& other : distinct) {
          const int same = SameFile(self, other);
          if (same < 0) {
            kcmpWorks = false;
            break;
          }
          if (same == 0) {
            seen = true;
            break;
          }
        }
      }
      if (!seen) {
        distinct.push_back(self);
        ++process.instances;
        process.watches += count;
      }
    }
    closedir(fds);
    if (unreadable) ++facts.processesUnreadable;
    if (process.fds == 0) continue;
    auto comm = ReadSmallFile(dir + "/comm", 4096);
    if (comm.ok()) {
      process.comm = comm.value();
      while (!process.comm.empty() && process.comm.back() == '\n') process.comm.pop_back();
    }
    facts.fds += process.fds;
    facts.instances += process.instances;
    facts.watches += process.watches;
    facts.processes.push_back(std::move(process));
    fdWatches.push_back(allWatches);
  }
  closedir(proc);
  facts.dedup = kcmpWorks;
  if (!kcmpWorks) {
    // Without kcmp, every fd counts as an instance of its own.
    facts.instances = 0;
    facts.watches = 0;
    for (size_t i = 0; i < facts.processes.size(); ++i) {
      InotifyProcess& process = facts.processes[i];
      process.instances = process.fds;
      process.watches = fdWatches[i];
      facts.instances += process.fds;
      facts.watches += process.watches;
    }
  }
  return facts;
#endif
}

}  // namespace sysprobe::core
