#include "bundle/reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "base/error.h"
#include "bundle/error.h"
#include "bundle/format.h"
#include "core/printable.h"
#include "core/unique_fd.h"

namespace ferry::bundle {
namespace {

bool is_file(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

uint64_t size_of(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

}  // namespace

VolumeSet find_volumes(const std::string& path) {
  std::string base;
  if (path.size() > 4 && path.compare(path.size() - 4, 4, ".001") == 0) {
    base = path.substr(0, path.size() - 4);
  } else if (is_file(path)) {
    return {{path}, false};
  } else if (is_file(volume_name(path, 1))) {
    base = path;
  } else {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 && errno != ENOENT)
      throw_errno("cannot read " + path, errno);
    // Not a refusal of a bundle: there is none to look at.
    throw Error(ErrorCode::kNotFound,
                path + " does not exist; name the bundle file, or its first volume (NAME.001)");
  }
  if (!is_file(volume_name(base, 1))) {
    throw Error(BundleErrorKind::kMissingVolume, "volume " + volume_name(base, 1) + " is missing");
  }
  std::vector<std::string> volumes;
  for (size_t n = 1; n <= 999 && is_file(volume_name(base, n)); ++n) {
    volumes.push_back(volume_name(base, n));
  }
  for (size_t n = volumes.size() + 2; n <= volumes.size() + 4; ++n) {
    if (is_file(volume_name(base, n))) {
      throw Error(BundleErrorKind::kMissingVolume,
                  "volume " + volume_name(base, volumes.size() + 1) + " is missing (" +
                      volume_name(base, n) + " is there); copy every volume");
    }
  }
  return {volumes, true};
}

void BundleReader::damaged() {
  // Volumes all have the split size but the last; if the data stops at the
  // end of a full-size last volume, the next one is missing, not damaged.
  if (volumes_.split) {
    const auto& files = volumes_.files;
    uint64_t first = size_of(files.front());
    bool all_full = true;
    for (const auto& v : files) all_full = all_full && size_of(v) == first;
    if (all_full) {
      std::string base = files.back().substr(0, files.back().size() - 4);
      throw Error(BundleErrorKind::kMissingVolume,
                  "the bundle continues past " + files.back() + ": volume " +
                      volume_name(base, files.size() + 1) + " is missing; copy every volume");
    }
  }
  const char* why = archive_error_string(ar_.get());
  throw Error(BundleErrorKind::kDamaged, std::string("bundle is truncated or damaged: ") +
                                             (why ? why : "read error") + "; copy it again");
}

void BundleReader::ArchiveFree::operator()(archive* a) const {
  archive_read_free(a);
}

struct BundleReader::Stream {
  explicit Stream(const std::vector<std::string>& volumes) : files(volumes) {}
  const std::vector<std::string>& files;
  size_t next_file = 0;
  UniqueFd fd;
  std::vector<char> block = std::vector<char>(128 << 10);

  // libarchive's read callback: the next bytes of the current volume, moving
  // on to the next volume at the end of one; 0 after the last.
  static la_ssize_t read(archive* a, void* self, const void** out) {
    auto* s = static_cast<Stream*>(self);
    while (true) {
      if (!s->fd) {
        if (s->next_file == s->files.size()) return 0;
        const std::string& file = s->files[s->next_file++];
        s->fd = UniqueFd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
        if (!s->fd) {
          archive_set_error(a, errno, "cannot open %s", file.c_str());
          return -1;
        }
      }
      ssize_t n = ::read(s->fd.get(), s->block.data(), s->block.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        archive_set_error(a, errno, "cannot read %s", s->files[s->next_file - 1].c_str());
        return -1;
      }
      if (n > 0) {
        *out = s->block.data();
        return n;
      }
      s->fd.reset();
    }
  }
};

BundleReader::~BundleReader() = default;

BundleReader::BundleReader(const std::string& path)
    : volumes_(find_volumes(path)),
      stream_(std::make_unique<Stream>(volumes_.files)),
      ar_(archive_read_new()) {
  archive_read_support_filter_zstd(ar_.get());
  archive_read_support_format_tar(ar_.get());
  for (const auto& v : volumes_.files) {
    // An unreadable file is an I/O problem to fix, not a bad bundle.
    if (::access(v.c_str(), R_OK) != 0) throw_errno("cannot read " + v, errno);
  }
  if (archive_read_open(ar_.get(), stream_.get(), nullptr, &Stream::read, nullptr) != ARCHIVE_OK) {
    const char* why = archive_error_string(ar_.get());
    throw Error(
        BundleErrorKind::kMalformed,
        std::string("not a Ferry bundle (zstd-compressed tar): ") + (why ? why : "cannot open"));
  }
}

std::optional<EntryInfo> BundleReader::next() {
  archive_entry* e = nullptr;
  int rc = archive_read_next_header(ar_.get(), &e);
  if (rc == ARCHIVE_EOF) return std::nullopt;
  if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) damaged();
  EntryInfo info;
  info.name = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
  // A tar header's size is the bundle's word: one that is unset or negative
  // would wrap into a huge unsigned size.
  la_int64_t size = archive_entry_size(e);
  if (!archive_entry_size_is_set(e) || size < 0) {
    throw Error(BundleErrorKind::kDamaged,
                "entry '" + printable(info.name.substr(0, 200)) + "' has no valid size");
  }
  info.size = static_cast<uint64_t>(size);
  info.regular = archive_entry_filetype(e) == AE_IFREG && archive_entry_hardlink(e) == nullptr &&
                 archive_entry_symlink(e) == nullptr;
  return info;
}

size_t BundleReader::read(void* buf, size_t max) {
  la_ssize_t n = archive_read_data(ar_.get(), buf, max);
  if (n < 0) damaged();
  return static_cast<size_t>(n);
}

std::string BundleReader::read_whole(const EntryInfo& entry, uint64_t limit,
                                     const std::string& what) {
  if (entry.size > limit) {
    throw Error(BundleErrorKind::kOversized, what + " is " + std::to_string(entry.size) +
                                                 " bytes, over the limit of " +
                                                 std::to_string(limit));
  }
  std::string out(entry.size, '\0');
  size_t done = 0;
  while (done < out.size()) {
    size_t n = read(out.data() + done, out.size() - done);
    if (n == 0) throw Error(BundleErrorKind::kDamaged, what + " ends early");
    done += n;
  }
  return out;
}

}  // namespace ferry::bundle
