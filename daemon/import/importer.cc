#include "daemon/import/importer.h"

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>
#include <tuple>

#include "access/policy.h"
#include "core/bundle_error.h"
#include "core/bundle_verifier.h"
#include "core/error.h"
#include "core/file_lock.h"
#include "core/names.h"
#include "core/progress.h"
#include "core/refusal.h"
#include "core/units.h"
#include "daemon/import/receipt.h"
#include "daemon/import/writer_thread.h"
#include "runtime/log.h"
#include "signing/error.h"
#include "signing/trusted_keys.h"

namespace ferry::import {
namespace {

using bundle::BundleError;
using bundle::BundleErrorKind;

// At least this stays free after an import, whatever storage.min_free says:
// SQLite, its WAL and directories grow too.
constexpr uint64_t kSpaceHeadroom = 16 << 20;
constexpr int kExitStorage = 4;
constexpr int kExitReceipt = 5;
constexpr int kExitFailure = 1;

int64_t unix_now() {
  return static_cast<int64_t>(std::time(nullptr));
}

[[noreturn]] void refuse(BundleErrorKind kind, const std::string& why) {
  throw BundleError(kind, why);
}

// Thrown when the caller asks the import to stop (ferryd shutting down).
struct Stopped : std::runtime_error {
  Stopped()
      : std::runtime_error(
            "stopped because ferryd is shutting down; nothing became visible, and the next "
            "import of this bundle reuses what was already written") {}
};

// Verified blobs from the bundle into the content store. Blobs already
// stored are read and checked (the archive must be walked anyway) but not
// written again, so a re-run after an interruption does not redo work. The
// writing itself happens on a WriterThread, in parallel with the reading.
class StoreSink : public bundle::BlobSink {
 public:
  StoreSink(Store& store, Progress& progress, const std::atomic<bool>* cancel, ImportRecord& rec)
      : store_(store), writer_(store), progress_(progress), cancel_(cancel), rec_(rec) {}

  void begin(const bundle::BlobEntry& blob) override {
    if (cancel_ && cancel_->load()) throw Stopped();
    writing_ = !store_.has_content(blob.digest);
    if (writing_) writer_.begin(blob.digest.algorithm());
  }
  std::span<char> buffer() override { return writing_ ? writer_.lend_piece() : std::span<char>(); }
  void write(const void* data, size_t size) override {
    if (cancel_ && cancel_->load()) throw Stopped();
    if (writing_) writer_.write(data, size);
    progress_.add(size);
  }
  // Called once the verifier has checked the blob's size and digest.
  void commit(const bundle::BlobEntry& blob) override {
    if (writing_) {
      writer_.commit(blob.digest);
      ++rec_.blobs_written;
      rec_.bytes_written += blob.size;
    } else {
      ++skipped_;
      rec_.bytes_skipped += blob.size;
      progress_.set_note(std::to_string(skipped_) + " blob(s) already here, not rewritten");
    }
  }
  // Waits until every blob is published; rethrows a failure (a full disk).
  void flush() { writer_.flush(); }

 private:
  Store& store_;
  WriterThread writer_;
  Progress& progress_;
  const std::atomic<bool>* cancel_;
  ImportRecord& rec_;
  bool writing_ = false;
  uint64_t skipped_ = 0;
};

std::string images_json(const bundle::Manifest& m) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& i : m.images) list.push_back({{"name", i.name}, {"digest", i.digest.str()}});
  return list.dump();
}

void check_expiry(const bundle::Manifest& m) {
  if (m.expires.empty()) return;
  auto expires = parse_utc(m.expires);
  int64_t now = unix_now();
  if (expires && now > *expires) {
    refuse(BundleErrorKind::kExpired, "bundle " + m.id + " expired at " + m.expires +
                                          " (it is now " + format_utc(now) +
                                          "); ask for a fresh bundle");
  }
}

// When this very bundle is the last one of its signer and channel, it was
// imported already: the time it was, so the import can end with nothing to do.
std::optional<int64_t> imported_before(ImportRecords& records, const std::string& signer,
                                       const bundle::Manifest& m) {
  auto mark = records.last_sequence(signer, m.channel);
  if (mark && mark->bundle_id == m.id) return mark->imported_at;
  return std::nullopt;
}

