// Files and folders as OCI artifacts, as `oras push` makes them: an image
// manifest with an artifactType, the empty config `{}`, and one layer per
// file titled with its name; a folder is one tar+gzip layer that `oras
// pull` unpacks (io.deis.oras.content.unpack, .digest). docs/payload.md.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "core/manifest.h"

namespace ferry::cli::files {

// The empty config's bytes, `{}`.
inline constexpr std::string_view kEmptyConfigBytes = "{}";

struct Layer {
  Descriptor descriptor;
  std::map<std::string, std::string> annotations;
};

// The artifact manifest over `layers`: artifactType application/vnd.ferry.file.v1,
// the empty config (with its data inline, as ORAS writes it), and
// org.opencontainers.image.created = `created` (RFC 3339).
std::string artifact_manifest(const std::vector<Layer>& layers, const std::string& created);

struct HashedFile {
  Digest digest;
  uint64_t size = 0;
};

// SHA-256 and size of a file, read in pieces. Throws ferry::Error when it
// cannot be read.
HashedFile hash_file(const std::string& path);

struct FolderArchive {
  Digest digest;      // of the .tar.gz
  uint64_t size = 0;  // of the .tar.gz
  Digest tar_digest;  // of the tar inside, for io.deis.oras.content.digest
  int64_t newest_mtime = 0;
};

// Writes `folder` as a reproducible tar+gzip to `out`: entries under
// `title`/, sorted by name, owner 0:0, mtime 0, mode 0755 for folders and
// executables else 0644, symbolic links kept; the same folder always gives
// the same bytes. Throws std::invalid_argument for an entry that is neither
// a file, a folder nor a link (a socket, a device), ferry::Error when
// something cannot be read or written.
FolderArchive write_folder_archive(const std::string& folder, const std::string& title,
                                   const std::string& out);

// The repository a file is kept under without =REPO:TAG: "files/" and its
// name in lower case with every run of characters a repository name does
// not allow turned into one '-' ("My Setup.EXE" -> files/my-setup.exe).
// Empty when nothing usable is left.
std::string default_repository(std::string_view file_name);

}  // namespace ferry::cli::files
