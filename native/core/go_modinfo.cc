// The module info text, parsed line by line as runtime/debug.ParseBuildInfo does (Go 1.18+), with its
// strconv quoting of build settings; a malformed line is ERR_SYSPROBE_BAD_GO_BUILDINFO at its offset.
#include <cstring>

#include "go_buildinfo.h"

namespace sysprobe::core::gobuild {

namespace {

constexpr const char* kBad = "ERR_SYSPROBE_BAD_GO_BUILDINFO";

std::vector<std::string> Split(const std::string& text, size_t from) {
  std::vector<std::string> parts;
  for (size_t start = from;;) {
    const size_t tab = text.find('\t', start);
    if (tab == std::string::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, tab - start));
    start = tab + 1;
  }
}

bool StartsWith(const std::string& line, const char* prefix) { return line.compare(0, std::strlen(prefix), prefix) == 0; }
bool ContainsAny(const std::string& s, const char* chars) { return s.find_first_of(chars) != std::string::npos; }
bool QuoteKey(const std::string& key) { return key.empty() || ContainsAny(key, std::string("= \t\r\n\"`").c_str()); }
bool QuoteValue(const std::string& value) { return ContainsAny(value, " \t\r\n\"`"); }

// One UTF-8 sequence at s[i] (as utf8.DecodeRuneInString): its length, or 0 when invalid (U+FFFD, one byte).
size_t Utf8Length(const std::string& s, size_t i) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char c = p[i];
  size_t length = 0;
  uint32_t cp = 0, min = 0;
  if (c >= 0xc2 && c <= 0xdf) length = 2, cp = c & 0x1f, min = 0x80;
  else if (c >= 0xe0 && c <= 0xef)
    length = 3, cp = c & 0x0f, min = 0x800;
  else if (c >= 0xf0 && c <= 0xf4)
    length = 4, cp = c & 0x07, min = 0x10000;
  if (length == 0 || i + length > s.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((p[i + k] & 0xc0) != 0x80) return 0;
    cp = cp << 6 | (p[i + k] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return length;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) out += static_cast<char>(cp);
  else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | cp >> 6);
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | cp >> 12);
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | cp >> 18);
    out += static_cast<char>(0x80 | (cp >> 12 & 0x3f));
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

int Unhex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// strconv's unquote over the literal at the start of `in`: the value and the literal's length.
bool UnquotePrefix(const std::string& in, std::string* value, size_t* used) {
  if (in.size() < 2) return false;
  const char quote = in[0];
  if (quote == '`') {
    const size_t end = in.find('`', 1);
    if (end == std::string::npos) return false;
    value->clear();
    for (size_t i = 1; i < end; ++i) {
      if (in[i] != '\r') *value += in[i];
    }
    *used = end + 1;
    return true;
  }
  if (quote != '"') return false;
  value->clear();
  size_t i = 1;
  while (i < in.size() && in[i] != '"') {
    const char c = in[i];
    if (c == '\n') return false;
    if (static_cast<unsigned char>(c) >= 0x80) {
      const size_t length = Utf8Length(in, i);
      if (length == 0) {
        *value += "\xef\xbf\xbd";
        ++i;
      } else {
        value->append(in, i, length);
        i += length;
      }
      continue;
    }
    if (c != '\\') {
      *value += c;
      ++i;
      continue;
    }
    if (i + 1 >= in.size()) return false;
    const char e = in[i + 1];
    i += 2;
    switch (e) {
      case 'a': *value += '\a'; break;
      case 'b': *value += '\b'; break;
      case 'f': *value += '\f'; break;
      case 'n': *value += '\n'; break;
      case 'r': *value += '\r'; break;
      case 't': *value += '\t'; break;
      case 'v': *value += '\v'; break;
      case '\\': *value += '\\'; break;
      case '"': *value += '"'; break;
      case 'x':
      case 'u':
      case 'U': {
        const size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (in.size() - i < n) return false;
        uint32_t v = 0;
        for (size_t k = 0; k < n; ++k) {
          const int h = Unhex(in[i + k]);
          if (h < 0) return false;
          v = v << 4 | static_cast<uint32_t>(h);
        }
        i += n;
        if (e == 'x') {
          *value += static_cast<char>(v);  // one byte, possibly not UTF-8
        } else {
          if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return false;
          AppendUtf8(*value, v);
        }
        break;
      }
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        uint32_t v = static_cast<uint32_t>(e - '0');
        if (in.size() - i < 2) return false;
        for (size_t k = 0; k < 2; ++k) {
          const char d = in[i + k];
          if (d < '0' || d > '7') return false;
          v = v << 3 | static_cast<uint32_t>(d - '0');
        }
        i += 2;
        if (v > 255) return false;
        *value += static_cast<char>(v);
        break;
      }
      default: return false;  // \' is only valid inside '…'
    }
  }
  if (i >= in.size()) return false;
  *used = i + 1;
  return true;
}

