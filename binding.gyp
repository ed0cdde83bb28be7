{
  'includes': ['native/sources.gypi'],
  'targets': [
    {
      'target_name': 'sysprobe',
      'sources': ['<@(sysprobe_core_sources)', '<@(sysprobe_binding_sources)'],
      'include_dirs': ["<!(node -p \"require('node-addon-api').include_dir\")"],
      'defines': ["SYSPROBE_VERSION=\"<!(node -p \"require('./package.json').version\")\""],
      'cflags!': ['-fno-exceptions'],
      'cflags_cc!': ['-fno-exceptions', '-fno-rtti', '-std=gnu++17'],
      'cflags': ['-fvisibility=hidden', '-fstack-protector-strong', '-Wall', '-Wextra'],
      'cflags_cc': ['-std=c++17', '-fexceptions', '-fvisibility=hidden', '-fvisibility-inlines-hidden'],
      'conditions': [
        ['OS=="linux"', {
          'libraries': ['-ldl'],
          'ldflags': ['-Wl,-z,relro,-z,now', '-Wl,--as-needed', '-Wl,--version-script=<(module_root_dir)/native/exports.map'],
        }],
        ['OS=="mac"', {
          'xcode_settings': {
            'GCC_ENABLE_CPP_EXCEPTIONS': 'YES',
            'GCC_SYMBOLS_PRIVATE_EXTERN': 'YES',
            'CLANG_CXX_LANGUAGE_STANDARD': 'c++17',
            'MACOSX_DEPLOYMENT_TARGET': '10.15',
          },
        }],
        ['OS=="win"', {
          'msvs_settings': {
            'VCCLCompilerTool': {'ExceptionHandling': 1, 'AdditionalOptions': ['/std:c++17', '/guard:cf', '/sdl']},
          },
        }],
      ],
    },
  ],
}
