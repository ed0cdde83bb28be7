// readElf / readElfSync / readElfBatch: native/core/elf.h results as plain objects. Options arrive
// validated from src/probes/elf/index.ts as (target, symbols, crossCheck); a target is a path or a Uint8Array, parsed
// in place by the sync form and copied by the async one (its caller may detach or transfer the
// ArrayBuffer, which frees the bytes under a reference, before the work is done).
#include "modules.h"
#include "promise_worker.h"

#include <cstdio>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "../core/elf.h"
#include "../core/elf_json.h"

namespace sysprobe::binding {

namespace {

namespace elf = core::elf;

// Small texts as strings; a large one (symbols of a big library: 13 MB for libLLVM) as a Buffer that
// takes over the bytes, so that settling the promise costs no copy or UTF-8 decoding on the main
// thread (src/probes/elf/shape.ts decodes it slice by slice, yielding to the event loop in between). Where
// external buffers are not allowed (Electron's V8 sandbox), NewOrCopy copies.
Napi::Value JsonToJs(Napi::Env env, std::string& json) {
  if (json.size() < (64u << 10)) return Napi::String::New(env, json);
  auto* owned = new std::string(std::move(json));
  return Napi::Buffer<char>::NewOrCopy(
      env, owned->data(), owned->size(), [](Napi::Env, char*, std::string* text) { delete text; }, owned);
}

// What src/probes/elf/index.ts asks for: symbols (true, or 'demangled' for symbols with demangled names), crossCheck.
struct Options {
  elf::ParseOptions parse;
  bool demangle = false;
};

core::Result<std::string> ParseToJson(core::ByteSource& source, const Options& options) {
  auto result = elf::Parse(source, options.parse);
  if (!result.ok()) return result.error();
  return core::ElfToJson(result.value(), options.demangle);
}

core::Result<std::string> ParseFileToJson(const std::string& path, const Options& options) {
  auto result = elf::ParseFile(path, options.parse);
  if (!result.ok()) return result.error();
  return core::ElfToJson(result.value(), options.demangle);
}

Options OptionsOf(const Napi::CallbackInfo& info) {
  Options options;
  options.parse.symbols = info.Length() > 1 && info[1].ToBoolean().Value();
  options.demangle = info.Length() > 1 && info[1].IsString() && info[1].As<Napi::String>().Utf8Value() == "demangled";
  options.parse.crossCheck = info.Length() <= 2 || info[2].ToBoolean().Value();
  return options;
}

bool BytesOf(Napi::Value value, const uint8_t** data, size_t* size) {
  if (!value.IsTypedArray()) return false;
  auto array = value.As<Napi::TypedArray>();
  if (array.TypedArrayType() != napi_uint8_array) return false;
  auto bytes = value.As<Napi::Uint8Array>();
  *data = bytes.Data();
  *size = bytes.ByteLength();
  return true;
}

Napi::Value ReadElfSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Options options = OptionsOf(info);
  const uint8_t* data = nullptr;
  size_t size = 0;
  // (target, symbols, crossCheck, isPath): a Uint8Array is the file's bytes unless isPath says it is a path's.
  const bool isPath = info.Length() > 3 && info[3].ToBoolean().Value();
  if (!isPath && info.Length() >= 1 && BytesOf(info[0], &data, &size)) {
    core::MemorySource source(data, size);
    auto result = ParseToJson(source, options);
    if (!result.ok()) ThrowError(env, result.error());
    return JsonToJs(env, result.value());
  }
  std::string path;
  if (info.Length() < 1 || !PathOf(info[0], &path)) ThrowError(env, InvalidArgument("readElfSync() expects a path or a Uint8Array"));
  auto result = ParseFileToJson(path, options);
  if (!result.ok()) ThrowError(env, result.error());
  return JsonToJs(env, result.value());
}

// Parses a copy of a Uint8Array on the thread pool: a reference would keep the ArrayBuffer object alive,
// not its backing store, which structuredClone/postMessage transfers and ArrayBuffer#transfer free.
class BytesWorker : public Napi::AsyncWorker {
 public:
  BytesWorker(Napi::Env env, const uint8_t* data, size_t size, Options options)
      : Napi::AsyncWorker(env, "sysprobe"),
        deferred_(Napi::Promise::Deferred::New(env)),
        bytes_(data, data + size),
        options_(options) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    core::MemorySource source(bytes_.data(), bytes_.size());
    result_.emplace(ParseToJson(source, options_));
  }
  void OnOK() override {
    if (result_->ok()) deferred_.Resolve(JsonToJs(Env(), result_->value()));
    else
      deferred_.Reject(MakeError(Env(), result_->error()).Value());
  }
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<uint8_t> bytes_;
  Options options_;
  std::optional<core::Result<std::string>> result_;
};

Napi::Value ReadElf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Options options = OptionsOf(info);
  const uint8_t* data = nullptr;
  size_t size = 0;
  const bool isPath = info.Length() > 3 && info[3].ToBoolean().Value();
  if (!isPath && info.Length() >= 1 && BytesOf(info[0], &data, &size)) {
    BytesWorker* worker = nullptr;
    try {
      worker = new BytesWorker(env, data, size, options);
    } catch (const std::bad_alloc&) {
      ThrowError(env, core::SysError::Sysprobe("ERR_SYSPROBE_TOO_LARGE",
                                               "readElf(): no memory for a copy of " + std::to_string(size) + " bytes"));
    }
    Napi::Promise promise = worker->Promise();
    worker->Queue();
    return promise;
  }
  std::string path;
  if (info.Length() < 1 || !PathOf(info[0], &path)) ThrowError(env, InvalidArgument("readElf() expects a path or a Uint8Array"));
  return PromiseWorker<std::string>::Start(
      env, [path, options] { return ParseFileToJson(path, options); }, JsonToJs);
}

// Many files in one thread-pool task: src/probes/elf/index.ts keeps `concurrency` of these in flight.
using Batch = std::vector<core::Result<std::string>>;

Napi::Value BatchToJs(Napi::Env env, Batch& batch) {
  Napi::Array array = Napi::Array::New(env, batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    array.Set(static_cast<uint32_t>(i), batch[i].ok() ? JsonToJs(env, batch[i].value()) : MakeError(env, batch[i].error()).Value());
  }
  return array;
}

Napi::Value ReadElfBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) ThrowError(env, InvalidArgument("readElfBatch() expects an array of paths"));
  Napi::Array input = info[0].As<Napi::Array>();
  std::vector<std::string> paths;
  paths.reserve(input.Length());
  for (uint32_t i = 0; i < input.Length(); ++i) {
    std::string path;
    if (!PathOf(input.Get(i), &path)) ThrowError(env, InvalidArgument("readElfBatch() expects an array of paths"));
    paths.push_back(std::move(path));
  }
  const Options options = OptionsOf(info);
  return PromiseWorker<Batch>::Start(
      env,
      [paths = std::move(paths), options] {
        Batch batch;
        batch.reserve(paths.size());
        for (const auto& path : paths) batch.push_back(ParseFileToJson(path, options));
        return core::Result<Batch>(std::move(batch));
      },
      BatchToJs);
}

}  // namespace

void RegisterElf(Napi::Env env, Napi::Object exports) {
  exports.Set("readElfSync", Napi::Function::New(env, ReadElfSync, "readElfSync"));
  exports.Set("readElf", Napi::Function::New(env, ReadElf, "readElf"));
  exports.Set("readElfBatch", Napi::Function::New(env, ReadElfBatch, "readElfBatch"));
}

}  // namespace sysprobe::binding
