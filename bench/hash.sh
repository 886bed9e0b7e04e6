#!/usr/bin/env bash
# SHA-256: OpenSSL EVP vs libsodium on this machine (see hash_speed.cc).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
c++ -std=c++20 -O2 "$here/hash_speed.cc" -o "$out" $(pkg-config --cflags --libs libcrypto libsodium)
"$out"
