// ferry push: a verified bundle into any OCI registry (Harbor, Distribution,
// ferryd), so a site that runs its own registry can use Ferry bundles too.
#pragma once

#include <string>

namespace ferry::cli {

struct PushOptions {
  std::string public_key;   // the signer's key: nothing is pushed unless it verifies
  std::string bundle;       // file, or the first volume
  std::string destination;  // docker://HOST[/PREFIX]
  bool insecure = false;    // plain HTTP
  std::string ca_file;      // a private CA's certificates (PEM)
};

int run_push(const PushOptions& options);

}  // namespace ferry::cli
