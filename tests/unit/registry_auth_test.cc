// Which auth-file entries hold a registry's credentials (client/saved_logins.h).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "client/saved_logins.h"

namespace ferry::client {
namespace {

TEST(AuthKey, DockerHubIsFoundUnderEachOfItsNames) {
  for (const char* key : {"https://index.docker.io/v1/", "index.docker.io", "docker.io",
                          "registry-1.docker.io", "https://registry-1.docker.io"}) {
    EXPECT_TRUE(auth_key_matches(key, "docker.io")) << key;
  }
  EXPECT_FALSE(auth_key_matches("quay.io", "docker.io"));
  EXPECT_FALSE(auth_key_matches("docker.io.evil.example", "docker.io"));
  EXPECT_FALSE(auth_key_matches("https://index.docker.io/v1/", "quay.io"));
}

TEST(AuthKey, OtherRegistriesMatchByHostAndPort) {
  EXPECT_TRUE(auth_key_matches("quay.io", "quay.io"));
  EXPECT_TRUE(auth_key_matches("https://quay.io/v2/", "quay.io"));
  EXPECT_TRUE(auth_key_matches("127.0.0.1:5000", "127.0.0.1:5000"));
  EXPECT_FALSE(auth_key_matches("127.0.0.1:5001", "127.0.0.1:5000"));
  EXPECT_FALSE(auth_key_matches("127.0.0.1", "127.0.0.1:5000"));
}

// Sets an environment variable (or unsets it, for nullptr) for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    value ? ::setenv(name, value, 1) : ::unsetenv(name);
  }
  ~ScopedEnv() { old_ ? ::setenv(name_, old_->c_str(), 1) : ::unsetenv(name_); }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// What `docker login` writes, found for docker.io references.
TEST(AuthKey, FindCredentialsReadsDockerLoginsEntry) {
  auto dir =
      std::filesystem::temp_directory_path() / ("ferry-auth-test." + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string file = (dir / "config.json").string();
  std::ofstream(file) << R"({"auths":{"https://index.docker.io/v1/":{"auth":"YWxpY2U6czNjcmV0"}}})";
  {
    ScopedEnv auth("REGISTRY_AUTH_FILE", file.c_str()), home("HOME", dir.c_str()),
        xdg("XDG_RUNTIME_DIR", nullptr), docker("DOCKER_CONFIG", nullptr);
    auto creds = find_credentials("docker.io");
    ASSERT_TRUE(creds);
    EXPECT_EQ(creds->username, "alice");
    EXPECT_EQ(creds->password, "s3cret");
    EXPECT_EQ(creds->from, file);
    EXPECT_FALSE(find_credentials("quay.io"));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ferry::client