SysError Bad(uint64_t at, size_t lineNumber, const char* what) {
  return MalformedAt(kBad, at, "could not parse Go build info: line %zu: %s", lineNumber, what);
}

}  // namespace

std::optional<std::string> Unquote(const std::string& literal) {
  std::string value;
  size_t used = 0;
  if (!UnquotePrefix(literal, &value, &used) || used != literal.size()) return std::nullopt;
  return value;
}

std::optional<SysError> ParseModInfo(const std::string& text, uint64_t at, BuildInfo* out) {
  Module* last = nullptr;
  size_t lineNumber = 1;
  for (size_t start = 0; start < text.size(); ++lineNumber) {
    const size_t newline = text.find('\n', start);
    if (newline == std::string::npos) break;  // a last line without its newline is not read (strings.Cut)
    const std::string line = text.substr(start, newline - start);
    const uint64_t lineAt = at + start;
    start = newline + 1;
    if (StartsWith(line, "path\t")) {
      out->path = line.substr(5);
    } else if (StartsWith(line, "mod\t") || StartsWith(line, "dep\t")) {
      const bool isMain = line[0] == 'm';
      std::vector<std::string> elem = Split(line, 4);
      if (elem.size() != 2 && elem.size() != 3) return Bad(lineAt, lineNumber, "expected 2 or 3 columns");
      Module module;
      module.path = std::move(elem[0]);
      module.version = std::move(elem[1]);
      if (elem.size() == 3) module.sum = std::move(elem[2]);
      if (isMain) {
        out->main = std::move(module);
        last = &*out->main;
      } else {
        out->deps.push_back(std::move(module));
        last = &out->deps.back();
      }
    } else if (StartsWith(line, "=>\t")) {
      std::vector<std::string> elem = Split(line, 3);
      if (elem.size() != 3) return Bad(lineAt, lineNumber, "expected 3 columns for replacement");
      if (last == nullptr) return Bad(lineAt, lineNumber, "replacement with no module on previous line");
      last->replace = ModuleVersion{std::move(elem[0]), std::move(elem[1]), std::move(elem[2])};
      last = nullptr;
    } else if (StartsWith(line, "build\t")) {
      const std::string kv = line.substr(6);
      if (kv.empty()) return Bad(lineAt, lineNumber, "build line missing '='");
      std::string key, rawValue;
      if (kv[0] == '=') return Bad(lineAt, lineNumber, "build line with missing key");
      if (kv[0] == '`' || kv[0] == '"') {
        size_t used = 0;
        if (!UnquotePrefix(kv, &key, &used)) return Bad(lineAt, lineNumber, "invalid quoted key in build line");
        if (used == kv.size()) return Bad(lineAt, lineNumber, "build line missing '=' after quoted key");
        if (kv[used] != '=') return Bad(lineAt, lineNumber, "unexpected character after quoted key");
        rawValue = kv.substr(used + 1);
      } else {
        const size_t eq = kv.find('=');
        if (eq == std::string::npos) return Bad(lineAt, lineNumber, "build line missing '=' after key");
        key = kv.substr(0, eq);
        rawValue = kv.substr(eq + 1);
        if (QuoteKey(key)) return Bad(lineAt, lineNumber, "unquoted key must be quoted");
      }
      std::string value;
      if (!rawValue.empty()) {
        if (rawValue[0] == '`' || rawValue[0] == '"') {
          auto unquoted = Unquote(rawValue);
          if (!unquoted) return Bad(lineAt, lineNumber, "invalid quoted value in build line");
          value = std::move(*unquoted);
        } else {
          value = rawValue;
          if (QuoteValue(value)) return Bad(lineAt, lineNumber, "unquoted value must be quoted");
        }
      }
      out->settings.push_back(Setting{std::move(key), std::move(value)});
    }
  }
  return std::nullopt;
}

}  // namespace sysprobe::core::gobuild
