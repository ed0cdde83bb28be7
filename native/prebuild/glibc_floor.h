// Force-included (-include) into every translation unit of a Linux prebuild, so that the addon
// binds the oldest version of each glibc symbol it uses and loads on glibc 2.17. glibc 2.34 moved
// libdl and libpthread into libc under new version names; the old names still resolve there,
// and in libdl/libpthread on older systems. The build fails if any newer version slips through
// (scripts/prebuild.mjs reads the result with readelf).
#pragma once

#if defined(__linux__) && defined(SYSPROBE_GLIBC_FLOOR)
#if defined(__x86_64__)
#define SYSPROBE_GLIBC_BASE "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define SYSPROBE_GLIBC_BASE "GLIBC_2.17"
#else
#error "no glibc floor known for this architecture"
#endif
#define SYSPROBE_PIN(symbol) __asm__(".symver " #symbol "," #symbol "@" SYSPROBE_GLIBC_BASE);
SYSPROBE_PIN(dlsym)
SYSPROBE_PIN(dlopen)
SYSPROBE_PIN(dlerror)
SYSPROBE_PIN(dladdr)
SYSPROBE_PIN(dlclose)
#undef SYSPROBE_PIN
#endif
