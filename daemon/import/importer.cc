#include "daemon/import/importer.h"

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>
#include <tuple>

#include "access/accounts.h"
#include "access/rules.h"
#include "base/checked.h"
#include "base/error.h"
#include "bundle/consistency.h"
#include "bundle/error.h"
#include "bundle/refusal.h"
#include "bundle/verifier.h"
#include "core/file_lock.h"
#include "core/file_util.h"
#include "core/import_records.h"
#include "core/json_strict.h"
#include "core/progress.h"
#include "core/units.h"
#include "daemon/import/checks.h"
#include "daemon/import/receipt.h"
#include "daemon/import/writer_thread.h"
#include "runtime/exit_codes.h"
#include "runtime/log.h"
#include "signing/error.h"
#include "signing/trusted_keys.h"

namespace ferry::import {
namespace {

using bundle::BundleErrorKind;

int64_t unix_now() {
  return static_cast<int64_t>(std::time(nullptr));
}

[[noreturn]] void refuse(BundleErrorKind kind, const std::string& why) {
  throw Error(kind, why);
}

// Thrown when the caller asks the import to stop (ferryd shutting down).
struct Stopped : std::runtime_error {
  Stopped()
      : std::runtime_error(
            "stopped because ferryd is shutting down; nothing became visible, and the next "
            "import of this bundle reuses what was already written") {}
};

// The bundle's content once it is in the store, for the consistency checks.
class StoreLookup : public bundle::ContentLookup {
 public:
  explicit StoreLookup(Store& store) : store_(store) {}
  std::optional<uint64_t> size(const Digest& digest) override {
    return store_.content_size(digest);
  }
  std::string read(const Digest& digest) override {
    return store_.read_content(digest, store_.options().max_manifest_bytes);
  }

 private:
  Store& store_;
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
  return json_text(list);
}

signing::TrustedKeys trusted_keys(const std::string& dir) {
  auto trusted = signing::load_trusted_keys(dir);
  for (const auto& p : trusted.problems) log::warn("trust store: skipped " + p);
  return trusted;
}

// Fills in outcome.record's result and the exit code from the exception
// being handled (std::current_exception()).
void classify(std::exception_ptr failure, ImportOutcome& outcome) {
  ImportRecord& rec = outcome.record;
  try {
    std::rethrow_exception(failure);
  } catch (const Error& e) {
    rec.error = e.what();
    ExitDecision decision = exit_class(e);
    outcome.exit_code = daemon_exit_code(decision);
    if (decision.refusal) {
      rec.result = "refused";
      rec.reason = std::string(decision.refusal->name);
    } else {
      rec.result = "failed";
      rec.reason = decision.exit_class == ExitClass::kStorage ? "storage" : "error";
    }
  } catch (const Stopped& e) {
    rec.error = e.what();
    rec.result = "interrupted";
    rec.reason = "stopped";
    outcome.exit_code = kFailure;
  } catch (const std::exception& e) {
    rec.error = e.what();
    rec.result = "failed";
    rec.reason = "error";
    outcome.exit_code = kFailure;
  }
}

// One audit row per import attempt (docs/access.md): the bundle and its
// images, the signer, and the result with its reason.
access::AuditRow audit_row(const ImportOptions& options, const ImportRecord& rec) {
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
  return {unix_now(), options.actor, "import",
          target,     "local",       rec.result == "imported" ? "ok" : rec.result,
          detail};
}

// The modules an import writes through besides the store, on its database.
struct Books {
  explicit Books(Store& store) : records(store.database()), accounts(store.database()) {}
  ImportRecords records;
  access::Accounts accounts;
};

// Ends the attempt's history row and audits it (outside publish's transaction).
void record_end(Books& books, const ImportOptions& options, const ImportRecord& rec) {
  books.records.finish(rec.id, rec, *rec.finished_at, rec.duration_ms);
  books.accounts.audit(audit_row(options, rec));
}

// The same bundle again: exit 0, one info line, a history row saying so,
// and nothing else touched (the tags it set may have moved since, on purpose).
void finish_unchanged(Books& books, const ImportOptions& options, ImportOutcome& outcome,
                      int64_t imported_at) {
  ImportRecord& rec = outcome.record;
  rec.result = "unchanged";
  rec.reason = "already-imported";
  rec.error = "bundle " + rec.bundle_id + " was already imported on " + format_utc(imported_at) +
              "; nothing to do";
  rec.finished_at = unix_now();
  rec.duration_ms = 0;
  record_end(books, options, rec);
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
    // Kept with the record, for GET /ferry/v1/imports/ID/receipt.
    constexpr uint64_t kMax = 256ULL << 20;
    ImportRecords(store.database())
        .set_receipt(outcome.record.id, {options.receipt, read_small_file(options.receipt, kMax),
                                         read_small_file(options.receipt + ".minisig", kMax)});
    log::info("receipt written to " + options.receipt + " (and .minisig)");
  } catch (const std::exception& e) {
    log::error("the import succeeded but its receipt could not be written: " +
               std::string(e.what()));
    outcome.exit_code = kReceipt;
  }
}

// GC's sweep of a large store holds the import lock for a second or two.
constexpr std::chrono::milliseconds kLockWait{5000};

int64_t elapsed_ms(std::chrono::steady_clock::time_point started) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               started)
      .count();
}

