#include "bundler/verify.h"

#include <cstdio>

#include "bundle/verifier.h"
#include "bundler/exit_codes.h"
#include "bundler/key_files.h"
#include "core/printable.h"

namespace ferry::cli {

int run_verify(const std::string& public_key_path, const std::string& bundle_path) {
  bundle::BundleVerifier verifier(bundle_path, load_public_keys(public_key_path));
  const bundle::Manifest& m = verifier.open();
  bundle::BlobSink discard;
  bundle::VerifyReport report = verifier.stream(discard);
  std::printf(
      "ok: bundle %s (channel %s, sequence %llu, %zu volume(s)) signed by %s: %zu image(s), "
      "%zu referrer(s), %llu blob(s), %llu bytes verified\n",
      printable(m.id).c_str(), printable(m.channel).c_str(),
      static_cast<unsigned long long>(m.sequence), verifier.volumes().size(),
      verifier.signer().hex().c_str(), m.images.size(), m.referrer_count(),
      static_cast<unsigned long long>(report.blobs), static_cast<unsigned long long>(report.bytes));
  return kOk;
}

}  // namespace ferry::cli
