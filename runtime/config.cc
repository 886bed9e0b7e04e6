#include "runtime/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <stdexcept>
#include <type_traits>

#include "core/units.h"

namespace ferry {
namespace {

[[noreturn]] void bad(const std::string& file, const std::string& key, const std::string& want) {
  throw std::runtime_error(file + ": '" + key + "' must be " + want);
}

// Reads an optional key of a TOML table, checking its type.
struct Reader {
  const std::string& file;
  const toml::table& root;

  const toml::node* node(const char* key) const { return root.at_path(key).node(); }

  void string(const char* key, std::string& out) const {
    if (auto* n = node(key)) {
      if (!n->is_string()) bad(file, key, "a string");
      out = n->as_string()->get();
    }
  }
  void boolean(const char* key, bool& out) const {
    if (auto* n = node(key)) {
      if (!n->is_boolean()) bad(file, key, "true or false");
      out = n->as_boolean()->get();
    }
  }
  template <typename T>
  void count(const char* key, T& out, std::type_identity_t<T> min,
             std::type_identity_t<T> max) const {
    if (auto* n = node(key)) {
      auto v = n->value<int64_t>();
      if (!n->is_integer() || !v || *v < 0 || static_cast<uint64_t>(*v) < min ||
          static_cast<uint64_t>(*v) > max) {
        bad(file, key, "an integer from " + std::to_string(min) + " to " + std::to_string(max));
      }
      out = static_cast<T>(*v);
    }
  }
  void size(const char* key, uint64_t& out) const {
    if (auto* n = node(key)) {
      std::optional<uint64_t> v;
      if (n->is_integer() && *n->value<int64_t>() >= 0)
        v = static_cast<uint64_t>(*n->value<int64_t>());
      if (n->is_string()) v = parse_size(n->as_string()->get());
      if (!v) bad(file, key, "a size such as \"4MiB\" or a number of bytes");
      out = *v;
    }
  }
  // A string, or an array of at least one string (the listen key).
  void string_or_strings(const char* key, std::vector<std::string>& out) const {
    auto* n = node(key);
    if (!n) return;
    if (n->is_string()) {
      out = {n->as_string()->get()};
      return;
    }
    const char* want = "an address such as \"127.0.0.1:5000\", or an array of them";
    if (!n->is_array() || n->as_array()->empty()) bad(file, key, want);
    for (const auto& item : *n->as_array()) {
      if (!item.is_string()) bad(file, key, want);
    }
    strings(key, out);
  }
  void strings(const char* key, std::vector<std::string>& out) const {
    if (auto* n = node(key)) {
      const toml::array* items = n->as_array();
      if (!items) bad(file, key, "an array of strings");
      out.clear();
      for (const auto& item : *items) {
        if (!item.is_string()) bad(file, key, "an array of strings");
        out.push_back(item.as_string()->get());
      }
    }
  }
  void duration(const char* key, std::chrono::seconds& out) const {
    if (auto* n = node(key)) {
      std::optional<std::chrono::seconds> v;
      if (n->is_integer() && *n->value<int64_t>() >= 0)
        v = std::chrono::seconds(*n->value<int64_t>());
      if (n->is_string()) v = parse_duration(n->as_string()->get());
      if (!v) bad(file, key, "a duration such as \"30s\", \"15m\" or \"24h\"");
      out = *v;
    }
  }
};

// [[gc.retention]] tables: namespace plus at least one keep_* rule, so a
// typo can never mean "delete every tag".
std::vector<RetentionRule> read_retention(const std::string& file, const toml::table& root) {
  std::vector<RetentionRule> rules;
  auto* node = root.at_path("gc.retention").node();
  if (!node) return rules;
  const char* key = "gc.retention";
  if (!node->is_array_of_tables()) bad(file, key, "an array of tables ([[gc.retention]])");
  for (const auto& item : *node->as_array()) {
    const toml::table& t = *item.as_table();
    Reader r{file, t};
    RetentionRule rule;
    r.string("namespace", rule.name_space);
    if (rule.name_space.empty()) bad(file, key, "tables that each name a namespace (or \"*\")");
    if (auto* n = t.get("keep_last")) {
      auto v = n->value<int64_t>();
      if (!n->is_integer() || !v || *v < 1) bad(file, "gc.retention.keep_last", "an integer >= 1");
      rule.keep_last = static_cast<uint64_t>(*v);
    }
    if (t.get("keep_newer_than")) {
      std::chrono::seconds age{0};
      r.duration("keep_newer_than", age);
      rule.keep_newer_than = age;
    }
    if (auto* n = t.get("keep_matching")) {
      const toml::array* patterns = n->as_array();
      if (!patterns)
        bad(file, "gc.retention.keep_matching", "an array of patterns such as [\"v*\"]");
      for (const auto& p : *patterns) {
        if (!p.is_string()) bad(file, "gc.retention.keep_matching", "an array of strings");
        rule.keep_matching.push_back(p.as_string()->get());
      }
    }
    if (!rule.keep_last && !rule.keep_newer_than && rule.keep_matching.empty()) {
      bad(file, key,
          "tables with at least one of keep_last, keep_newer_than, keep_matching (namespace '" +
              rule.name_space + "' has none, which would remove every tag)");
    }
    for (const auto& t2 : t) {
      std::string k(t2.first.str());
      if (k != "namespace" && k != "keep_last" && k != "keep_newer_than" && k != "keep_matching")
        bad(file, "gc.retention." + k,
            "one of namespace, keep_last, keep_newer_than, keep_matching");
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

// [http] keys against slow and hostile clients. After
// limits.max_manifest_size, which the body budget must hold.
void read_slow_client_keys(const std::string& path, const Reader& r, DaemonConfig& config) {
  r.count("http.per_address_limit", config.per_address_limit, 0, 65536);
  r.duration("http.header_timeout", config.header_timeout);
  if (config.header_timeout.count() < 1) bad(path, "http.header_timeout", "at least 1s");
  r.size("http.min_rate", config.min_rate);
  r.duration("http.rate_window", config.rate_window);
  if (config.rate_window.count() < 1) bad(path, "http.rate_window", "at least 1s");
  r.size("http.body_memory", config.body_memory);
  if (config.body_memory < std::max<uint64_t>(config.max_manifest_bytes, 64 * 1024)) {
    bad(path, "http.body_memory",
        "at least limits.max_manifest_size (" + std::to_string(config.max_manifest_bytes) +
            " bytes) and 64KiB, or no manifest that large could ever be pushed");
  }
}

}  // namespace

void load_config_file(const std::string& path, DaemonConfig& config) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::string where;
    if (e.source().begin) where = ":" + std::to_string(e.source().begin.line);
    throw std::runtime_error(path + where + ": " + std::string(e.description()));
  }
  Reader r{path, root};
  r.string_or_strings("listen", config.listen);
  r.string("data_dir", config.data_dir);
  r.string("log.level", config.log_level);
  r.boolean("log.access", config.access_log);
  r.count("http.threads", config.threads, 1, 256);
  r.count("http.connection_limit", config.connection_limit, 1, 65536);
  r.duration("http.idle_timeout", config.idle_timeout);
  r.size("http.connection_buffer", config.connection_buffer);
  if (config.connection_buffer < 16 * 1024 || config.connection_buffer > 16 * 1024 * 1024) {
    bad(path, "http.connection_buffer", "between 16KiB and 16MiB");
  }
  r.size("limits.max_manifest_size", config.max_manifest_bytes);
  read_slow_client_keys(path, r, config);
  r.size("storage.min_free", config.min_free);
  r.boolean("auth.open", config.auth_open);
  r.duration("auth.token_ttl", config.token_ttl);
  // 0 would issue tokens already expired; a bearer token lives minutes.
  if (config.token_ttl.count() < 1 || config.token_ttl.count() > 24 * 3600) {
    bad(path, "auth.token_ttl", "from 1s to 24h");
  }
  r.duration("ui.session_ttl", config.session_ttl);
  if (config.session_ttl.count() < 60 || config.session_ttl.count() > 7 * 24 * 3600) {
    bad(path, "ui.session_ttl", "from 1m to 7d");
  }
  r.duration("audit.keep", config.audit_keep);
  r.count("audit.max_entries", config.audit_max_entries, uint64_t{0}, uint64_t{1} << 40);
  r.string("tls.cert", config.tls_cert);
  r.string("tls.key", config.tls_key);
  r.string("http.public_url", config.public_url);
  r.strings("http.trusted_proxies", config.trusted_proxies);
  r.duration("uploads.expire_after", config.upload_expiry);
  if (config.upload_expiry.count() < 1) bad(path, "uploads.expire_after", "at least 1s");
  r.count("uploads.max_sessions_per_user", config.upload_sessions_per_user, uint64_t{0},
          uint64_t{1} << 20);
  r.count("uploads.max_sessions_per_namespace", config.upload_sessions_per_namespace, uint64_t{0},
          uint64_t{1} << 20);
  r.size("uploads.max_bytes_per_user", config.upload_bytes_per_user);
  r.size("uploads.max_bytes_per_namespace", config.upload_bytes_per_namespace);
  r.duration("gc.interval", config.gc_interval);
  r.duration("gc.grace", config.gc_grace);
  config.retention = read_retention(path, root);
  r.duration("scrub.interval", config.scrub_interval);
  r.size("scrub.rate", config.scrub_rate);
  r.string("import.trust_dir", config.trust_dir);
  r.boolean("import.inbox_enabled", config.inbox_enabled);
  r.string("import.inbox", config.inbox);
  r.duration("import.inbox_settle", config.inbox_settle);
  r.duration("import.inbox_incomplete_wait", config.inbox_incomplete_wait);
  r.boolean("import.keep_imported", config.inbox_keep_imported);
  r.string("import.box_key", config.box_key);
}

}  // namespace ferry
