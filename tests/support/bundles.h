// Signed bundles for tests, made in-process as `ferry keygen` and `ferry
// pack` make them: an OCI layout of one image, then a bundle of it.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "bundler/keygen.h"
#include "bundler/pack.h"
#include "core/digest.h"
#include "tests/support/manifests.h"

namespace ferry::testing {

inline void write_test_file(const std::string& path, const std::string& data) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << data;
}

// The config of every image make_layout writes.
inline const std::string kLayoutConfig =
    R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers"}})";

// The manifest of make_layout's image whose layer is `layer`.
inline std::string layout_manifest(const std::string& layer) {
  return oci_image_manifest(digest_of(kLayoutConfig), kLayoutConfig.size(), digest_of(layer),
                            layer.size());
}

// An OCI image layout at dir with one image tagged `tag`: its manifest digest.
inline Digest make_layout(const std::string& dir, const std::string& tag,
                          const std::string& layer) {
  auto blob = [&](const std::string& data) {
    Digest d = digest_of(data);
    write_test_file(dir + "/blobs/sha256/" + d.hex(), data);
    return d;
  };
  blob(kLayoutConfig);
  blob(layer);
  std::string manifest = layout_manifest(layer);
  Digest m = blob(manifest);
  write_test_file(dir + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  write_test_file(dir + "/index.json",
                  R"({"schemaVersion":2,"manifests":[{"mediaType":)"
                  R"("application/vnd.oci.image.manifest.v1+json","digest":")" +
                      m.str() + R"(","size":)" + std::to_string(manifest.size()) +
                      R"(,"annotations":{"org.opencontainers.image.ref.name":")" + tag +
                      R"("}}]})");
  return m;
}

// A key pair DIR/signer.key, .pub, with the public key in DIR/trust/.
inline void make_signer(const std::string& dir) {
  cli::KeygenOptions keygen;
  keygen.prefix = dir + "/signer";
  keygen.no_password = true;
  ASSERT_EQ(cli::run_keygen(keygen), 0);
  std::filesystem::create_directories(dir + "/trust");
  std::filesystem::copy_file(dir + "/signer.pub", dir + "/trust/signer.pub");
}

// DIR/bN.ferry (N = sequence): one image, NAME:TAG, whose layer is `layer`,
// signed with make_signer's key.
inline std::string pack_bundle(const std::string& dir, const std::string& name,
                               const std::string& tag, const std::string& layer,
                               uint64_t sequence) {
  std::string layout = dir + "/layout" + std::to_string(sequence);
  make_layout(layout, "src", layer);
  cli::PackOptions pack;
  pack.key_path = dir + "/signer.key";
  pack.output = dir + "/b" + std::to_string(sequence) + ".ferry";
  pack.sequence = sequence;
  pack.sources = {"oci:" + layout + ":src=" + name + ":" + tag};
  EXPECT_EQ(cli::run_pack(pack), 0);
  return pack.output;
}

}  // namespace ferry::testing
