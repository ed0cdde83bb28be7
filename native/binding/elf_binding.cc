// readElf / readElfSync / readElfBatch: native/core/elf.h results as plain objects. Options arrive
// validated from src/elf.ts as (target, symbols, crossCheck); a target is a path or a Uint8Array that
// is parsed in place (the async form keeps a reference to it until the work is done).
#include "modules.h"
#include "promise_worker.h"

#include <cstdio>
#include <memory>
#include <vector>

#include "../core/elf.h"

namespace sysprobe::binding {

namespace {

namespace elf = core::elf;

// The ElfInfo of src/elf.ts is written here as JSON, on the thread pool, in its final shape (src/elf.ts
// parses it and adds maxVersions; `path` is the path as given, null for bytes). Building thousands of objects property by property
// through Node-API on the main thread cost twice the parse itself; JSON.parse is far cheaper.
class Json {
 public:
  std::string text;

  Json& Raw(const char* s) { text += s; return *this; }
  Json& Key(const char* key) {
    Comma();
    text += '"';
    text += key;
    text += "\":";
    fresh_ = true;
    return *this;
  }
  Json& Number(double value) {
    Comma();
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%.17g", value);
    text += buffer;
    return *this;
  }
  Json& Uint(uint64_t value) {
    Comma();
    text += std::to_string(value);
    return *this;
  }
  Json& Bool(bool value) { Comma(); text += value ? "true" : "false"; return *this; }
  Json& Null() { Comma(); text += "null"; return *this; }
  // Strings from the file are arbitrary bytes: valid UTF-8 is kept, each invalid byte becomes U+FFFD.
  Json& String(const std::string& s) {
    Comma();
    text += '"';
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const size_t n = s.size();
    for (size_t i = 0; i < n;) {
      const unsigned char c = p[i];
      if (c < 0x80) {
        if (c == '"' || c == '\\') { text += '\\'; text += static_cast<char>(c); }
        else if (c < 0x20) { char e[8]; std::snprintf(e, sizeof(e), "\\u%04x", c); text += e; }
        else text += static_cast<char>(c);
        ++i;
        continue;
      }
      size_t length = 0;
      uint32_t cp = 0, min = 0;
      if (c >= 0xc2 && c <= 0xdf) { length = 2; cp = c & 0x1f; min = 0x80; }
      else if (c >= 0xe0 && c <= 0xef) { length = 3; cp = c & 0x0f; min = 0x800; }
      else if (c >= 0xf0 && c <= 0xf4) { length = 4; cp = c & 0x07; min = 0x10000; }
      bool valid = length != 0 && i + length <= n;
      for (size_t k = 1; valid && k < length; ++k) {
        if ((p[i + k] & 0xc0) != 0x80) valid = false;
        else cp = (cp << 6) | (p[i + k] & 0x3f);
      }
      if (valid && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) valid = false;
      if (valid) { text.append(s, i, length); i += length; }
      else { text += "\xef\xbf\xbd"; ++i; }
    }
    text += '"';
    return *this;
  }
  Json& String(const char* s) { return String(std::string(s)); }
  Json& OptionalString(const std::optional<std::string>& s) { return s ? String(*s) : Null(); }
  Json& Open(char bracket) { Comma(); text += bracket; fresh_ = true; return *this; }
  Json& Close(char bracket) { text += bracket; fresh_ = false; return *this; }
  Json& Strings(const std::vector<std::string>& items) {
    Open('[');
    for (const auto& item : items) String(item);
    return Close(']');
  }