void check_sequence(ImportRecords& records, const std::string& signer, const bundle::Manifest& m,
                    bool allow_downgrade) {
  auto mark = records.last_sequence(signer, m.channel);
  if (!mark || m.sequence > mark->sequence || allow_downgrade) return;
  refuse(BundleErrorKind::kRollback,
         "bundle " + m.id + " is sequence " + std::to_string(m.sequence) + " of channel '" +
             m.channel + "', not newer than sequence " + std::to_string(mark->sequence) +
             " (bundle " + mark->bundle_id + ") imported on " + format_utc(mark->imported_at) +
             " from the same signer; an older bundle cannot replace a newer one "
             "(--allow-downgrade if that is what you mean)");
}

void check_base(Store& store, const bundle::Manifest& m) {
  std::vector<std::string> missing;
  for (const auto& d : m.requires_) {
    if (!store.has_content(d)) missing.push_back(d.str());
  }
  if (missing.empty()) return;
  refuse(BundleErrorKind::kMissingBase,
         "this delta bundle needs " + std::to_string(missing.size()) + " of its " +
             std::to_string(m.requires_.size()) + " base blob(s), which are not on this box (" +
             missing.front() + (missing.size() > 1 ? ", ..." : "") +
             "); import the bundle it was made against first, or ask for a full bundle");
}

// What the bundle adds to the disk, checked against what is free there.
uint64_t check_space(Store& store, const bundle::Manifest& m) {
  uint64_t needed = 0;
  for (const auto& b : m.blobs) {
    if (!store.has_content(b.digest)) needed += b.size;
  }
  const std::string& dir = store.options().data_dir;
  uint64_t free_bytes = store.free_bytes();
  uint64_t reserve = std::max(kSpaceHeadroom, store.options().min_free);
  if (needed + reserve > free_bytes) {
    refuse(BundleErrorKind::kNoSpace,
           "the bundle adds " + format_size(needed) + " to the store but only " +
               format_size(free_bytes) + " is free on " + dir + " (" + format_size(reserve) +
               " is kept in reserve, storage.min_free); free some space, then import again");
  }
  return needed;
}

// The access rules (docs/access.md): on a locked box (no users, listening
// beyond loopback) nothing is imported; once users exist, every namespace
// the bundle publishes into must take imports. Then, in every mode, each
// must have room under its quota for what the bundle adds to it: counted
// generously, as if all of the bundle's content it does not hold yet went
// to each.
// Returns the policy it checked against, for the checks that follow.
access::Policy check_access(Store& store, const bundle::Manifest& m, const ImportAccess& rules) {
  bool beyond = false;
  auto policy = store.with_database([&](sql::Database& db) {
    beyond = access::Accounts(db).served_beyond_loopback();
    return access::Policy::load(db, rules.auth_open);
  });
  // Loopback only if both this run's config and the last ferryd serve say so.
  access::Mode mode =
      access::mode_of(rules.auth_open, rules.loopback && !beyond, policy.has_users());
  if (mode == access::Mode::kLocked) {
    refuse(BundleErrorKind::kNotAllowed,
           "imports are refused: no users are defined and ferryd listens beyond loopback; "
           "create an admin (ferryctl user add NAME, ferryctl grant NAME '*' admin) and allow "
           "imports (ferryctl namespace set '*' --import on), or set auth.open = true");
  }
  if (mode == access::Mode::kEnforced) {
    for (const auto& image : m.images) {
      auto d = policy.may_import(image.name.substr(0, image.name.rfind(':')));
      if (!d.allowed) refuse(BundleErrorKind::kNotAllowed, d.reason);
    }
  }
  std::set<std::string> seen;
  for (const auto& image : m.images) {
    std::string repo = image.name.substr(0, image.name.rfind(':'));
    std::string ns = policy.namespace_of(repo);
    auto quota = policy.quota(repo);
    if (!seen.insert(ns).second || !quota) continue;
    std::vector<std::pair<Digest, uint64_t>> content;
    for (const auto& b : m.blobs) content.emplace_back(b.digest, b.size);
    uint64_t needed = store.namespace_missing(ns, content);
    uint64_t used = store.namespace_bytes(ns);
    if (used + needed > *quota) {
      refuse(BundleErrorKind::kQuota,
             "the bundle adds up to " + format_size(needed) + " to namespace '" + ns +
                 "', which holds " + format_size(used) + " of its " + format_size(*quota) +
                 " quota; free space there (delete images, ferryctl gc) or raise the quota");
    }
  }
  return policy;
}

