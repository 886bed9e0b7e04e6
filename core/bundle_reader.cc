#include "core/bundle_reader.h"

#include <archive.h>
#include <archive_entry.h>

#include "core/bundle_error.h"

namespace ferry::bundle {
namespace {

[[noreturn]] void damaged(archive* a) {
  const char* why = archive_error_string(a);
  throw BundleError(BundleErrorKind::kDamaged, std::string("bundle is truncated or damaged: ") +
                                                   (why ? why : "read error") + "; copy it again");
}

}  // namespace

void BundleReader::ArchiveFree::operator()(archive* a) const {
  archive_read_free(a);
}

BundleReader::BundleReader(const std::vector<std::string>& volumes)
    : ar_(archive_read_new()), volumes_(volumes) {
  archive_read_support_filter_zstd(ar_.get());
  archive_read_support_format_tar(ar_.get());
  std::vector<const char*> names;
  for (const auto& v : volumes_) names.push_back(v.c_str());
  names.push_back(nullptr);
  if (archive_read_open_filenames(ar_.get(), names.data(), 1 << 20) != ARCHIVE_OK) {
    const char* why = archive_error_string(ar_.get());
    throw BundleError(
        BundleErrorKind::kMalformed,
        std::string("not a Ferry bundle (zstd-compressed tar): ") + (why ? why : "cannot open"));
  }
}

std::optional<EntryInfo> BundleReader::next() {
  archive_entry* e = nullptr;
  int rc = archive_read_next_header(ar_.get(), &e);
  if (rc == ARCHIVE_EOF) return std::nullopt;
  if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) damaged(ar_.get());
  EntryInfo info;
  info.name = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
  info.size = static_cast<uint64_t>(archive_entry_size(e));
  info.regular = archive_entry_filetype(e) == AE_IFREG && archive_entry_hardlink(e) == nullptr &&
                 archive_entry_symlink(e) == nullptr;
  return info;
}

size_t BundleReader::read(void* buf, size_t max) {
  la_ssize_t n = archive_read_data(ar_.get(), buf, max);
  if (n < 0) damaged(ar_.get());
  return static_cast<size_t>(n);
}

}  // namespace ferry::bundle
