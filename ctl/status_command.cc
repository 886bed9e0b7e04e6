// ferryctl status: what the registry holds, per namespace, and its disk; on
// the data dir or through a registry's admin API.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/printable.h"
#include "core/store.h"
#include "core/units.h"
#include "ctl/commands.h"
#include "runtime/data_dir.h"
#include "runtime/exit_codes.h"
#include "runtime/fail.h"
#include "runtime/status_json.h"

namespace ferry::ctl {
namespace {

// The status as JSON, or nullopt after saying why it cannot be had.
std::optional<nlohmann::json> fetch(const Where& where, int* rc) {
  if (where.remote) {
    try {
      return RemoteAdmin(*where.remote).status();
    } catch (const Error& e) {
      // An access error (400, 404, 409) means no status either: unreachable, as before.
      bool remote = e.code_in<RemoteErrorKind>().has_value();
      *rc = fail(remote ? *exit_code_of(e) : kUnreachable, e.what());
    } catch (const std::exception& e) {
      *rc = fail(kUnreachable, e.what());
    }
    return std::nullopt;
  }
  const DaemonConfig& config = where.config;
  if (!act_as_data_dir_owner(config.data_dir)) {
    *rc = kStorage;
    return std::nullopt;
  }
  std::string error;
  auto store = open_store_beside_server(config, &error);
  if (!store) {
    *rc = fail(kStorage, error);
    return std::nullopt;
  }
  return status_json(*store);
}

void print(const nlohmann::json& status) {
  auto n = [&](const char* key) { return status.at(key).get<unsigned long long>(); };
  uint64_t free = n("freeBytes"), floor = n("minFreeBytes");
  std::printf("%s: %llu repositories, %llu tags, %llu manifests, %llu blobs (%s)\n",
              printable(status.at("dataDir").get<std::string>()).c_str(), n("repositories"),
              n("tags"), n("manifests"), n("blobs"), format_size(n("blobBytes")).c_str());
  std::printf("free %s (floor %s)%s; %llu upload(s) open; %llu damaged\n",
              format_size(free).c_str(), format_size(floor).c_str(),
              free < floor ? ": UNDER THE FLOOR, pushes refused" : "", n("uploadsInProgress"),
              n("damaged"));
  std::printf("\n%-24s %12s %8s %12s\n", "namespace", "repositories", "tags", "space");
  for (const auto& u : status.at("namespaces")) {
    std::printf(
        "%-24s %12llu %8llu %12s\n", printable(u.at("namespace").get<std::string>()).c_str(),
        u.at("repositories").get<unsigned long long>(), u.at("tags").get<unsigned long long>(),
        format_size(u.at("bytes").get<uint64_t>()).c_str());
  }
}

}  // namespace

void add_status_command(CLI::App& app, Commands& commands) {
  auto json = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(
      "status", "What the registry holds: totals, free space, and space used per namespace");
  cmd->add_flag("--json", *json, "Machine-readable output");
  commands.on(cmd, [json](const Where& where) {
    int rc = kOk;
    auto status = fetch(where, &rc);
    if (!status) return rc;
    if (*json) {
      std::printf("%s\n", status->dump(2).c_str());
    } else {
      print(*status);
    }
    return static_cast<int>(kOk);
  });
}

}  // namespace ferry::ctl
