// ferryd: the edge registry daemon, and the commands that work on its data
// directory (import, imports). Exit codes: runtime/exit_codes.h.
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "daemon/import_command.h"
#include "daemon/inventory_command.h"
#include "daemon/serve.h"
#include "runtime/config.h"
#include "runtime/config_flags.h"
#include "runtime/exit_codes.h"
#include "runtime/fail.h"

namespace {

using ferry::ConfigFlags;
using ferry::DaemonConfig;

// A subcommand and what runs it once the command line is parsed.
struct Subcommand {
  CLI::App* cli;
  std::function<int()> run;
};

Subcommand add_serve(CLI::App& app) {
  struct Flags {
    ConfigFlags config;
    std::vector<std::string> listen;
    std::string tls_cert, tls_key, trust_dir;
  };
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("serve", "Serve the OCI Distribution API from a data directory");
  cmd->add_option("--listen", f->listen,
                  "HOST:PORT to listen on, e.g. 127.0.0.1:5000, [::1]:5000, [::]:5000 (IPv6 and "
                  "IPv4) or localhost:5000; repeat for several (default 127.0.0.1:5000)")
      ->allow_extra_args(false)
      ->expected(1)  // one address a --listen; repeat it for more
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->type_name("HOST:PORT");
  f->config.add_to(cmd);
  cmd->add_option("--trust-dir", f->trust_dir,
                  "Folder of trusted signers' public keys for the inbox (import.trust_dir)");
  cmd->add_option("--tls-cert", f->tls_cert, "PEM certificate chain: serve HTTPS (tls.cert)");
  cmd->add_option("--tls-key", f->tls_key, "PEM private key of --tls-cert (tls.key)");
  return {cmd, [f] {
            DaemonConfig config;
            if (!f->config.load(config)) return static_cast<int>(ferry::kUsage);
            if (!f->listen.empty()) config.listen = f->listen;
            if (!f->tls_cert.empty()) config.tls_cert = f->tls_cert;
            if (!f->tls_key.empty()) config.tls_key = f->tls_key;
            if (!f->trust_dir.empty()) config.trust_dir = f->trust_dir;
            return ferry::serve(config);
          }};
}

Subcommand add_import(CLI::App& app) {
  struct Flags {
    ConfigFlags config;
    ferry::import::ImportOptions options;
    bool quiet = false;
  };
  auto f = std::make_shared<Flags>();
  auto* cmd =
      app.add_subcommand("import", "Verify a signed bundle and publish its images, all or nothing");
  f->config.add_to(cmd);
  cmd->add_option("--trust-dir", f->options.trust_dir,
                  "Folder of trusted signers' public keys (default /etc/ferry/trusted-keys)");
  cmd->add_flag("--allow-downgrade", f->options.allow_downgrade,
                "Accept a bundle not newer than the last one of its signer and channel, or "
                "apply the same bundle again");
  cmd->add_option("--receipt", f->options.receipt,
                  "Write a receipt signed by the box's key here (and RECEIPT.minisig)");
  cmd->add_option("--box-key", f->options.box_key,
                  "The box's own secret key for receipts (default DATA_DIR/box.key; made "
                  "when missing)");
  cmd->add_flag("-q,--quiet", f->quiet, "No progress bar");
  cmd->add_option("bundle", f->options.bundle, "Bundle file, or the first volume")->required();
  return {cmd, [f] {
            DaemonConfig config;
            if (!f->config.load(config)) return static_cast<int>(ferry::kUsage);
            f->options.show_progress = !f->quiet;
            return ferry::run_import_command(config, f->options);
          }};
}

Subcommand add_imports(CLI::App& app) {
  struct Flags {
    ConfigFlags config;
    bool json = false;
    int64_t limit = 50;
  };
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("imports", "Show the history of imports, newest first");
  f->config.add_to(cmd);
  cmd->add_flag("--json", f->json, "Machine-readable output");
  cmd->add_option("-n,--limit", f->limit, "How many (default 50)")->check(CLI::Range(1, 100000));
  return {cmd, [f] {
            DaemonConfig config;
            if (!f->config.load(config)) return static_cast<int>(ferry::kUsage);
            return ferry::run_imports_command(config, f->json, f->limit);
          }};
}

Subcommand add_inventory(CLI::App& app) {
  struct Flags {
    ConfigFlags config;
    std::string output;
  };
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand(
      "inventory", "Write what this box holds, for ferry pack --base-inventory (JSON)");
  f->config.add_to(cmd);
  cmd->add_option("-o,--output", f->output, "Write to FILE (default: stdout)");
  return {cmd, [f] {
            DaemonConfig config;
            if (!f->config.load(config)) return static_cast<int>(ferry::kUsage);
            return ferry::run_inventory_command(config, f->output);
          }};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ferryd: an OCI registry for edge and offline hosts"};
  app.require_subcommand(1);
  app.set_version_flag("--version", FERRY_VERSION);
  const Subcommand commands[] = {add_serve(app), add_import(app), add_imports(app),
                                 add_inventory(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? ferry::kOk : ferry::kUsage;
  }
  try {
    for (const auto& c : commands) {
      if (*c.cli) return c.run();
    }
  } catch (const std::exception& e) {
    return ferry::fail(ferry::kFailure, e.what());
  }
  return ferry::kUsage;
}
