// Upload sessions: a file under uploads/ named by the session id, a row in
// the uploads table, and (while the daemon runs) the running hash, so each
// chunk is hashed once as it arrives. After a restart the hash is rebuilt
// from the file on first use.
#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <unordered_set>

#include "base/error.h"
#include "core/file_util.h"
#include "core/names.h"
#include "core/store.h"

namespace ferry {
namespace {

std::string new_upload_id() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) throw Error(ErrorCode::kInternal, "no randomness available");
  b[6] = (b[6] & 0x0f) | 0x40;  // UUID version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  char out[37];
  snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
           b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
           b[14], b[15]);
  return out;
}

// Ids become file names, so only our own exact format is accepted.
bool is_valid_upload_id(std::string_view id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    char c = id[i];
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

[[noreturn]] void unknown_upload(std::string_view id) {
  throw Error(ErrorCode::kBlobUploadUnknown,
              "upload " + std::string(id.substr(0, 64)) +
                  " does not exist (finished, cancelled or expired); start a new upload");
}

// Hashes an existing partial upload file (after a daemon restart).
Hasher rehash(const std::string& path, uint64_t* size, DigestAlgorithm algorithm) {
  Hasher h(algorithm);
  UniqueFd fd = open_or_throw(path, O_RDONLY);
  std::string buf(1 << 16, '\0');
  *size = 0;
  while (true) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("cannot read " + path, errno);
    if (n == 0) break;
    h.update(buf.data(), static_cast<size_t>(n));
    *size += static_cast<uint64_t>(n);
  }
  return h;
}

}  // namespace

std::string Store::start_upload(std::string_view repo, const std::string& owner,
                                const UploadLedger::Admit& admit) {
  check_repository_name(repo);
  std::string id = new_upload_id();
  std::shared_lock starting(starting_uploads_mu_);
  // Admitted (and counted) before it exists, so concurrent starts cannot
  // all pass a limit that only one of them fits.
  ledger_.open_session(id, std::string(repo), owner, admit);
  try {
    {
      auto meta = pool_.acquire();
      sql::Transaction tx(meta->db());
      meta->insert_upload(id, meta->ensure_repository(std::string(repo)));
      tx.commit();
    }
    // Row first, then file: an upload file without a row cannot exist, so
    // expiring rows is enough to reclaim every abandoned upload.
    open_or_throw(blobs_.upload_path(id), O_WRONLY | O_CREAT | O_TRUNC);
  } catch (...) {
    ledger_.remove(id);
    throw;
  }
  return id;
}

void Store::restore_uploads() {
  auto sessions = pool_.acquire()->open_uploads();
  for (const auto& [id, repo] : sessions) {
    struct stat st {};
    uint64_t bytes = ::stat(blobs_.upload_path(id).c_str(), &st) == 0 ? uint64_t(st.st_size) : 0;
    ledger_.restore_session(id, repo, bytes);
  }
}

std::shared_ptr<Store::UploadState> Store::upload_state(std::string_view id) {
  std::lock_guard lock(uploads_mu_);
  auto& slot = uploads_[std::string(id)];
  if (!slot) slot = std::make_shared<UploadState>();
  return slot;
}

Store::Upload Store::open_upload(std::string_view repo, std::string_view id) {
  check_repository_name(repo);
  if (!is_valid_upload_id(id)) unknown_upload(id);
  std::optional<int64_t> owner;
  std::optional<int64_t> repo_id;
  {
    auto meta = pool_.acquire();
    owner = meta->upload_repository(std::string(id));
    repo_id = meta->find_repository(std::string(repo));
  }
  if (!owner) ledger_.remove(std::string(id));  // gone (ferryctl gc expired it)
  if (!owner || owner != repo_id) unknown_upload(id);

  auto state = upload_state(id);
  std::unique_lock lock(state->mu, std::try_to_lock);
  if (!lock.owns_lock()) {
    throw Error(ErrorCode::kBlobUploadInvalid,
                "upload " + std::string(id) + " is busy with another request; send chunks in turn");
  }
  if (state->repo_id == 0) {  // first use since start-up
    if (!path_exists(blobs_.upload_path(id))) {
      // Expiry removes the file before the row; a crash between leaves this.
      pool_.acquire()->delete_upload(std::string(id));
      ledger_.remove(std::string(id));
      unknown_upload(id);
    }
    uint64_t size = 0;
    state->hasher = rehash(blobs_.upload_path(id), &size, DigestAlgorithm::kSha256);
    state->offset = size;
    state->repo_id = *owner;
  }
  return Upload(*this, std::string(id), std::move(state), std::move(lock));
}

