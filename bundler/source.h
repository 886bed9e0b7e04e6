// Where images come from. Today: OCI image layouts (`oci:DIR[:TAG]`), with an
// optional destination (`SOURCE=REPO:TAG`). Registries (`docker://`) and
// `docker-archive:` files come next (issue 3).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "core/manifest.h"

namespace ferry::cli {

struct SourceSpec {
  std::string transport;  // "oci"
  std::string location;   // the layout directory
  std::optional<std::string> tag;
  std::optional<std::string> destination;  // REPO:TAG
};

// Throws std::invalid_argument with the accepted forms.
SourceSpec parse_source(std::string_view text);

struct CollectedBlob {
  uint64_t size = 0;
  std::string media_type;
  std::string path;  // where to read it
};

struct ResolvedImage {
  std::string name;  // REPO:TAG at the destination
  Descriptor top;
  std::vector<std::string> platforms;  // sorted, "os/arch[/variant]"
  uint64_t content_bytes = 0;          // all its blobs, each once
};

// Resolves the image a source names and adds every blob it needs (manifests,
// configs, layers; for an index, every child) to `blobs`. Throws
// bundle::BundleError(kSource) with the layout path and what is wrong.
ResolvedImage collect_oci_image(const SourceSpec& source, std::map<Digest, CollectedBlob>& blobs);

}  // namespace ferry::cli
