#include "access/accounts.h"

#include <pwd.h>
#include <sodium.h>
#include <unistd.h>

#include <array>
#include <map>

#include "access/schema.h"
#include "core/digest.h"

namespace ferry::access {
namespace {

// argon2id at OWASP's suggestion for interactive logins (t=2, m=19 MiB):
// slow enough to make guessing costly, small enough for a 512 MiB box.
constexpr unsigned long long kOpsLimit = 2;
constexpr size_t kMemLimit = 19u << 20;
constexpr size_t kMinPassword = 8;
constexpr std::string_view kTokenPrefix = "ferry_";

void init_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::string hash_password(const std::string& password) {
  init_sodium();
  if (password.size() < kMinPassword) {
    throw Error(AccessErrorKind::kInvalid,
                "a password needs at least " + std::to_string(kMinPassword) + " characters");
  }
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str(out.data(), password.data(), password.size(), kOpsLimit, kMemLimit) != 0) {
    throw std::runtime_error("out of memory while hashing a password");
  }
  return out.data();
}

std::string random_hex(size_t bytes) {
  init_sodium();
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  hex.pop_back();
  return hex;
}

std::string secret_hash(std::string_view secret) {
  return digest_of(secret).hex();
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : "\n") + i;
  return out;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

void require_namespace(const std::string& name) {
  if (!valid_namespace(name)) {
    throw Error(AccessErrorKind::kInvalid,
                "namespace '" + name.substr(0, 80) +
                    "' is not valid: use * or up to 8 components of a-z, 0-9 and . _ - "
                    "joined by /, such as team or site/line1");
  }
}

void require_name(std::string_view what, const std::string& name) {
  if (!valid_name(name)) {
    throw Error(AccessErrorKind::kInvalid,
                std::string(what) + " '" + name.substr(0, 80) +
                    "' is not valid: use a-z, 0-9 and . _ - (start with a letter or "
                    "digit, at most 64 characters)");
  }
}

void insert_audit(sql::Database& db, const AuditRow& r) {
  db.cached(
        "INSERT INTO audit(at, actor, action, target, client, result, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)")
      .bind(r.at, r.actor, r.action, r.target, r.client, r.result, r.detail)
      .run();
}

}  // namespace

Accounts::Accounts(sql::Pool& pool) : pool_(pool) {
  pool_.migrate(access_schema());
}

