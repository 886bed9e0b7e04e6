// Reads a bundle's tar entries one after the other, streaming, through
// libarchive's zstd and tar support. Split bundles are read as one stream
// of their volumes.
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

class BundleReader {
 public:
  explicit BundleReader(const std::vector<std::string>& volumes);
  BundleReader(const BundleReader&) = delete;
  BundleReader& operator=(const BundleReader&) = delete;

  // The next entry's header, or nullopt at the end. Throws kDamaged.
  std::optional<EntryInfo> next();
  // Up to `max` bytes of the current entry; 0 at its end. Throws kDamaged.
  size_t read(void* buf, size_t max);

 private:
  struct ArchiveFree {
    void operator()(archive* a) const;
  };
  std::unique_ptr<archive, ArchiveFree> ar_;
  std::vector<std::string> volumes_;
};

}  // namespace ferry::bundle
