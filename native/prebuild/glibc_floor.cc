// Linked into Linux prebuilds only. The static C++ runtime (libstdc++.a, libgcc_eh.a) of a modern
// toolchain refers to glibc symbols newer than the 2.17 floor; these hidden definitions satisfy
// those references inside the addon, so the loader never looks for the new versions.
#if defined(__linux__) && defined(SYSPROBE_GLIBC_FLOOR)
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SYSPROBE_HIDDEN __attribute__((visibility("hidden")))

extern "C" {

// glibc 2.32: libstdc++ skips atomic reference counting when this says single-threaded.
// 0 ("maybe multi-threaded") is always correct, only slower.
SYSPROBE_HIDDEN char __libc_single_threaded = 0;

// glibc 2.34 moved libpthread into libc under GLIBC_2.34 names; libgcc/libstdc++ refer to these
// (weakly). Each wrapper calls the base version, found in libpthread on older systems.
#define SYSPROBE_BASE_WRAPPER(ret, name, params, args)                       \
  ret sysprobe_base_##name params;                                           \
  __asm__(".symver sysprobe_base_" #name "," #name "@" SYSPROBE_GLIBC_BASE); \
  SYSPROBE_HIDDEN ret name params { return sysprobe_base_##name args; }
SYSPROBE_BASE_WRAPPER(int, pthread_once, (pthread_once_t * once, void (*init)(void)), (once, init))
SYSPROBE_BASE_WRAPPER(int, __pthread_key_create, (pthread_key_t * key, void (*destructor)(void*)), (key, destructor))
SYSPROBE_BASE_WRAPPER(int, pthread_key_create, (pthread_key_t * key, void (*destructor)(void*)), (key, destructor))
SYSPROBE_BASE_WRAPPER(void*, pthread_getspecific, (pthread_key_t key), (key))
SYSPROBE_BASE_WRAPPER(int, pthread_setspecific, (pthread_key_t key, const void* value), (key, value))
#undef SYSPROBE_BASE_WRAPPER

// glibc 2.33 made the stat family real symbols (stat@GLIBC_2.33, ...); before, the headers routed
// them to __xstat & co. The kernel answers them directly: on x86_64 and aarch64 its struct stat is
// glibc's, and newfstatat exists on both (aarch64 has no stat/lstat system calls).
SYSPROBE_HIDDEN int fstat(int fd, struct stat* st) { return static_cast<int>(syscall(SYS_fstat, fd, st)); }
SYSPROBE_HIDDEN int fstatat(int dirfd, const char* path, struct stat* st, int flags) {
  return static_cast<int>(syscall(SYS_newfstatat, dirfd, path, st, flags));
}
SYSPROBE_HIDDEN int stat(const char* path, struct stat* st) { return fstatat(AT_FDCWD, path, st, 0); }
SYSPROBE_HIDDEN int lstat(const char* path, struct stat* st) { return fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW); }

// glibc 2.35: libgcc's unwinder asks _dl_find_object for the .eh_frame_hdr of the object holding
// a return address. The same answer from dl_iterate_phdr (glibc 2.2.5), which is what libgcc
// itself did before 2.35; only dlfo_eh_frame (and dlfo_eh_dbase where it exists) is read by it.
struct FindObjectSearch {
  uintptr_t pc;
  struct dl_find_object* result;
  bool found;
};

static int FindObjectVisit(struct dl_phdr_info* info, size_t, void* data) {
  auto* search = static_cast<FindObjectSearch*>(data);
  uintptr_t low = UINTPTR_MAX, high = 0;
  bool contains = false;
  const void* ehFrame = nullptr;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    const uintptr_t start = info->dlpi_addr + ph.p_vaddr;
    if (ph.p_type == PT_LOAD) {
      if (start < low) low = start;
      if (start + ph.p_memsz > high) high = start + ph.p_memsz;
      if (search->pc >= start && search->pc - start < ph.p_memsz) contains = true;
    } else if (ph.p_type == PT_GNU_EH_FRAME) {
      ehFrame = reinterpret_cast<const void*>(start);
    }
  }
  if (!contains) return 0;
  search->result->dlfo_flags = 0;
  search->result->dlfo_map_start = reinterpret_cast<void*>(low);
  search->result->dlfo_map_end = reinterpret_cast<void*>(high);
  search->result->dlfo_link_map = nullptr;
  search->result->dlfo_eh_frame = const_cast<void*>(ehFrame);
#if DLFO_STRUCT_HAS_EH_DBASE
  search->result->dlfo_eh_dbase = nullptr;
#endif
  search->found = true;
  return 1;
}

SYSPROBE_HIDDEN int _dl_find_object(void* pc, struct dl_find_object* result) {
  FindObjectSearch search{reinterpret_cast<uintptr_t>(pc), result, false};
  dl_iterate_phdr(FindObjectVisit, &search);
  return search.found ? 0 : -1;
}

}  // extern "C"
#endif
