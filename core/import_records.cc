#include "core/import_records.h"

namespace ferry {
namespace {

// Version 1 (user_version 2 before per-module versions): bundle imports. Every
// attempt is a row of `imports` (inserted as 'running' before anything else, so
// a kill -9 leaves a trace); the highest sequence imported per signer and
// channel is what rollback protection compares against, updated in the same
// transaction that publishes the tags.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE imports (
  id            INTEGER PRIMARY KEY,
  started_at    INTEGER NOT NULL,
  finished_at   INTEGER,
  duration_ms   INTEGER,
  source        TEXT NOT NULL,
  bundle_id     TEXT,
  signer        TEXT,
  channel       TEXT,
  sequence      INTEGER,
  images        TEXT,
  blobs_written INTEGER NOT NULL DEFAULT 0,
  bytes_written INTEGER NOT NULL DEFAULT 0,
  bytes_skipped INTEGER NOT NULL DEFAULT 0,
  result        TEXT NOT NULL,
  reason        TEXT,
  error         TEXT
);
CREATE TABLE import_sequences (
  signer      TEXT NOT NULL,
  channel     TEXT NOT NULL,
  sequence    INTEGER NOT NULL,
  bundle_id   TEXT NOT NULL,
  imported_at INTEGER NOT NULL,
  PRIMARY KEY (signer, channel)
) WITHOUT ROWID;
)sql";

// Version 2: the signed receipt an import wrote (ferryd import --receipt,
// USB sticks), kept whole so GET /ferry/v1/imports/ID/receipt serves it after
// the stick it went to has left.
constexpr const char* kSchemaReceipts = R"sql(
CREATE TABLE import_receipts (
  import_id INTEGER PRIMARY KEY REFERENCES imports(id) ON DELETE CASCADE,
  path      TEXT NOT NULL,
  receipt   TEXT NOT NULL,
  signature TEXT NOT NULL
);
)sql";

void finish_on(sql::Database& db, int64_t id, const ImportRecord& outcome, int64_t now,
               int64_t duration_ms) {
  db.cached(
        "UPDATE imports SET finished_at = ?, duration_ms = ?, blobs_written = ?, "
        "bytes_written = ?, bytes_skipped = ?, result = ?, reason = ?, error = ? WHERE id = ?")
      .bind(now, duration_ms, outcome.blobs_written, outcome.bytes_written, outcome.bytes_skipped,
            outcome.result, outcome.reason.empty() ? std::nullopt : std::optional(outcome.reason),
            outcome.error.empty() ? std::nullopt : std::optional(outcome.error), id)
      .run();
}

std::optional<SequenceMark> last_sequence_on(sql::Database& db, const std::string& signer,
                                             const std::string& channel) {
  auto& s = db.cached(
      "SELECT sequence, bundle_id, imported_at FROM import_sequences "
      "WHERE signer = ? AND channel = ?");
  s.bind(signer, channel);
  std::optional<SequenceMark> mark;
  if (s.step()) mark = SequenceMark{uint64_t(s.column_int(0)), s.column_text(1), s.column_int(2)};
  s.reset();
  return mark;
}

void set_sequence_on(sql::Database& db, const std::string& signer, const std::string& channel,
                     uint64_t sequence, const std::string& bundle_id, int64_t now) {
  db.cached(
        "INSERT INTO import_sequences(signer, channel, sequence, bundle_id, imported_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(signer, channel) DO UPDATE SET "
        "sequence = excluded.sequence, bundle_id = excluded.bundle_id, "
        "imported_at = excluded.imported_at")
      .bind(signer, channel, sequence, bundle_id, now)
      .run();
}

const sql::Schema& schema() {
  static const sql::Schema schema{"imports", {kSchemaV2, kSchemaReceipts}, {0, 0, 1}};
  return schema;
}

}  // namespace

ImportRecords::ImportRecords(sql::Pool& pool) : pool_(pool) {
  pool_.migrate(schema());
}

int64_t ImportRecords::begin(const std::string& source, int64_t now) {
  auto db = pool_.acquire();
  db->cached("INSERT INTO imports(started_at, source, result) VALUES (?, ?, 'running')")
      .bind(now, source)
      .run();
  return db->last_insert_rowid();
}

void ImportRecords::describe(int64_t id, const ImportRecord& what) {
  pool_.acquire()
      ->cached(
          "UPDATE imports SET bundle_id = ?, signer = ?, channel = ?, sequence = ?, images = ? "
          "WHERE id = ?")
      .bind(what.bundle_id, what.signer, what.channel,
            what.sequence ? std::optional(static_cast<int64_t>(*what.sequence)) : std::nullopt,
            what.images, id)
      .run();
}

