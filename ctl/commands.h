// ferryctl's commands, one small file per noun: each add_*_commands adds
// its subcommands to the app and tells `commands` what to run when one of
// them is chosen.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>

#include "access/admin.h"
#include "ctl/remote_admin.h"
#include "runtime/config.h"

namespace ferry::ctl {

// Where the chosen command works: the data dir of `config`, or the
// registry `remote` names when it is given.
struct Where {
  const DaemonConfig& config;
  const RemoteOptions* remote;
};

// An access command, written once against access::Admin: the data dir's
// accounts (audited here, as ferryctl:USER from "local") or a registry's
// admin API (which audits it under the caller's name).
struct AdminCommand {
  std::string action;                               // audited as this; empty: a read, not audited
  std::function<std::string()> attempted;           // the audit target when refused
  std::function<std::string(access::Admin&)> work;  // returns the audit target
};

// The command CLI11 chose, and how to run it.
class Commands {
 public:
  using Run = std::function<int(const Where&)>;
  // Choosing `cmd` runs `run`. local_only: on the data dir only (gc, scrub).
  void on(CLI::App* cmd, Run run, bool local_only = false);
  void on(CLI::App* cmd, AdminCommand command);

  bool local_only() const { return local_only_; }
  // The chosen command's exit code; kUsage when none was chosen.
  int run(const Where& where) const;

 private:
  Run chosen_;
  bool local_only_ = false;
};

void add_gc_command(CLI::App& app, Commands& commands);
void add_scrub_command(CLI::App& app, Commands& commands);
void add_status_command(CLI::App& app, Commands& commands);
void add_user_commands(CLI::App& app, Commands& commands);
void add_token_commands(CLI::App& app, Commands& commands);
void add_grant_commands(CLI::App& app, Commands& commands);  // grant, revoke, grants
void add_namespace_commands(CLI::App& app, Commands& commands);
void add_audit_command(CLI::App& app, Commands& commands);
void add_ls_command(CLI::App& app, Commands& commands);

// ferryctl's exit code for a refused access change (2 a bad value, 8 exists,
// 9 unknown) or an admin API it could not use (2 bad FERRYCTL_CREDS, 1
// libcurl, 10 unreachable, 11 refused login); nullopt for any other Error.
std::optional<int> exit_code_of(const Error& e);

}  // namespace ferry::ctl
