#include "core/gc.h"

#include "core/units.h"

namespace ferry {

std::string summarize(const GcReport& r) {
  std::string verb = r.dry_run ? "would remove " : "removed ";
  std::string out = verb + std::to_string(r.manifests.size()) + " manifest(s), " +
                    std::to_string(r.blobs.size()) + " blob(s), " + std::to_string(r.orphan_files) +
                    " orphan file(s)";
  if (!r.tags.empty()) out += " and " + std::to_string(r.tags.size()) + " tag(s) by retention";
  out += "; " + std::string(r.dry_run ? "would free " : "freed ") + format_size(r.bytes_freed) +
         " in " + std::to_string(r.duration.count()) + " ms";
  return out;
}

}  // namespace ferry
