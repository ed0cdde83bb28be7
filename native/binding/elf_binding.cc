// readElf / readElfSync / readElfBatch: native/core/elf.h results as plain objects. Options arrive
// validated from src/elf.ts as (target, symbols, crossCheck); a target is a path or a Uint8Array that
// is parsed in place (the async form keeps a reference to it until the work is done).
#include "modules.h"
#include "promise_worker.h"

#include <cstdio>
#include <memory>
#include <vector>

#include "../core/elf.h"
#include "../core/elf_json.h"

namespace sysprobe::binding {

namespace {

namespace elf = core::elf;

Napi::Value JsonToJs(Napi::Env env, const std::string& json) { return Napi::String::New(env, json); }

core::Result<std::string> ParseToJson(core::ByteSource& source, const elf::ParseOptions& options) {
  auto result = elf::Parse(source, options);
  if (!result.ok()) return result.error();
  return core::ElfToJson(result.value(), nullptr);
}

core::Result<std::string> ParseFileToJson(const std::string& path, const elf::ParseOptions& options) {
  auto result = elf::ParseFile(path, options);
  if (!result.ok()) return result.error();
  return core::ElfToJson(result.value(), &path);
}

elf::ParseOptions Options(const Napi::CallbackInfo& info) {
  elf::ParseOptions options;
  options.symbols = info.Length() > 1 && info[1].ToBoolean().Value();
  options.crossCheck = info.Length() <= 2 || info[2].ToBoolean().Value();
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
  const elf::ParseOptions options = Options(info);
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

// Parses a Uint8Array on the thread pool, holding a reference so the bytes stay alive.
class BytesWorker : public Napi::AsyncWorker {
 public:
  BytesWorker(Napi::Env env, Napi::Value bytes, const uint8_t* data, size_t size, elf::ParseOptions options)
      : Napi::AsyncWorker(env, "sysprobe"), deferred_(Napi::Promise::Deferred::New(env)),
        keep_(Napi::Persistent(bytes)), data_(data), size_(size), options_(options) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    core::MemorySource source(data_, size_);
    result_.emplace(ParseToJson(source, options_));
  }
  void OnOK() override {
    if (result_->ok()) deferred_.Resolve(JsonToJs(Env(), result_->value()));
    else deferred_.Reject(MakeError(Env(), result_->error()).Value());
  }
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::Reference<Napi::Value> keep_;
  const uint8_t* data_;
  size_t size_;
  elf::ParseOptions options_;
  std::optional<core::Result<std::string>> result_;
};

Napi::Value ReadElf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const elf::ParseOptions options = Options(info);
  const uint8_t* data = nullptr;
  size_t size = 0;
  const bool isPath = info.Length() > 3 && info[3].ToBoolean().Value();
  if (!isPath && info.Length() >= 1 && BytesOf(info[0], &data, &size)) {
    auto* worker = new BytesWorker(env, info[0], data, size, options);
    Napi::Promise promise = worker->Promise();
    worker->Queue();
    return promise;
  }
  std::string path;
  if (info.Length() < 1 || !PathOf(info[0], &path)) ThrowError(env, InvalidArgument("readElf() expects a path or a Uint8Array"));
  return PromiseWorker<std::string>::Start(
      env, [path, options] { return ParseFileToJson(path, options); }, JsonToJs);
}

// Many files in one thread-pool task: src/elf.ts keeps `concurrency` of these in flight.
using Batch = std::vector<core::Result<std::string>>;

Napi::Value BatchToJs(Napi::Env env, const Batch& batch) {
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
  const elf::ParseOptions options = Options(info);
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
