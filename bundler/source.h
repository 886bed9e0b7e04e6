// Where images come from: registries (a bare reference like `nginx:1.25`,
// or `docker://REF`), OCI image layouts (`oci:DIR[:TAG]`) and `docker save` /
// `podman save` archives (`docker-archive:FILE[:REF]`), each with an optional
// destination (`SOURCE=REPO:TAG`). Packaged Helm charts (`chart:FILE.tgz`)
// and plain files and folders (`file:PATH`) become OCI artifacts.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "core/manifest.h"
#include "core/reference.h"

struct archive;

namespace ferry::cli {

struct SourceSpec {
  std::string text;                // as given, for messages
  std::string origin;              // "" on the command line; "FILE:LINE" from a -f list
  std::string transport;           // "docker", "oci", "docker-archive", "chart" or "file"
  std::string location;            // the layout directory or the archive file (docker: HOST/PATH)
  std::optional<std::string> tag;  // oci: the ref name; docker-archive: a RepoTags reference
  ImageReference reference;        // docker: the image, normalised
  std::optional<std::string> destination;  // REPO:TAG, taken as given
  // --platform: "os/arch[/variant]"; empty keeps every platform.
  std::vector<std::string> platforms;
  bool referrers = true;                // carry each packed manifest's referrers (--no-referrers)
  bool insecure = false;                // docker: plain HTTP (--insecure), for local registries
  std::string ca_file;                  // docker: --ca-cert, a private CA's certificates
  std::string chart_prefix = "charts";  // chart: repositories go under it (--chart-prefix)
  std::string scratch_dir;  // file: where a folder's tar.gz is made, removed after the pack
};

// True when a platform "os/arch[/variant]" is one of `wanted` (a wanted entry
// without a variant matches any variant).
bool platform_wanted(const std::string& platform, const std::vector<std::string>& wanted);

// Parses SOURCE[=DEST] (spaces around '=' allowed). A SOURCE without a
// known prefix is a registry reference, normalised as docker reads it
// (core/reference.h); DEST is kept as given. Throws std::invalid_argument
// quoting the text and saying what is wrong.
SourceSpec parse_source(std::string_view text);

// The sources of a -f LIST: one SOURCE[ = DEST] per line (k3s and rke2
// image lists as published); blank lines and lines starting with '#' are
// skipped. Each spec's origin is "FILE:LINE". Throws std::invalid_argument
// "FILE:LINE: why" for a line that is no source, ferry::Error when the file
// cannot be read.
std::vector<SourceSpec> read_source_list(const std::string& file);

// Runs `fn`; a refusal it throws is thrown again with "ORIGIN: " in front,
// keeping its type (and so its exit code). An empty origin adds nothing.
void with_origin(const std::string& origin, const std::function<void()>& fn);

class RegistryClient;

// A blob in a registry: the client (which holds the session's token) and
// the repository to ask.
struct RegistryLocation {
  std::shared_ptr<RegistryClient> client;
  std::string repository;
};

// Where a blob's bytes are, for the pack step to stream them: exactly one of
// a file (`path`), a member of an archive (`archive` + `member`), small
// `bytes` held in memory (manifests, synthesised content), or a registry.
struct CollectedBlob {
  uint64_t size = 0;
  std::string media_type;
  std::string path;
  std::string archive;
  std::string member;
  std::string bytes;
  RegistryLocation registry;
};

// A referrer found at the source: its descriptor, the manifest it refers
// to, and for tag-schema ones (cosign's sha256-<hex>.sig) the tag.
struct Referrer {
  Descriptor descriptor;
  Digest subject;
  std::string artifact_type;  // filled in from its bytes by collect_referrers
  std::string tag;
};

struct ResolvedImage {
  std::string name;  // REPO:TAG at the destination
  Descriptor top;
  std::vector<std::string> platforms;    // sorted, "os/arch[/variant]"
  uint64_t content_bytes = 0;            // all its blobs, each once (its referrers' not counted)
  std::vector<Referrer> referrers = {};  // with their blobs in the collected map
};

// Resolves the image a source names and adds every blob it needs (manifests,
// configs, layers; for an index, every child) to `blobs`. Throws
// Error(BundleErrorKind::kSource) naming the source and what is wrong.
ResolvedImage collect_image(const SourceSpec& source, std::map<Digest, CollectedBlob>& blobs);
ResolvedImage collect_oci_image(const SourceSpec& source, std::map<Digest, CollectedBlob>& blobs);
ResolvedImage collect_docker_archive(const SourceSpec& source,
                                     std::map<Digest, CollectedBlob>& blobs);
ResolvedImage collect_registry_image(const SourceSpec& source,
                                     std::map<Digest, CollectedBlob>& blobs);
// chart:FILE.tgz: the manifest `helm push` makes, at PREFIX/NAME:VERSION
// (docs/payload.md).
ResolvedImage collect_chart(const SourceSpec& source, std::map<Digest, CollectedBlob>& blobs);
// file:PATH: a file or folder as an ORAS-style artifact, at files/NAME:latest.
ResolvedImage collect_file(const SourceSpec& source, std::map<Digest, CollectedBlob>& blobs);

// Checks and returns a destination REPO:TAG, or throws std::invalid_argument
// telling the user to name it with SOURCE=REPO:TAG.
std::string checked_destination(const std::string& name, const std::string& source);

// Reads one member of an archive, from its start, for streaming into a bundle.
class MemberStream {
 public:
  MemberStream(const std::string& archive_file, const std::string& member);
  ~MemberStream();
  MemberStream(const MemberStream&) = delete;
  MemberStream& operator=(const MemberStream&) = delete;
  size_t read(char* buf, size_t max);

 private:
  archive* archive_ = nullptr;
};

}  // namespace ferry::cli
