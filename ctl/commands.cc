#include "ctl/commands.h"

#include <ctime>

#include "access/accounts.h"
#include "runtime/data_dir.h"
#include "runtime/exit_codes.h"
#include "runtime/fail.h"

namespace ferry::ctl {
namespace {

using access::AccessErrorKind;
using access::Accounts;

constexpr int kExists = 8;   // the user (or token) is already there
constexpr int kUnknown = 9;  // no such user, token or grant

int64_t now_unix() {
  return static_cast<int64_t>(std::time(nullptr));
}

// ferryd audits the change under the caller's name.
int run_remote(const AdminCommand& command, const RemoteOptions& remote) {
  try {
    RemoteAdmin admin(remote);
    command.work(admin);
  } catch (const Error& e) {
    auto code = exit_code_of(e);
    if (!code) throw;
    return fail(*code, e.what());
  }
  return static_cast<int>(kOk);
}

int run_local(const AdminCommand& command, const DaemonConfig& config) {
  const std::string& action = command.action;
  if (!act_as_data_dir_owner(config.data_dir)) return kStorage;
  std::string error;
  auto store = open_store_beside_server(config, &error);
  if (!store) return fail(kStorage, error);
  Accounts accounts(store->database());
  access::AuditRow row{now_unix(), access::local_actor("ferryctl"), action, "", "local", "ok", ""};
  try {
    row.target = command.work(accounts);
  } catch (const Error& e) {
    if (!e.code_in<AccessErrorKind>()) throw;
    if (!action.empty()) {
      row.target = command.attempted();
      row.result = "refused";
      row.detail = e.what();
      accounts.audit(row);
    }
    return fail(*exit_code_of(e), e.what());
  }
  if (!action.empty()) accounts.audit(row);
  return static_cast<int>(kOk);
}

}  // namespace

std::optional<int> exit_code_of(const Error& e) {
  if (auto kind = e.code_in<AccessErrorKind>()) {
    switch (*kind) {
      case AccessErrorKind::kExists: return kExists;
      case AccessErrorKind::kUnknown: return kUnknown;
      case AccessErrorKind::kInvalid: return kUsage;
    }
  }
  if (auto kind = e.code_in<RemoteErrorKind>()) {
    switch (*kind) {
      case RemoteErrorKind::kBadCredentials: return kUsage;
      case RemoteErrorKind::kClient: return kFailure;
      case RemoteErrorKind::kUnreachable: return kUnreachable;
      case RemoteErrorKind::kRefused: return kRefused;
    }
  }
  return std::nullopt;
}

void Commands::on(CLI::App* cmd, Run run, bool local_only) {
  cmd->callback([this, run = std::move(run), local_only] {
    chosen_ = run;
    local_only_ = local_only;
  });
}

void Commands::on(CLI::App* cmd, AdminCommand command) {
  on(cmd, [command = std::move(command)](const Where& where) {
    return where.remote ? run_remote(command, *where.remote) : run_local(command, where.config);
  });
}

int Commands::run(const Where& where) const {
  return chosen_ ? chosen_(where) : static_cast<int>(kUsage);
}

}  // namespace ferry::ctl