uint64_t Store::upload_offset(std::string_view repo, std::string_view id) {
  return open_upload(repo, id).offset();
}

void Store::cancel_upload(std::string_view repo, std::string_view id) {
  Upload upload = open_upload(repo, id);
  remove_file(blobs_.upload_path(id));
  pool_.acquire()->delete_upload(std::string(id));
  ledger_.remove(std::string(id));
  std::lock_guard lock(uploads_mu_);
  uploads_.erase(std::string(id));
}

size_t Store::expire_uploads(std::chrono::seconds max_idle) {
  int64_t cutoff = static_cast<int64_t>(std::time(nullptr)) - max_idle.count();
  auto ids = pool_.acquire()->uploads_idle_since(cutoff);
  size_t removed = 0;
  for (const auto& id : ids) {
    auto state = upload_state(id);
    std::unique_lock lock(state->mu, std::try_to_lock);
    if (!lock.owns_lock()) continue;  // in use right now: not idle after all
    // File first, then row: the reverse could orphan the file.
    remove_file(blobs_.upload_path(id));
    pool_.acquire()->delete_upload(id);
    ledger_.remove(id);
    std::lock_guard map_lock(uploads_mu_);
    uploads_.erase(id);
    ++removed;
  }
  // Sessions another process (ferryctl gc) removed hold nothing any more.
  // None is half-started meanwhile: a session started between reading the
  // rows and trimming the ledger would lose its entry (its next PATCH
  // failed with 500, seen when a client arrived as ferryd started).
  std::unique_lock starting(starting_uploads_mu_);
  std::unordered_set<std::string> open;
  for (auto& [id, repo] : pool_.acquire()->open_uploads()) open.insert(std::move(id));
  ledger_.retain_sessions(open);
  return removed;
}

Store::Upload::Upload(Store& store, std::string id, std::shared_ptr<UploadState> state,
                      std::unique_lock<std::mutex> lock)
    : store_(&store), id_(std::move(id)), state_(std::move(state)), lock_(std::move(lock)) {}

Store::Upload::~Upload() {
  if (!state_ || finished_) return;
  try {
    store_->ledger_.trim(id_);
    if (wrote_) store_->pool_.acquire()->touch_upload(id_);
  } catch (const std::exception&) {
    // Only the idle time is lost: the session may expire a little early.
  }
}

void Store::Upload::reserve(uint64_t need, uint64_t want, const UploadLedger::Admit& admit) {
  if (need <= granted_) return;
  granted_ = store_->ledger_.grant(id_, need, want, admit, start_offset_);
}

void Store::Upload::rollback() {
  std::string path = store_->blobs_.upload_path(id_);
  if (!fd_) fd_ = open_or_throw(path, O_WRONLY | O_APPEND);
  // Cut back to where this request started so file, offset and hash agree.
  if (::ftruncate(fd_.get(), static_cast<off_t>(start_offset_)) != 0) {
    store_->pool_.acquire()->delete_upload(id_);  // cannot trust it any more
  }
  state_->offset = start_offset_;
  state_->hasher = start_hasher_;
  store_->ledger_.landed(id_, start_offset_);
}

void Store::Upload::append(const void* data, size_t size) {
  std::string path = store_->blobs_.upload_path(id_);
  if (!fd_) fd_ = open_or_throw(path, O_WRONLY | O_APPEND);
  wrote_ = true;
  try {
    write_all(fd_.get(), data, size, path);
  } catch (...) {
    rollback();
    throw;
  }
  state_->hasher.update(data, size);
  state_->offset += size;
  store_->ledger_.landed(id_, state_->offset);
  write_behind_.wrote_up_to(fd_.get(), state_->offset);
}

void Store::Upload::finish(const Digest& expected) {
  std::string path = store_->blobs_.upload_path(id_);
  Digest actual = state_->hasher.digest();
  if (expected.algorithm() != actual.algorithm()) {
    uint64_t size = 0;
    actual = rehash(path, &size, expected.algorithm()).digest();
  }
  if (actual != expected) {
    throw Error(ErrorCode::kDigestInvalid, "uploaded content has digest " + actual.str() +
                                               ", not the " + expected.str() + " the client sent");
  }
  if (!fd_) fd_ = open_or_throw(path, O_WRONLY | O_APPEND);
  fsync_or_throw(fd_.get(), path);
  fd_.reset();
  store_->publish_blob(state_->repo_id, path, expected, state_->offset, &id_);
  // Published (and counted as stored content) first, then no longer held.
  finished_ = true;
  store_->ledger_.remove(id_);
  std::lock_guard map_lock(store_->uploads_mu_);
  store_->uploads_.erase(id_);
}

}  // namespace ferry
