// Quotas bound what open uploads hold (docs/access.md, "Quotas"), driven in
// process through the gate: refusals mid-stream, what is kept, and what the
// upload ledger holds afterwards.
#include <gtest/gtest.h>

#include <filesystem>

#include "access/accounts.h"
#include "tests/support/in_process.h"

namespace ferry::testing {
namespace {

constexpr const char* kPassword = "correct horse";

RegistryOptions gated() {
  RegistryOptions options;
  options.gate = true;
  return options;
}

class ApiQuota : public ::testing::Test {
 protected:
  InProcess api_{gated()};
  Headers writer_{{"Authorization", basic("ci", kPassword)}};

  void SetUp() override {
    api_.add_user("ci", kPassword);
    api_.grant("ci", "team", "writer");
    api_.with_accounts([](access::Accounts& a) {
      access::NamespaceChange change;
      change.set.quota = access::Quota(1 << 20);
      a.change_namespace("team", change);
    });
  }

  std::string start() {
    Reply r = api_.post("/v2/team/app/blobs/uploads/", {}, writer_);
    EXPECT_EQ(r.status, 202u) << r.body;
    return r.header("Location").value_or("");
  }
  Headers streamed() {
    Headers h = writer_;
    h.emplace_back("Transfer-Encoding", "chunked");
    return h;
  }
  uint64_t upload_files_bytes() {
    uint64_t sum = 0;
    for (const auto& f : std::filesystem::directory_iterator(api_.data_dir() + "/uploads")) {
      sum += f.file_size();
    }
    return sum;
  }
};

TEST_F(ApiQuota, AStreamedChunkIsRefusedAsItCrossesTheQuotaAndDroppedWhole) {
  std::string session = start();
  Reply r = api_.patch(session, std::string(3 << 20, 'x'), streamed());
  EXPECT_API_ERROR(r, 403u, "DENIED");
  EXPECT_NE(r.body.find("namespace 'team' would go over its quota of 1.0 MiB"), std::string::npos)
      << r.body;
  EXPECT_EQ(api_.get(session, writer_).header("Range"), "0-0") << "back where it started";
  EXPECT_EQ(upload_files_bytes(), 0u);
  EXPECT_EQ(api_.store().upload_ledger().held_total(), 0u);
}

TEST_F(ApiQuota, WhatASessionHoldsCountsForTheNextWrite) {
  std::string a = start();
  EXPECT_EQ(api_.patch(a, std::string(700 << 10, 'a'), writer_).status, 202u);
  EXPECT_EQ(api_.store().upload_ledger().held_total(), 700u << 10);
  std::string b = start();
  Reply r = api_.patch(b, std::string(400 << 10, 'b'), writer_);
  EXPECT_API_ERROR(r, 403u, "DENIED");
  EXPECT_NE(r.body.find("700.0 KiB of it in open uploads"), std::string::npos) << r.body;
  // A monolithic upload counts the same way, before its body is read.
  std::string blob(400 << 10, 'c');
  EXPECT_API_ERROR(
      api_.post("/v2/team/app/blobs/uploads/?digest=" + digest_of(blob).str(), blob, writer_), 403u,
      "DENIED");
  // Cancelling the first session gives its bytes back.
  EXPECT_EQ(api_.del(a, writer_).status, 204u);
  EXPECT_EQ(api_.patch(b, std::string(400 << 10, 'b'), writer_).status, 202u);
}

TEST_F(ApiQuota, AClosedUploadIsCountedOnceAsStoredContent) {
  std::string a = start();
  std::string blob(600 << 10, 'z');
  EXPECT_EQ(api_.patch(a, blob, writer_).status, 202u);
  EXPECT_EQ(api_.put(a + "?digest=" + digest_of(blob).str(), "", writer_).status, 201u);
  EXPECT_EQ(api_.store().upload_ledger().held_total(), 0u) << "no longer held, but stored";
  std::string b = start();
  EXPECT_API_ERROR(api_.patch(b, std::string(500 << 10, 'y'), writer_), 403u, "DENIED");
  EXPECT_EQ(api_.patch(b, std::string(400 << 10, 'y'), writer_).status, 202u);
}

TEST_F(ApiQuota, NumbersPastWhatABlobCanBeAreRefusedBeforeAnyArithmetic) {
  std::string a = start();
  Headers h = writer_;
  h.emplace_back("Content-Range", "0-18446744073709551615");
  EXPECT_API_ERROR(api_.patch(a, "x", h), 416u, "RANGE_INVALID");
  Headers big = writer_;
  big.emplace_back("Content-Length", "18446744073709551615");
  EXPECT_API_ERROR(api_.send(make_request("PATCH", a, big)), 413u, "SIZE_INVALID");
  EXPECT_EQ(api_.store().upload_ledger().held_total(), 0u);
}

}  // namespace
}  // namespace ferry::testing
