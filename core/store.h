// The registry's storage: what a repository holds and the rules for changing
// it. Files come from BlobStore, facts from Metadata; every visible change is
// one SQLite transaction made after the files it names are durable. Callers
// (the HTTP handlers, import) never touch either directly.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/error.h"
#include "core/blob_store.h"
#include "core/digest.h"
#include "core/file_lock.h"
#include "core/gc.h"
#include "core/manifest.h"
#include "core/metadata.h"
#include "core/scrub.h"
#include "core/unique_fd.h"
#include "core/upload_ledger.h"

namespace ferry {

struct StoreOptions {
  std::string data_dir;
  uint64_t max_manifest_bytes = 4 << 20;
  // ferryd serve clears tmp/ at start-up. `ferryd import` may run beside a
  // server, so it must not remove that server's in-flight staging files.
  bool clear_staging = true;
  // Pushes and imports are refused while less than this is free on the data
  // disk, so the box never fills up to the last block (pulls go on).
  uint64_t min_free = 0;
};

struct OpenedBlob {
  UniqueFd fd;
  uint64_t size = 0;
};

struct ManifestInfo {
  std::string digest;
  std::string media_type;
  uint64_t size = 0;
  UniqueFd fd;  // only when asked for the content
};

// One manifest of an imported image, already in the content store.
struct ManifestToPublish {
  Digest digest;
  uint64_t size = 0;
  ParsedManifest parsed;
};

// An image an import publishes: its manifests with children before the
// index that lists them, the top one last. A referrer (signature, SBOM) is
// published the same way, untagged (tag empty) unless it is a tag-schema one.
struct ImageToPublish {
  std::string repository;
  std::string tag;  // empty: publish the manifests, move no tag
  std::vector<ManifestToPublish> manifests;
};

// Totals for monitoring (/metrics, ferryctl).
struct StoreStats {
  uint64_t repositories = 0;  // those holding a manifest, as /v2/_catalog lists them
  uint64_t tags = 0, manifests = 0;
  uint64_t blobs = 0, blob_bytes = 0;  // content files, manifests included
  uint64_t uploads = 0;                // upload sessions open
  uint64_t damaged = 0;                // quarantined by scrub, not yet repaired
};

// What one namespace (first path component of its repositories) holds; a
// blob shared by two of its repositories counts once.
struct NamespaceUsage {
  std::string name;
  uint64_t repositories = 0;  // holding a manifest, as StoreStats counts them
  uint64_t tags = 0, bytes = 0;
};

// Content scrub found damaged (quarantined until stored again).
struct DamagedContent {
  std::string digest;
  int64_t found_at = 0;  // Unix seconds
  std::string reason;
};

struct PutManifestResult {
  Digest digest;
  std::optional<Digest> subject;
};

class Store {
 public:
  explicit Store(StoreOptions options);
  ~Store();
  const StoreOptions& options() const { return options_; }

  // ---- blobs (store.cc)
  // Size of a blob the repository holds, or nullopt.
  std::optional<uint64_t> blob_size(std::string_view repo, const Digest& digest);
  OpenedBlob open_blob(std::string_view repo, const Digest& digest);
  // Removes the blob from the repository; refuses while a manifest needs it.
  void delete_blob(std::string_view repo, const Digest& digest);
  // Links a blob already in the store into repo: from `from` when given, else
  // from anywhere in the store. False when there is nothing to link.
  bool mount_blob(std::string_view repo, const Digest& digest,
                  const std::optional<std::string>& from);
  // A staging writer for a blob that arrives whole (monolithic upload).
  BlobWriter begin_blob(DigestAlgorithm algorithm);
  // Verifies the staged bytes against `expected`, publishes and links them.
  void commit_blob(std::string_view repo, BlobWriter& writer, const Digest& expected);

  // ---- uploads (store_uploads.cc)
  class Upload;  // an upload session held exclusively by one request
  // Opens a session for `owner` (who writes, for the limits on open
  // sessions; "" when unknown). `admit` is asked first, under the upload
  // ledger's lock, and may throw to refuse (upload_ledger.h).
  std::string start_upload(std::string_view repo, const std::string& owner = "",
                           const UploadLedger::Admit& admit = {});
  Upload open_upload(std::string_view repo, std::string_view id);
  uint64_t upload_offset(std::string_view repo, std::string_view id);
  void cancel_upload(std::string_view repo, std::string_view id);
  // Removes sessions idle longer than max_idle (since their last request
  // that wrote), with their files.
  size_t expire_uploads(std::chrono::seconds max_idle);
  // The bytes open sessions and writes in flight hold, which quotas count
  // (filled from the uploads table and files at start-up).
  UploadLedger& upload_ledger() { return ledger_; }

