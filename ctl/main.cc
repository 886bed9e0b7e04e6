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

#include "core/units.h"
#include "ctl/access_commands.h"
#include "ctl/gc_command.h"
#include "ctl/scrub_command.h"
#include "ctl/status_command.h"
#include "runtime/config.h"
#include "runtime/config_flags.h"
#include "runtime/exit_codes.h"
#include "runtime/fail.h"

int main(int argc, char** argv) {
  CLI::App app{"ferryctl: administer a Ferry registry's data directory"};
  app.require_subcommand(1);
  app.set_version_flag("--version", FERRY_VERSION);
  ferry::ConfigFlags config_flags;
  config_flags.add_to(&app);
  ferry::ctl::RemoteOptions remote;
  std::string creds;
  app.add_option("--registry", remote.url,
                 "Work through this running ferryd's admin API (https://HOST:PORT) instead of "
                 "the data dir");
  app.add_option("--ca-cert", remote.ca_file, "CA certificate (PEM) to trust for --registry")
      ->check(CLI::ExistingFile);
  app.add_option("--creds", creds,
                 "USER:PASSWORD (or USER:TOKEN) of an admin for --registry; default "
                 "$FERRYCTL_CREDS, then podman's or docker's saved login");

  ferry::ctl::GcCommand gc_command;
  std::string grace;
  auto* gc = app.add_subcommand(
      "gc", "Remove what no tag reaches, after the retention rules; --dry-run lists it first");
  gc->add_flag("-n,--dry-run", gc_command.dry_run,
               "List what would go and the space; change nothing");
  gc->add_option("--grace", grace,
                 "Spare content younger than this (default: the config's gc.grace, 1h)");
  gc->add_flag("--json", gc_command.json, "Machine-readable report");

  ferry::ctl::ScrubCommand scrub_command;
  std::string rate;
  auto* scrub = app.add_subcommand(
      "scrub", "Re-hash every blob and manifest and check every reference; quarantine damage");
  scrub->add_option("--rate", rate,
                    "Read at most this much per second, e.g. 50MiB (default: no limit)");
  scrub->add_flag("--json", scrub_command.json, "Machine-readable report");

  bool status_json = false;
  auto* status = app.add_subcommand(
      "status", "What the registry holds: totals, free space, and space used per namespace");
  status->add_flag("--json", status_json, "Machine-readable output");

  auto run_access_command = ferry::ctl::add_access_commands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? ferry::kOk : ferry::kUsage;
  }
  ferry::DaemonConfig config;
  if (!config_flags.load(config)) return ferry::kUsage;
  const ferry::ctl::RemoteOptions* through = nullptr;
  if (!remote.url.empty()) {
    if (*gc || *scrub) {
      return ferry::fail(ferry::kUsage,
                         "gc and scrub work on the data dir; run them on the registry's host "
                         "without --registry");
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
    } catch (const ferry::ctl::RemoteError& e) {
      return ferry::fail(e.exit_code(), e.what());
    }
    through = &remote;
  }
  try {
    if (*gc) {
      if (!grace.empty()) {
        gc_command.grace = ferry::parse_duration(grace);
        if (!gc_command.grace) {
          return ferry::fail(ferry::kUsage,
                             "--grace '" + grace + "' is not a duration such as 30m, 1h or 0");
        }
      }
      return ferry::ctl::run_gc(config, gc_command);
    }
    if (*scrub) {
      if (!rate.empty()) {
        auto bytes = ferry::parse_size(rate);
        if (!bytes) {
          return ferry::fail(ferry::kUsage, "--rate '" + rate + "' is not a size such as 50MiB");
        }
        scrub_command.rate = *bytes;
      }
      return ferry::ctl::run_scrub(config, scrub_command);
    }
    if (*status) return ferry::ctl::run_status(config, through, status_json);
    if (int rc = run_access_command(config, through); rc >= 0) return rc;
  } catch (const std::exception& e) {
    return ferry::fail(ferry::kFailure, e.what());
  }
  return ferry::kUsage;
}
