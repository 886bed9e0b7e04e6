#include "runtime/data_dir.h"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "runtime/exit_codes.h"
#include "runtime/fail.h"
#include "runtime/log.h"

namespace ferry {

std::optional<Store> open_store_beside_server(const DaemonConfig& config, std::string* error) {
  try {
    std::filesystem::create_directories(config.data_dir);
    return std::make_optional<Store>(
        StoreOptions{std::filesystem::absolute(config.data_dir).lexically_normal(),
                     config.max_manifest_bytes, /*clear_staging=*/false, config.min_free});
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
