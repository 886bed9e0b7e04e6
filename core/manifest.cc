#include "core/manifest.h"

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "core/json_strict.h"
#include "core/media_types.h"
#include "core/printable.h"

namespace ferry {
namespace {

using nlohmann::json;

// Text from the manifest, safe to quote on one line.
std::string shown(std::string_view text) {
  return printable(text.substr(0, 200));
}

[[noreturn]] void invalid(const std::string& why) {
  throw Error(ErrorCode::kManifestInvalid, "invalid manifest: " + why);
}

bool is_external_layer(std::string_view media_type, const json& d) {
  bool has_urls = d.contains("urls") && d["urls"].is_array() && !d["urls"].empty();
  return has_urls && (media_type.find("foreign") != std::string_view::npos ||
                      media_type.find("nondistributable") != std::string_view::npos);
}

Descriptor parse_descriptor(const json& d, const std::string& where) {
  if (!d.is_object()) invalid(where + " is not a descriptor object");
  auto media_type = d.find("mediaType");
  if (media_type == d.end() || !media_type->is_string()) {
    invalid(where + ".mediaType is missing or not a string");
  }
  auto digest_field = d.find("digest");
  if (digest_field == d.end() || !digest_field->is_string()) {
    invalid(where + ".digest is missing or not a string");
  }
  auto digest = Digest::parse(digest_field->get<std::string>());
  if (!digest)
    invalid(where + ".digest '" + shown(digest_field->get<std::string>()) + "' is not valid");
  auto size = d.find("size");
  if (size == d.end() || !size->is_number_integer() || size->get<int64_t>() < 0) {
    invalid(where + ".size is missing or not a non-negative integer");
  }
  std::string type = media_type->get<std::string>();
  bool external = is_external_layer(type, d);
  return Descriptor{std::move(type), *digest, size->get<uint64_t>(), external};
}

// Strips parameters ("; charset=utf-8") and surrounding space.
std::string_view bare_type(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && content_type.back() == ' ') content_type.remove_suffix(1);
  while (!content_type.empty() && content_type.front() == ' ') content_type.remove_prefix(1);
  return content_type;
}

std::string resolve_media_type(const json& doc, std::string_view content_type) {
  std::string_view header = bare_type(content_type);
  bool header_generic =
      header.empty() || header == "application/json" || header == "application/octet-stream";
  std::optional<std::string> field;
  if (auto it = doc.find("mediaType"); it != doc.end()) {
    if (!it->is_string()) invalid("mediaType is not a string");
    field = it->get<std::string>();
  }
  if (field && !header_generic && *field != header) {
    invalid("mediaType '" + shown(*field) + "' does not match Content-Type '" + shown(header) +
            "'");
  }
  if (!header_generic) return std::string(header);
  if (field) return *field;
  // OCI makes mediaType optional; infer from the shape.
  if (doc.contains("manifests")) return std::string(media::kOciIndex);
  if (doc.contains("config")) return std::string(media::kOciManifest);
  invalid("cannot tell its type: set mediaType or Content-Type");
}

}  // namespace

ParsedManifest parse_manifest(std::string_view bytes, std::string_view content_type) {
  StrictJson parsed_json = parse_json_strict(bytes, kMaxJsonDepth, kMaxManifestValues);
  if (!parsed_json.ok()) invalid("body is not one strict JSON value: " + parsed_json.error);
  const json& doc = parsed_json.value;
  if (!doc.is_object()) invalid("body is not a JSON object");

  auto version = doc.find("schemaVersion");
  if (version != doc.end() && *version == 1) {
    invalid("Docker schema 1 manifests are not supported; push with a current client");
  }
  if (version == doc.end() || !version->is_number_integer() || *version != 2) {
    invalid("schemaVersion must be 2");
  }

  ParsedManifest out;
  out.media_type = resolve_media_type(doc, content_type);
  if (out.media_type == media::kDockerSchema1 || out.media_type == media::kDockerSchema1Signed) {
    invalid("Docker schema 1 manifests are not supported; push with a current client");
  }
  if (!media::is_manifest(out.media_type)) {
    invalid("unsupported media type '" + shown(out.media_type) +
            "'; expected an OCI or Docker schema 2 image manifest or index");
  }
  out.is_index = media::is_index(out.media_type);

  if (out.is_index) {
    auto manifests = doc.find("manifests");
    if (manifests == doc.end() || !manifests->is_array()) invalid("manifests must be an array");
    for (size_t i = 0; i < manifests->size(); ++i) {
      out.manifests.push_back(
          parse_descriptor((*manifests)[i], "manifests[" + std::to_string(i) + "]"));
    }
  } else {
    auto config = doc.find("config");
    if (config == doc.end()) invalid("config is missing");
    out.blobs.push_back(parse_descriptor(*config, "config"));
    auto layers = doc.find("layers");
    if (layers == doc.end() || !layers->is_array()) invalid("layers must be an array");
    for (size_t i = 0; i < layers->size(); ++i) {
      out.blobs.push_back(parse_descriptor((*layers)[i], "layers[" + std::to_string(i) + "]"));
    }
  }

  if (auto subject = doc.find("subject"); subject != doc.end() && !subject->is_null()) {
    out.subject = parse_descriptor(*subject, "subject");
  }
  if (auto at = doc.find("artifactType"); at != doc.end() && !at->is_null()) {
    if (!at->is_string()) invalid("artifactType is not a string");
    out.artifact_type = at->get<std::string>();
  } else if (!out.is_index) {
    out.artifact_type = out.blobs.front().media_type;
  }
  if (auto ann = doc.find("annotations"); ann != doc.end() && !ann->is_null()) {
    if (!ann->is_object()) invalid("annotations is not an object");
    for (const auto& [key, value] : ann->items()) {
      if (!value.is_string()) invalid("annotation '" + shown(key) + "' is not a string");
    }
    out.annotations = ann->dump();
  }
  return out;
}

}  // namespace ferry
