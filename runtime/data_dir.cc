#include "runtime/data_dir.h"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "access/accounts.h"
#include "core/import_records.h"
#include "runtime/exit_codes.h"
#include "runtime/fail.h"
#include "runtime/log.h"

namespace ferry {

std::optional<Store> open_store(const DaemonConfig& config, bool clear_staging,
                                std::string* error) {
  try {
    std::filesystem::create_directories(config.data_dir);
    std::string dir = std::filesystem::absolute(config.data_dir).lexically_normal();
    {
      // Each module migrates its own tables when first opened: open the
      // access and import tables now (the store opens its own), so a file
      // newer than this build is refused here, whatever the command goes on
      // to use.
      sql::Pool pool(dir + "/ferry.db");
      access::Accounts accounts(pool);
      ImportRecords records(pool);
    }
    return std::make_optional<Store>(
        StoreOptions{dir, config.max_manifest_bytes, clear_staging, config.min_free});
  } catch (const std::exception& e) {
    *error = std::string("cannot open data directory: ") + e.what();
    return std::nullopt;
  }
}

bool act_as_data_dir_owner(const std::string& data_dir) {
  struct stat st {};
  if (geteuid() != 0 || ::stat(data_dir.c_str(), &st) != 0 || st.st_uid == 0) return true;
  if (setgroups(0, nullptr) != 0 || setgid(st.st_gid) != 0 || setuid(st.st_uid) != 0) {
    fail(kStorage, "cannot switch to uid " + std::to_string(st.st_uid) + ", the owner of " +
                       data_dir + ": " + std::strerror(errno) + "; run as that user");
    return false;
  }
  log::info("running as uid " + std::to_string(st.st_uid) + ", the owner of " + data_dir);
  return true;
}

}  // namespace ferry
