#include "core/reference.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace ferry {
namespace {

const std::string kHex(64, 'a');

TEST(Reference, NormalisesAsDockerAndTheContainersToolsDo) {
  struct Case {
    std::string text, host, path, tag, str;
  } cases[] = {
      {"nginx", "docker.io", "library/nginx", "latest", "docker.io/library/nginx:latest"},
      {"nginx:1.25", "docker.io", "library/nginx", "1.25", "docker.io/library/nginx:1.25"},
      {"library/nginx", "docker.io", "library/nginx", "latest", "docker.io/library/nginx:latest"},
      {"docker.io/nginx", "docker.io", "library/nginx", "latest", "docker.io/library/nginx:latest"},
      {"index.docker.io/library/nginx", "docker.io", "library/nginx", "latest",
       "docker.io/library/nginx:latest"},
      {"index.docker.io/nginx:1", "docker.io", "library/nginx", "1", "docker.io/library/nginx:1"},
      {"rancher/mirrored-pause:3.6", "docker.io", "rancher/mirrored-pause", "3.6",
       "docker.io/rancher/mirrored-pause:3.6"},
      {"docker.io/rancher/mirrored-pause:3.6", "docker.io", "rancher/mirrored-pause", "3.6",
       "docker.io/rancher/mirrored-pause:3.6"},
      {"quay.io/prometheus/node-exporter:v1.8.0", "quay.io", "prometheus/node-exporter", "v1.8.0",
       "quay.io/prometheus/node-exporter:v1.8.0"},
      {"registry.k8s.io/pause:3.9", "registry.k8s.io", "pause", "3.9", "registry.k8s.io/pause:3.9"},
      {"localhost/app", "localhost", "app", "latest", "localhost/app:latest"},
      {"localhost:5000/app:v1", "localhost:5000", "app", "v1", "localhost:5000/app:v1"},
      {"127.0.0.1:5000/a/b:c", "127.0.0.1:5000", "a/b", "c", "127.0.0.1:5000/a/b:c"},
      {"myhost:5000/x", "myhost:5000", "x", "latest", "myhost:5000/x:latest"},
      // Without '.', ':' or "localhost" the first component is a namespace.
      {"myhost/x", "docker.io", "myhost/x", "latest", "docker.io/myhost/x:latest"},
      // One component only: "localhost:5000" is the image localhost, tag 5000.
      {"localhost:5000", "docker.io", "library/localhost", "5000",
       "docker.io/library/localhost:5000"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    ImageReference ref = parse_reference(c.text);
    EXPECT_EQ(ref.host, c.host);
    EXPECT_EQ(ref.path, c.path);
    EXPECT_EQ(ref.tag, c.tag);
    EXPECT_FALSE(ref.digest);
    EXPECT_EQ(ref.str(), c.str);
    EXPECT_EQ(ref.name(), c.host + "/" + c.path);
  }
}

TEST(Reference, TakesADigestWithOrWithoutATag) {
  ImageReference both = parse_reference("name:tag@sha256:" + kHex);
  EXPECT_EQ(both.str(), "docker.io/library/name:tag@sha256:" + kHex);
  EXPECT_EQ(both.tag, "tag");
  ASSERT_TRUE(both.digest);
  EXPECT_EQ(both.digest->str(), "sha256:" + kHex);

  ImageReference pinned = parse_reference("localhost:5000/team/app@sha256:" + kHex);
  EXPECT_EQ(pinned.host, "localhost:5000");
  EXPECT_EQ(pinned.path, "team/app");
  EXPECT_EQ(pinned.tag, "");  // a digest alone: no default tag
  EXPECT_EQ(pinned.str(), "localhost:5000/team/app@sha256:" + kHex);
}

TEST(Reference, RefusesWithAReason) {
  struct Case {
    std::string text, reason;
  } cases[] = {
      {"Nginx", "must be lower-case"},
      {"library/Nginx:1", "must be lower-case"},
      {"quay.io/Acme/app", "must be lower-case"},
      {"a//b", "is not a repository name"},
      {"/a", "is not a repository name"},
      {"a/", "is not a repository name"},
      {":tag", "has no repository name"},
      {"", "has no repository name"},
      {"nginx:", "ends in ':' without a tag"},
      {"quay.io/app:", "ends in ':' without a tag"},
      {"nginx:-x", "tag '-x'"},
      {"nginx@sha256:abc", "digest 'sha256:abc'"},
      {"nginx@md5:" + kHex, "digest"},
      {"nginx:1@", "digest ''"},
      {"nginx@sha256:" + std::string(64, 'A'), "digest"},
      {kHex, "image ID"},
      {"my_host:5000/app", "is not a registry host"},
      {"host.io:port/app", "is not a registry host"},
      {"[::1]:5000/app", "IPv6"},
      {"a b", "is not a repository name"},
      {"quay.io/" + std::string(250, 'a'), "longer than 255"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    try {
      parse_reference(c.text);
      ADD_FAILURE() << "accepted";
    } catch (const std::invalid_argument& e) {
      std::string what = e.what();
      EXPECT_NE(what.find(c.reason), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  }
}

TEST(Reference, KeepsTheHostAsTheFirstNameComponent) {
  EXPECT_EQ(parse_reference("nginx:1.25").kept_name(), "docker.io/library/nginx:1.25");
  EXPECT_EQ(parse_reference("quay.io/acme/app:v1").kept_name(), "quay.io/acme/app:v1");
  EXPECT_EQ(parse_reference("acme/app:v1").kept_name(), "docker.io/acme/app:v1");
  EXPECT_EQ(parse_reference("127.0.0.1:5000/team/app:v1").kept_name(),
            "127.0.0.1_5000/team/app:v1");
  EXPECT_EQ(parse_reference("Registry.Local:5000/x").kept_name(), "registry.local_5000/x:latest");
  EXPECT_EQ(parse_reference("localhost/app:v1").kept_name(), "localhost/app:v1");
  EXPECT_FALSE(parse_reference("quay.io/a@sha256:" + kHex).kept_name());
  EXPECT_EQ(parse_reference("quay.io/a:v2@sha256:" + kHex).kept_name(), "quay.io/a:v2");
}

TEST(Reference, KnowsWhichTextNamesItsHost) {
  EXPECT_TRUE(names_registry_host("quay.io/a"));
  EXPECT_TRUE(names_registry_host("localhost/a"));
  EXPECT_TRUE(names_registry_host("myhost:5000/a"));
  EXPECT_FALSE(names_registry_host("nginx:1.25"));
  EXPECT_FALSE(names_registry_host("team/app:v1"));
}

TEST(Reference, TalksToRegistry1ForDockerHub) {
  EXPECT_EQ(registry_api_host("docker.io"), "registry-1.docker.io");
  EXPECT_EQ(registry_api_host("quay.io"), "quay.io");
  EXPECT_EQ(registry_api_host("127.0.0.1:5000"), "127.0.0.1:5000");
}

}  // namespace
}  // namespace ferry