// The data dir's import lock, or nullopt when another import or a GC holds
// it past kLockWait. The inbox probes the lock for an instant each second,
// and a GC sweep holds it for a moment; a short wait keeps either from
// being taken for a running import.
std::optional<FileLock> take_lock(Store& store, Books& books) {
  auto lock = FileLock::acquire_within(store.import_lock_path(), kLockWait);
  if (lock) {
    // Holding the lock: a 'running' row is from an import that died, and
    // its staging files are garbage.
    books.records.mark_interrupted(unix_now());
    store.clear_import_staging();
  }
  return lock;
}

// The attempt's history row. Without the lock the row is best effort: an
// import stopped inside a transaction holds the database too, and "busy" is
// the answer the admin needs either way. Returns 0 when no row was begun.
int64_t begin_attempt(Books& books, const ImportRecord& rec, bool locked) {
  if (locked) return books.records.begin(rec.source, rec.started_at);
  try {
    return books.records.begin(rec.source, rec.started_at);
  } catch (const std::exception& e) {
    log::warn(std::string("a busy import is not in the history: ") + e.what());
    return 0;
  }
}

// Checks the signature against the trust store before any content is read,
// and fills in what the signed manifest says about the bundle.
bundle::Manifest open_bundle(bundle::BundleVerifier& verifier, const ImportOptions& options,
                             size_t trusted, ImportRecord& rec) {
  std::optional<bundle::Manifest> m;
  try {
    m = verifier.open();
  } catch (const Error& e) {
    if (!e.is(signing::SigningErrorKind::kUnknownKey)) throw;
    throw e.with_message(std::string(e.what()) + "; trusted keys are the .pub files in " +
                         options.trust_dir + " (" + std::to_string(trusted) + " found)");
  }
  rec.bundle_id = m->id;
  rec.signer = verifier.signer().hex();
  rec.channel = m->channel;
  rec.sequence = m->sequence;
  rec.images = images_json(*m);
  return std::move(*m);
}

// The rules the import is checked against: the server's, or its own.
access::Rules& rules_for(Store& store, const ImportOptions& options,
                         std::optional<access::Rules>& own) {
  if (options.access.rules) {
    options.access.rules->refresh();  // read what ferryctl changed just now
    return *options.access.rules;
  }
  return own.emplace(store.database(),
                     access::RulesOptions{options.access.auth_open, options.access.loopback, {}});
}

