// A small JSON writer: every answer of the core crosses to JavaScript as this text, from the addon and from
// the WebAssembly build alike (src/backends/wire.ts decodes it with JSON.parse, which costs far less than
// building objects property by property through Node-API on the main thread).
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace sysprobe::core {

class Json {
 public:
  std::string text;

  Json& Raw(const char* s) {
    text += s;
    return *this;
  }
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
  Json& Bool(bool value) {
    Comma();
    text += value ? "true" : "false";
    return *this;
  }
  Json& Null() {
    Comma();
    text += "null";
    return *this;
  }
  // Strings from the file are arbitrary bytes: valid UTF-8 is kept, each invalid byte becomes U+FFFD.
  Json& String(const std::string& s) {
    Comma();
    text += '"';
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const size_t n = s.size();
    for (size_t i = 0; i < n;) {
      const unsigned char c = p[i];
      if (c < 0x80) {
        if (c == '"' || c == '\\') {
          text += '\\';
          text += static_cast<char>(c);
        } else if (c < 0x20) {
          char e[8];
          std::snprintf(e, sizeof(e), "\\u%04x", c);
          text += e;
        } else
          text += static_cast<char>(c);
        ++i;
        continue;
      }
      size_t length = 0;
      uint32_t cp = 0, min = 0;
      if (c >= 0xc2 && c <= 0xdf) {
        length = 2;
        cp = c & 0x1f;
        min = 0x80;
      } else if (c >= 0xe0 && c <= 0xef) {
        length = 3;
        cp = c & 0x0f;
        min = 0x800;
      } else if (c >= 0xf0 && c <= 0xf4) {
        length = 4;
        cp = c & 0x07;
        min = 0x10000;
      }
      bool valid = length != 0 && i + length <= n;
      for (size_t k = 1; valid && k < length; ++k) {
        if ((p[i + k] & 0xc0) != 0x80) valid = false;
        else
          cp = (cp << 6) | (p[i + k] & 0x3f);
      }
      if (valid && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) valid = false;
      if (valid) {
        text.append(s, i, length);
        i += length;
      } else {
        text += "\xef\xbf\xbd";
        ++i;
      }
    }
    text += '"';
    return *this;
  }
  Json& String(const char* s) { return String(std::string(s)); }
  // UTF-16 text (NTFS names) exactly, lone surrogates included: every non-ASCII unit as \uXXXX.
  Json& String(const std::u16string& s) {
    Comma();
    text += '"';
    for (const char16_t unit : s) {
      if (unit == '"' || unit == '\\') {
        text += '\\';
        text += static_cast<char>(unit);
      } else if (unit >= 0x20 && unit < 0x7f)
        text += static_cast<char>(unit);
      else {
        char e[8];
        std::snprintf(e, sizeof(e), "\\u%04x", static_cast<unsigned>(unit));
        text += e;
      }
    }
    text += '"';
    return *this;
  }
  // Bytes that need not be text, one U+0000..U+00FF character each (Buffer.from(s, 'latin1') restores them).
  Json& Latin1(const std::string& bytes) {
    std::u16string units(bytes.begin(), bytes.end());
    for (size_t i = 0; i < bytes.size(); ++i) units[i] = static_cast<unsigned char>(bytes[i]);
    return String(units);
  }
  Json& OptionalString(const std::optional<std::u16string>& s) { return s ? String(*s) : Null(); }
  Json& Strings(const std::vector<std::u16string>& items) {
    Open('[');
    for (const auto& item : items) String(item);
    return Close(']');
  }
  Json& OptionalString(const std::optional<std::string>& s) { return s ? String(*s) : Null(); }
  Json& Open(char bracket) {
    Comma();
    text += bracket;
    fresh_ = true;
    return *this;
  }
  Json& Close(char bracket) {
    text += bracket;
    fresh_ = false;
    return *this;
  }
  // The next value starts a new top-level text (no comma before it).
  void Reset() { fresh_ = true; }
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

}  // namespace sysprobe::core