 private:
  void Comma() {
    if (!fresh_) text += ',';
    fresh_ = false;
  }
  bool fresh_ = true;
};

// A name, or PREFIX_N for a number without one ("em_9999").
std::string Named(const char* name, const char* prefix, unsigned number) {
  return name ? std::string(name) : std::string(prefix) + "_" + std::to_string(number);
}

std::optional<std::string> SearchPath(const std::vector<std::string>& items) {
  if (items.empty()) return std::nullopt;
  std::string joined = items[0];
  for (size_t i = 1; i < items.size(); ++i) joined += ":" + items[i];
  return joined;
}

std::string ElfToJson(const elf::ElfFile& file, const std::string* path) {
  Json j;
  j.text.reserve(1024);
  j.Open('{');
  if (path) j.Key("path").String(*path); else j.Key("path").Null();
  j.Key("class").Uint(file.elfClass);
  j.Key("endian").String(file.bigEndian ? "big" : "little");
  j.Key("machine").String(Named(elf::MachineName(file.machine, file.elfClass, file.bigEndian), "em", file.machine));
  j.Key("machineId").Uint(file.machine);
  j.Key("osabi").String(Named(elf::OsAbiName(file.osabi), "osabi", file.osabi));
  j.Key("osabiId").Uint(file.osabi);
  j.Key("abiVersion").Uint(file.abiVersion);
  j.Key("eflags").Uint(file.eflags);
  j.Key("type").String(Named(elf::TypeName(file.type), "et", file.type));
  j.Key("typeId").Uint(file.type);
  j.Key("pie").Bool(file.pie());
  j.Key("interpreter").OptionalString(file.interpreter);
  j.Key("soname").OptionalString(file.soname);
  j.Key("needed").Strings(file.needed);
  j.Key("rpath").OptionalString(SearchPath(file.rpath));
  j.Key("runpath").OptionalString(SearchPath(file.runpath));
  j.Key("flags").Open('{');
  if (file.flags) j.Key("flags").Uint(*file.flags); else j.Key("flags").Null();
  if (file.flags1) j.Key("flags1").Uint(*file.flags1); else j.Key("flags1").Null();
  j.Key("names").Strings(elf::FlagNames(file.flags, file.flags1));
  j.Close('}');
  j.Key("versionNeeds").Open('[');
  for (const auto& need : file.versionNeeds) {
    j.Open('{');
    j.Key("file").String(need.file);
    j.Key("version").Uint(need.version);
    j.Key("versions").Open('[');
    for (const auto& aux : need.versions) {
      j.Open('{');
      j.Key("name").String(aux.name);
      j.Key("hash").Uint(aux.hash);
      j.Key("weak").Bool(aux.weak());
      j.Key("flags").Uint(aux.flags);
      j.Key("index").Uint(aux.index);
      j.Close('}');
    }
    j.Close(']').Close('}');
  }
  j.Close(']');
  j.Key("versionDefs").Open('[');
  for (const auto& def : file.versionDefs) {
    j.Open('{');
    j.Key("index").Uint(def.index);
    j.Key("name").String(def.name);
    j.Key("hash").Uint(def.hash);
    j.Key("flags").Uint(def.flags);
    j.Key("base").Bool((def.flags & 1) != 0);
    j.Key("weak").Bool((def.flags & 2) != 0);
    j.Key("parents").Strings(def.parents);
    j.Close('}');
  }
  j.Close(']');
  if (file.symbolsRead) {
    // Symbol 0 (the null symbol) is left out; indexes stay those of .dynsym. `value` is a decimal
    // string here (JSON has no 64-bit integers) and becomes a BigInt in src/elf.ts.
    j.Key("symbols").Open('[');
    for (size_t i = 1; i < file.symbols.size(); ++i) {
      const auto& sym = file.symbols[i];
      j.Open('{');
      j.Key("index").Uint(i);
      j.Key("name").String(sym.name);
      j.Key("version").OptionalString(sym.version);
      if (sym.hasVersion) j.Key("versionIndex").Uint(sym.versionIndex); else j.Key("versionIndex").Null();
      j.Key("hidden").Bool(sym.hidden);
      j.Key("file").OptionalString(sym.versionFile);
      j.Key("weakVersion").Bool(sym.versionWeak);
      j.Key("defined").Bool(sym.shndx != 0);
      j.Key("binding").String(Named(elf::SymbolBindingName(sym.binding), "stb", sym.binding));
      j.Key("type").String(Named(elf::SymbolTypeName(sym.type), "stt", sym.type));
      j.Key("visibility").String(elf::SymbolVisibilityName(sym.visibility));
      j.Key("size").Number(static_cast<double>(sym.size));
      j.Key("value").String(std::to_string(sym.value));
      j.Key("shndx").Uint(sym.shndx);
      j.Close('}');
    }
    j.Close(']');
  }
  j.Key("dynamicSource").String(file.dynamicSource);
  j.Key("diagnostics").Strings(file.diagnostics);
  j.Close('}');
  return std::move(j.text);
}

Napi::Value JsonToJs(Napi::Env env, const std::string& json) { return Napi::String::New(env, json); }

core::Result<std::string> ParseToJson(core::ByteSource& source, const elf::ParseOptions& options) {
  auto result = elf::Parse(source, options);
  if (!result.ok()) return result.error();
  return ElfToJson(result.value(), nullptr);
}

core::Result<std::string> ParseFileToJson(const std::string& path, const elf::ParseOptions& options) {
  auto result = elf::ParseFile(path, options);
  if (!result.ok()) return result.error();
  return ElfToJson(result.value(), &path);
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
    auto result = ParseToJson(source, options);
    if (!result.ok()) ThrowError(env, result.error());
    return JsonToJs(env, result.value());
  }
  if (info.Length() < 1 || !info[0].IsString()) ThrowError(env, InvalidArgument("readElfSync() expects a path or a Uint8Array"));
  auto result = ParseFileToJson(info[0].As<Napi::String>().Utf8Value(), options);
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
  if (info.Length() >= 1 && BytesOf(info[0], &data, &size)) {
    auto* worker = new BytesWorker(env, info[0], data, size, options);
    Napi::Promise promise = worker->Promise();
    worker->Queue();
    return promise;
  }
  if (info.Length() < 1 || !info[0].IsString()) ThrowError(env, InvalidArgument("readElf() expects a path or a Uint8Array"));
  std::string path = info[0].As<Napi::String>().Utf8Value();
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