// The checks, the content, then the tags, the rollback mark, the history
// row and the audit row: one transaction.
void import_content(Store& store, Books& books, bundle::BundleVerifier& verifier,
                    const bundle::Manifest& m, const ImportOptions& options, ImportRecord& rec,
                    std::chrono::steady_clock::time_point started) {
  check_expiry(m);
  check_sequence(books.records, rec.signer, m, options.allow_downgrade);
  check_base(store, m);
  check_space(store, m);
  std::optional<access::Rules> own_rules;
  access::Rules& rules = rules_for(store, options, own_rules);
  check_access(store, m, rules);
  check_immutable_tags(store, m, rules);

  uint64_t total = 0;
  for (const auto& b : m.blobs) {
    if (!add_to(total, b.size)) total = UINT64_MAX;  // only the progress bar's scale
  }
  Progress progress("importing " + m.id.substr(0, 12), total, options.show_progress);
  StoreSink sink(store, progress, options.cancel, rec);
  verifier.stream(sink);
  sink.flush();
  progress.finish();

  StoreLookup lookup(store);
  auto images = bundle::plan_images(m, lookup, store.options().max_manifest_bytes);
  rec.result = "imported";
  rec.finished_at = unix_now();
  rec.duration_ms = elapsed_ms(started);
  store.publish_images(
      images,
      [&](sql::Transaction& tx) {
        books.records.advance_sequence(tx, rec.signer, m.channel, m.sequence, m.id,
                                       *rec.finished_at);
        books.records.finish(tx, rec.id, rec, *rec.finished_at, rec.duration_ms);
        books.accounts.audit(tx, audit_row(options, rec));
      },
      [&](const std::string& repository, const std::string& tag, const std::string& from,
          const std::string& to) { check_tag_move(rules, repository, tag, from, to); },
      "import " + m.id);
}

// A refused or failed import: its history row, audit row and log line.
void record_failure(Books& books, const ImportOptions& options, ImportOutcome& outcome,
                    std::exception_ptr failure, std::chrono::steady_clock::time_point started) {
  ImportRecord& rec = outcome.record;
  classify(failure, outcome);
  rec.finished_at = unix_now();
  rec.duration_ms = elapsed_ms(started);
  try {
    if (rec.id != 0) record_end(books, options, rec);
  } catch (const std::exception& again) {
    log::error(std::string("import history not updated: ") + again.what());
  }
  log::error("import of " + rec.source + " " + rec.result + " (" + rec.reason + "): " + rec.error);
}

void log_imported(const bundle::Manifest& m, const ImportRecord& rec) {
  log::info("imported bundle " + m.id + " (channel " + m.channel + ", sequence " +
            std::to_string(m.sequence) + ", signer " + rec.signer + ") from " + rec.source + ": " +
            std::to_string(m.images.size()) + " image(s) with " +
            std::to_string(m.referrer_count()) + " referrer(s), " +
            std::to_string(rec.blobs_written) + " blob(s) written (" +
            format_size(rec.bytes_written) + "), " + format_size(rec.bytes_skipped) +
            " already present, in " + std::to_string(rec.duration_ms) + " ms");
}

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
  std::optional<Books> books;
  std::optional<FileLock> lock;
  try {
    books.emplace(store);
    lock = take_lock(store, *books);
    rec.id = begin_attempt(*books, rec, lock.has_value());
  } catch (const std::exception&) {
    // Even the history cannot be written (disk full, read-only): say so and stop.
    classify(std::current_exception(), outcome);
    log::error("import of " + rec.source + " failed before it started: " + rec.error);
    return outcome;
  }

  std::optional<bundle::Manifest> manifest;
  try {
    if (!lock) {
      refuse(BundleErrorKind::kBusy,
             "another import (or garbage collection) is running on " + store.options().data_dir +
                 "; this one changed nothing: run it again when that one has finished");
    }
    auto trusted = trusted_keys(options.trust_dir);
    bundle::BundleVerifier verifier(options.bundle, trusted.keys);
    manifest = open_bundle(verifier, options, trusted.keys.size(), rec);
    books->records.describe(rec.id, rec);
    // --allow-downgrade is the admin saying "apply it again", tags and all.
    auto before = imported_before(books->records, rec.signer, *manifest);
    if (before && !options.allow_downgrade) {
      finish_unchanged(*books, options, outcome, *before);
      write_receipt_if_asked(store, options, *manifest, outcome);
      return outcome;
    }
    import_content(store, *books, verifier, *manifest, options, rec, started);
  } catch (const std::exception&) {
    record_failure(*books, options, outcome, std::current_exception(), started);
    return outcome;
  }
  log_imported(*manifest, rec);
  write_receipt_if_asked(store, options, *manifest, outcome);
  return outcome;
}

}  // namespace ferry::import
