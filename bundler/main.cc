// ferry: the connected-side tool: keys, and signed bundles of images.
#include <CLI/CLI.hpp>

#include "bundler/exit_codes.h"
#include "bundler/inspect.h"
#include "bundler/keygen.h"
#include "bundler/pack.h"
#include "bundler/push.h"
#include "bundler/verify.h"
#include "core/units.h"

int main(int argc, char** argv) {
  using namespace ferry::cli;
  CLI::App app{"ferry: signed image bundles for air-gapped sites"};
  app.require_subcommand(1);
  app.set_version_flag("--version", FERRY_VERSION);

  KeygenOptions keygen;
  std::string keygen_passphrase_file;
  auto* keygen_cmd = app.add_subcommand("keygen", "Make an Ed25519 key pair (minisign formats)");
  keygen_cmd->add_option("-o,--output", keygen.prefix, "Write PREFIX.key and PREFIX.pub")
      ->required();
  keygen_cmd->add_flag("--no-password", keygen.no_password, "Leave the secret key unencrypted");
  keygen_cmd->add_option("--passphrase-file", keygen_passphrase_file,
                         "Read the passphrase from FILE");
  keygen_cmd->add_flag("-f,--force", keygen.force, "Replace existing key files");

  PackOptions pack;
  std::string pack_passphrase_file;
  auto* pack_cmd = app.add_subcommand("pack", "Pack images into one signed bundle");
  pack_cmd->add_option("-k,--key", pack.key_path, "Secret key to sign with")->required();
  pack_cmd->add_option("-o,--output", pack.output, "Bundle file to write")->required();
  pack_cmd->add_option("--channel", pack.channel, "Release channel (default: default)");
  pack_cmd->add_option("--sequence", pack.sequence,
                       "Position in the channel; import refuses one not above the last "
                       "(default: the creation time in Unix seconds)");
  pack_cmd->add_option("--expires", pack.expires,
                       "Import refuses the bundle after this: a duration from now (90d) or "
                       "an RFC 3339 UTC time");
  pack_cmd->add_option("--threads", pack.threads, "zstd threads (default: one per core)");
  pack_cmd->add_option("--passphrase-file", pack_passphrase_file,
                       "Read the key's passphrase from FILE");
  pack_cmd
      ->add_option("--platform", pack.platforms,
                   "Keep only OS/ARCH[/VARIANT] from multi-arch images (repeatable)")
      ->allow_extra_args(false)  // one value per --platform, so sources may follow
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  pack_cmd->add_option("--base", pack.base_bundle,
                       "Delta: leave out what this earlier bundle delivered");
  pack_cmd->add_option("--base-inventory", pack.base_inventory,
                       "Delta: leave out what the site holds: ferryd inventory's output, an "
                       "import receipt (with --receipt-key), or a JSON list of digests");
  pack_cmd->add_option("--receipt-key", pack.receipt_key,
                       "The box's public key (box.pub), or a folder of them, to check a receipt "
                       "given to --base-inventory");
  pack_cmd->add_option("-f,--file", pack.list_file,
                       "Read more sources from FILE, one per line (# comments), e.g. a k3s "
                       "image list");
  pack_cmd->add_flag("--no-referrers", pack.no_referrers,
                     "Leave out the images' referrers (signatures, SBOMs, attestations)");
  pack_cmd->add_flag("--force", pack.force, "Replace an existing OUT (or volumes OUT.001...)");
  std::string split;
  pack_cmd->add_option("--split", split,
                       "Write volumes OUT.001, OUT.002, ... of at most SIZE (e.g. 4G)");
  pack_cmd->add_flag("--insecure", pack.insecure,
                     "Talk plain HTTP to docker:// registries (local registries only)");
  pack_cmd
      ->add_option("--ca-cert", pack.ca_file,
                   "Also trust the CA certificates in FILE (PEM) for docker:// registries")
      ->check(CLI::ExistingFile);
  pack_cmd->add_option("--chart-prefix", pack.chart_prefix,
                       "Put chart:FILE.tgz sources at PREFIX/NAME:VERSION (default: charts)");
  pack_cmd->add_option("sources", pack.sources,
                       "REF (e.g. nginx:1.25, quay.io/org/app:v1@sha256:...), docker://REF, "
                       "oci:DIR[:TAG], docker-archive:FILE[:REF], chart:FILE.tgz or file:PATH, "
                       "each [=REPO:TAG]");

  std::string public_key, bundle_path;
  auto* verify_cmd = app.add_subcommand("verify", "Check a bundle's signature and every entry");
  verify_cmd->add_option("-p,--public-key", public_key, "Trusted public key")->required();
  verify_cmd->add_option("bundle", bundle_path, "Bundle file")->required();

  PushOptions push;
  auto* push_cmd =
      app.add_subcommand("push", "Verify a bundle, then push its images to a registry");
  push_cmd->add_option("-p,--public-key", push.public_key, "Trusted public key")->required();
  push_cmd->add_flag("--insecure", push.insecure, "Plain HTTP (local registries only)");
  push_cmd->add_option("--ca-cert", push.ca_file, "Also trust the CA certificates in FILE (PEM)")
      ->check(CLI::ExistingFile);
  push_cmd->add_option("bundle", push.bundle, "Bundle file, or the first volume")->required();
  push_cmd->add_option("destination", push.destination, "docker://HOST[/PREFIX]")->required();

  std::string inspect_path;
  bool inspect_json = false;
  auto* inspect_cmd = app.add_subcommand("inspect", "Show what a bundle holds (no verification)");
  inspect_cmd->add_option("bundle", inspect_path, "Bundle file, or first volume")->required();
  inspect_cmd->add_flag("--json", inspect_json, "Machine-readable output");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kOk : kUsage;
  }
  if (!keygen_passphrase_file.empty()) keygen.passphrase.file = keygen_passphrase_file;
  if (!pack_passphrase_file.empty()) pack.passphrase.file = pack_passphrase_file;
  if (!split.empty()) {
    auto bytes = ferry::parse_size(split);
    if (!bytes || *bytes < 1024) {
      std::fprintf(stderr, "ferry: --split '%s' is not a size of at least 1k (e.g. 4G, 700M)\n",
                   split.c_str());
      return kUsage;
    }
    pack.split_bytes = *bytes;
  }
  try {
    if (*keygen_cmd) return run_keygen(keygen);
    if (*pack_cmd) return run_pack(pack);
    if (*verify_cmd) return run_verify(public_key, bundle_path);
    if (*inspect_cmd) return run_inspect(inspect_path, inspect_json);
    if (*push_cmd) return run_push(push);
  } catch (const std::exception& e) {
    return report_failure(e);
  }
  return kUsage;
}
