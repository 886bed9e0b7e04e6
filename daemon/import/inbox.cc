#include "daemon/import/inbox.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <ctime>

#include "base/dir_entries.h"
#include "core/file_util.h"
#include "core/unique_fd.h"
#include "daemon/import/importer.h"
#include "runtime/log.h"

namespace ferry::import {
namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// "NAME.001" -> "NAME"; empty when the name is not a volume.
std::string volume_base(const std::string& name) {
  if (name.size() < 5 || name[name.size() - 4] != '.') return "";
  for (size_t i = name.size() - 3; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return "";
  }
  return name.substr(0, name.size() - 4);
}

int64_t nanos(const timespec& t) {
  return static_cast<int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

// When the trust folder last changed: its own ctime (a key added, removed
// or renamed) or a key file's (rewritten, even by `cp -p`, which keeps the
// mtime but cannot keep the ctime). 0 when it cannot be read.
int64_t trust_changed_at(const std::string& dir) {
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) return 0;
  int64_t newest = nanos(st.st_ctim);
  std::vector<DirEntry> entries;
  try {
    entries = list_directory(dir);
  } catch (const Error&) {
    return 0;  // unreadable: as if it could not be read at all (see above)
  }
  for (const DirEntry& e : entries) {
    const std::string& name = e.name;
    if (name.size() < 4 || name.compare(name.size() - 4, 4, ".pub") != 0) continue;
    if (stat((dir + "/" + name).c_str(), &st) == 0) newest = std::max(newest, nanos(st.st_ctim));
  }
  return newest;
}

bool still_being_written(const std::string& name) {
  return name.empty() || name[0] == '.' || ends_with(name, ".partial") ||
         ends_with(name, ".part") || ends_with(name, ".tmp");
}

}  // namespace

Inbox::Inbox(Store& store, InboxOptions options)
    : store_(store), options_(std::move(options)), wake_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  mkdirs(options_.dir);
  thread_ = std::jthread([this](std::stop_token st) { run(st); });
}

Inbox::~Inbox() {
  stop();
}

void Inbox::stop() {
  cancel_ = true;  // an import in progress stops at its next block
  thread_.request_stop();
  uint64_t one = 1;
  if (wake_ && ::write(wake_.get(), &one, sizeof one) < 0) {
    // Already signalled: the counter is full, which wakes the watcher too.
  }
}

void Inbox::run(std::stop_token stop) {
  // inotify only makes the inbox react at once; the one-second tick below
  // drives the settle timers and catches anything inotify cannot see.
  UniqueFd watch(inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (watch && inotify_add_watch(watch.get(), options_.dir.c_str(),
                                 IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE) < 0) {
    watch.reset();
  }
  log::info("watching " + options_.dir + " for bundles to import");
  while (!stop.stop_requested()) {
    try {
      scan();
    } catch (const std::exception& e) {
      log::warn("inbox " + options_.dir + ": " + e.what());
    }
    pollfd fds[2] = {{wake_.get(), POLLIN, 0}, {watch.get(), POLLIN, 0}};
    if (poll(fds, watch ? 2 : 1, 1000) > 0 && (fds[1].revents & POLLIN)) {
      char buf[4096];
      while (read(watch.get(), buf, sizeof buf) > 0) {
      }
    }
  }
}

void Inbox::scan() {
  if (int64_t changed = trust_changed_at(options_.trust_dir); changed > trust_seen_) {
    retry_unknown_signers(changed);
    trust_seen_ = changed;
  }
  // Bundles in the inbox by their first file: NAME.ferry, or NAME.001 with
  // its later volumes.
  std::map<std::string, std::vector<std::string>> bundles;
  std::map<std::string, std::string> first_of;
  {
    for (const DirEntry& e : list_directory(options_.dir)) {
      const std::string& name = e.name;
      if (e.is_dir || still_being_written(name)) continue;
      if (std::string base = volume_base(name); !base.empty()) {
        bundles[base].push_back(name);
      } else if (ends_with(name, ".ferry")) {
        bundles[name].push_back(name);
      }
    }
  }
  // While `ferryd import` runs from a shell, wait rather than pile up
  // refused attempts in the history.
  if (!bundles.empty() && import_running(store_)) return;
  auto now = std::chrono::steady_clock::now();
  std::map<std::string, Seen> still_here;
  for (auto& [key, names] : bundles) {
    if (cancel_) return;
    std::sort(names.begin(), names.end());
    std::string shape;
    int64_t newest = 0;
    for (const auto& n : names) {
      struct stat st {};
      if (stat((options_.dir + "/" + n).c_str(), &st) != 0) continue;
      shape += n + ":" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) +
               "." + std::to_string(st.st_mtim.tv_nsec) + ";";
      newest = std::max<int64_t>(newest, st.st_mtim.tv_sec);
    }
    Seen seen{shape, now, false};
    if (auto it = seen_.find(key); it != seen_.end() && it->second.shape == shape)
      seen = it->second;
    auto age = std::chrono::seconds(static_cast<int64_t>(std::time(nullptr)) - newest);
    // A split set starts at .001: until that is here, there is nothing to open.
    bool has_start = names.front() == key || names.front() == key + ".001";
    bool ready = has_start && now - seen.since >= options_.settle &&
                 (!seen.waiting || age >= options_.incomplete_wait);
    if (ready) {
      std::vector<std::string> paths;
      for (const auto& n : names) paths.push_back(options_.dir + "/" + n);
      Next next = handle(paths, age);
      if (next == Next::kDone) continue;
      if (next == Next::kWait) seen.waiting = true;
    }
    still_here[key] = seen;
  }
  seen_ = std::move(still_here);
}

