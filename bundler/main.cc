// ferry: the connected-side tool. Makes keys now; packs, verifies, inspects
// and pushes bundles as those commands land (issue 3).
#include <CLI/CLI.hpp>

#include "bundler/exit_codes.h"
#include "bundler/keygen.h"

int main(int argc, char** argv) {
  using namespace ferry::cli;
  CLI::App app{"ferry: signed image bundles for air-gapped sites"};
  app.require_subcommand(1);
  app.set_version_flag("--version", FERRY_VERSION);

  KeygenOptions keygen;
  std::string passphrase_file;
  auto* cmd = app.add_subcommand("keygen", "Make an Ed25519 key pair (minisign formats)");
  cmd->add_option("-o,--output", keygen.prefix, "Write PREFIX.key and PREFIX.pub")->required();
  cmd->add_flag("--no-password", keygen.no_password, "Leave the secret key unencrypted");
  cmd->add_option("--passphrase-file", passphrase_file, "Read the passphrase from FILE");
  cmd->add_flag("-f,--force", keygen.force, "Replace existing key files");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kOk : kUsage;
  }
  if (!passphrase_file.empty()) keygen.passphrase.file = passphrase_file;
  try {
    if (*cmd) return run_keygen(keygen);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ferry: %s\n", e.what());
    return kFailure;
  }
  return kUsage;
}
