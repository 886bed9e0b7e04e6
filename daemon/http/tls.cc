#include "daemon/http/tls.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <array>
#include <atomic>
#include <ctime>
#include <stdexcept>

#include "base/error.h"
#include "core/file_util.h"

namespace ferry::http {

// One certificate chain and its key, as GnuTLS wants them at a handshake.
struct TlsCertificate::Loaded {
  std::vector<gnutls_pcert_st> chain;
  gnutls_privkey_t key = nullptr;
  std::string description;

  Loaded() = default;
  Loaded(const Loaded&) = delete;
  Loaded& operator=(const Loaded&) = delete;
  ~Loaded() {
    for (auto& c : chain) gnutls_pcert_deinit(&c);
    if (key) gnutls_privkey_deinit(key);
  }
};

namespace {

std::atomic<const TlsCertificate::Loaded*> g_serving{nullptr};

constexpr size_t kMaxPemBytes = 1 << 20;
constexpr unsigned kMaxChain = 16;

std::string read_pem(const std::string& path, const char* what) {
  try {
    return read_small_file(path, kMaxPemBytes);
  } catch (const Error& e) {
    if (e.is(ErrorCode::kTooLarge)) {
      throw std::runtime_error("the TLS " + std::string(what) + " " + path +
                               " is over 1 MiB; is it the right file?");
    }
    throw std::runtime_error("cannot read the TLS " + std::string(what) + " " + path + ": " +
                             e.what());
  }
}

gnutls_datum_t datum(const std::string& s) {
  return {reinterpret_cast<unsigned char*>(const_cast<char*>(s.data())),
          static_cast<unsigned>(s.size())};
}

std::string key_id(gnutls_pubkey_t pub) {
  std::array<unsigned char, 64> id{};
  size_t size = id.size();
  if (gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA256, id.data(), &size) < 0) return "";
  return std::string(reinterpret_cast<char*>(id.data()), size);
}

std::string utc(time_t t) {
  char out[32];
  struct tm tm {};
  gmtime_r(&t, &tm);
  std::strftime(out, sizeof out, "%Y-%m-%d %H:%M UTC", &tm);
  return out;
}

std::string describe_certificate(const gnutls_datum_t& der) {
  gnutls_x509_crt_t crt = nullptr;
  if (gnutls_x509_crt_init(&crt) < 0) return "?";
  std::string out = "?";
  if (gnutls_x509_crt_import(crt, &der, GNUTLS_X509_FMT_DER) >= 0) {
    gnutls_datum_t dn{};
    if (gnutls_x509_crt_get_dn3(crt, &dn, 0) >= 0) {
      out.assign(reinterpret_cast<char*>(dn.data), dn.size);
      gnutls_free(dn.data);
    }
    time_t expires = gnutls_x509_crt_get_expiration_time(crt);
    out += (expires < std::time(nullptr) ? ", EXPIRED " : ", expires ") + utc(expires);
  }
  gnutls_x509_crt_deinit(crt);
  return out;
}

std::unique_ptr<TlsCertificate::Loaded> load(const TlsFiles& files) {
  if (files.cert.empty() || files.key.empty()) {
    throw std::runtime_error("TLS needs both tls.cert and tls.key");
  }
  std::string cert_pem = read_pem(files.cert, "certificate");
  std::string key_pem = read_pem(files.key, "key");
  auto loaded = std::make_unique<TlsCertificate::Loaded>();

  std::array<gnutls_pcert_st, kMaxChain> chain{};
  unsigned count = kMaxChain;
  gnutls_datum_t cert_data = datum(cert_pem);
  int rc = gnutls_pcert_list_import_x509_raw(chain.data(), &count, &cert_data, GNUTLS_X509_FMT_PEM,
                                             GNUTLS_X509_CRT_LIST_FAIL_IF_UNSORTED);
  if (rc < 0 || count == 0) {
    throw std::runtime_error(
        "the TLS certificate " + files.cert +
        " holds no usable PEM certificate chain (leaf first): " + gnutls_strerror(rc));
  }
  loaded->chain.assign(chain.begin(), chain.begin() + count);

  gnutls_datum_t key_data = datum(key_pem);
  if (gnutls_privkey_init(&loaded->key) < 0 ||
      (rc = gnutls_privkey_import_x509_raw(loaded->key, &key_data, GNUTLS_X509_FMT_PEM, nullptr,
                                           0)) < 0) {
    throw std::runtime_error("the TLS key " + files.key +
                             " is not an unencrypted PEM private key: " + gnutls_strerror(rc));
  }
  gnutls_pubkey_t from_key = nullptr;
  gnutls_pubkey_init(&from_key);
  bool matches = gnutls_pubkey_import_privkey(from_key, loaded->key, 0, 0) >= 0 &&
                 key_id(from_key) == key_id(loaded->chain[0].pubkey);
  gnutls_pubkey_deinit(from_key);
  if (!matches) {
    throw std::runtime_error("the TLS key " + files.key + " does not belong to the certificate " +
                             files.cert);
  }
  loaded->description = describe_certificate(loaded->chain[0].cert);
  return loaded;
}

int retrieve(gnutls_session_t, const gnutls_datum_t*, int, const gnutls_pk_algorithm_t*, int,
             gnutls_pcert_st** chain, unsigned int* length, gnutls_privkey_t* key) {
  const TlsCertificate::Loaded* serving = g_serving.load(std::memory_order_acquire);
  if (!serving) return -1;
  // GnuTLS neither changes nor frees what this returns.
  *chain = const_cast<gnutls_pcert_st*>(serving->chain.data());
  *length = static_cast<unsigned>(serving->chain.size());
  *key = serving->key;
  return 0;
}

}  // namespace

TlsCertificate::TlsCertificate(TlsFiles files) : files_(std::move(files)) {
  loaded_.push_back(load(files_));
  g_serving.store(loaded_.back().get(), std::memory_order_release);
}

TlsCertificate::~TlsCertificate() {
  const Loaded* mine = loaded_.back().get();
  g_serving.compare_exchange_strong(mine, nullptr);
}

void TlsCertificate::reload() {
  auto fresh = load(files_);
  std::lock_guard lock(mutex_);
  loaded_.push_back(std::move(fresh));
  g_serving.store(loaded_.back().get(), std::memory_order_release);
}

std::string TlsCertificate::describe() const {
  std::lock_guard lock(mutex_);
  return loaded_.back()->description;
}

void* TlsCertificate::retrieve_function() {
  return reinterpret_cast<void*>(&retrieve);
}

}  // namespace ferry::http