// An import never moves an immutable tag (docs/access.md), just as a push
// may not: the whole bundle is refused, naming the tag.
void check_tag_move(const access::Policy& policy, const std::string& repository,
                    const std::string& tag, const std::string& from, const std::string& to) {
  if (!policy.immutable(repository, tag)) return;
  refuse(BundleErrorKind::kImmutable,
         "the bundle would move tag " + repository + ":" + tag + " from " + from + " to " + to +
             ", but the tag is immutable in namespace '" + policy.namespace_of(repository) +
             "'; nothing was imported: ask for a bundle that publishes a new tag, or change the "
             "namespace's immutable patterns (ferryctl namespace set)");
}

// Every tag the bundle sets: REPO, TAG and the digest it will name. Its
// images', and its tag-schema referrers' (sha256-<hex>.sig).
std::vector<std::tuple<std::string, std::string, std::string>> tags_set(const bundle::Manifest& m) {
  std::vector<std::tuple<std::string, std::string, std::string>> out;
  for (const auto& image : m.images) {
    auto colon = image.name.rfind(':');
    if (colon == std::string::npos) continue;  // plan_images refuses it
    std::string repository = image.name.substr(0, colon);
    out.emplace_back(repository, image.name.substr(colon + 1), image.digest.str());
    for (const auto& r : image.referrers) {
      if (!r.tag.empty()) out.emplace_back(repository, r.tag, r.digest.str());
    }
  }
  return out;
}

// Before any content is written: the tags of the bundle that exist here
// and would move. publish_images checks again inside its transaction.
void check_immutable_tags(Store& store, const bundle::Manifest& m, const access::Policy& policy) {
  for (const auto& [repository, tag, digest] : tags_set(m)) {
    if (!policy.immutable(repository, tag)) continue;
    std::optional<ManifestInfo> current;
    try {
      current = store.resolve_manifest(repository, tag, false);
    } catch (const Error& e) {
      if (e.is_storage()) throw;
      continue;  // no such tag (or repository) yet: nothing moves
    }
    if (current->digest != digest) check_tag_move(policy, repository, tag, current->digest, digest);
  }
}

// Reads one imported manifest (and, for an index, its children first) from
// the content store into `image`, checking that everything it names is there.
void add_manifest(Store& store, ImageToPublish& image, std::set<Digest>& seen, const Digest& digest,
                  const std::string& media_type, uint64_t size, const std::string& image_name) {
  if (!seen.insert(digest).second) return;
  if (!store.has_content(digest)) {
    refuse(BundleErrorKind::kIncomplete, "manifest " + digest.str() + " of " + image_name +
                                             " is neither in the bundle nor on this box");
  }
  std::string bytes = store.read_content(digest, store.options().max_manifest_bytes);
  if (bytes.size() != size) {
    refuse(BundleErrorKind::kTampered, "manifest " + digest.str() + " of " + image_name +
                                           " is not the size its descriptor says");
  }
  ParsedManifest parsed;
  try {
    parsed = parse_manifest(bytes, media_type);
  } catch (const Error& e) {
    refuse(BundleErrorKind::kMalformed, image_name + ": " + e.what());
  }
  for (const auto& child : parsed.manifests) {
    add_manifest(store, image, seen, child.digest, child.media_type, child.size, image_name);
  }
  for (const auto& blob : parsed.blobs) {
    if (!blob.external && !store.has_content(blob.digest)) {
      refuse(BundleErrorKind::kIncomplete, "blob " + blob.digest.str() + " of " + image_name +
                                               " is neither in the bundle nor on this box");
    }
  }
  image.manifests.push_back({digest, size, std::move(parsed)});
}