Inbox::Next Inbox::handle(const std::vector<std::string>& files, std::chrono::seconds age) {
  ImportOptions options;
  options.bundle = files.front();
  options.trust_dir = options_.trust_dir;
  options.box_key = options_.box_key;
  options.show_progress = false;
  options.access = options_.access;
  options.actor = "inbox";
  options.cancel = &cancel_;
  log::info("inbox: importing " + options.bundle);
  ImportOutcome outcome = import_bundle(store_, options);
  const ImportRecord& rec = outcome.record;
  if (outcome.ok()) {
    if (options_.keep_imported) {
      move_aside(files, "imported", "");
    } else {
      for (const auto& f : files) remove_file(f);
    }
    return Next::kDone;
  }
  if (rec.result == "interrupted" || rec.reason == "busy") return Next::kRetry;
  // What a copy cut short looks like; a signature or digest mismatch is not.
  bool may_be_arriving = rec.reason == "missing-volume" || rec.reason == "damaged" ||
                         rec.reason == "not-a-bundle" || rec.reason == "incomplete";
  if (may_be_arriving && age < options_.incomplete_wait) {
    log::info("inbox: " + options.bundle + " looks incomplete; waiting for the rest of it");
    return Next::kWait;
  }
  move_aside(files, "refused", rec.reason + ": " + rec.error);
  return Next::kDone;
}

void Inbox::retry_unknown_signers(int64_t trust_changed) {
  std::string refused = options_.dir + "/refused";
  std::map<std::string, std::vector<std::string>> files;  // volume base or name -> names
  std::vector<std::string> retry;
  {
    for (const DirEntry& e : list_directory(refused)) {
      const std::string& name = e.name;
      if (!ends_with(name, ".reason")) {
        std::string base = volume_base(name);
        files[base.empty() ? name : base].push_back(name);
        continue;
      }
      struct stat st {};
      std::string path = refused + "/" + name;
      if (stat(path.c_str(), &st) != 0 || nanos(st.st_ctim) >= trust_changed) continue;
      std::string text;
      try {
        text = read_small_file(path, 64 << 10);
      } catch (const std::exception&) {
        continue;
      }
      if (text.rfind("unknown-key:", 0) == 0) retry.push_back(name.substr(0, name.size() - 7));
    }
  }
  for (const auto& first : retry) {
    std::string base = volume_base(first);
    const auto& names = files[base.empty() ? first : base];
    bool clash = false;
    for (const auto& n : names) clash |= ::access((options_.dir + "/" + n).c_str(), F_OK) == 0;
    if (names.empty() || clash) continue;
    log::info("inbox: the trusted keys changed; trying " + first + " again");
    for (const auto& n : names) {
      if (::rename((refused + "/" + n).c_str(), (options_.dir + "/" + n).c_str()) != 0) {
        log::warn("inbox: cannot move " + refused + "/" + n + " back: " + strerror(errno));
      }
    }
    remove_file(refused + "/" + first + ".reason");
  }
}

void Inbox::move_aside(const std::vector<std::string>& files, const std::string& subdir,
                       const std::string& reason) {
  std::string dir = options_.dir + "/" + subdir;
  mkdirs(dir);
  for (const auto& f : files) {
    std::string name = f.substr(f.rfind('/') + 1);
    if (::rename(f.c_str(), (dir + "/" + name).c_str()) != 0) {
      log::warn("inbox: cannot move " + f + " to " + dir + ": " + strerror(errno));
    }
  }
  if (!reason.empty()) {
    std::string first = files.front().substr(files.front().rfind('/') + 1);
    write_file_atomic(dir + "/" + first + ".reason", reason + "\n");
    log::info("inbox: moved " + first + " to " + dir + " (" + reason + ")");
  }
}

}  // namespace ferry::import
