// The C++ core as a WebAssembly module (wasm32-wasi) for the koffi backend, so that the fallback runs
// the same parsers and loader model as the addon instead of a second implementation in TypeScript.
// Calls take their inputs in memory from sysprobe_alloc and leave one result, read with
// sysprobe_result_data/size: status 0 is the result's JSON, status 1 a SysError as JSON. File access
// goes through WASI (answered by src/backends/wasm/host.ts with node:fs) and the host's realpath import.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "../core/byte_source.h"
#include "../core/compat_json.h"
#include "../core/elf.h"
#include "../core/elf_json.h"
#include "../core/go_buildinfo.h"
#include "../core/go_buildinfo_json.h"
#include "../core/inotify.h"
#include "../core/inotify_json.h"
#include "../core/json.h"
#include "../core/ldcache.h"
#include "../core/libc_root.h"
#include "../core/limits_json.h"
#include "../core/procenv.h"
#include "../core/procenv_json.h"
#include "../core/reparse.h"
#include "../core/reparse_json.h"
#include "../core/resolve.h"
#include "../core/resolve_request.h"
#include "../core/rlimits.h"
#include "../core/root_read.h"

#define SYSPROBE_EXPORT(name) extern "C" __attribute__((export_name(name)))

namespace {

using sysprobe::core::Json;
using sysprobe::core::SysError;

std::string result;

int Ok(std::string json) {
  result = std::move(json);
  return 0;
}

// errno here is WASI's numbering; src/backends/wasm/host.ts turns it into the host's.
int Fail(const SysError& error) {
  Json j;
  j.Open('{');
  if (!error.code.empty()) j.Key("code").String(error.code);
  if (error.errnum != 0) j.Key("errno").Uint(static_cast<uint64_t>(error.errnum));
  if (!error.syscall.empty()) j.Key("syscall").String(error.syscall);
  if (!error.path.empty()) j.Key("path").String(error.path);
  if (!error.message.empty()) j.Key("message").String(error.message);
  if (error.offset >= 0) j.Key("offset").Uint(static_cast<uint64_t>(error.offset));
  j.Close('}');
  result = std::move(j.text);
  return 1;
}

std::string Text(const char* data, size_t size) { return std::string(data, size); }

// A NUL-separated list of fields (the resolver's options), each possibly empty.
std::vector<std::string> Fields(const char* data, size_t size) {
  std::vector<std::string> fields(1);
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == '\0') fields.emplace_back();
    else
      fields.back() += data[i];
  }
  return fields;
}

sysprobe::core::elf::ParseOptions ElfOptions(int flags) {
  sysprobe::core::elf::ParseOptions options;
  options.symbols = (flags & 1) != 0;
  options.crossCheck = (flags & 2) != 0;
  return options;
}

}  // namespace

SYSPROBE_EXPORT("sysprobe_alloc") void* SysprobeAlloc(size_t size) { return std::malloc(size == 0 ? 1 : size); }
SYSPROBE_EXPORT("sysprobe_free") void SysprobeFree(void* pointer) { std::free(pointer); }
SYSPROBE_EXPORT("sysprobe_result_data") const char* SysprobeResultData() { return result.data(); }
SYSPROBE_EXPORT("sysprobe_result_size") size_t SysprobeResultSize() { return result.size(); }

// flags: 1 symbols, 2 crossCheck, 4 demangled names.
SYSPROBE_EXPORT("sysprobe_read_elf_path") int SysprobeReadElfPath(const char* path, size_t size, int flags) {
  const std::string file = Text(path, size);
  auto parsed = sysprobe::core::elf::ParseFile(file, ElfOptions(flags));
  if (!parsed.ok()) return Fail(parsed.error());
  return Ok(sysprobe::core::ElfToJson(parsed.value(), (flags & 4) != 0));
}

SYSPROBE_EXPORT("sysprobe_read_elf_bytes") int SysprobeReadElfBytes(const uint8_t* data, size_t size, int flags) {
  sysprobe::core::MemorySource source(data, size);
  auto parsed = sysprobe::core::elf::Parse(source, ElfOptions(flags));
  if (!parsed.ok()) return Fail(parsed.error());
  return Ok(sysprobe::core::ElfToJson(parsed.value(), (flags & 4) != 0));
}

SYSPROBE_EXPORT("sysprobe_read_ld_so_cache") int SysprobeReadLdSoCache(const char* path, size_t size) {
  auto cache = sysprobe::core::ldcache::ParseFile(Text(path, size));
  if (!cache.ok()) return Fail(cache.error());
  return Ok(sysprobe::core::CacheToJson(cache.value()));
}