// The image's referrers, into its repository: untagged but for tag-schema
// ones. A referrer whose subject is neither in the bundle nor on the box is
// published all the same, as a push of it would be: the referrers API lists
// it once the subject arrives.
void plan_referrers(Store& store, const bundle::ImageEntry& entry, const std::string& repository,
                    std::vector<ImageToPublish>& out) {
  for (const auto& r : entry.referrers) {
    std::string what = entry.name + " (referrer " + r.digest.str() + ")";
    if (!r.tag.empty()) {
      try {
        check_tag(r.tag);
      } catch (const Error&) {
        refuse(BundleErrorKind::kMalformed, what + " has tag '" + r.tag + "', which is not valid");
      }
    }
    ImageToPublish referrer{repository, r.tag, {}};
    std::set<Digest> seen;
    add_manifest(store, referrer, seen, r.digest, r.media_type, r.size, what);
    // The signed list and the referrer itself must agree on its subject, so
    // `ferry inspect` shows the tree the box will serve. Cosign's tag-schema
    // manifests name theirs only through the tag.
    const auto& subject = referrer.manifests.back().parsed.subject;
    if (subject ? subject->digest != r.subject : r.tag.empty()) {
      refuse(BundleErrorKind::kTampered,
             what + " is listed with subject " + r.subject.str() + " but its manifest names " +
                 (subject ? subject->digest.str() : std::string("none")));
    }
    out.push_back(std::move(referrer));
  }
}

std::vector<ImageToPublish> plan_images(Store& store, const bundle::Manifest& m) {
  std::vector<ImageToPublish> images, referrers;
  for (const auto& entry : m.images) {
    auto colon = entry.name.rfind(':');
    ImageToPublish image;
    if (colon != std::string::npos) {
      image.repository = entry.name.substr(0, colon);
      image.tag = entry.name.substr(colon + 1);
    }
    try {
      check_repository_name(image.repository);
      check_tag(image.tag);
    } catch (const Error&) {
      refuse(BundleErrorKind::kMalformed,
             "image name '" + entry.name + "' is not a valid REPOSITORY:TAG for this registry");
    }
    std::set<Digest> seen;
    add_manifest(store, image, seen, entry.digest, entry.media_type, entry.size, entry.name);
    plan_referrers(store, entry, image.repository, referrers);
    images.push_back(std::move(image));
  }
  // After every image, so each subject is published before what refers to it.
  images.insert(images.end(), std::make_move_iterator(referrers.begin()),
                std::make_move_iterator(referrers.end()));
  return images;
}

signing::TrustedKeys trusted_keys(const std::string& dir) {
  auto trusted = signing::load_trusted_keys(dir);
  for (const auto& p : trusted.problems) log::warn("trust store: skipped " + p);
  return trusted;
}

// Fills in outcome.record's result and the exit code from an exception.
void classify(const std::exception& e, ImportOutcome& outcome) {
  ImportRecord& rec = outcome.record;
  rec.error = e.what();
  if (auto refusal = classify_refusal(e)) {
    rec.result = "refused";
    rec.reason = std::string(refusal->name);
    outcome.exit_code = refusal->exit_code;
  } else if (dynamic_cast<const Stopped*>(&e)) {
    rec.result = "interrupted";
    rec.reason = "stopped";
    outcome.exit_code = kExitFailure;
  } else if (const auto* err = dynamic_cast<const Error*>(&e); err && err->is_storage()) {
    rec.result = "failed";
    rec.reason = "storage";
    outcome.exit_code = kExitStorage;
  } else {
    rec.result = "failed";
    rec.reason = "error";
    outcome.exit_code = kExitFailure;
  }
}

