// ferry pack: images in, one signed bundle out (docs/bundle-format.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bundler/passphrase.h"

namespace ferry::cli {

struct PackOptions {
  std::string key_path;
  std::string output;
  std::string channel = "default";
  std::optional<uint64_t> sequence;  // default: the creation time in Unix seconds
  std::string expires;               // a duration from creation ("90d") or an RFC 3339 time
  int threads = 0;
  uint64_t split_bytes = 0;             // 0: one file
  std::vector<std::string> sources;     // SOURCE[=REPO:TAG] from the command line
  std::string list_file;                // -f: more sources, one per line
  bool force = false;                   // --force: replace an existing OUT (or its volumes)
  bool no_referrers = false;            // --no-referrers: leave signatures, SBOMs... out
  std::vector<std::string> platforms;   // --platform
  bool insecure = false;                // --insecure: plain HTTP to docker:// sources
  std::string ca_file;                  // --ca-cert: a private CA for docker:// sources
  std::string chart_prefix = "charts";  // --chart-prefix: where chart: sources land
  std::string base_bundle;              // --base: leave out what it delivered
  std::string base_inventory;           // --base-inventory: an inventory, receipt or digest list
  std::string receipt_key;              // --receipt-key: box.pub (or a folder) for a receipt
  PassphraseSource passphrase;
};

// Packs the sources into options.output. Throws std::invalid_argument for a
// bad command line or source text (exit 2), ferry::Error when a file cannot
// be read or written or OUT exists without --force (3), Error(BundleErrorKind::kSource)
// when a source image cannot be read (5); refusals of -f entries name FILE:LINE.
int run_pack(const PackOptions& options);

}  // namespace ferry::cli