  // Called inside a transaction that would move a tag from one manifest to
  // another (digests as text); throws to refuse the move, and so the whole
  // change (an immutable tag, access::Rules::may_move_tag).
  using TagMoveCheck = std::function<void(const std::string& repository, const std::string& tag,
                                          const std::string& from, const std::string& to)>;

  // ---- manifests (store_manifests.cc)
  // reference is a tag or a digest. with_content opens the file too.
  ManifestInfo resolve_manifest(std::string_view repo, std::string_view reference,
                                bool with_content);
  // Stores the manifest under a tag or its digest. Pushed under a tag that
  // names another manifest, before_move is asked in the same transaction, so
  // no other push slips in between the check and the move. updated_by is
  // recorded on the tag: the pushing user or "anonymous" ("" for unknown).
  PutManifestResult put_manifest(std::string_view repo, std::string_view reference,
                                 std::string_view content_type, std::string_view bytes,
                                 const TagMoveCheck& before_move = {},
                                 const std::string& updated_by = "");
  void delete_manifest(std::string_view repo, std::string_view reference);

  // ---- import (store_import.cc)
  // True when the content is stored (row and file), in any repository.
  bool has_content(const Digest& digest);
  // Its size in bytes when stored (row and file), else nullopt.
  std::optional<uint64_t> content_size(const Digest& digest);
  // A staging writer in tmp/import/, which ferryd serve's start-up cleanup
  // leaves alone: the importer, holding the import lock, owns that folder.
  // It does not hash: the bundle verifier hashes every entry it streams.
  BlobWriter begin_import_blob(DigestAlgorithm algorithm);
  void clear_import_staging();
  // Publishes a staged blob, whose bytes the caller verified against
  // `expected`, without linking it to a repository: it
  // stays invisible until publish_images links it. A failed import leaves
  // such content behind for the next attempt to reuse (GC removes it).
  void add_unlinked_blob(BlobWriter& writer, const Digest& expected);
  // Reads stored content of at most max_bytes (an imported manifest).
  std::string read_content(const Digest& digest, uint64_t max_bytes);
  // Links every image's content and moves its tag, all in one transaction,
  // together with whatever `also` writes in it through other modules (the
  // import history and rollback mark, ImportRecords; the audit row,
  // access::Accounts). Throws, changing nothing, if any content is missing
  // or `also` throws. `before_move` is called in the same transaction for each tag
  // that points at another manifest (digests as text), and may throw to
  // refuse the move: checked there, no push can slip in between.
  // updated_by is recorded on each tag moved ("import <bundle id>").
  void publish_images(const std::vector<ImageToPublish>& images,
                      const std::function<void(sql::Transaction&)>& also,
                      const TagMoveCheck& before_move = {}, const std::string& updated_by = "");
  // The data dir's database, for the modules that own the other tables in
  // it: give it to their constructors (access::Accounts, access::Rules,
  // ImportRecords). Nothing outside those modules runs SQL on it.
  sql::Pool& database() { return database_; }

  // ---- garbage collection (store_gc.cc)
  // Removes what no tag reaches (and tags retention drops), online: pushes
  // and pulls go on. Waits up to lock_wait for a running import; nullopt if
  // it is still running then. Throws on storage errors.
  std::optional<GcReport> collect_garbage(const GcOptions& options,
                                          std::chrono::milliseconds lock_wait);

  // ---- scrub (store_scrub.cc)
  // Re-hashes every stored file and checks every reference; damaged content
  // is quarantined and no longer served until stored again. Stops early,
  // report.stopped set, when `stop` is requested.
  ScrubReport scrub(const ScrubOptions& options, std::stop_token stop = {});

  StoreStats stats();
  // True when the database answers a query (the systemd watchdog's check).
  // Throws on storage errors.
  bool responsive();

  // Every digest the store holds for some repository (a linked blob or a
  // manifest), damaged content left out, in order: what a delta bundle may
  // leave out for this box (docs/import.md, inventory). fn is called once each.
  void for_each_held_digest(const std::function<void(const std::string& digest)>& fn);
  // What each namespace holds, by name. Kept until the next commit to the
  // database (sql::Pool::data_version), so pages that show it cost a query
  // only after a change: with 10,000 manifests that query takes ~30 ms.
  std::vector<NamespaceUsage> namespace_usage();
  // The same for every repository at or under `prefix` ("site/line1").
  NamespaceUsage prefix_usage(const std::string& prefix);
  // Bytes of distinct content the namespace's repositories hold.
  uint64_t namespace_bytes(std::string_view name_space);
  // Of this content, the bytes the namespace does not hold yet.
  uint64_t namespace_missing(std::string_view name_space,
                             const std::vector<std::pair<Digest, uint64_t>>& content);

  // ---- space (store.cc)
  uint64_t free_bytes() const;
  // The size of the data dir's file system. Throws on statvfs failure.
  uint64_t total_bytes() const;
  // Damaged content, newest find first, at most `limit`.
  std::vector<DamagedContent> damaged(int64_t limit);
  // Throws INSUFFICIENT_STORAGE (507) while free space is under min_free.
  void require_free_space() const;