// One audit row per import attempt (docs/access.md): the bundle and its
// images, the signer, and the result with its reason.
void audit_import(sql::Database& db, const ImportOptions& options, const ImportRecord& rec) {
  std::string target = rec.bundle_id.empty() ? rec.source : "bundle " + rec.bundle_id;
  auto images = nlohmann::json::parse(rec.images.empty() ? "[]" : rec.images, nullptr, false);
  if (images.is_array() && !images.empty()) {
    std::string names;
    for (const auto& image : images) {
      if (image.is_object()) names += (names.empty() ? "" : ", ") + image.value("name", "");
    }
    target += ": " + names;
  }
  if (target.size() > 400) target = target.substr(0, 397) + "...";
  std::string detail = rec.signer.empty() ? "" : "signer " + rec.signer;
  if (rec.result != "imported") {
    detail += (detail.empty() ? "" : "; ") + rec.reason + ": " + rec.error.substr(0, 300);
  }
  access::Accounts(db).audit({unix_now(), options.actor, "import", target, "local",
                              rec.result == "imported" ? "ok" : rec.result, detail});
}

// The same bundle again: exit 0, one info line, a history row saying so,
// and nothing else touched (the tags it set may have moved since, on purpose).
void finish_unchanged(Store& store, const ImportOptions& options, ImportOutcome& outcome,
                      int64_t imported_at) {
  ImportRecord& rec = outcome.record;
  rec.result = "unchanged";
  rec.reason = "already-imported";
  rec.error = "bundle " + rec.bundle_id + " was already imported on " + format_utc(imported_at) +
              "; nothing to do";
  rec.finished_at = unix_now();
  store.with_database([&](sql::Database& db) {
    ImportRecords(db).finish(rec.id, rec, *rec.finished_at, 0);
    audit_import(db, options, rec);
  });
  log::info("import of " + rec.source + ": " + rec.error);
}

// With --receipt, for an import or the same bundle again: a USB stick
// plugged in twice still carries back a fresh receipt and inventory.
void write_receipt_if_asked(Store& store, const ImportOptions& options, const bundle::Manifest& m,
                            ImportOutcome& outcome) {
  if (options.receipt.empty()) return;
  try {
    std::vector<std::string> held;
    store.for_each_held_digest([&](const std::string& d) { held.push_back(d); });
    write_receipt(options.receipt, options.box_key, m, outcome.record, held);
    log::info("receipt written to " + options.receipt + " (and .minisig)");
  } catch (const std::exception& e) {
    log::error("the import succeeded but its receipt could not be written: " +
               std::string(e.what()));
    outcome.exit_code = kExitReceipt;
  }
}

// GC's sweep of a large store holds the import lock for a second or two.
constexpr std::chrono::milliseconds kLockWait{5000};

}  // namespace

bool import_running(Store& store) {
  return !FileLock::try_acquire(store.import_lock_path()).has_value();
}

