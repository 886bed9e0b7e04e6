#include "bundle/verifier.h"

#include <map>
#include <set>

#include "base/checked.h"
#include "bundle/error.h"
#include "core/printable.h"
#include "signing/error.h"
#include "signing/signature.h"

namespace ferry::bundle {
namespace {

using signing::SigningErrorKind;

[[noreturn]] void refuse(BundleErrorKind kind, const std::string& why) {
  throw Error(kind, why);
}

// oci-layout: fixed content.
void check_layout_entry(BundleReader& reader, const EntryInfo& entry, bool& saw) {
  if (saw) refuse(BundleErrorKind::kUnlisted, "oci-layout appears twice");
  saw = true;
  if (reader.read_whole(entry, 1024, "oci-layout") != kLayoutContent) {
    refuse(BundleErrorKind::kTampered, "oci-layout has unexpected content");
  }
}

// index.json: exactly the bytes the signed manifest names, and consistent
// with its images.
void check_index_entry(BundleReader& reader, const EntryInfo& entry, const Manifest& manifest,
                       bool& saw) {
  if (saw) refuse(BundleErrorKind::kUnlisted, "index.json appears twice");
  saw = true;
  if (entry.size != manifest.index_size) {
    refuse(
        entry.size > manifest.index_size ? BundleErrorKind::kOversized : BundleErrorKind::kTampered,
        "index.json is " + std::to_string(entry.size) + " bytes, the manifest says " +
            std::to_string(manifest.index_size));
  }
  std::string index = reader.read_whole(entry, kMaxIndexBytes, "index.json");
  if (digest_of(index, manifest.index_digest.algorithm()) != manifest.index_digest) {
    refuse(BundleErrorKind::kTampered, "index.json does not match the signed manifest");
  }
  check_layout_index(index, manifest);
}

// The signed manifest's entry for blobs/<algorithm>/<hex>, seen once, of
// at most its declared size. Digest::parse refuses anything else, '..' included.
const BlobEntry& expected_blob(const EntryInfo& entry,
                               const std::map<Digest, const BlobEntry*>& expected,
                               std::set<Digest>& seen) {
  const std::string& name = entry.name;
  std::optional<Digest> digest;
  if (name.rfind("blobs/", 0) == 0) {
    std::string rest = name.substr(6);
    auto slash = rest.find('/');
    if (slash != std::string::npos)
      digest = Digest::parse(rest.substr(0, slash) + ":" + rest.substr(slash + 1));
  }
  if (!digest) {
    refuse(BundleErrorKind::kUnlisted, "unexpected entry '" + printable(name.substr(0, 200)) + "'");
  }
  auto it = expected.find(*digest);
  if (it == expected.end())
    refuse(BundleErrorKind::kUnlisted, "entry " + name + " is not in the signed manifest");
  if (!seen.insert(*digest).second)
    refuse(BundleErrorKind::kUnlisted, "entry " + name + " appears twice");
  const BlobEntry& blob = *it->second;
  if (entry.size > blob.size) {
    refuse(BundleErrorKind::kOversized, "entry " + name + " is " + std::to_string(entry.size) +
                                            " bytes but the manifest says " +
                                            std::to_string(blob.size) + "; not reading past that");
  }
  if (entry.size < blob.size) {
    refuse(BundleErrorKind::kTampered, "entry " + name + " is shorter than the manifest says");
  }
  return blob;
}

// Streams one blob into the sink while hashing it; the sink commits it only
// once the digest matched.
void copy_blob(BundleReader& reader, const std::string& name, const BlobEntry& blob, BlobSink& sink,
               std::string& buf) {
  sink.begin(blob);
  Hasher hasher(blob.digest.algorithm());
  uint64_t left = blob.size;
  while (left > 0) {
    // Read straight into the sink's buffer when it lends one, so the bytes
    // are not copied again on their way to disk.
    std::span<char> into = sink.buffer();
    if (into.empty()) into = std::span<char>(buf);
    size_t n = reader.read(into.data(), static_cast<size_t>(std::min<uint64_t>(left, into.size())));
    if (n == 0) refuse(BundleErrorKind::kDamaged, "entry " + name + " ends early");
    hasher.update(into.data(), n);
    sink.write(into.data(), n);
    left -= n;
  }
  if (hasher.digest() != blob.digest) {
    refuse(BundleErrorKind::kTampered,
           "entry " + name + " does not match its digest: it was altered");
  }
  sink.commit(blob);
}

}  // namespace

BundleVerifier::BundleVerifier(const std::string& path, std::vector<signing::PublicKey> trusted)
    : reader_(path), trusted_(std::move(trusted)) {}

const Manifest& BundleVerifier::open() {
  auto first = reader_.next();
  if (!first || first->name != kManifestEntry || !first->regular) {
    refuse(BundleErrorKind::kMalformed,
           "not a Ferry bundle: its first entry must be " + std::string(kManifestEntry));
  }
  std::string manifest_bytes = reader_.read_whole(*first, kMaxManifestBytes, "the bundle manifest");
  auto second = reader_.next();
  if (!second || second->name != kSignatureEntry || !second->regular) {
    throw Error(
        SigningErrorKind::kMalformed,
        "the bundle is not signed: its second entry must be " + std::string(kSignatureEntry));
  }
  auto sig =
      signing::Signature::parse(reader_.read_whole(*second, kMaxSignatureBytes, "the signature"));
  const signing::PublicKey* key = nullptr;
  for (const auto& k : trusted_) {
    if (k.id() == sig.key_id) key = &k;
  }
  if (!key) {
    throw Error(SigningErrorKind::kUnknownKey, "the bundle is signed by key " + sig.key_id.hex() +
                                                   ", which is not a trusted key here");
  }
  signing::Prehash prehash;
  prehash.update(manifest_bytes.data(), manifest_bytes.size());
  signing::verify_prehashed(*key, sig, prehash.final());
  signer_ = key->id();
  // Signed, so safe to parse now.
  manifest_ = Manifest::parse(manifest_bytes);
  if (sig.trusted_comment != manifest_.trusted_comment()) {
    refuse(BundleErrorKind::kMalformed,
           "the signature's trusted comment does not describe this bundle");
  }
  return manifest_;
}

VerifyReport BundleVerifier::stream(BlobSink& sink) {
  std::map<Digest, const BlobEntry*> expected;
  for (const auto& b : manifest_.blobs) expected.emplace(b.digest, &b);
  std::set<Digest> seen;
  bool saw_layout = false, saw_index = false;
  VerifyReport report;
  // 128 KiB: a piece stays in L2 cache while it is hashed and written
  // (1 MiB pieces made the import ~30% slower here, all of it memory traffic).
  std::string buf(128 << 10, '\0');

  while (auto entry = reader_.next()) {
    if (!entry->regular) {
      refuse(BundleErrorKind::kUnlisted, "entry '" + printable(entry->name.substr(0, 200)) +
                                             "' is not a regular file; links, "
                                             "directories and devices are refused");
    }
    if (entry->name == kLayoutEntry) {
      check_layout_entry(reader_, *entry, saw_layout);
    } else if (entry->name == kIndexEntry) {
      check_index_entry(reader_, *entry, manifest_, saw_index);
    } else {
      const BlobEntry& blob = expected_blob(*entry, expected, seen);
      copy_blob(reader_, entry->name, blob, sink, buf);
      ++report.blobs;
      if (!add_to(report.bytes, blob.size)) report.bytes = UINT64_MAX;  // counted, not trusted
    }
  }
  if (!saw_layout || !saw_index)
    refuse(BundleErrorKind::kIncomplete, "the OCI layout (oci-layout, index.json) is missing");
  for (const auto& [digest, blob] : expected) {
    if (!seen.count(digest)) {
      refuse(BundleErrorKind::kIncomplete,
             "blob " + digest.str() + " listed in the manifest is missing");
    }
  }
  return report;
}

}  // namespace ferry::bundle