// fields: root, path, what (native/core/root_read.h); offset and length as doubles (exact below 2^53).
SYSPROBE_EXPORT("sysprobe_read_in_root")
int SysprobeReadInRoot(const char* data, size_t size, int flags, double offset, double length) {
  const std::vector<std::string> fields = Fields(data, size);
  if (fields.size() != 3) return Fail(SysError::Sysprobe("ERR_SYSPROBE_INVALID_ARG", "readInRoot: 3 fields expected"));
  sysprobe::core::RootRead request;
  request.root = fields[0];
  request.path = fields[1];
  request.what = fields[2];
  request.flags = flags;
  request.offset = offset > 0 && offset < 9007199254740992.0 ? static_cast<uint64_t>(offset) : 0;
  request.length = length > 0 && length < 9007199254740992.0 ? static_cast<uint64_t>(length) : 0;
  auto result = sysprobe::core::ReadInRoot(request);
  if (!result.ok()) return Fail(result.error());
  return Ok(result.value());
}

// The request's JSON text (native/core/resolve_request.h), as the addon takes it.
SYSPROBE_EXPORT("sysprobe_resolve_deps") int SysprobeResolveDeps(const char* data, size_t size) {
  auto answer = sysprobe::core::ResolveRequestToJson(std::string_view(data, size));
  if (!answer.ok()) return Fail(answer.error());
  return Ok(std::move(answer.value()));
}

// The host: its ELF machine (62: x86-64 Linux, whose CPU's ISA levels then pick glibc-hwcaps
// subdirectories), and whether it is Windows.
SYSPROBE_EXPORT("sysprobe_set_host") void SysprobeSetHost(int machine, int windows) {
  sysprobe::core::resolve::SetHost(static_cast<uint16_t>(machine), windows != 0);
}

SYSPROBE_EXPORT("sysprobe_decode_reparse") int SysprobeDecodeReparse(const uint8_t* data, size_t size) {
  auto decoded = sysprobe::core::DecodeReparseBuffer(data, size);
  if (!decoded.ok()) return Fail(decoded.error());
  return Ok(sysprobe::core::ReparseToJson(decoded.value()));
}

// Linux /proc/PID/environ read through WASI, as the addon reads it (src/backends/wasm/host.ts calls it on Linux only).
SYSPROBE_EXPORT("sysprobe_process_env") int SysprobeProcessEnv(double pid) {
  auto facts = sysprobe::core::ReadProcessEnv(static_cast<long long>(pid));
  if (!facts.ok()) return Fail(facts.error());
  return Ok(sysprobe::core::ProcessEnvToJson(facts.value()));
}

// Linux: the inotify limits and use of this uid, from /proc through WASI (src/backends/wasm/host.ts calls it on Linux only).
SYSPROBE_EXPORT("sysprobe_inotify") int SysprobeInotify() {
  auto facts = sysprobe::core::ProbeInotify();
  if (!facts.ok()) return Fail(facts.error());
  return Ok(sysprobe::core::InotifyToJson(facts.value()));
}

// Linux /proc/PID/limits (pid -1: /proc/self/limits), read and parsed as the addon does.
SYSPROBE_EXPORT("sysprobe_proc_limits") int SysprobeProcLimits(double pid) {
  auto set = sysprobe::core::GetRlimits(static_cast<long long>(pid), sysprobe::core::RlimitMode::Procfs);
  if (!set.ok()) return Fail(set.error());
  return Ok(sysprobe::core::RlimitSetToJson(set.value()));
}

// probeGlibc({ root }) in one call (native/core/libc_root.h): the root and the working directory, each as
// its own input.
SYSPROBE_EXPORT("sysprobe_probe_libc_root")
int SysprobeProbeLibcRoot(const char* root, size_t rootSize, const char* cwd, size_t cwdSize) {
  auto probed = sysprobe::core::libc::ProbeRootJson(Text(root, rootSize), Text(cwd, cwdSize));
  if (!probed.ok()) return Fail(probed.error());
  return Ok(std::move(probed.value()));
}

// One C library file's banner and version definitions (probeGlibc({ pid })).
SYSPROBE_EXPORT("sysprobe_scan_libc_file") int SysprobeScanLibcFile(const char* path, size_t size) {
  auto scanned = sysprobe::core::libc::ScanFileJson(Text(path, size));
  if (!scanned.ok()) return Fail(scanned.error());
  return Ok(std::move(scanned.value()));
}

// A Go executable's build info, from a path (read through WASI) or from its bytes.
SYSPROBE_EXPORT("sysprobe_read_go_buildinfo_path") int SysprobeReadGoBuildInfoPath(const char* path, size_t size) {
  auto info = sysprobe::core::gobuild::ReadFile(Text(path, size));
  if (!info.ok()) return Fail(info.error());
  return Ok(sysprobe::core::GoBuildInfoToJson(info.value()));
}

SYSPROBE_EXPORT("sysprobe_read_go_buildinfo_bytes") int SysprobeReadGoBuildInfoBytes(const uint8_t* data, size_t size) {
  sysprobe::core::MemorySource source(data, size);
  auto info = sysprobe::core::gobuild::Read(source);
  if (!info.ok()) return Fail(info.error());
  return Ok(sysprobe::core::GoBuildInfoToJson(info.value()));
}