ImportOutcome import_bundle(Store& store, const ImportOptions& options) {
  auto started = std::chrono::steady_clock::now();
  ImportOutcome outcome;
  ImportRecord& rec = outcome.record;
  rec.source = options.bundle;
  rec.started_at = unix_now();
  std::optional<bundle::Manifest> manifest;
  std::optional<FileLock> lock;
  try {
    // The inbox probes the lock for an instant each second, and a GC sweep
    // holds it for a moment; a short wait keeps either from being taken for
    // a running import.
    lock = FileLock::acquire_within(store.import_lock_path(), kLockWait);
    if (lock) {
      // Holding the lock: a 'running' row is from an import that died, and
      // its staging files are garbage.
      store.with_database(
          [&](sql::Database& db) { ImportRecords(db).mark_interrupted(unix_now()); });
      store.clear_import_staging();
    }
    rec.id = store.with_database(
        [&](sql::Database& db) { return ImportRecords(db).begin(rec.source, rec.started_at); });
  } catch (const std::exception& e) {
    // Even the history cannot be written (disk full, read-only): say so and stop.
    classify(e, outcome);
    log::error("import of " + rec.source + " failed before it started: " + rec.error);
    return outcome;
  }

  try {
    if (!lock) {
      refuse(BundleErrorKind::kBusy,
             "another import (or garbage collection) is running on " + store.options().data_dir +
                 "; this one changed nothing: run it again when that one has finished");
    }

    auto trusted = trusted_keys(options.trust_dir);
    bundle::BundleVerifier verifier(options.bundle, trusted.keys);
    try {
      manifest = verifier.open();
    } catch (const signing::SigningError& e) {
      if (e.kind() != signing::SigningErrorKind::kUnknownKey) throw;
      throw signing::SigningError(e.kind(), std::string(e.what()) +
                                                "; trusted keys are the .pub "
                                                "files in " +
                                                options.trust_dir + " (" +
                                                std::to_string(trusted.keys.size()) + " found)");
    }
    const bundle::Manifest& m = *manifest;
    rec.bundle_id = m.id;
    rec.signer = verifier.signer().hex();
    rec.channel = m.channel;
    rec.sequence = m.sequence;
    rec.images = images_json(m);
    store.with_database([&](sql::Database& db) { ImportRecords(db).describe(rec.id, rec); });

    auto before = store.with_database([&](sql::Database& db) {
      ImportRecords records(db);
      return imported_before(records, rec.signer, m);
    });
    // --allow-downgrade is the admin saying "apply it again", tags and all.
    if (before && !options.allow_downgrade) {
      finish_unchanged(store, options, outcome, *before);
      write_receipt_if_asked(store, options, m, outcome);
      return outcome;
    }

    check_expiry(m);
    store.with_database([&](sql::Database& db) {
      ImportRecords records(db);
      check_sequence(records, rec.signer, m, options.allow_downgrade);
    });
    check_base(store, m);
    check_space(store, m);
    access::Policy policy = check_access(store, m, options.access);
    check_immutable_tags(store, m, policy);

    uint64_t total = 0;
    for (const auto& b : m.blobs) total += b.size;
    Progress progress("importing " + m.id.substr(0, 12), total, options.show_progress);
    StoreSink sink(store, progress, options.cancel, rec);
    verifier.stream(sink);
    sink.flush();
    progress.finish();

    auto images = plan_images(store, m);
    rec.result = "imported";
    rec.finished_at = unix_now();
    rec.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - started)
                          .count();
    // The tags, the rollback mark and the history row: one transaction.
    store.publish_images(
        images,
        [&](sql::Database& db) {
          ImportRecords records(db);
          auto mark = records.last_sequence(rec.signer, m.channel);
          if (!mark || m.sequence > mark->sequence) {
            records.set_sequence(rec.signer, m.channel, m.sequence, m.id, *rec.finished_at);
          }
          records.finish(rec.id, rec, *rec.finished_at, rec.duration_ms);
          audit_import(db, options, rec);
        },
        [&](const std::string& repository, const std::string& tag, const std::string& from,
            const std::string& to) { check_tag_move(policy, repository, tag, from, to); });
  } catch (const std::exception& e) {
    classify(e, outcome);
    rec.finished_at = unix_now();
    rec.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - started)
                          .count();
    try {
      store.with_database([&](sql::Database& db) {
        ImportRecords(db).finish(rec.id, rec, *rec.finished_at, rec.duration_ms);
        audit_import(db, options, rec);
      });
    } catch (const std::exception& again) {
      log::error(std::string("import history not updated: ") + again.what());
    }
    log::error("import of " + rec.source + " " + rec.result + " (" + rec.reason +
               "): " + rec.error);
    return outcome;
  }

  const bundle::Manifest& m = *manifest;
  log::info("imported bundle " + m.id + " (channel " + m.channel + ", sequence " +
            std::to_string(m.sequence) + ", signer " + rec.signer + ") from " + rec.source + ": " +
            std::to_string(m.images.size()) + " image(s) with " +
            std::to_string(m.referrer_count()) + " referrer(s), " +
            std::to_string(rec.blobs_written) + " blob(s) written (" +
            format_size(rec.bytes_written) + "), " + format_size(rec.bytes_skipped) +
            " already present, in " + std::to_string(rec.duration_ms) + " ms");
  write_receipt_if_asked(store, options, m, outcome);
  return outcome;
}

}  // namespace ferry::import
