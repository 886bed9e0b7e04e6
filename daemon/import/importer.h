// `ferryd import`: a signed bundle into the store, all or nothing.
//
// Order (docs/import.md): record the attempt; take the data dir's import
// lock; check the signature against the trust store before reading any
// content; check expiry, rollback, a delta's base and free space; stream
// every blob into the content store, verified as it is written and skipped
// when already there; then publish every tag, the rollback mark and the
// history row in one SQLite transaction. Anything that fails before that
// transaction leaves the registry serving exactly what it served before.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "core/import_records.h"
#include "core/store.h"

namespace ferry::access {
class Rules;
}

namespace ferry::import {

// What decides whether imports need permission (access::mode_of): the
// defaults are the development default, where everything is open.
struct ImportAccess {
  bool auth_open = false;  // auth.open
  bool loopback = true;    // the registry listens on loopback only
  // The rules of the ferryd serve this import runs in (the inbox), the ones
  // its HTTP gate asks; null: rules are made from the two settings above.
  access::Rules* rules = nullptr;
};

struct ImportOptions {
  std::string bundle;     // the file, or the first volume of a split bundle
  std::string trust_dir;  // minisign public keys of trusted signers
  bool allow_downgrade = false;
  std::string receipt;  // when set, write a signed receipt here (and RECEIPT.minisig)
  std::string box_key;  // the box's own secret key for receipts; made when missing
  ImportAccess access;
  // Who imports, for the audit log: "ferryd import:USER" or "inbox".
  std::string actor = "ferryd import";
  bool show_progress = true;
  const std::atomic<bool>* cancel = nullptr;  // set to stop early (shutdown)
};

struct ImportOutcome {
  ImportRecord record;  // as saved in the history
  int exit_code = 0;    // 0, a refusal code (bundle/refusal.h), 4 storage, 1 other
  bool ok() const { return exit_code == 0; }
};

// Never throws for a bad bundle or a full disk: the outcome, the history and
// one log line say what happened.
ImportOutcome import_bundle(Store& store, const ImportOptions& options);

// True while some process holds the data dir's import lock.
bool import_running(Store& store);

}  // namespace ferry::import
