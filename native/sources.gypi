# The addon's sources, shared by binding.gyp (included) and CMakeLists.txt (parsed), so that the
# two builds compile the same files.
{
  'variables': {
    'sysprobe_core_sources': [
      'native/core/byte_source.cc',
      'native/core/elf.cc',
      'native/core/inotify.cc',
      'native/core/libc_self.cc',
      'native/core/procenv.cc',
      'native/core/procfs.cc',
      'native/core/rlimits.cc',
      'native/core/reparse.cc',
      'native/core/reparse_probe.cc',
    ],
    'sysprobe_binding_sources': [
      'native/binding/addon.cc',
      'native/binding/convert.cc',
      'native/binding/elf_binding.cc',
      'native/binding/env_binding.cc',
      'native/binding/libc_binding.cc',
      'native/binding/limits_binding.cc',
      'native/binding/reparse_binding.cc',
    ],
  },
}
