#include "daemon/import/checks.h"

#include <ctime>
#include <set>
#include <tuple>
#include <vector>

#include "base/checked.h"
#include "base/error.h"
#include "bundle/error.h"
#include "core/units.h"

namespace ferry::import {
namespace {

using bundle::BundleErrorKind;

// At least this stays free after an import, whatever storage.min_free says:
// SQLite, its WAL and directories grow too.
constexpr uint64_t kSpaceHeadroom = 16 << 20;

[[noreturn]] void refuse(BundleErrorKind kind, const std::string& why) {
  throw Error(kind, why);
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

}  // namespace

void check_expiry(const bundle::Manifest& m) {
  if (m.expires.empty()) return;
  auto expires = parse_utc(m.expires);
  auto now = static_cast<int64_t>(std::time(nullptr));
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
  // The sizes are the bundle's word: summed without wrapping, so a blob that
  // declares 2^64 - 1 bytes is refused here, not after others were written.
  uint64_t needed = 0;
  bool fits = true;
  for (const auto& b : m.blobs) {
    if (fits && !store.has_content(b.digest)) fits = add_to(needed, b.size);
  }
  const std::string& dir = store.options().data_dir;
  uint64_t free_bytes = store.free_bytes();
  uint64_t reserve = std::max(kSpaceHeadroom, store.options().min_free);
  if (!fits) {
    refuse(BundleErrorKind::kNoSpace,
           "the bundle declares more bytes than any disk holds (its blob sizes add up to more "
           "than 2^64 - 1); nothing was written");
  }
  if (reserve > free_bytes || needed > free_bytes - reserve) {
    refuse(BundleErrorKind::kNoSpace,
           "the bundle adds " + format_size(needed) + " to the store but only " +
               format_size(free_bytes) + " is free on " + dir + " (" + format_size(reserve) +
               " is kept in reserve, storage.min_free); free some space, then import again");
  }
  return needed;
}

// The access rules (docs/access.md), decided by access::Rules as for a push:
// every namespace the bundle publishes into must take imports (in the
// locked mode none does), and each must have room under its quota for what
// the bundle adds to it, counted generously, as if all of the bundle's
// content it does not hold yet went to each.
void check_access(Store& store, const bundle::Manifest& m, access::Rules& rules) {
  for (const auto& image : m.images) {
    auto d = rules.may_import(image.name.substr(0, image.name.rfind(':')));
    if (!d.allowed) refuse(BundleErrorKind::kNotAllowed, d.reason);
  }
  std::vector<std::pair<Digest, uint64_t>> content;
  for (const auto& b : m.blobs) content.emplace_back(b.digest, b.size);
  std::set<std::string> seen;
  for (const auto& image : m.images) {
    std::string repo = image.name.substr(0, image.name.rfind(':'));
    if (!seen.insert(rules.namespace_of(repo)).second) continue;
    // Open uploads count too: a running server's (the inbox shares its
    // store), or, for ferryd import, those on disk when the store opened.
    auto d = rules.within_quota(repo, [&](const std::string& ns) {
      uint64_t held = store.upload_ledger().held_under(ns);
      return access::NamespaceUse{store.namespace_bytes(ns) + held,
                                  store.namespace_missing(ns, content), held};
    });
    if (!d.allowed) refuse(BundleErrorKind::kQuota, d.reason);
  }
}

// An import never moves an immutable tag (docs/access.md), just as a push
// may not: the whole bundle is refused, naming the tag.
void check_tag_move(access::Rules& rules, const std::string& repository, const std::string& tag,
                    const std::string& from, const std::string& to) {
  auto d = rules.may_move_tag(repository, tag, from, to);
  if (!d.allowed) refuse(BundleErrorKind::kImmutable, d.reason);
}

// Before any content is written: the tags of the bundle that exist here
// and would move. publish_images checks again inside its transaction.
void check_immutable_tags(Store& store, const bundle::Manifest& m, access::Rules& rules) {
  for (const auto& [repository, tag, digest] : tags_set(m)) {
    if (!rules.immutable(repository, tag)) continue;
    std::optional<ManifestInfo> current;
    try {
      current = store.resolve_manifest(repository, tag, false);
    } catch (const Error& e) {
      if (e.is_storage()) throw;
      continue;  // no such tag (or repository) yet: nothing moves
    }
    if (current->digest != digest) check_tag_move(rules, repository, tag, current->digest, digest);
  }
}

}  // namespace ferry::import
