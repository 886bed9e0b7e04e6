// Scrub: re-hash every stored blob and manifest, and check every reference.
// Damaged content is moved to quarantine/ and recorded, so it is never
// served again; the next push or import of the same bytes repairs it (the
// file is missing, so the publish puts the good copy in place and clears the
// record). Reads are paced to a byte rate and dropped from the page cache.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include "core/file_util.h"
#include "core/scrub.h"
#include "core/store.h"
#include "core/units.h"

namespace ferry {

std::string summarize(const ScrubReport& r) {
  double seconds = static_cast<double>(r.duration.count()) / 1000.0;
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.0f MB/s",
                seconds > 0 ? static_cast<double>(r.bytes) / 1e6 / seconds : 0.0);
  std::string out = "checked " + std::to_string(r.checked) + " file(s), " + format_size(r.bytes) +
                    " in " + std::to_string(r.duration.count()) + " ms (" + rate +
                    "): " + std::to_string(r.damaged.size()) + " newly damaged, " +
                    std::to_string(r.known_damaged) + " still damaged from before, " +
                    std::to_string(r.broken_references.size()) + " broken reference(s)";
  if (r.stopped) out += "; stopped before the end";
  return out;
}

namespace {

constexpr size_t kPiece = 256 << 10;
constexpr int64_t kPage = 500;  // rows read per query, so memory stays flat

// Sleeps until `done` bytes are due at `rate` since `start`; false if asked to stop.
bool pace(uint64_t rate, uint64_t done, std::chrono::steady_clock::time_point start,
          const std::stop_token& stop) {
  if (rate == 0) return !stop.stop_requested();
  auto due = start + std::chrono::microseconds(done * 1000000 / rate);
  while (std::chrono::steady_clock::now() < due) {
    if (stop.stop_requested()) return false;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        due - std::chrono::steady_clock::now(), std::chrono::milliseconds(100)));
  }
  return !stop.stop_requested();
}

// Every reference the registry promises: tags name manifests, manifests'
// blobs are linked and stored, index children exist, content rows have files
// (checked per file above).
constexpr const char* kBrokenReferences = R"sql(
SELECT r.name || ':' || t.name || ' names manifest ' || t.digest || ', which is gone'
  FROM tags t JOIN repositories r ON r.id = t.repository_id
 WHERE NOT EXISTS (SELECT 1 FROM manifests m
                    WHERE m.repository_id = t.repository_id AND m.digest = t.digest)
UNION ALL
SELECT r.name || '@' || x.manifest_digest || ' needs '
       || CASE x.kind WHEN 0 THEN 'blob ' ELSE 'child manifest ' END
       || x.target_digest || ', which is gone'
  FROM manifest_references x JOIN repositories r ON r.id = x.repository_id
 WHERE (x.kind = 0 AND NOT EXISTS (
          SELECT 1 FROM repository_blobs b JOIN blobs c ON c.digest = b.digest
           WHERE b.repository_id = x.repository_id AND b.digest = x.target_digest))
    OR (x.kind = 1 AND NOT EXISTS (
          SELECT 1 FROM manifests m
           WHERE m.repository_id = x.repository_id AND m.digest = x.target_digest))
UNION ALL
SELECT 'manifest ' || m.digest || ' of ' || r.name || ' has no content row'
  FROM manifests m JOIN repositories r ON r.id = m.repository_id
 WHERE NOT EXISTS (SELECT 1 FROM blobs b WHERE b.digest = m.digest)
)sql";

}  // namespace

// Re-hashes one file; empty when it is intact, else why not.
std::string Store::check_content(const Digest& digest, uint64_t size, ScrubReport& report,
                                 uint64_t rate, std::chrono::steady_clock::time_point start,
                                 const std::stop_token& stop, bool* vanished) {
  *vanished = false;
  UniqueFd fd = blobs_.open(digest);
  if (!fd) {
    // GC deletes the row before the file: no row now means it was collected.
    if (!pool_.acquire()->blob_size(digest.str())) {
      *vanished = true;
      return {};
    }
    return "its file is missing";
  }
  Hasher hasher(digest.algorithm());
  std::vector<char> buf(kPiece);
  uint64_t total = 0;
  while (true) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::string("it cannot be read: ") + std::strerror(errno);
    if (n == 0) break;
    hasher.update(buf.data(), static_cast<size_t>(n));
    total += static_cast<uint64_t>(n);
    report.bytes += static_cast<uint64_t>(n);
    if (!pace(rate, report.bytes, start, stop)) {
      report.stopped = true;
      return {};
    }
  }
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_DONTNEED);  // do not crowd out what pulls read
  ++report.checked;
  if (total != size) {
    return "it is " + std::to_string(total) + " bytes, " + std::to_string(size) + " recorded";
  }
  if (hasher.digest() != digest) return "its bytes hash to " + hasher.digest().str();
  return {};
}

ScrubReport Store::scrub(const ScrubOptions& options, std::stop_token stop) {
  auto started = std::chrono::steady_clock::now();
  ScrubReport report;
  std::string after;
  while (!report.stopped) {
    std::vector<std::pair<std::string, uint64_t>> page;
    {
      auto meta = pool_.acquire();
      auto s = meta->db().prepare(
          "SELECT digest, size FROM blobs WHERE digest > ? AND NOT EXISTS "
          "(SELECT 1 FROM damaged d WHERE d.digest = blobs.digest) ORDER BY digest LIMIT ?");
      s.bind(after, kPage);
      while (s.step()) page.emplace_back(s.column_text(0), uint64_t(s.column_int(1)));
    }
    if (page.empty()) break;
    after = page.back().first;
    for (const auto& [text, size] : page) {
      auto digest = Digest::parse(text);
      if (!digest) continue;
      bool vanished = false;
      std::string why =
          check_content(*digest, size, report, options.rate, started, stop, &vanished);
      if (report.stopped) break;
      if (why.empty() || vanished) continue;
      // Exclusive against publishes: none is between its file and its row.
      auto guard = content_lock(true);
      blobs_.quarantine(*digest);
      pool_.acquire()->mark_damaged(text, why);
      report.damaged.push_back({text, why});
    }
  }
  if (!report.stopped) {
    auto meta = pool_.acquire();
    report.known_damaged =
        static_cast<uint64_t>(*meta->db().prepare("SELECT count(*) FROM damaged").one_int()) -
        report.damaged.size();
    auto s = meta->db().prepare(kBrokenReferences);
    while (s.step()) report.broken_references.push_back(s.column_text(0));
  }
  report.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  return report;
}

}  // namespace ferry
