// readElf / readElfSync / readElfBatch: native/core/elf.h results as plain objects. Options arrive
// validated from src/elf.ts as (target, symbols, crossCheck); a target is a path or a Uint8Array that
// is parsed in place (the async form keeps a reference to it until the work is done).
#include "modules.h"
#include "promise_worker.h"

#include <memory>
#include <vector>

#include "../core/elf.h"

namespace sysprobe::binding {

namespace {

namespace elf = core::elf;

Napi::Value NameOr(Napi::Env env, const char* name) { return name ? Napi::String::New(env, name) : env.Null(); }

Napi::Array Strings(Napi::Env env, const std::vector<std::string>& items) {
  Napi::Array array = Napi::Array::New(env, items.size());
  for (size_t i = 0; i < items.size(); ++i) array.Set(static_cast<uint32_t>(i), Napi::String::New(env, items[i]));
  return array;
}

Napi::Value OptionalNumber(Napi::Env env, const std::optional<uint64_t>& value) {
  return value ? Napi::Number::New(env, static_cast<double>(*value)) : env.Null();
}

Napi::Value ElfToJs(Napi::Env env, const elf::ElfFile& file) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("class", Napi::Number::New(env, file.elfClass));
  o.Set("bigEndian", Napi::Boolean::New(env, file.bigEndian));
  o.Set("osabi", Napi::Number::New(env, file.osabi));
  o.Set("osabiName", NameOr(env, elf::OsAbiName(file.osabi)));
  o.Set("abiVersion", Napi::Number::New(env, file.abiVersion));
  o.Set("type", Napi::Number::New(env, file.type));
  o.Set("typeName", NameOr(env, elf::TypeName(file.type)));
  o.Set("machine", Napi::Number::New(env, file.machine));
  o.Set("machineName", NameOr(env, elf::MachineName(file.machine, file.elfClass, file.bigEndian)));
  o.Set("eflags", Napi::Number::New(env, file.eflags));
  o.Set("entry", Napi::BigInt::New(env, file.entry));
  o.Set("pie", Napi::Boolean::New(env, file.pie()));
  o.Set("interpreter", OptionalString(env, file.interpreter));
  o.Set("soname", OptionalString(env, file.soname));
  o.Set("needed", Strings(env, file.needed));
  o.Set("rpath", Strings(env, file.rpath));
  o.Set("runpath", Strings(env, file.runpath));
  o.Set("hasDynamic", Napi::Boolean::New(env, file.hasDynamic));
  o.Set("flags", OptionalNumber(env, file.flags));
  o.Set("flags1", OptionalNumber(env, file.flags1));
  o.Set("flagNames", Strings(env, elf::FlagNames(file.flags, file.flags1)));

  Napi::Array needs = Napi::Array::New(env, file.versionNeeds.size());
  for (size_t i = 0; i < file.versionNeeds.size(); ++i) {
    const auto& need = file.versionNeeds[i];
    Napi::Object n = Napi::Object::New(env);
    n.Set("file", need.file);
    n.Set("version", Napi::Number::New(env, need.version));
    Napi::Array versions = Napi::Array::New(env, need.versions.size());
    for (size_t j = 0; j < need.versions.size(); ++j) {
      const auto& aux = need.versions[j];
      Napi::Object a = Napi::Object::New(env);
      a.Set("name", aux.name);
      a.Set("hash", Napi::Number::New(env, aux.hash));
      a.Set("flags", Napi::Number::New(env, aux.flags));
      a.Set("index", Napi::Number::New(env, aux.index));
      versions.Set(static_cast<uint32_t>(j), a);
    }
    n.Set("versions", versions);
    needs.Set(static_cast<uint32_t>(i), n);
  }
  o.Set("versionNeeds", needs);

  Napi::Array defs = Napi::Array::New(env, file.versionDefs.size());
  for (size_t i = 0; i < file.versionDefs.size(); ++i) {
    const auto& def = file.versionDefs[i];
    Napi::Object d = Napi::Object::New(env);
    d.Set("name", def.name);
    d.Set("index", Napi::Number::New(env, def.index));
    d.Set("flags", Napi::Number::New(env, def.flags));
    d.Set("hash", Napi::Number::New(env, def.hash));
    d.Set("version", Napi::Number::New(env, def.version));
    d.Set("parents", Strings(env, def.parents));
    defs.Set(static_cast<uint32_t>(i), d);
  }
  o.Set("versionDefs", defs);