void ImportRecords::finish(int64_t id, const ImportRecord& outcome, int64_t now,
                           int64_t duration_ms) {
  finish_on(*pool_.acquire(), id, outcome, now, duration_ms);
}

void ImportRecords::finish(sql::Transaction& tx, int64_t id, const ImportRecord& outcome,
                           int64_t now, int64_t duration_ms) {
  finish_on(tx.db(), id, outcome, now, duration_ms);
}

int64_t ImportRecords::mark_interrupted(int64_t now) {
  auto db = pool_.acquire();
  db->cached(
        "UPDATE imports SET result = 'interrupted', finished_at = ?, "
        "error = 'the import process stopped before it finished (killed or power lost); "
        "nothing it had not finished became visible' WHERE result = 'running'")
      .bind(now)
      .run();
  return db->changes();
}

std::optional<SequenceMark> ImportRecords::last_sequence(const std::string& signer,
                                                         const std::string& channel) {
  return last_sequence_on(*pool_.acquire(), signer, channel);
}

void ImportRecords::set_sequence(const std::string& signer, const std::string& channel,
                                 uint64_t sequence, const std::string& bundle_id, int64_t now) {
  set_sequence_on(*pool_.acquire(), signer, channel, sequence, bundle_id, now);
}

void ImportRecords::advance_sequence(sql::Transaction& tx, const std::string& signer,
                                     const std::string& channel, uint64_t sequence,
                                     const std::string& bundle_id, int64_t now) {
  auto mark = last_sequence_on(tx.db(), signer, channel);
  if (!mark || sequence > mark->sequence) {
    set_sequence_on(tx.db(), signer, channel, sequence, bundle_id, now);
  }
}

std::vector<ImportRecord> ImportRecords::list(int64_t before_id, int64_t limit) {
  auto db = pool_.acquire();
  auto& s = db->cached(
      "SELECT id, started_at, finished_at, duration_ms, source, bundle_id, signer, channel, "
      "sequence, images, blobs_written, bytes_written, bytes_skipped, result, reason, error, "
      "EXISTS (SELECT 1 FROM import_receipts WHERE import_id = imports.id) "
      "FROM imports WHERE (?1 = 0 OR id < ?1) ORDER BY id DESC LIMIT ?2");
  s.bind(before_id, limit);
  std::vector<ImportRecord> out;
  while (s.step()) {
    ImportRecord r;
    r.id = s.column_int(0);
    r.started_at = s.column_int(1);
    r.finished_at = s.column_optional_int(2);
    r.duration_ms = s.column_int(3);
    r.source = s.column_text(4);
    r.bundle_id = s.column_optional_text(5).value_or("");
    r.signer = s.column_optional_text(6).value_or("");
    r.channel = s.column_optional_text(7).value_or("");
    if (auto q = s.column_optional_int(8)) r.sequence = static_cast<uint64_t>(*q);
    r.images = s.column_optional_text(9).value_or("");
    r.blobs_written = uint64_t(s.column_int(10));
    r.bytes_written = uint64_t(s.column_int(11));
    r.bytes_skipped = uint64_t(s.column_int(12));
    r.result = s.column_text(13);
    r.reason = s.column_optional_text(14).value_or("");
    r.error = s.column_optional_text(15).value_or("");
    r.has_receipt = s.column_int(16) != 0;
    out.push_back(std::move(r));
  }
  s.reset();
  return out;
}

std::map<std::string, int64_t> ImportRecords::count_by_result() {
  auto db = pool_.acquire();
  auto& s = db->cached("SELECT result, count(*) FROM imports GROUP BY result");
  std::map<std::string, int64_t> out;
  while (s.step()) out[s.column_text(0)] = s.column_int(1);
  s.reset();
  return out;
}

void ImportRecords::set_receipt(int64_t id, const ImportReceipt& receipt) {
  auto db = pool_.acquire();
  db->prepare(
        "INSERT OR REPLACE INTO import_receipts(import_id, path, receipt, signature) "
        "VALUES (?, ?, ?, ?)")
      .bind(id, receipt.path, receipt.receipt, receipt.signature)
      .run();
}

std::optional<ImportReceipt> ImportRecords::receipt(int64_t id) {
  auto db = pool_.acquire();
  auto s = db->prepare("SELECT path, receipt, signature FROM import_receipts WHERE import_id = ?");
  s.bind(id);
  if (!s.step()) return std::nullopt;
  return ImportReceipt{s.column_text(0), s.column_text(1), s.column_text(2)};
}

}  // namespace ferry
