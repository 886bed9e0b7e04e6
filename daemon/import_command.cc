#include "daemon/import_command.h"

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "access/accounts.h"
#include "base/error.h"
#include "bundle/reader.h"
#include "core/import_records.h"
#include "core/json_strict.h"
#include "core/printable.h"
#include "core/store.h"
#include "core/units.h"
#include "daemon/import/history_json.h"
#include "runtime/data_dir.h"
#include "runtime/exit_codes.h"
#include "runtime/fail.h"
#include "runtime/listen.h"
#include "runtime/log.h"

namespace ferry {

int run_import_command(const DaemonConfig& config, import::ImportOptions options) {
  if (options.trust_dir.empty()) options.trust_dir = config.trust_dir;
  if (options.box_key.empty()) options.box_key = config.box_key_path();
  try {
    parse_listens(config.listen);
  } catch (const std::invalid_argument& e) {
    // ferryd serve ignores the key under socket activation, so the import
    // (and the USB rule) must not stop on it: the box counts as served
    // beyond loopback, the safe reading (listens_beyond_loopback).
    log::warn(std::string("the configuration's listen key is not valid (") + e.what() +
              "); judging the box as served beyond loopback");
  }
  options.access = {config.auth_open, !listens_beyond_loopback(config.listen), nullptr};
  options.actor = access::local_actor("ferryd import");  // before becoming the data dir's owner
  if (!std::filesystem::is_directory(options.trust_dir)) {
    return fail(kUsage, "the trust folder " + options.trust_dir +
                            " does not exist; name the folder of signers' .pub files with "
                            "--trust-dir (import.trust_dir)");
  }
  try {
    bundle::find_volumes(options.bundle);  // a path that names nothing is a usage error
  } catch (const Error& e) {
    if (e.is(ErrorCode::kNotFound)) return fail(kUsage, e.what());
  } catch (const std::exception&) {
    // Anything else is the import's to refuse, and to record in the history.
  }
  if (!act_as_data_dir_owner(config.data_dir)) return kStorage;
  std::string error;
  auto store = open_store_beside_server(config, &error);
  if (!store) return fail(kStorage, error);
  auto outcome = import::import_bundle(*store, options);
  if (!outcome.record.result.empty() && outcome.record.result == "imported") {
    const auto& r = outcome.record;
    std::printf("imported bundle %s (channel %s, sequence %llu) signed by %s\n",
                printable(r.bundle_id).c_str(), printable(r.channel).c_str(),
                static_cast<unsigned long long>(r.sequence.value_or(0)),
                printable(r.signer).c_str());
    std::printf("%llu blob(s) written, %s; %s already here\n",
                static_cast<unsigned long long>(r.blobs_written),
                format_size(r.bytes_written).c_str(), format_size(r.bytes_skipped).c_str());
    for (const auto& image : nlohmann::json::parse(r.images)) {
      std::printf("  %s  %s\n", printable(image["name"].get<std::string>()).c_str(),
                  printable(image["digest"].get<std::string>()).c_str());
    }
  }
  return outcome.exit_code;
}

int run_imports_command(const DaemonConfig& config, bool json, int64_t limit) {
  std::string error;
  auto store = open_store_beside_server(config, &error);
  if (!store) return fail(kStorage, error);
  auto records = ImportRecords(store->database()).list(0, limit);
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : records) list.push_back(import::import_record_json(r));
    std::printf("%s\n", json_text(nlohmann::json{{"imports", list}}, 2).c_str());
    return kOk;
  }
  std::printf("%-4s %-20s %-11s %-16s %-10s %-10s %-10s %s\n", "ID", "STARTED", "RESULT", "BUNDLE",
              "CHANNEL", "SEQUENCE", "WRITTEN", "DETAIL");
  for (const auto& r : records) {
    std::string detail = r.result == "imported" ? r.source : r.reason + ": " + r.error;
    std::printf("%-4lld %-20s %-11s %-16s %-10s %-10s %-10s %s\n", static_cast<long long>(r.id),
                format_utc(r.started_at).c_str(), printable(r.result).c_str(),
                r.bundle_id.empty() ? "-" : printable(r.bundle_id.substr(0, 16)).c_str(),
                r.channel.empty() ? "-" : printable(r.channel).c_str(),
                r.sequence ? std::to_string(*r.sequence).c_str() : "-",
                format_size(r.bytes_written).c_str(), printable(detail).c_str());
  }
  return kOk;
}

}  // namespace ferry