  // ---- locks (store.cc). Files in the data dir, so `ferryd import` and
  // ferryctl coordinate with a running server.
  // Held by an import for its whole run, and by GC: an import relies on
  // content it found present staying there until it publishes.
  std::string import_lock_path() const;
  // Shared by every publish of content (file, then row), exclusive for GC's
  // sweep (row, then file): neither sees the other half done.
  FileLock content_lock(bool exclusive) const;

  // ---- listing (store.cc)
  std::vector<std::string> list_tags(std::string_view repo, const std::string& after,
                                     int64_t limit);
  std::vector<std::string> list_repositories(const std::string& after, int64_t limit);
  // The tags of repo that point at digest.
  std::vector<std::string> tags_of(std::string_view repo, const Digest& digest);
  std::vector<ReferrerRow> list_referrers(std::string_view repo, const Digest& subject,
                                          const std::optional<std::string>& artifact_type);
  // Every tag, in every repository, of a manifest with this artifactType.
  std::vector<TaggedManifest> tagged_artifacts(const std::string& artifact_type);

 private:
  struct UploadState;
  // Runs fn on a leased connection: the store's own queries over several tables.
  template <typename F>
  auto with_connection(F&& fn) {
    auto lease = database_.acquire();
    return fn(*lease);
  }
  int64_t require_repository(Metadata& meta, std::string_view repo, ErrorCode unknown_code);
  std::string check_content(const Digest& digest, uint64_t size, ScrubReport& report, uint64_t rate,
                            std::chrono::steady_clock::time_point start,
                            const std::stop_token& stop, bool* vanished);
  [[noreturn]] static void refuse_damaged(const char* what, const std::string& digest,
                                          const Damage& damage, ErrorCode code);
  std::shared_ptr<UploadState> upload_state(std::string_view id);
  // Fills the ledger with the sessions a previous run left (store_uploads.cc).
  void restore_uploads();
  // Publishes a verified staged file and links it to repo in one transaction.
  void publish_blob(int64_t repo_id, const std::string& staged_path, const Digest& digest,
                    uint64_t size, const std::string* upload_to_close);

  StoreOptions options_;
  BlobStore blobs_;
  sql::Pool database_;
  MetadataPool pool_{database_};
  std::mutex uploads_mu_;
  // Shared while a session is being started (its ledger entry exists, its
  // row may not yet); exclusive while expire_uploads() drops ledger entries
  // whose row is gone, so it never drops one that is still being started.
  std::shared_mutex starting_uploads_mu_;
  std::unordered_map<std::string, std::shared_ptr<UploadState>> uploads_;
  UploadLedger ledger_;
  std::mutex usage_mu_;
  std::optional<std::pair<int64_t, std::vector<NamespaceUsage>>> usage_;  // data_version, usage
};

struct Store::UploadState {
  std::mutex mu;
  int64_t repo_id = 0;
  Hasher hasher;
  uint64_t offset = 0;
};

class Store::Upload {
 public:
  Upload(Store& store, std::string id, std::shared_ptr<UploadState> state,
         std::unique_lock<std::mutex> lock);
  Upload(Upload&&) noexcept = default;
  // Gives back what this request was granted but did not write, and marks
  // the session active now (its idle time for expiry starts again).
  ~Upload();

  const std::string& id() const { return id_; }
  uint64_t offset() const { return state_->offset; }
  // Bytes the session may hold without asking again (>= offset()).
  uint64_t granted() const { return granted_; }
  // Makes sure the session may hold `need` bytes in all, asking the ledger
  // for up to `want` (UploadLedger::grant); throws what `admit` throws, and
  // then the ledger holds only what the session held when this request
  // found it: call rollback() to cut the file back to that too.
  void reserve(uint64_t need, uint64_t want, const UploadLedger::Admit& admit);
  // Appends at the current offset. A failed write (a full disk) rolls the
  // session back to where this request found it: no partial chunk is kept,
  // the space is returned, and the client may retry from offset().
  void append(const void* data, size_t size);
  // Cuts the session back to where this request found it (file, offset and
  // hash), as a failed write does: for a chunk refused half-way.
  void rollback();
  // Verifies and publishes the blob; the session ends.
  void finish(const Digest& expected);

 private:
  Store* store_;
  std::string id_;
  std::shared_ptr<UploadState> state_;
  std::unique_lock<std::mutex> lock_;
  UniqueFd fd_;
  WriteBehind write_behind_{state_->offset};
  uint64_t start_offset_ = state_->offset;  // for the rollback of a failed request
  Hasher start_hasher_ = state_->hasher;
  uint64_t granted_ = state_->offset;
  bool wrote_ = false, finished_ = false;
};

}  // namespace ferry
