// The one place that fixes how the addon is compiled. Every binding translation unit includes this
// before napi.h, so binding.gyp and CMakeLists.txt cannot drift apart on these settings; the two
// build files only pass SYSPROBE_VERSION (read by both from package.json) and the source list
// (native/sources.gypi, read by both).
#pragma once

#define NAPI_VERSION 8
#define NODE_ADDON_API_DISABLE_DEPRECATED
// Electron's V8 memory cage forbids external buffers: every Buffer we hand out is a copy.
#define NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED
#define NODE_ADDON_API_REQUIRE_BASIC_FINALIZERS
// Throwing into a terminating worker must not abort the host process.
#define NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS
#ifndef NODE_ADDON_API_CPP_EXCEPTIONS
#define NODE_ADDON_API_CPP_EXCEPTIONS
#endif

#ifndef SYSPROBE_VERSION
#error "SYSPROBE_VERSION must be defined by the build (binding.gyp or CMakeLists.txt, from package.json)"
#endif
