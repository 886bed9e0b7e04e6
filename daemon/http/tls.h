// The server's TLS certificate and key, loaded from PEM files and swapped in
// place on reload (SIGHUP). libmicrohttpd asks for the certificate at every
// handshake through a GnuTLS callback, so a renewed certificate is served to
// the next connection while the listening socket stays as it is.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ferry::http {

struct TlsFiles {
  std::string cert;  // PEM: the certificate, then any intermediates
  std::string key;   // PEM: its private key (RSA, ECDSA or Ed25519)
};

class TlsCertificate {
 public:
  // Loads both files. Throws std::runtime_error naming the file and what is
  // wrong with it (unreadable, not PEM, key not matching the certificate).
  explicit TlsCertificate(TlsFiles files);
  ~TlsCertificate();
  TlsCertificate(const TlsCertificate&) = delete;
  TlsCertificate& operator=(const TlsCertificate&) = delete;

  // Loads the files again. On any error it throws and the certificate in
  // use stays in use.
  void reload();
  // "CN=…, expires 2027-…", for the log.
  std::string describe() const;

  // The GnuTLS certificate-retrieval function to give libmicrohttpd
  // (MHD_OPTION_HTTPS_CERT_CALLBACK). GnuTLS passes it no context, so it
  // serves the most recently constructed TlsCertificate of the process:
  // ferryd has one.
  static void* retrieve_function();

  struct Loaded;

 private:
  TlsFiles files_;
  mutable std::mutex mutex_;
  // Every set ever loaded stays alive until this object dies: a handshake
  // may still hold the pointers the callback handed out before a reload.
  // Reloads are rare and a set is a few KiB.
  std::vector<std::unique_ptr<Loaded>> loaded_;
};

}  // namespace ferry::http
