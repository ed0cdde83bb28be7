#include "resolve_request.h"

#include "compat_json.h"
#include "json_read.h"

namespace sysprobe::core {

namespace {

SysError Invalid(const std::string& message) {
  return SysError::Sysprobe("ERR_SYSPROBE_INVALID_ARG", "resolveDeps request: " + message);
}

}  // namespace

Result<ResolveRequest> ReadResolveRequest(std::string_view json) {
  auto read = ReadFlatJson(json);
  if (!read.ok()) return read.error();
  ResolveRequest request;
  if (read.value().count("program") == 0) return Invalid("no program");
  for (const auto& [key, field] : read.value()) {
    using Kind = JsonField::Kind;
    const bool isPath = key == "program" || key == "root" || key == "cwd" || key == "ldLibraryPath";
    if (isPath || key == "platform") {
      if (field.kind != Kind::String) return Invalid(key + " must be a string");
      std::optional<std::string> value = field.text;
      if (isPath && !(value = Latin1Bytes(field.text))) return Invalid(key + " must be latin1 text (a path's bytes)");
      if (key == "program") request.program = *value;
      else if (key == "root")
        request.options.root = *value;
      else if (key == "cwd")
        request.options.cwd = *value;
      else if (key == "ldLibraryPath")
        request.options.ldLibraryPath = *value;
      else
        request.options.platform = *value;
    } else if (key == "hwcaps") {
      if (field.kind != Kind::Strings) return Invalid("hwcaps must be an array of strings");
      request.options.hwcaps = field.items;
    } else if (key == "useCache" || key == "versions") {
      if (field.kind != Kind::Bool) return Invalid(key + " must be a boolean");
      (key == "useCache" ? request.options.useCache : request.versions) = field.flag;
    } else {
      return Invalid("unknown key '" + key + "'");
    }
  }
  return request;
}

Result<std::string> ResolveRequestToJson(std::string_view json) {
  auto request = ReadResolveRequest(json);
  if (!request.ok()) return request.error();
  auto resolved = resolve::Resolve(request.value().program, request.value().options);
  if (!resolved.ok()) return resolved.error();
  return ResolveToJson(resolved.value(), request.value().versions);
}

}  // namespace sysprobe::core
