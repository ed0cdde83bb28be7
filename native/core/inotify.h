// inotify limits and the current use by this user (Linux). The limits come from
// /proc/sys/fs/inotify (the initial user namespace's) and /proc/sys/user/max_inotify_* (the
// caller's user namespace); the use is counted from /proc/*/fd and /proc/*/fdinfo of the
// processes of this effective uid that the caller may read.
#pragma once

#include <string>
#include <vector>

#include "result.h"

namespace sysprobe::core {

struct InotifyProcess {
  long long pid = 0;
  std::string comm;
  unsigned fds = 0;        // inotify file descriptors open in this process
  unsigned instances = 0;  // of those, instances not already counted (dup'd/inherited fds count once)
  unsigned long long watches = 0;
};

struct InotifyFacts {
  // /proc/sys/fs/inotify/*; -1 when a file could not be read.
  long long maxUserWatches = -1;
  long long maxUserInstances = -1;
  long long maxQueuedEvents = -1;
  // /proc/sys/user/max_inotify_*; -1 when absent (kernels before 4.9) or unreadable.
  long long nsMaxWatches = -1;
  long long nsMaxInstances = -1;
  unsigned long long uid = 0;  // the effective uid whose use is counted
  unsigned fds = 0;
  unsigned instances = 0;
  unsigned long long watches = 0;
  unsigned processesScanned = 0;          // processes of this uid looked at
  unsigned processesUnreadable = 0;       // of those, ones whose fd/fdinfo could not be read
  bool dedup = false;                     // kcmp(KCMP_FILE) told shared instances apart
  std::vector<InotifyProcess> processes;  // only those holding inotify fds
};

Result<InotifyFacts> ProbeInotify();

}  // namespace sysprobe::core