  if (file.symbolsRead) {
    Napi::Array symbols = Napi::Array::New(env, file.symbols.size());
    for (size_t i = 0; i < file.symbols.size(); ++i) {
      const auto& sym = file.symbols[i];
      Napi::Object s = Napi::Object::New(env);
      s.Set("name", sym.name);
      s.Set("value", Napi::BigInt::New(env, sym.value));
      s.Set("size", Napi::Number::New(env, static_cast<double>(sym.size)));
      s.Set("type", Napi::Number::New(env, sym.type));
      s.Set("typeName", NameOr(env, elf::SymbolTypeName(sym.type)));
      s.Set("binding", Napi::Number::New(env, sym.binding));
      s.Set("bindingName", NameOr(env, elf::SymbolBindingName(sym.binding)));
      s.Set("visibility", Napi::String::New(env, elf::SymbolVisibilityName(sym.visibility)));
      s.Set("shndx", Napi::Number::New(env, sym.shndx));
      s.Set("versionIndex", sym.hasVersion ? Napi::Number::New(env, sym.versionIndex) : env.Null());
      s.Set("hidden", Napi::Boolean::New(env, sym.hidden));
      s.Set("version", OptionalString(env, sym.version));
      s.Set("versionFile", OptionalString(env, sym.versionFile));
      s.Set("versionWeak", Napi::Boolean::New(env, sym.versionWeak));
      symbols.Set(static_cast<uint32_t>(i), s);
    }
    o.Set("symbols", symbols);
  } else {
    o.Set("symbols", env.Null());
  }
  o.Set("dynamicSource", file.dynamicSource);
  o.Set("diagnostics", Strings(env, file.diagnostics));
  return o;
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
  if (info.Length() >= 1 && BytesOf(info[0], &data, &size)) {
    core::MemorySource source(data, size);
    auto result = elf::Parse(source, options);
    if (!result.ok()) ThrowError(env, result.error());
    return ElfToJs(env, result.value());
  }
  if (info.Length() < 1 || !info[0].IsString()) ThrowError(env, InvalidArgument("readElfSync() expects a path or a Uint8Array"));
  auto result = elf::ParseFile(info[0].As<Napi::String>().Utf8Value(), options);
  if (!result.ok()) ThrowError(env, result.error());
  return ElfToJs(env, result.value());
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
    result_.emplace(elf::Parse(source, options_));
  }
  void OnOK() override {
    if (result_->ok()) deferred_.Resolve(ElfToJs(Env(), result_->value()));
    else deferred_.Reject(MakeError(Env(), result_->error()).Value());
  }
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::Reference<Napi::Value> keep_;
  const uint8_t* data_;
  size_t size_;
  elf::ParseOptions options_;
  std::optional<core::Result<elf::ElfFile>> result_;
};

Napi::Value ReadElf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const elf::ParseOptions options = Options(info);
  const uint8_t* data = nullptr;
  size_t size = 0;
  if (info.Length() >= 1 && BytesOf(info[0], &data, &size)) {
    auto* worker = new BytesWorker(env, info[0], data, size, options);
    Napi::Promise promise = worker->Promise();
    worker->Queue();
    return promise;
  }
  if (info.Length() < 1 || !info[0].IsString()) ThrowError(env, InvalidArgument("readElf() expects a path or a Uint8Array"));
  std::string path = info[0].As<Napi::String>().Utf8Value();
  return PromiseWorker<elf::ElfFile>::Start(
      env, [path, options] { return elf::ParseFile(path, options); }, ElfToJs);
}

// Many files in one thread-pool task: src/elf.ts keeps `concurrency` of these in flight.
using Batch = std::vector<core::Result<elf::ElfFile>>;

Napi::Value BatchToJs(Napi::Env env, const Batch& batch) {
  Napi::Array array = Napi::Array::New(env, batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    array.Set(static_cast<uint32_t>(i), batch[i].ok() ? ElfToJs(env, batch[i].value()) : MakeError(env, batch[i].error()).Value());
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
    Napi::Value item = input.Get(i);
    if (!item.IsString()) ThrowError(env, InvalidArgument("readElfBatch() expects an array of paths"));
    paths.push_back(item.As<Napi::String>().Utf8Value());
  }
  const elf::ParseOptions options = Options(info);
  return PromiseWorker<Batch>::Start(
      env,
      [paths = std::move(paths), options] {
        Batch batch;
        batch.reserve(paths.size());
        for (const auto& path : paths) batch.push_back(elf::ParseFile(path, options));
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
