// ferryctl audit: the audit log, newest first.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/json_strict.h"
#include "core/printable.h"
#include "core/units.h"
#include "ctl/commands.h"

namespace ferry::ctl {
namespace {

struct Options {
  int64_t limit = 50;
  bool json = false;
};

void print_json(const std::vector<access::AuditRow>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : rows) {
    out.push_back({{"at", format_utc(e.at)},
                   {"actor", e.actor},
                   {"action", e.action},
                   {"target", e.target},
                   {"client", e.client},
                   {"result", e.result},
                   {"detail", e.detail}});
  }
  std::printf("%s\n", json_text(out, 2).c_str());
}

void print_lines(const std::vector<access::AuditRow>& rows) {
  for (const auto& e : rows) {
    std::printf(
        "%s\t%s\t%s\t%s\t%s\t%s%s%s\n", format_utc(e.at).c_str(), printable(e.actor).c_str(),
        printable(e.client).c_str(), printable(e.action).c_str(), printable(e.target).c_str(),
        printable(e.result).c_str(), e.detail.empty() ? "" : "\t", printable(e.detail).c_str());
  }
}

}  // namespace

void add_audit_command(CLI::App& app, Commands& commands) {
  auto o = std::make_shared<Options>();
  auto* audit = app.add_subcommand("audit", "Show the audit log, newest first");
  audit->add_option("-n,--limit", o->limit, "How many entries (default 50)")
      ->check(CLI::Range(1, 1000000));
  audit->add_flag("--json", o->json, "Machine-readable output");
  commands.on(audit, {"", nullptr, [o](access::Admin& a) {
                        auto rows = a.audit_log(o->limit);
                        o->json ? print_json(rows) : print_lines(rows);
                        return std::string();
                      }});
}

}  // namespace ferry::ctl
