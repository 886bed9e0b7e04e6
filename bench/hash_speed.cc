// SHA-256 throughput of OpenSSL's EVP (SHA-NI when the CPU has it) against
// libsodium's portable implementation, over the same 256 MiB in 1 MiB pieces.
// Ferry hashes every byte it stores, so this decides which library it uses.
#include <openssl/evp.h>
#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <vector>

namespace {

constexpr size_t kPiece = 1 << 20;
constexpr size_t kPieces = 256;

template <typename F>
double gb_per_s(F hash_all) {
  auto t0 = std::chrono::steady_clock::now();
  hash_all();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return kPiece * kPieces / s / 1e9;
}

}  // namespace

int main() {
  if (sodium_init() < 0) return 1;
  std::vector<unsigned char> buf(kPiece);
  randombytes_buf(buf.data(), buf.size());
  unsigned char out[64];
  for (int round = 0; round < 3; ++round) {
    double openssl = gb_per_s([&] {
      EVP_MD_CTX* ctx = EVP_MD_CTX_new();
      EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
      for (size_t i = 0; i < kPieces; ++i) EVP_DigestUpdate(ctx, buf.data(), buf.size());
      unsigned int len = 0;
      EVP_DigestFinal_ex(ctx, out, &len);
      EVP_MD_CTX_free(ctx);
    });
    double sodium = gb_per_s([&] {
      crypto_hash_sha256_state st;
      crypto_hash_sha256_init(&st);
      for (size_t i = 0; i < kPieces; ++i) crypto_hash_sha256_update(&st, buf.data(), buf.size());
      crypto_hash_sha256_final(&st, out);
    });
    std::printf("round %d: OpenSSL EVP %.2f GB/s, libsodium %.2f GB/s, ratio %.1fx\n", round + 1,
                openssl, sodium, openssl / sodium);
  }
  return 0;
}
