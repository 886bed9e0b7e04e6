// Inside core/browse: reading stored manifests and configs and telling what
// they are. Not for use outside core/browse*.cc.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/sqlite.h"
#include "core/store.h"

namespace ferry::browse {

// The bytes of the manifest and everything it needs (an index: its children
// and theirs), each blob counted once, in repository repo_id.
uint64_t total_bytes(sql::Database& db, int64_t repo_id, const std::string& digest);

// The stored content as JSON, when it is at most max_bytes, readable and a
// JSON value; else nullopt (damaged, missing, too big, not JSON).
std::optional<nlohmann::json> read_json(Store& store, const std::string& digest, uint64_t size,
                                        uint64_t max_bytes);

// The config descriptor of an image manifest's JSON, when it has one.
const nlohmann::json* config_of(const nlohmann::json& manifest);
// The config blob as JSON, when the manifest has one of at most
// kMaxConfigRead bytes that reads as JSON.
std::optional<nlohmann::json> read_config(Store& store, const nlohmann::json& manifest);

// "image", "index", "chart", "files", "signature", "sbom", "attestation" or
// "artifact", from the manifest's types (and a cosign tag's suffix).
std::string kind_of(const nlohmann::json& manifest, const std::string& media_type,
                    const std::optional<std::string>& artifact_type, const std::string& tag);

// "os/architecture[/variant]" of a platform object (index entry or config).
std::optional<std::string> platform_text(const nlohmann::json& platform);
// An index's entries' platforms, or an image config's one.
std::vector<std::string> platforms_of(const nlohmann::json& manifest,
                                      const std::optional<nlohmann::json>& config);

// A string member of an object, when it is one.
std::optional<std::string> string_at(const nlohmann::json& object, const char* key);

}  // namespace ferry::browse
