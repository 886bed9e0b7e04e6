// Charts as helm push stores them, and files as oras push does: the JSON
// byte for byte, and a folder's archive reproducible.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <utime.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "bundler/file_artifact.h"
#include "bundler/helm_chart.h"
#include "core/media_types.h"

namespace ferry::cli {
namespace {

constexpr const char* kChartYaml = R"(apiVersion: v2
name: demo
description: |
  A demo chart
  for <tests> & more
type: application
version: 0.1.0+build.7
appVersion: "1.16.0"
keywords: [web, demo]
home: https://example.com/demo
sources:
  - https://git.example.com/demo
  - https://mirror.example.com/demo
maintainers:
  - name: Ann
    email: ann@example.com
  - name: Bob
dependencies:
  - name: redis
    version: 17.x
    repository: oci://registry.example.com/charts
    condition: redis.enabled
annotations:
  category: Demo
  org.opencontainers.image.title: not-the-name
)";

TEST(HelmChart, ConfigIsChartMetadataAsHelmMarshalsIt) {
  auto meta = helm::read_chart_metadata(kChartYaml, "2026-01-02T03:04:05Z");
  // Go's field order of chart.Metadata, omitempty, HTML-safe escapes, and
  // the description's newlines made spaces by helm's sanitizeString.
  EXPECT_EQ(
      meta.config_json,
      R"({"name":"demo","home":"https://example.com/demo",)"
      R"("sources":["https://git.example.com/demo","https://mirror.example.com/demo"],)"
      R"("version":"0.1.0+build.7","description":"A demo chart for \u003ctests\u003e \u0026 more ",)"
      R"("keywords":["web","demo"],)"
      R"("maintainers":[{"name":"Ann","email":"ann@example.com"},{"name":"Bob"}],)"
      R"("apiVersion":"v2","appVersion":"1.16.0",)"
      R"("annotations":{"category":"Demo","org.opencontainers.image.title":"not-the-name"},)"
      R"("dependencies":[{"name":"redis","version":"17.x",)"
      R"("repository":"oci://registry.example.com/charts","condition":"redis.enabled"}],)"
      R"("type":"application"})");
  EXPECT_EQ(meta.name, "demo");
  EXPECT_EQ(meta.version, "0.1.0+build.7");
}

TEST(HelmChart, AnnotationsAsGenerateOCIAnnotations) {
  auto meta = helm::read_chart_metadata(kChartYaml, "2026-01-02T03:04:05Z");
  std::map<std::string, std::string> want = {
      {"category", "Demo"},
      {"org.opencontainers.image.authors", "Ann (ann@example.com), Bob"},
      {"org.opencontainers.image.created", "2026-01-02T03:04:05Z"},
      {"org.opencontainers.image.description", "A demo chart for <tests> & more "},
      {"org.opencontainers.image.source", "https://git.example.com/demo"},
      {"org.opencontainers.image.title", "demo"},  // the chart's own may not override it
      {"org.opencontainers.image.url", "https://example.com/demo"},
      {"org.opencontainers.image.version", "0.1.0+build.7"},
  };
  EXPECT_EQ(meta.annotations, want);
}

TEST(HelmChart, MinimalChartDefaultsAndOmissions) {
  auto meta = helm::read_chart_metadata("name: tiny\nversion: 1.0.0\n", "2026-01-02T03:04:05Z");
  EXPECT_EQ(meta.config_json, R"({"name":"tiny","version":"1.0.0","apiVersion":"v1"})");
  auto deprecated = helm::read_chart_metadata(
      "apiVersion: v2\nname: old\nversion: v2\ndeprecated: true\n", "2026-01-02T03:04:05Z");
  EXPECT_EQ(deprecated.config_json,
            R"({"name":"old","version":"v2","apiVersion":"v2","deprecated":true})");
}

TEST(HelmChart, RefusesWhatHelmRefuses) {
  const std::string t = "2026-01-02T03:04:05Z";
  EXPECT_THROW(helm::read_chart_metadata("apiVersion: v2\nversion: 1.0.0\n", t),
               std::invalid_argument);
  EXPECT_THROW(helm::read_chart_metadata("apiVersion: v2\nname: a\n", t), std::invalid_argument);
  EXPECT_THROW(helm::read_chart_metadata("apiVersion: v2\nname: a\nversion: one\n", t),
               std::invalid_argument);
  EXPECT_THROW(helm::read_chart_metadata("apiVersion: v2\nname: a/b\nversion: 1.0.0\n", t),
               std::invalid_argument);
  EXPECT_THROW(
      helm::read_chart_metadata("apiVersion: v2\nname: a\nversion: 1.0.0\ntype: plugin\n", t),
      std::invalid_argument);
  EXPECT_THROW(helm::read_chart_metadata("name: [unclosed\n", t), std::invalid_argument);
  EXPECT_THROW(helm::read_chart_metadata("- a list\n", t), std::invalid_argument);
}

TEST(HelmChart, ManifestAsHelmPushWritesIt) {
  Digest config = *Digest::parse("sha256:" + std::string(64, 'c'));
  Digest chart = *Digest::parse("sha256:" + std::string(64, 'b'));
  Digest prov = *Digest::parse("sha256:" + std::string(64, 'a'));
  std::string m =
      helm::chart_manifest({std::string(helm::kConfigMediaType), config, 10, false},
                           {{std::string(helm::kChartMediaType), chart, 2000, false},
                            {std::string(helm::kProvenanceMediaType), prov, 300, false}},
                           {{"org.opencontainers.image.title", "demo"}, {"a&b", "<x>"}});
  // No mediaType field (helm sets none); layers sorted by digest.
  EXPECT_EQ(
      m,
      R"({"schemaVersion":2,"config":{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"sha256:)" +
          std::string(64, 'c') +
          R"(","size":10},"layers":[{"mediaType":"application/vnd.cncf.helm.chart.provenance.v1.prov","digest":"sha256:)" +
          std::string(64, 'a') +
          R"(","size":300},{"mediaType":"application/vnd.cncf.helm.chart.content.v1.tar+gzip","digest":"sha256:)" +
          std::string(64, 'b') +
          R"(","size":2000}],"annotations":{"a\u0026b":"\u003cx\u003e","org.opencontainers.image.title":"demo"}})");
}

