#include "daemon/import/history_json.h"

#include "core/units.h"

namespace ferry::import {

nlohmann::json import_record_json(const ImportRecord& r) {
  nlohmann::json j = {{"id", r.id},
                      {"startedAt", format_utc(r.started_at)},
                      {"source", r.source},
                      {"result", r.result},
                      {"blobsWritten", r.blobs_written},
                      {"bytesWritten", r.bytes_written},
                      {"bytesAlreadyPresent", r.bytes_skipped},
                      {"durationMs", r.duration_ms},
                      {"receipt", r.has_receipt}};
  if (r.finished_at) j["finishedAt"] = format_utc(*r.finished_at);
  if (!r.bundle_id.empty()) j["bundleId"] = r.bundle_id;
  if (!r.signer.empty()) j["signer"] = r.signer;
  if (!r.channel.empty()) j["channel"] = r.channel;
  if (r.sequence) j["sequence"] = *r.sequence;
  if (!r.images.empty()) j["images"] = nlohmann::json::parse(r.images, nullptr, false);
  if (!r.reason.empty()) j["reason"] = r.reason;
  if (!r.error.empty()) j["error"] = r.error;
  return j;
}

}  // namespace ferry::import
