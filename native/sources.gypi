# The addon's sources, shared by binding.gyp (included) and CMakeLists.txt (parsed), so that the
# two builds compile the same files.
{
  'variables': {
    'sysprobe_core_sources': [
      'native/core/byte_source.cc',
      'native/core/compat_json.cc',
      'native/core/elf.cc',
      'native/core/elf_json.cc',
      'native/core/inotify.cc',
      'native/core/ldcache.cc',
      'native/core/libc_self.cc',
      'native/core/procenv.cc',
      'native/core/procfs.cc',
      'native/core/reparse.cc',
      'native/core/reparse_json.cc',
      'native/core/reparse_probe.cc',
      'native/core/resolve.cc',
      'native/core/rlimits.cc',
      'native/core/rootfs.cc',
    ],
    # The core as WebAssembly (npm run prebuild -- wasm32): parsers and the loader model, no OS probes.
    'sysprobe_wasm_sources': [
      'native/core/byte_source.cc',
      'native/core/compat_json.cc',
      'native/core/elf.cc',
      'native/core/elf_json.cc',
      'native/core/ldcache.cc',
      'native/core/procenv.cc',
      'native/core/procfs.cc',
      'native/core/reparse.cc',
      'native/core/reparse_json.cc',
      'native/core/resolve.cc',
      'native/core/rootfs.cc',
      'native/wasm/exports.cc',
    ],
    'sysprobe_binding_sources': [
      'native/binding/addon.cc',
      'native/binding/compat_binding.cc',
      'native/binding/convert.cc',
      'native/binding/elf_binding.cc',
      'native/binding/env_binding.cc',
      'native/binding/libc_binding.cc',
      'native/binding/limits_binding.cc',
      'native/binding/reparse_binding.cc',
    ],
  },
}
