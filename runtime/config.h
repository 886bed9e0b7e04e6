// ferryd's settings: built-in defaults, then a TOML file, then flags.
// docs/configuration.md documents every key.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/gc.h"

namespace ferry {

struct DaemonConfig {
  // listen: one address or several (runtime/listen.h says what each may be).
  std::vector<std::string> listen = {"127.0.0.1:5000"};
  std::string data_dir = "./data";
  std::string log_level = "info";
  bool access_log = true;
  unsigned threads = 4;
  unsigned connection_limit = 512;
  std::chrono::seconds idle_timeout{60};
  uint64_t connection_buffer = 64 * 1024;
  // Slow and hostile clients (docs/configuration.md, [http]).
  unsigned per_address_limit = 32;          // connections per client address; 0: no limit
  std::chrono::seconds header_timeout{10};  // request line and headers complete within
  uint64_t min_rate = 1024;                 // bytes/s for bodies and responses; 0: none
  std::chrono::seconds rate_window{30};     // ... averaged over this long
  uint64_t body_memory = 32 << 20;          // all request bodies held in memory together
  uint64_t max_manifest_bytes = 4 << 20;
  uint64_t min_free = 64 << 20;  // storage.min_free: pushes and imports stop below it
  // auth.open: no access control even beyond loopback (docs/access.md).
  bool auth_open = false;
  std::chrono::seconds token_ttl{300};          // auth.token_ttl: bearer tokens live this long
  std::chrono::seconds session_ttl{12 * 3600};  // ui.session_ttl: console logins live this long
  // The audit log keeps entries this long (0: forever) and at most this many
  // (0: no cap), so a busy or attacked box does not fill its disk with it.
  std::chrono::seconds audit_keep{365 * 24 * 3600};
  uint64_t audit_max_entries = 500000;
  // tls.cert and tls.key (PEM files): serve HTTPS; reloaded on SIGHUP.
  std::string tls_cert, tls_key;
  // http.public_url: the scheme and host clients use (behind a proxy);
  // http.trusted_proxies: addresses and CIDR blocks whose forwarding
  // headers are believed (daemon/http/forwarded.h checks both).
  std::string public_url;
  std::vector<std::string> trusted_proxies;
  // [uploads]: a session idle this long (no request that wrote) is removed;
  // until then its bytes count against its namespace's quota. Bounds on the
  // sessions open at once and the bytes they hold (0: no bound).
  std::chrono::seconds upload_expiry{3600};
  uint64_t upload_sessions_per_user = 64;
  uint64_t upload_sessions_per_namespace = 256;
  uint64_t upload_bytes_per_user = uint64_t{16} << 30;
  uint64_t upload_bytes_per_namespace = uint64_t{64} << 30;
  // Garbage collection: on this schedule (0: only on demand), sparing
  // content younger than the grace period, after the retention rules.
  std::chrono::seconds gc_interval{24 * 3600};
  std::chrono::seconds gc_grace{3600};
  std::vector<RetentionRule> retention;
  // Background scrub: every scrub.interval (0: only `ferryctl scrub`), at
  // most scrub.rate bytes per second.
  std::chrono::seconds scrub_interval{7 * 24 * 3600};
  uint64_t scrub_rate = 16 << 20;
  // Bundle import. Empty inbox/box_key mean "under the data dir".
  std::string trust_dir = "/etc/ferry/trusted-keys";
  bool inbox_enabled = true;
  std::string inbox;                                // default <data_dir>/inbox
  std::chrono::seconds inbox_settle{5};             // unchanged this long before an import starts
  std::chrono::seconds inbox_incomplete_wait{600};  // a split set may still be arriving
  bool inbox_keep_imported = false;  // keep bundles in inbox/imported/ instead of deleting
  std::string box_key;               // default <data_dir>/box.key (signs receipts)

  std::string inbox_path() const { return inbox.empty() ? data_dir + "/inbox" : inbox; }
  std::string box_key_path() const { return box_key.empty() ? data_dir + "/box.key" : box_key; }
};

// Reads the TOML file over `config`. Throws std::runtime_error naming the
// file, the key and what was expected.
void load_config_file(const std::string& path, DaemonConfig& config);

}  // namespace ferry
