// A fresh ferryd (real binary) per test, plus helpers that speak the
// Distribution API the way clients do.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "core/digest.h"
#include "tests/support/ferryd_process.h"
#include "tests/support/http_client.h"
#include "tests/support/manifests.h"
#include "tests/support/temp_dir.h"

namespace ferry::testing {

inline std::string random_bytes(size_t n, uint64_t seed = 1) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { start(); }

  void start(std::vector<std::string> args = {}) {
    server_ = std::make_unique<FerrydProcess>(dir_ / "data", std::move(args));
  }
  std::string url(const std::string& path) const { return server_->url() + path; }

  HttpResult get(const std::string& path, std::vector<std::string> headers = {}) {
    return http({"GET", url(path), std::move(headers), "", false});
  }
  HttpResult head(const std::string& path, std::vector<std::string> headers = {}) {
    return http({"HEAD", url(path), std::move(headers), "", false});
  }
  HttpResult send(const std::string& method, const std::string& path, const std::string& body = "",
                  std::vector<std::string> headers = {}) {
    return http({method, url(path), std::move(headers), body, false});
  }

  // Monolithic upload; returns the digest.
  Digest push_blob(const std::string& repo, const std::string& data) {
    Digest d = digest_of(data);
    auto r = send("POST", "/v2/" + repo + "/blobs/uploads/?digest=" + d.str(), data);
    EXPECT_EQ(r.status, 201) << r.body;
    return d;
  }

  std::string image_manifest(const Digest& config, size_t config_size, const Digest& layer,
                             size_t layer_size, const std::string& extra = "") {
    return ferry::testing::oci_image_manifest(config, config_size, layer, layer_size, extra);
  }

  HttpResult put_manifest(const std::string& repo, const std::string& ref, const std::string& body,
                          const std::string& type = "application/vnd.oci.image.manifest.v1+json") {
    return send("PUT", "/v2/" + repo + "/manifests/" + ref, body, {"Content-Type: " + type});
  }

  // config + one layer + manifest; returns the manifest body.
  std::string push_image(const std::string& repo, const std::string& tag, const std::string& layer,
                         const std::string& extra = "") {
    Digest c = push_blob(repo, "{}");
    Digest l = push_blob(repo, layer);
    std::string m = image_manifest(c, 2, l, layer.size(), extra);
    auto r = put_manifest(repo, tag, m);
    EXPECT_EQ(r.status, 201) << r.body;
    return m;
  }

  TempDir dir_;
  std::unique_ptr<FerrydProcess> server_;
};

}  // namespace ferry::testing
