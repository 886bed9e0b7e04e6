// Test harness for the signing library: signs and verifies arbitrary files
// so tests/e2e/minisign_test.sh can check interop with the real minisign.
//   minisig_tool sign KEY FILE "trusted comment"   (writes FILE.minisig)
//   minisig_tool verify PUB FILE                   (prints the trusted comment)
// Passphrases come from FERRY_PASSPHRASE. Exit: 0 ok, 10 + SigningErrorKind.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "signing/error.h"
#include "signing/keys.h"
#include "signing/signature.h"

using namespace ferry::signing;

namespace {

std::string slurp(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::array<unsigned char, 64> prehash_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  Prehash h;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0)
    h.update(buf, static_cast<size_t>(in.gcount()));
  return h.final();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) return 2;
  std::string cmd = argv[1];
  try {
    if (cmd == "sign" && argc == 5) {
      SecretKey key = SecretKey::parse(slurp(argv[2]), [] {
        const char* p = std::getenv("FERRY_PASSPHRASE");
        return std::string_view(p ? p : "");
      });
      Signature sig = sign_prehashed(key, prehash_file(argv[3]), argv[4]);
      std::ofstream(std::string(argv[3]) + ".minisig") << sig.to_file();
      return 0;
    }
    if (cmd == "verify" && argc == 4) {
      PublicKey pub = PublicKey::parse(slurp(argv[2]));
      Signature sig = Signature::parse(slurp((std::string(argv[3]) + ".minisig").c_str()));
      verify_prehashed(pub, sig, prehash_file(argv[3]));
      std::printf("%s\n", sig.trusted_comment.c_str());
      return 0;
    }
  } catch (const ferry::Error& e) {
    auto kind = e.code_in<SigningErrorKind>();
    if (!kind) throw;
    std::fprintf(stderr, "%s\n", e.what());
    return 10 + static_cast<int>(*kind);
  }
  return 2;
}
