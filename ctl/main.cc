// ferryctl: the administrator's tool for a Ferry registry. It works on the
// data directory itself, beside a running ferryd or without one (the locks
// in the data dir keep the two from stepping on each other), or, with
// --registry, on a running ferryd through its admin API (access commands and
// status). Exit codes: 0 done, 1 unexpected, 2 usage or a refused value,
// 4 storage, 6 scrub found damage, 8 already exists, 9 no such user, token
// or grant, 10 the registry cannot be reached, 11 the registry refused the
// login or the caller is not an admin, 20 busy (an import is running).
#include <CLI/CLI.hpp>
#include <string>

#include "ctl/commands.h"
#include "ctl/registry_url.h"
#include "runtime/config.h"
#include "runtime/config_flags.h"
#include "runtime/exit_codes.h"
#include "runtime/fail.h"

namespace {

struct RemoteFlags {
  ferry::ctl::RemoteOptions remote;
  std::string creds;
  CLI::Option* registry = nullptr;

  // Given, even as '' (an unset shell variable): never the data dir then.
  bool given() const { return registry != nullptr && registry->count() > 0; }

  void add_to(CLI::App& app) {
    registry = app.add_option("--registry", remote.url,
                              "Work through this running ferryd's admin API (http://HOST:PORT or "
                              "https://HOST:PORT) instead of the data dir");
    app.add_option("--ca-cert", remote.ca_file, "CA certificate (PEM) to trust for --registry")
        ->check(CLI::ExistingFile);
    app.add_option("--creds", creds,
                   "USER:PASSWORD (or USER:TOKEN) of an admin for --registry; default "
                   "$FERRYCTL_CREDS, then podman's or docker's saved login");
  }
  // The login for --registry: --creds, else what find_remote_credentials
  // finds. 0, or the exit code after saying why not.
  int resolve() {
    if (std::string problem = ferry::ctl::registry_url_problem(remote.url); !problem.empty()) {
      return ferry::fail(ferry::kUsage, problem);
    }
    if (auto colon = creds.find(':'); !creds.empty()) {
      if (colon == std::string::npos) {
        return ferry::fail(ferry::kUsage, "--creds must be USER:PASSWORD or USER:TOKEN");
      }
      remote.user = creds.substr(0, colon);
      remote.secret = creds.substr(colon + 1);
      remote.credentials_from = "--creds";
    }
    try {
      ferry::ctl::find_remote_credentials(remote);
    } catch (const ferry::Error& e) {
      auto code = ferry::ctl::exit_code_of(e);
      if (!code) throw;
      return ferry::fail(*code, e.what());
    }
    return 0;
  }
};

void add_commands(CLI::App& app, ferry::ctl::Commands& commands) {
  using namespace ferry::ctl;
  add_gc_command(app, commands);
  add_scrub_command(app, commands);
  add_status_command(app, commands);
  add_user_commands(app, commands);
  add_token_commands(app, commands);
  add_grant_commands(app, commands);
  add_namespace_commands(app, commands);
  add_audit_command(app, commands);
  add_ls_command(app, commands);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ferryctl: administer a Ferry registry's data directory"};
  app.require_subcommand(1);
  app.set_version_flag("--version", FERRY_VERSION);
  ferry::ConfigFlags config_flags;
  config_flags.add_to(&app);
  RemoteFlags flags;
  flags.add_to(app);
  ferry::ctl::Commands commands;
  add_commands(app, commands);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? ferry::kOk : ferry::kUsage;
  }
  ferry::DaemonConfig config;
  if (!config_flags.load(config)) return ferry::kUsage;
  const ferry::ctl::RemoteOptions* through = nullptr;
  if (flags.given()) {
    if (commands.local_only()) {
      return ferry::fail(ferry::kUsage,
                         "gc and scrub work on the data dir; run them on the registry's host "
                         "without --registry");
    }
    if (int rc = flags.resolve(); rc != 0) return rc;
    through = &flags.remote;
  }
  try {
    return commands.run({config, through});
  } catch (const std::exception& e) {
    return ferry::fail(ferry::kFailure, e.what());
  }
}
