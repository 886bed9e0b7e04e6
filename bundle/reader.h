// Reads a bundle's tar entries one after the other, streaming, through
// libarchive's zstd and tar support. A split bundle is named by its first
// volume (NAME.001) or its base name (NAME); the other volumes are found
// beside it and read as one stream, and a missing one is named.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct archive;

namespace ferry::bundle {

struct EntryInfo {
  std::string name;
  uint64_t size = 0;
  bool regular = false;  // a plain file (not a directory, link or device)
};

struct VolumeSet {
  std::vector<std::string> files;  // in order
  bool split = false;              // NAME.NNN volumes rather than one file
};

// The files of the bundle at `path`. Throws Error(BundleErrorKind): kMalformed when
// there is no such bundle, kMissingVolume when the numbering has a gap.
VolumeSet find_volumes(const std::string& path);

class BundleReader {
 public:
  explicit BundleReader(const std::string& path);
  ~BundleReader();
  BundleReader(const BundleReader&) = delete;
  BundleReader& operator=(const BundleReader&) = delete;
  const std::vector<std::string>& volumes() const { return volumes_.files; }

  // The next entry's header, or nullopt at the end. Throws kDamaged, or
  // kMissingVolume when the data runs past the last volume there is.
  std::optional<EntryInfo> next();
  // Up to `max` bytes of the current entry; 0 at its end. Throws as next().
  size_t read(void* buf, size_t max);
  // The whole current entry, for small ones (manifest, signature, index).
  // Throws kOversized past `limit`, naming it as `what`.
  std::string read_whole(const EntryInfo& entry, uint64_t limit, const std::string& what);

 private:
  [[noreturn]] void damaged();
  struct ArchiveFree {
    void operator()(archive* a) const;
  };
  // The volumes as one byte stream. Ours, not archive_read_open_filenames:
  // libarchive 3.6's volume switching frees a wrong pointer when a volume
  // ends before its first read block does (a crash on small --split sizes).
  struct Stream;
  VolumeSet volumes_;
  std::unique_ptr<Stream> stream_;  // outlives ar_, whose reads use it
  std::unique_ptr<archive, ArchiveFree> ar_;
};

}  // namespace ferry::bundle
