// ferry: the connected-side tool: keys, and signed bundles of images.
#include <CLI/CLI.hpp>

#include "bundler/exit_codes.h"
#include "bundler/inspect.h"
#include "bundler/keygen.h"
#include "bundler/pack.h"
#include "bundler/push.h"
#include "bundler/verify.h"
#include "core/units.h"

namespace {

using namespace ferry::cli;

// What the command line sets, for every subcommand.
struct Options {
  KeygenOptions keygen;
  std::string keygen_passphrase_file;
  PackOptions pack;
  std::string pack_passphrase_file;
  std::string split;
  std::string public_key, bundle_path;  // verify
  PushOptions push;
  std::string inspect_path;
  bool inspect_json = false;
};

struct Commands {
  CLI::App *keygen, *pack, *verify, *push, *inspect;
};

CLI::App* add_keygen(CLI::App& app, Options& o) {
  auto* keygen_cmd = app.add_subcommand("keygen", "Make an Ed25519 key pair (minisign formats)");
  keygen_cmd->add_option("-o,--output", o.keygen.prefix, "Write PREFIX.key and PREFIX.pub")
      ->required();
  keygen_cmd->add_flag("--no-password", o.keygen.no_password, "Leave the secret key unencrypted");
  keygen_cmd->add_option("--passphrase-file", o.keygen_passphrase_file,
                         "Read the passphrase from FILE");
  keygen_cmd->add_flag("-f,--force", o.keygen.force, "Replace existing key files");

  return keygen_cmd;
}

CLI::App* add_pack(CLI::App& app, Options& o) {
  auto* pack_cmd = app.add_subcommand("pack", "Pack images into one signed bundle");
  pack_cmd->add_option("-k,--key", o.pack.key_path, "Secret key to sign with")->required();
  pack_cmd->add_option("-o,--output", o.pack.output, "Bundle file to write")->required();
  pack_cmd->add_option("--channel", o.pack.channel, "Release channel (default: default)");
  pack_cmd->add_option("--sequence", o.pack.sequence,
                       "Position in the channel; import refuses one not above the last "
                       "(default: the creation time in Unix seconds)");
  pack_cmd->add_option("--expires", o.pack.expires,
                       "Import refuses the bundle after this: a duration from now (90d) or "
                       "an RFC 3339 UTC time");
  pack_cmd->add_option("--threads", o.pack.threads, "zstd threads (default: one per core)");
  pack_cmd->add_option("--passphrase-file", o.pack_passphrase_file,
                       "Read the key's passphrase from FILE");
  pack_cmd
      ->add_option("--platform", o.pack.platforms,
                   "Keep only OS/ARCH[/VARIANT] from multi-arch images (repeatable)")
      ->allow_extra_args(false)  // one value per --platform, so sources may follow
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  pack_cmd->add_option("--base", o.pack.base_bundle,
                       "Delta: leave out what this earlier bundle delivered");
  pack_cmd->add_option("--base-inventory", o.pack.base_inventory,
                       "Delta: leave out what the site holds: ferryd inventory's output, an "
                       "import receipt (with --receipt-key), or a JSON list of digests");
  pack_cmd->add_option("--receipt-key", o.pack.receipt_key,
                       "The box's public key (box.pub), or a folder of them, to check a receipt "
                       "given to --base-inventory");
  pack_cmd->add_option("-f,--file", o.pack.list_file,
                       "Read more sources from FILE, one per line (# comments), e.g. a k3s "
                       "image list");
  pack_cmd->add_flag("--no-referrers", o.pack.no_referrers,
                     "Leave out the images' referrers (signatures, SBOMs, attestations)");
  pack_cmd->add_flag("--force", o.pack.force, "Replace an existing OUT (or volumes OUT.001...)");
  pack_cmd->add_option("--split", o.split,
                       "Write volumes OUT.001, OUT.002, ... of at most SIZE (e.g. 4G)");
  pack_cmd->add_flag("--insecure", o.pack.insecure,
                     "Talk plain HTTP to docker:// registries (local registries only)");
  pack_cmd
      ->add_option("--ca-cert", o.pack.ca_file,
                   "Also trust the CA certificates in FILE (PEM) for docker:// registries")
      ->check(CLI::ExistingFile);
  pack_cmd->add_option("--chart-prefix", o.pack.chart_prefix,
                       "Put chart:FILE.tgz sources at PREFIX/NAME:VERSION (default: charts)");
  pack_cmd->add_option("sources", o.pack.sources,
                       "REF (e.g. nginx:1.25, quay.io/org/app:v1@sha256:...), docker://REF, "
                       "oci:DIR[:TAG], docker-archive:FILE[:REF], chart:FILE.tgz or file:PATH, "
                       "each [=REPO:TAG]");

  return pack_cmd;
}

CLI::App* add_verify(CLI::App& app, Options& o) {
  auto* cmd = app.add_subcommand("verify", "Check a bundle's signature and every entry");
  cmd->add_option("-p,--public-key", o.public_key, "Trusted public key")->required();
  cmd->add_option("bundle", o.bundle_path, "Bundle file")->required();
  return cmd;
}

CLI::App* add_push(CLI::App& app, Options& o) {
  auto* cmd = app.add_subcommand("push", "Verify a bundle, then push its images to a registry");
  cmd->add_option("-p,--public-key", o.push.public_key, "Trusted public key")->required();
  cmd->add_flag("--insecure", o.push.insecure, "Plain HTTP (local registries only)");
  cmd->add_option("--ca-cert", o.push.ca_file, "Also trust the CA certificates in FILE (PEM)")
      ->check(CLI::ExistingFile);
  cmd->add_option("bundle", o.push.bundle, "Bundle file, or the first volume")->required();
  cmd->add_option("destination", o.push.destination, "docker://HOST[/PREFIX]")->required();
  return cmd;
}

CLI::App* add_inspect(CLI::App& app, Options& o) {
  auto* cmd = app.add_subcommand("inspect", "Show what a bundle holds (no verification)");
  cmd->add_option("bundle", o.inspect_path, "Bundle file, or first volume")->required();
  cmd->add_flag("--json", o.inspect_json, "Machine-readable output");
  return cmd;
}

// Settles what the parser leaves raw; false (after saying why) for a bad value.
bool finish_options(Options& o) {
  if (!o.keygen_passphrase_file.empty()) o.keygen.passphrase.file = o.keygen_passphrase_file;
  if (!o.pack_passphrase_file.empty()) o.pack.passphrase.file = o.pack_passphrase_file;
  if (o.split.empty()) return true;
  auto bytes = ferry::parse_size(o.split);
  if (!bytes || *bytes < 1024) {
    std::fprintf(stderr, "ferry: --split '%s' is not a size of at least 1k (e.g. 4G, 700M)\n",
                 o.split.c_str());
    return false;
  }
  o.pack.split_bytes = *bytes;
  return true;
}

int run(const Commands& c, const Options& o) {
  if (*c.keygen) return run_keygen(o.keygen);
  if (*c.pack) return run_pack(o.pack);
  if (*c.verify) return run_verify(o.public_key, o.bundle_path);
  if (*c.inspect) return run_inspect(o.inspect_path, o.inspect_json);
  if (*c.push) return run_push(o.push);
  return kUsage;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ferry: signed image bundles for air-gapped sites"};
  app.require_subcommand(1);
  app.set_version_flag("--version", FERRY_VERSION);
  Options o;
  Commands c{add_keygen(app, o), add_pack(app, o), add_verify(app, o), add_push(app, o),
             add_inspect(app, o)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kOk : kUsage;
  }
  if (!finish_options(o)) return kUsage;
  try {
    return run(c, o);
  } catch (const std::exception&) {
    return report_failure(std::current_exception());
  }
}
