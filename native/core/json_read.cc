#include "json_read.h"

#include <cstdint>

namespace sysprobe::core {

namespace {

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  Result<FlatJson> Object() {
    FlatJson object;
    Space();
    if (!Eat('{')) return Fail("an object expected");
    Space();
    if (Eat('}')) return End(std::move(object));
    for (;;) {
      Space();
      std::string key;
      if (!String(&key)) return Fail("a key expected");
      Space();
      if (!Eat(':')) return Fail("':' expected");
      Space();
      JsonField field;
      if (!Value(&field)) return Fail("a string, boolean, null or array of strings expected");
      if (!object.emplace(std::move(key), std::move(field)).second) return Fail("a key repeated");
      Space();
      if (Eat('}')) return End(std::move(object));
      if (!Eat(',')) return Fail("',' or '}' expected");
    }
  }

 private:
  Result<FlatJson> End(FlatJson object) {
    Space();
    if (at_ != text_.size()) return Fail("text after the object");
    return object;
  }

  SysError Fail(const char* what) const {
    return SysError::Sysprobe("ERR_SYSPROBE_INVALID_ARG", std::string("request JSON: ") + what + " at offset " + std::to_string(at_));
  }

  bool Value(JsonField* field) {
    if (Word("null")) return true;
    if (Word("true") || Word("false")) {
      field->kind = JsonField::Kind::Bool;
      field->flag = text_[at_ - 1] == 'e' && text_[at_ - 2] == 'u';
      return true;
    }
    if (Peek() == '"') {
      field->kind = JsonField::Kind::String;
      return String(&field->text);
    }
    if (!Eat('[')) return false;
    field->kind = JsonField::Kind::Strings;
    Space();
    if (Eat(']')) return true;
    for (;;) {
      Space();
      field->items.emplace_back();
      if (!String(&field->items.back())) return false;
      Space();
      if (Eat(']')) return true;
      if (!Eat(',')) return false;
    }
  }

  bool String(std::string* out) {
    if (!Eat('"')) return false;
    while (at_ < text_.size()) {
      const unsigned char c = static_cast<unsigned char>(text_[at_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c != '\\') {
        *out += static_cast<char>(c);  // UTF-8 as sent (JSON.stringify output is valid UTF-8)
        continue;
      }
      if (at_ >= text_.size()) return false;
      const char e = text_[at_++];
      switch (e) {
        case '"':
        case '\\':
        case '/': *out += e; break;
        case 'b': *out += '\b'; break;
        case 'f': *out += '\f'; break;
        case 'n': *out += '\n'; break;
        case 'r': *out += '\r'; break;
        case 't': *out += '\t'; break;
        case 'u': {
          uint32_t cp = 0;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xd800 && cp <= 0xdbff) {
            uint32_t low = 0;
            if (!Eat('\\') || !Eat('u') || !Hex4(&low) || low < 0xdc00 || low > 0xdfff) return false;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          } else if (cp >= 0xdc00 && cp <= 0xdfff) {
            return false;  // a lone surrogate names no character
          }
          Utf8(cp, out);
          break;
        }
        default: return false;
      }
    }
    return false;
  }

  bool Hex4(uint32_t* cp) {
    if (text_.size() - at_ < 4) return false;
    for (int i = 0; i < 4; ++i) {
      const char h = text_[at_++];
      const int digit = h >= '0' && h <= '9'   ? h - '0'
                        : h >= 'a' && h <= 'f' ? h - 'a' + 10
                        : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                               : -1;
      if (digit < 0) return false;
      *cp = (*cp << 4) | static_cast<uint32_t>(digit);
    }
    return true;
  }

  static void Utf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      *out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *out += static_cast<char>(0xc0 | (cp >> 6));
      *out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      *out += static_cast<char>(0xe0 | (cp >> 12));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      *out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      *out += static_cast<char>(0xf0 | (cp >> 18));
      *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      *out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }

  bool Word(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }
  char Peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }
  bool Eat(char c) {
    if (Peek() != c || at_ >= text_.size()) return false;
    ++at_;
    return true;
  }
  void Space() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r')) ++at_;
  }

  std::string_view text_;
  size_t at_ = 0;
};

}  // namespace

Result<FlatJson> ReadFlatJson(std::string_view text) { return Reader(text).Object(); }

std::optional<std::string> Latin1Bytes(std::string_view utf8) {
  std::string bytes;
  bytes.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      bytes += static_cast<char>(c);
    } else if ((c == 0xc2 || c == 0xc3) && i + 1 < utf8.size() && (static_cast<unsigned char>(utf8[i + 1]) & 0xc0) == 0x80) {
      bytes += static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(utf8[i + 1]) & 0x3f));
      ++i;
    } else {
      return std::nullopt;
    }
  }
  return bytes;
}

}  // namespace sysprobe::core
