// Checks a bundle against its signed manifest while streaming it, in the
// order docs/bundle-format.md gives: the signature before anything else is
// read, then every entry's name, type, size and digest. What passes goes to a
// BlobSink: nothing for `ferry verify`, the content store for `ferryd import`.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "bundle/format.h"
#include "bundle/reader.h"
#include "signing/keys.h"

namespace ferry::bundle {

class BlobSink {
 public:
  virtual ~BlobSink() = default;
  virtual void begin(const BlobEntry& blob) { (void)blob; }
  // A buffer the next piece may be read into (empty: the verifier's own).
  // write() is then called with a pointer into it.
  virtual std::span<char> buffer() { return {}; }
  virtual void write(const void* data, size_t size) {
    (void)data;
    (void)size;
  }
  // Called only after the blob's size and digest matched the manifest.
  virtual void commit(const BlobEntry& blob) { (void)blob; }
};

struct VerifyReport {
  uint64_t blobs = 0;
  uint64_t bytes = 0;
};

class BundleVerifier {
 public:
  // `path` is the bundle, or the first volume (or base name) of a split one.
  BundleVerifier(const std::string& path, std::vector<signing::PublicKey> trusted);
  const std::vector<std::string>& volumes() const { return reader_.volumes(); }

  // Reads entries 1 and 2 and checks the signature. Throws Error: a
  // SigningErrorKind (bad signature, unknown key, ...) or a BundleErrorKind.
  const Manifest& open();
  const signing::KeyId& signer() const { return signer_; }
  // Reads and checks every other entry. Throws Error(BundleErrorKind).
  VerifyReport stream(BlobSink& sink);

 private:
  BundleReader reader_;
  std::vector<signing::PublicKey> trusted_;
  Manifest manifest_;
  signing::KeyId signer_;
};

}  // namespace ferry::bundle
