// ferryd: the edge registry daemon, and the commands that work on its data
// directory (import, imports). Exit codes: runtime/exit_codes.h.
#include <CLI/CLI.hpp>
#include <string>

#include "daemon/import_command.h"
#include "daemon/inventory_command.h"
#include "daemon/serve.h"
#include "runtime/config.h"
#include "runtime/config_flags.h"
#include "runtime/exit_codes.h"
#include "runtime/fail.h"

int main(int argc, char** argv) {
  CLI::App app{"ferryd: an OCI registry for edge and offline hosts"};
  app.require_subcommand(1);
  app.set_version_flag("--version", FERRY_VERSION);

  ferry::ConfigFlags serve_flags, import_flags, imports_flags, inventory_flags;
  std::string listen;
  auto* serve = app.add_subcommand("serve", "Serve the OCI Distribution API from a data directory");
  serve->add_option("--listen", listen, "ADDR:PORT to listen on (default 127.0.0.1:5000)");
  serve_flags.add_to(serve);
  std::string tls_cert, tls_key, serve_trust_dir;
  serve->add_option("--trust-dir", serve_trust_dir,
                    "Folder of trusted signers' public keys for the inbox (import.trust_dir)");
  serve->add_option("--tls-cert", tls_cert, "PEM certificate chain: serve HTTPS (tls.cert)");
  serve->add_option("--tls-key", tls_key, "PEM private key of --tls-cert (tls.key)");

  ferry::import::ImportOptions import_options;
  auto* import =
      app.add_subcommand("import", "Verify a signed bundle and publish its images, all or nothing");
  import_flags.add_to(import);
  import->add_option("--trust-dir", import_options.trust_dir,
                     "Folder of trusted signers' public keys (default /etc/ferry/trusted-keys)");
  import->add_flag("--allow-downgrade", import_options.allow_downgrade,
                   "Accept a bundle not newer than the last one of its signer and channel, or "
                   "apply the same bundle again");
  import->add_option("--receipt", import_options.receipt,
                     "Write a receipt signed by the box's key here (and RECEIPT.minisig)");
  import->add_option("--box-key", import_options.box_key,
                     "The box's own secret key for receipts (default DATA_DIR/box.key; made "
                     "when missing)");
  bool quiet = false;
  import->add_flag("-q,--quiet", quiet, "No progress bar");
  import->add_option("bundle", import_options.bundle, "Bundle file, or the first volume")
      ->required();

  bool json = false;
  int64_t limit = 50;
  auto* imports = app.add_subcommand("imports", "Show the history of imports, newest first");
  imports_flags.add_to(imports);
  imports->add_flag("--json", json, "Machine-readable output");
  imports->add_option("-n,--limit", limit, "How many (default 50)")->check(CLI::Range(1, 100000));

  std::string inventory_output;
  auto* inventory = app.add_subcommand(
      "inventory", "Write what this box holds, for ferry pack --base-inventory (JSON)");
  inventory_flags.add_to(inventory);
  inventory->add_option("-o,--output", inventory_output, "Write to FILE (default: stdout)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? ferry::kOk : ferry::kUsage;
  }
  ferry::DaemonConfig config;
  try {
    if (*serve) {
      if (!serve_flags.load(config)) return ferry::kUsage;
      if (!listen.empty()) config.listen = listen;
      if (!tls_cert.empty()) config.tls_cert = tls_cert;
      if (!tls_key.empty()) config.tls_key = tls_key;
      if (!serve_trust_dir.empty()) config.trust_dir = serve_trust_dir;
      return ferry::serve(config);
    }
    if (*import) {
      if (!import_flags.load(config)) return ferry::kUsage;
      import_options.show_progress = !quiet;
      return ferry::run_import_command(config, import_options);
    }
    if (*inventory) {
      if (!inventory_flags.load(config)) return ferry::kUsage;
      return ferry::run_inventory_command(config, inventory_output);
    }
    if (*imports) {
      if (!imports_flags.load(config)) return ferry::kUsage;
      return ferry::run_imports_command(config, json, limit);
    }
  } catch (const std::exception& e) {
    return ferry::fail(ferry::kFailure, e.what());
  }
  return ferry::kUsage;
}