TEST(HelmChart, TagsReplacePlusAsHelmDoes) {
  EXPECT_EQ(helm::tag_for_version("1.2.3+build.7"), "1.2.3_build.7");
  EXPECT_EQ(helm::tag_for_version("1.2.3-rc.1"), "1.2.3-rc.1");
}

TEST(FileArtifact, ManifestFollowsOrasConventions) {
  Digest d = *Digest::parse("sha256:" + std::string(64, 'd'));
  std::string m = files::artifact_manifest({{{std::string(media::kOrasFileLayer), d, 5, false},
                                             {{std::string(media::kTitleAnnotation), "setup.sh"}}}},
                                           "2026-01-02T03:04:05Z");
  EXPECT_EQ(m,
            R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
            R"("artifactType":"application/vnd.ferry.file.v1",)"
            R"("config":{"mediaType":"application/vnd.oci.empty.v1+json",)"
            R"("digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",)"
            R"("size":2,"data":"e30="},)"
            R"("layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:)" +
                std::string(64, 'd') +
                R"(","size":5,"annotations":{"org.opencontainers.image.title":"setup.sh"}}],)"
                R"("annotations":{"org.opencontainers.image.created":"2026-01-02T03:04:05Z"}})");
}

TEST(FileArtifact, DefaultRepositories) {
  EXPECT_EQ(files::default_repository("setup.sh"), "files/setup.sh");
  EXPECT_EQ(files::default_repository("My Setup.EXE"), "files/my-setup.exe");
  EXPECT_EQ(files::default_repository("k3s_v1.30+k3s1"), "files/k3s_v1.30-k3s1");
  EXPECT_EQ(files::default_repository("__init__"), "files/init");
  EXPECT_EQ(files::default_repository("+++"), "");
}

class FolderArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ferry-folder-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "tree" / "sub");
    write("tree/b.txt", "bee");
    write("tree/a.sh", "#!/bin/sh\n");
    ::chmod((dir_ / "tree" / "a.sh").c_str(), 0750);
    write("tree/sub/c.bin", std::string(300000, 'c'));
    std::filesystem::create_symlink("b.txt", dir_ / "tree" / "link");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& rel, const std::string& data) {
    std::ofstream(dir_ / rel, std::ios::binary) << data;
  }
  std::filesystem::path dir_;
};

TEST_F(FolderArchiveTest, SameFolderSameBytes) {
  auto first =
      files::write_folder_archive((dir_ / "tree").string(), "tree", (dir_ / "one.tar.gz").string());
  // Times, owners-to-be and the order of creation do not matter.
  struct utimbuf old {
    1000, 1000
  };
  ::utime((dir_ / "tree" / "b.txt").c_str(), &old);
  auto second =
      files::write_folder_archive((dir_ / "tree").string(), "tree", (dir_ / "two.tar.gz").string());
  EXPECT_EQ(first.digest, second.digest);
  EXPECT_EQ(first.tar_digest, second.tar_digest);
  EXPECT_EQ(first.size, std::filesystem::file_size(dir_ / "one.tar.gz"));
  EXPECT_NE(first.digest, first.tar_digest);

  write("tree/b.txt", "changed");
  auto third = files::write_folder_archive((dir_ / "tree").string(), "tree",
                                           (dir_ / "three.tar.gz").string());
  EXPECT_NE(first.digest, third.digest);
}

TEST_F(FolderArchiveTest, RefusesSocketsAndDevices) {
  ::mkfifo((dir_ / "tree" / "fifo").c_str(), 0644);
  EXPECT_THROW(
      files::write_folder_archive((dir_ / "tree").string(), "tree", (dir_ / "x.tar.gz").string()),
      std::invalid_argument);
}

}  // namespace
}  // namespace ferry::cli
