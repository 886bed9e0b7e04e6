// The import history and the rollback high-water marks: the module that
// owns the tables `imports` and `import_sequences` (their schema, migrations
// and every query). Lives in the data dir's database beside the store's
// tables, so the import can update the mark and its history row inside the
// transaction that publishes its tags (the sql::Transaction& overloads).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/sql_pool.h"
#include "core/sqlite.h"

namespace ferry {

struct ImportRecord {
  int64_t id = 0;
  int64_t started_at = 0;  // Unix seconds
  std::optional<int64_t> finished_at;
  int64_t duration_ms = 0;
  std::string source;  // the bundle path as given
  std::string bundle_id, signer, channel;
  std::optional<uint64_t> sequence;
  std::string images;  // JSON array of {"name", "digest"}
  uint64_t blobs_written = 0, bytes_written = 0, bytes_skipped = 0;
  std::string result;        // running, imported, refused, failed, interrupted
  std::string reason;        // a refusal name (bundle/refusal.h), "storage", "error"
  std::string error;         // the one-line message
  bool has_receipt = false;  // a signed receipt was written for it (read by list())
};

// A receipt as written (ferryd import --receipt): where it went, the JSON
// and its .minisig.
struct ImportReceipt {
  std::string path;
  std::string receipt;
  std::string signature;
};

struct SequenceMark {
  uint64_t sequence = 0;
  std::string bundle_id;
  int64_t imported_at = 0;
};

class ImportRecords {
 public:
  // Creates or upgrades the tables (once per pool). Throws sql::migrate's errors.
  explicit ImportRecords(sql::Pool& pool);

  // Inserts a 'running' row and returns its id.
  int64_t begin(const std::string& source, int64_t now);
  // Fills in what the signed manifest says, once it has been checked.
  void describe(int64_t id, const ImportRecord& what);
  // Sets the result, counters and error of a finished attempt; the second
  // form inside a transaction another module opened (Store::publish_images).
  void finish(int64_t id, const ImportRecord& outcome, int64_t now, int64_t duration_ms);
  void finish(sql::Transaction& tx, int64_t id, const ImportRecord& outcome, int64_t now,
              int64_t duration_ms);
  // 'running' rows left by a process that died; call holding the import lock.
  int64_t mark_interrupted(int64_t now);

  std::optional<SequenceMark> last_sequence(const std::string& signer, const std::string& channel);
  void set_sequence(const std::string& signer, const std::string& channel, uint64_t sequence,
                    const std::string& bundle_id, int64_t now);
  // Raises the signer's and channel's mark to `sequence` unless it is
  // higher already (an --allow-downgrade import keeps the higher mark).
  void advance_sequence(sql::Transaction& tx, const std::string& signer, const std::string& channel,
                        uint64_t sequence, const std::string& bundle_id, int64_t now);

  // Newest first; `before_id` 0 means from the newest.
  std::vector<ImportRecord> list(int64_t before_id, int64_t limit);
  // The import's receipt, replacing any earlier one (the same bundle again).
  void set_receipt(int64_t id, const ImportReceipt& receipt);
  std::optional<ImportReceipt> receipt(int64_t id);
  // How many attempts ended with each result (running, imported, ...).
  std::map<std::string, int64_t> count_by_result();

 private:
  sql::Pool& pool_;
};

}  // namespace ferry