std::optional<Role> parse_role(std::string_view text) {
  if (text == "reader") return Role::kReader;
  if (text == "writer") return Role::kWriter;
  if (text == "maintainer") return Role::kMaintainer;
  if (text == "admin") return Role::kAdmin;
  return std::nullopt;
}

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kReader: return "reader";
    case Role::kWriter: return "writer";
    case Role::kMaintainer: return "maintainer";
    case Role::kAdmin: return "admin";
  }
  return "reader";
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name[0])) return false;
  for (char c : name) {
    if (!alnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

bool valid_namespace(std::string_view name) {
  if (name == "*") return true;
  int components = 0;
  while (true) {
    auto slash = name.find('/');
    if (!valid_name(name.substr(0, slash)) || ++components > 8) return false;
    if (slash == std::string_view::npos) return true;
    name.remove_prefix(slash + 1);
  }
}

std::string local_actor(std::string_view program) {
  const passwd* pw = ::getpwuid(::getuid());
  return std::string(program) + ":" + (pw ? pw->pw_name : std::to_string(::getuid()));
}

int64_t Accounts::user_id(sql::Database& db, const std::string& name) {
  auto id = db.prepare("SELECT id FROM users WHERE name = ?").bind(name).one_int();
  if (!id) throw Error(AccessErrorKind::kUnknown, "there is no user '" + name + "'");
  return *id;
}

void Accounts::add_user(const std::string& name, const std::string& password) {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  require_name("user name", name);
  std::string hash = hash_password(password);
  sql::Transaction tx(db);
  if (db.prepare("SELECT id FROM users WHERE name = ?").bind(name).one_int()) {
    throw Error(AccessErrorKind::kExists, "user '" + name + "' already exists");
  }
  db.prepare("INSERT INTO users(name, password_hash, created_at) VALUES (?, ?, strftime('%s'))")
      .bind(name, hash)
      .run();
  bump(db);
  tx.commit();
}

void Accounts::set_password(const std::string& name, const std::string& password) {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  std::string hash = hash_password(password);
  sql::Transaction tx(db);
  int64_t id = user_id(db, name);
  db.prepare("UPDATE users SET password_hash = ? WHERE id = ?").bind(hash, id).run();
  db.prepare("DELETE FROM sessions WHERE user_id = ?").bind(id).run();
  bump(db);
  tx.commit();
}

void Accounts::remove_user(const std::string& name) {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  sql::Transaction tx(db);
  int64_t id = user_id(db, name);
  db.prepare("DELETE FROM sessions WHERE user_id = ?").bind(id).run();
  db.prepare("DELETE FROM tokens WHERE user_id = ?").bind(id).run();
  db.prepare("DELETE FROM grants WHERE user_id = ?").bind(id).run();
  db.prepare("DELETE FROM users WHERE id = ?").bind(id).run();
  bump(db);
  tx.commit();
}

std::vector<UserRow> Accounts::users() {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  auto s = db.prepare("SELECT name, created_at FROM users ORDER BY name");
  std::vector<UserRow> out;
  while (s.step()) out.push_back({s.column_text(0), s.column_int(1)});
  return out;
}

bool Accounts::check_password(const std::string& name, const std::string& password) {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  init_sodium();
  auto stored = db.prepare("SELECT password_hash FROM users WHERE name = ?").bind(name).one_text();
  // An unknown user costs the same argon2id work as a known one.
  static const std::string decoy = hash_password("decoy password");
  const std::string& hash = stored ? *stored : decoy;
  bool ok = crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0 && stored;
  return ok;
}

NewToken Accounts::create_token(const std::string& user, std::optional<int64_t> expires_at,
                                const std::string& description) {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  NewToken token;
  token.id = random_hex(6);
  std::string secret = random_hex(32);
  token.secret = std::string(kTokenPrefix) + token.id + "_" + secret;
  sql::Transaction tx(db);
  int64_t id = user_id(db, user);
  db.prepare(
        "INSERT INTO tokens(id, user_id, secret_hash, description, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, strftime('%s'), ?)")
      .bind(token.id, id, secret_hash(secret), description, expires_at)
      .run();
  bump(db);
  tx.commit();
  token.expires_at = expires_at;
  return token;
}

std::optional<TokenOwner> Accounts::check_token(std::string_view text, int64_t now) {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  // ferry_<12 hex id>_<64 hex secret>
  if (text.size() != kTokenPrefix.size() + 12 + 1 + 64 || text.substr(0, 6) != kTokenPrefix ||
      text[kTokenPrefix.size() + 12] != '_') {
    return std::nullopt;
  }
  std::string id(text.substr(kTokenPrefix.size(), 12));
  std::string given = secret_hash(text.substr(kTokenPrefix.size() + 13));
  auto s = db.prepare(
      "SELECT t.secret_hash, u.name, t.expires_at, t.revoked_at FROM tokens t "
      "JOIN users u ON u.id = t.user_id WHERE t.id = ?");
  s.bind(id);
  if (!s.step()) return std::nullopt;
  std::string stored = s.column_text(0);
  std::string user = s.column_text(1);
  auto expires = s.column_optional_int(2);
  auto revoked = s.column_optional_int(3);
  if (stored.size() != given.size() ||
      sodium_memcmp(stored.data(), given.data(), stored.size()) != 0) {
    return std::nullopt;
  }
  if (revoked || (expires && now >= *expires)) return std::nullopt;
  return TokenOwner{user, expires};
}

void Accounts::revoke_token(const std::string& id, int64_t now) {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  sql::Transaction tx(db);
  db.prepare("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
      .bind(now, id)
      .run();
  if (db.changes() == 0) {
    throw Error(AccessErrorKind::kUnknown,
                "there is no active token '" + id + "' (see ferryctl token list)");
  }
  bump(db);
  tx.commit();
}

std::vector<TokenRow> Accounts::tokens() {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  auto s = db.prepare(
      "SELECT t.id, u.name, t.description, t.created_at, t.expires_at, t.revoked_at "
      "FROM tokens t JOIN users u ON u.id = t.user_id ORDER BY u.name, t.created_at, t.id");
  std::vector<TokenRow> out;
  while (s.step()) {
    out.push_back({s.column_text(0), s.column_text(1), s.column_text(2), s.column_int(3),
                   s.column_optional_int(4), s.column_optional_int(5)});
  }
  return out;
}

void Accounts::grant(const std::string& user, const std::string& name_space, Role role) {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  require_namespace(name_space);
  sql::Transaction tx(db);
  int64_t id = user_id(db, user);
  db.prepare(
        "INSERT INTO grants(user_id, namespace, role) VALUES (?, ?, ?) "
        "ON CONFLICT(user_id, namespace) DO UPDATE SET role = excluded.role")
      .bind(id, name_space, role_name(role))
      .run();
  bump(db);
  tx.commit();
}

void Accounts::revoke(const std::string& user, const std::string& name_space) {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  sql::Transaction tx(db);
  int64_t id = user_id(db, user);
  db.prepare("DELETE FROM grants WHERE user_id = ? AND namespace = ?").bind(id, name_space).run();
  if (db.changes() == 0) {
    throw Error(AccessErrorKind::kUnknown,
                "user '" + user + "' has no role in namespace '" + name_space + "'");
  }
  bump(db);
  tx.commit();
}

std::vector<GrantRow> Accounts::grants() {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  auto s = db.prepare(
      "SELECT u.name, g.namespace, g.role FROM grants g JOIN users u ON u.id = g.user_id "
      "ORDER BY u.name, g.namespace");
  std::vector<GrantRow> out;
  while (s.step()) {
    out.push_back(
        {s.column_text(0), s.column_text(1), parse_role(s.column_text(2)).value_or(Role::kReader)});
  }
  return out;
}

void Accounts::change_namespace(const std::string& name, const NamespaceChange& change) {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  require_namespace(name);
  // Stored as SQL NULL when unset (follow "*"); a quota of -1 is "none",
  // an empty pattern list is "none here". Values are bound as text: the
  // INTEGER columns' affinity stores "1" and "-1" as integers.
  static const std::map<NamespaceField, const char*> kColumn = {
      {NamespaceField::kAnonymousPull, "anonymous_pull"},
      {NamespaceField::kImport, "import_allowed"},
      {NamespaceField::kQuota, "quota_bytes"},
      {NamespaceField::kImmutable, "immutable"}};
  std::map<NamespaceField, std::optional<std::string>> values;
  const NamespaceSettings& set = change.set;
  auto flag = [](bool on) { return std::optional<std::string>(on ? "1" : "0"); };
  if (set.anonymous_pull) values[NamespaceField::kAnonymousPull] = flag(*set.anonymous_pull);
  if (set.import_allowed) values[NamespaceField::kImport] = flag(*set.import_allowed);
  if (set.quota && *set.quota && **set.quota > kMaxQuota) {
    throw Error(AccessErrorKind::kInvalid,
                "a quota of " + std::to_string(**set.quota) + " bytes is over the largest, " +
                    std::to_string(kMaxQuota) + " (1 EiB); for no quota set none");
  }
  if (set.quota) {
    values[NamespaceField::kQuota] = std::to_string(*set.quota ? int64_t(**set.quota) : -1);
  }
  if (set.immutable) {
    for (const auto& pattern : *set.immutable) {
      // An empty pattern (an unset shell variable) would silently drop the
      // protection; "none" is how to clear the patterns.
      if (pattern.empty()) {
        throw Error(AccessErrorKind::kInvalid,
                    "an immutable tag pattern is empty; to clear the patterns use none");
      }
    }
    values[NamespaceField::kImmutable] = join(*set.immutable);
  }
  for (NamespaceField field : change.inherit) {
    if (values.count(field)) {
      throw Error(AccessErrorKind::kInvalid,
                  std::string(kColumn.at(field)) + " is both set and inherited");
    }
    values[field] = std::nullopt;
  }
  sql::Transaction tx(db);
  db.prepare("INSERT INTO namespaces(name) VALUES (?) ON CONFLICT(name) DO NOTHING")
      .bind(name)
      .run();
  for (const auto& [field, value] : values) {
    // Column names come from the table above, never from the caller.
    db.prepare(std::string("UPDATE namespaces SET ") + kColumn.at(field) + " = ? WHERE name = ?")
        .bind(value, name)
        .run();
  }
  bump(db);
  tx.commit();
}

void Accounts::remove_namespace(const std::string& name) {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  sql::Transaction tx(db);
  db.prepare("DELETE FROM namespaces WHERE name = ?").bind(name).run();
  if (db.changes() == 0) {
    throw Error(AccessErrorKind::kUnknown,
                "namespace '" + name + "' has no settings (see ferryctl namespace list)");
  }
  bump(db);
  tx.commit();
}

std::vector<NamespaceRow> Accounts::namespaces() {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  auto s = db.prepare(
      "SELECT name, anonymous_pull, import_allowed, quota_bytes, immutable FROM namespaces "
      "ORDER BY name");
  std::vector<NamespaceRow> out;
  while (s.step()) {
    NamespaceRow row;
    row.name = s.column_text(0);
    NamespaceSettings& set = row.settings;
    if (auto v = s.column_optional_int(1)) set.anonymous_pull = *v != 0;
    if (auto v = s.column_optional_int(2)) set.import_allowed = *v != 0;
    if (auto v = s.column_optional_int(3)) {
      set.quota = *v < 0 ? Quota() : Quota(static_cast<uint64_t>(*v));
    }
    if (auto v = s.column_optional_text(4)) set.immutable = split(*v);
    out.push_back(std::move(row));
  }
  return out;
}

int64_t Accounts::prune_audit(int64_t before, uint64_t max_entries) {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  sql::Transaction tx(db);
  int64_t removed = 0;
  // Entries are only appended and pruned from the oldest end, so ids run
  // in time order without gaps: both deletes are a range of the rowid,
  // found without a scan of the table.
  if (before > 0) {
    db.prepare(
          "DELETE FROM audit WHERE id < coalesce((SELECT id FROM audit WHERE at >= ? ORDER BY id "
          "LIMIT 1), (SELECT max(id) + 1 FROM audit))")
        .bind(before)
        .run();
    removed += db.changes();
  }
  if (max_entries > 0) {
    db.prepare("DELETE FROM audit WHERE id <= (SELECT max(id) FROM audit) - ?")
        .bind(max_entries)
        .run();
    removed += db.changes();
  }
  tx.commit();
  return removed;
}

void Accounts::bump(sql::Database& db) {
  db.exec("UPDATE access_state SET version = version + 1 WHERE id = 1");
}

void Accounts::set_served_beyond_loopback(bool beyond) {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  db.prepare("UPDATE access_state SET served_beyond_loopback = ? WHERE id = 1")
      .bind(beyond ? 1 : 0)
      .run();
}

bool Accounts::served_beyond_loopback() {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  return db.prepare("SELECT served_beyond_loopback FROM access_state WHERE id = 1")
             .one_int()
             .value_or(0) != 0;
}

int64_t Accounts::version() {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  return db.prepare("SELECT version FROM access_state WHERE id = 1").one_int().value_or(0);
}

void Accounts::audit(const AuditRow& row) {
  insert_audit(*pool_.acquire(), row);
}

void Accounts::audit(sql::Transaction& tx, const AuditRow& row) {
  insert_audit(tx.db(), row);
}

std::vector<AuditRow> Accounts::audit_log(int64_t limit) {
  return audit_log(AuditQuery{limit, 0, {}, {}, {}, {}});
}

std::vector<AuditRow> Accounts::audit_log(const AuditQuery& q) {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  // An unset filter is bound as NULL and matches everything. The namespace
  // is the target up to its first '/', ':' or ' ' ("team/app:v1" -> team).
  auto s = db.prepare(
      "SELECT at, actor, action, target, client, result, detail, id FROM audit "
      "WHERE (?1 = 0 OR id < ?1) AND (?2 IS NULL OR actor = ?2) AND (?3 IS NULL OR action = ?3) "
      "AND (?4 IS NULL OR result = ?4) AND (?5 IS NULL OR target = ?5 OR "
      "substr(target, 1, length(?5) + 1) IN (?5 || '/', ?5 || ':', ?5 || ' ')) "
      "ORDER BY id DESC LIMIT ?6");
  s.bind(q.before, q.actor, q.action, q.result, q.name_space, q.limit);
  std::vector<AuditRow> out;
  while (s.step()) {
    out.push_back({s.column_int(0), s.column_text(1), s.column_text(2), s.column_text(3),
                   s.column_text(4), s.column_text(5), s.column_text(6), s.column_int(7)});
  }
  return out;
}

NewSession Accounts::start_session(const std::string& user, int64_t ttl_seconds, int64_t now) {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  NewSession out{random_hex(32), {user, random_hex(32), now + ttl_seconds}};
  sql::Transaction tx(db);
  int64_t id = user_id(db, user);
  db.prepare("DELETE FROM sessions WHERE expires_at <= ?").bind(now).run();
  db.prepare(
        "INSERT INTO sessions(id_hash, user_id, csrf, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?)")
      .bind(secret_hash(out.cookie), id, out.row.csrf, now, out.row.expires_at)
      .run();
  tx.commit();
  return out;
}

std::optional<SessionRow> Accounts::find_session(std::string_view cookie, int64_t now) {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  auto s = db.prepare(
      "SELECT u.name, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id "
      "WHERE s.id_hash = ? AND s.expires_at > ?");
  s.bind(secret_hash(cookie), now);
  if (!s.step()) return std::nullopt;
  return SessionRow{s.column_text(0), s.column_text(1), s.column_int(2)};
}

void Accounts::end_session(std::string_view cookie) {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  db.prepare("DELETE FROM sessions WHERE id_hash = ?").bind(secret_hash(cookie)).run();
}

}  // namespace ferry::access
