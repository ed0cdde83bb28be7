/* The practical limit for bench/elf.mjs: open, mmap and walk .gnu.version_r through PT_DYNAMIC for
 * every file in a list, with no validation beyond what keeps it from faulting on the files of /usr
 * (native byte order only; other files are skipped). Compiled at bench time:
 *   cc -O2 -o .bench/elf_verneed_loop bench/elf_verneed_loop.c
 *   .bench/elf_verneed_loop LIST   -> {"ms":..,"files":..,"needs":..,"maxRssKb":..} */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WALK(Ehdr, Phdr, Dyn, Verneed, Vernaux)                                                   \
  do {                                                                                           \
    const Ehdr* eh = (const Ehdr*)map;                                                           \
    const Phdr* ph = (const Phdr*)(map + eh->e_phoff);                                           \
    const Dyn* dyn = NULL;                                                                       \
    for (int i = 0; i < eh->e_phnum; ++i)                                                        \
      if (ph[i].p_type == PT_DYNAMIC && ph[i].p_filesz) dyn = (const Dyn*)(map + ph[i].p_offset); \
    if (!dyn) break;                                                                             \
    unsigned long strtab = 0, verneed = 0;                                                       \
    for (const Dyn* d = dyn; d->d_tag != DT_NULL; ++d) {                                         \
      if (d->d_tag == DT_STRTAB) strtab = d->d_un.d_ptr;                                         \
      if (d->d_tag == DT_VERNEED) verneed = d->d_un.d_ptr;                                       \
    }                                                                                            \
    if (!strtab || !verneed) break;                                                              \
    unsigned long strOff = 0, vnOff = 0;                                                         \
    for (int i = 0; i < eh->e_phnum; ++i) {                                                      \
      if (ph[i].p_type != PT_LOAD) continue;                                                     \
      if (strtab >= ph[i].p_vaddr && strtab < ph[i].p_vaddr + ph[i].p_filesz)                   \
        strOff = strtab - ph[i].p_vaddr + ph[i].p_offset;                                        \
      if (verneed >= ph[i].p_vaddr && verneed < ph[i].p_vaddr + ph[i].p_filesz)                 \
        vnOff = verneed - ph[i].p_vaddr + ph[i].p_offset;                                        \
    }                                                                                            \
    if (!strOff || !vnOff) break;                                                                \
    const char* strings = (const char*)map + strOff;                                             \
    const unsigned char* vn = map + vnOff;                                                       \
    for (;;) {                                                                                   \
      const Verneed* n = (const Verneed*)vn;                                                     \
      checksum += strlen(strings + n->vn_file);                                                  \
      const unsigned char* va = vn + n->vn_aux;                                                  \
      for (int j = 0; j < n->vn_cnt; ++j) {                                                      \
        const Vernaux* a = (const Vernaux*)va;                                                   \
        checksum += strlen(strings + a->vna_name) + a->vna_hash;                                 \
        ++needs;                                                                                 \
        if (!a->vna_next) break;                                                                 \
        va += a->vna_next;                                                                       \
      }                                                                                          \
      if (!n->vn_next) break;                                                                    \
      vn += n->vn_next;                                                                          \
    }                                                                                            \
  } while (0)

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  FILE* list = fopen(argv[1], "r");
  if (!list) return 2;
  static char path[4096];
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  unsigned long files = 0, needs = 0, checksum = 0;
  while (fgets(path, sizeof path, list)) {
    path[strcspn(path, "\n")] = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(Elf64_Ehdr)) { close(fd); continue; }
    const unsigned char* map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) continue;
    ++files;
    if (map[EI_DATA] == ELFDATA2LSB) {
      if (map[EI_CLASS] == ELFCLASS64) WALK(Elf64_Ehdr, Elf64_Phdr, Elf64_Dyn, Elf64_Verneed, Elf64_Vernaux);
      else if (map[EI_CLASS] == ELFCLASS32) WALK(Elf32_Ehdr, Elf32_Phdr, Elf32_Dyn, Elf32_Verneed, Elf32_Vernaux);
    }
    munmap((void*)map, st.st_size);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  printf("{\"ms\":%.3f,\"files\":%lu,\"needs\":%lu,\"checksum\":%lu,\"maxRssKb\":%ld}\n",
         (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6, files, needs, checksum, usage.ru_maxrss);
  return 0;
}
