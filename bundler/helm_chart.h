// Helm charts as `helm push` stores them in an OCI registry: an image
// manifest whose config is the chart's metadata (Chart.yaml as Helm's
// chart.Metadata JSON) and whose layer is the packaged .tgz, unchanged
// (Helm 3's pkg/registry Push and generateOCIAnnotations).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/manifest.h"

namespace ferry::cli::helm {

inline constexpr std::string_view kConfigMediaType = "application/vnd.cncf.helm.config.v1+json";
inline constexpr std::string_view kChartMediaType =
    "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
inline constexpr std::string_view kProvenanceMediaType =
    "application/vnd.cncf.helm.chart.provenance.v1.prov";

// What pack needs of a Chart.yaml.
struct ChartMetadata {
  std::string name;
  std::string version;
  std::string config_json;  // byte for byte what helm push writes as the config blob
  std::map<std::string, std::string> annotations;  // the manifest's, as helm push sets them
};

// Reads a Chart.yaml as Helm's loader does (apiVersion defaults to v1,
// strings sanitised as chart.Metadata.Validate does) and checks what helm
// checks: apiVersion, name and a SemVer version present, a plain name, type
// application or library. `created` is the RFC 3339 time for
// org.opencontainers.image.created. Throws std::invalid_argument saying
// what is wrong.
ChartMetadata read_chart_metadata(std::string_view chart_yaml, const std::string& created);

// The manifest JSON helm push makes over these descriptors (layers sorted
// by digest, as helm does; no mediaType field, as helm writes none).
std::string chart_manifest(const Descriptor& config, std::vector<Descriptor> layers,
                           const std::map<std::string, std::string>& annotations);

// The tag helm pushes a version under: '+' (SemVer build metadata, not
// allowed in a tag) becomes '_'.
std::string tag_for_version(std::string_view version);

// Chart.yaml of a packaged chart (the member NAME/Chart.yaml of the .tgz),
// read without unpacking anything else. Throws std::invalid_argument when
// the file is no gzip tar or has no Chart.yaml, ferry::Error when it cannot
// be read.
std::string chart_yaml_in(const std::string& tgz_path);

// Go's encoding/json text for an ordered JSON document: nlohmann's compact
// dump with <, >, &, U+2028 and U+2029 escaped as Go escapes them.
std::string go_json(const std::string& compact_dump);

}  // namespace ferry::cli::helm
