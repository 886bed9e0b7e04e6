#include "bundler/helm_chart.h"

#include <archive.h>
#include <archive_entry.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <stdexcept>

#include "base/error.h"

namespace ferry::cli::helm {
namespace {

using ordered = nlohmann::ordered_json;

constexpr size_t kMaxChartYaml = 1 << 20;
// helm's loader refuses charts that unpack to more (MaxDecompressedChartSize).
constexpr uint64_t kMaxUnpackedChart = 100 << 20;

[[noreturn]] void bad(const std::string& why) {
  throw std::invalid_argument(why);
}

// Helm's sanitizeString: whitespace becomes ' ', what is not printable goes.
// Exact for ASCII and the C1 controls; other code points are kept, except
// the Unicode spaces, which become ' '.
std::string sanitize(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' || c == ' ') {
        out += ' ';
      } else if (c >= 0x20 && c != 0x7f) {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    len = std::min(len, s.size() - i);
    uint32_t cp = 0;
    if (len == 2) cp = ((c & 0x1fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3fu);
    if (len == 3) {
      cp = ((c & 0x0fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3fu) << 6) |
           (static_cast<unsigned char>(s[i + 2]) & 0x3fu);
    }
    bool space = cp == 0x85 || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
                 cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
    bool control = cp >= 0x80 && cp < 0xa0;
    if (space) {
      out += ' ';
    } else if (!control) {
      out.append(s, i, len);
    }
    i += len;
  }
  return out;
}

std::string text(const YAML::Node& map, const char* key) {
  YAML::Node n = map[key];
  if (!n || n.IsNull()) return "";
  if (!n.IsScalar()) bad(std::string(key) + " must be a string");
  return n.as<std::string>();
}

std::vector<std::string> texts(const YAML::Node& map, const char* key) {
  YAML::Node n = map[key];
  std::vector<std::string> out;
  if (!n || n.IsNull()) return out;
  if (!n.IsSequence()) bad(std::string(key) + " must be a list of strings");
  for (const auto& item : n) {
    if (!item.IsScalar()) bad(std::string(key) + " must be a list of strings");
    out.push_back(item.as<std::string>());
  }
  return out;
}

bool flag(const YAML::Node& map, const char* key) {
  YAML::Node n = map[key];
  if (!n || n.IsNull()) return false;
  try {
    return n.as<bool>();
  } catch (const YAML::Exception&) {
    bad(std::string(key) + " must be true or false");
  }
}

// Sets key only when the value is not empty, as Go's omitempty does.
void put(ordered& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}
void put(ordered& j, const char* key, const std::vector<std::string>& value) {
  if (!value.empty()) j[key] = value;
}

std::vector<std::string> sanitized(std::vector<std::string> v) {
  for (auto& s : v) s = sanitize(s);
  return v;
}

// Any YAML value as JSON, maps with sorted keys (a Go map[string]any).
ordered any_value(const YAML::Node& n) {
  if (!n || n.IsNull()) return nullptr;
  if (n.IsScalar()) return n.as<std::string>();
  if (n.IsSequence()) {
    ordered a = ordered::array();
    for (const auto& item : n) a.push_back(any_value(item));
    return a;
  }
  std::map<std::string, YAML::Node> sorted;
  for (const auto& kv : n) sorted[kv.first.as<std::string>()] = kv.second;
  ordered o = ordered::object();
  for (const auto& [k, v] : sorted) o[k] = any_value(v);
  return o;
}

ordered maintainers_of(const YAML::Node& list, std::string* authors) {
  ordered out = ordered::array();
  if (!list || list.IsNull()) return out;
  if (!list.IsSequence()) bad("maintainers must be a list");
  for (const auto& m : list) {
    if (!m.IsMap()) bad("maintainers must not contain empty or null nodes");
    std::string name = sanitize(text(m, "name")), email = sanitize(text(m, "email"));
    ordered j = ordered::object();
    put(j, "name", name);
    put(j, "email", email);
    put(j, "url", sanitize(text(m, "url")));
    out.push_back(j);
    if (!authors->empty()) *authors += ", ";
    *authors += name + (email.empty() ? "" : " (" + email + ")");
  }
  return out;
}

// Helm's chart.Dependency, in its field order; name and repository are
// written even when empty (no omitempty on them).
ordered dependencies_of(const YAML::Node& list) {
  ordered out = ordered::array();
  if (!list || list.IsNull()) return out;
  if (!list.IsSequence()) bad("dependencies must be a list");
  static const std::regex alias_format("^[a-zA-Z0-9-_]+$");
  for (const auto& d : list) {
    if (!d.IsMap()) bad("dependencies must not contain empty or null nodes");
    ordered j = ordered::object();
    std::string name = sanitize(text(d, "name"));
    j["name"] = name;
    put(j, "version", sanitize(text(d, "version")));
    j["repository"] = sanitize(text(d, "repository"));
    put(j, "condition", sanitize(text(d, "condition")));
    put(j, "tags", sanitized(texts(d, "tags")));
    if (flag(d, "enabled")) j["enabled"] = true;
    if (YAML::Node iv = d["import-values"]; iv && iv.IsSequence() && iv.size() > 0) {
      j["import-values"] = any_value(iv);
    }
    std::string alias = text(d, "alias");
    if (!alias.empty() && !std::regex_match(alias, alias_format)) {
      bad("dependency \"" + name + "\" has disallowed characters in the alias");
    }
    put(j, "alias", alias);
    out.push_back(j);
  }
  return out;
}

// Masterminds/semver's NewVersion, which helm uses: lenient SemVer.
bool is_semver(const std::string& v) {
  static const std::regex re(
      R"(^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$)");
  return std::regex_match(v, re);
}

std::map<std::string, std::string> annotations_of(const YAML::Node& n) {
  std::map<std::string, std::string> out;
  if (!n || n.IsNull()) return out;
  if (!n.IsMap()) bad("annotations must be a map of strings");
  for (const auto& kv : n) {
    if (!kv.second.IsScalar()) bad("annotations must be a map of strings");
    out[kv.first.as<std::string>()] = kv.second.as<std::string>();
  }
  return out;
}

bool blank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n\v\f") == std::string::npos;
}

// generateOCIAnnotations: the chart's own fields, then its annotations,
// which may not override title and version.
std::map<std::string, std::string> oci_annotations(const ordered& meta, const std::string& created,
                                                   const std::string& authors,
                                                   const std::map<std::string, std::string>& own) {
  std::map<std::string, std::string> out;
  auto add = [&](const char* key, const std::string& value) {
    if (!blank(value)) out[key] = value;
  };
  auto field = [&](const char* key) { return meta.value(key, std::string()); };
  add("org.opencontainers.image.description", field("description"));
  add("org.opencontainers.image.title", field("name"));
  add("org.opencontainers.image.version", field("version"));
  add("org.opencontainers.image.url", field("home"));
  add("org.opencontainers.image.created", created);
  if (meta.contains("sources"))
    add("org.opencontainers.image.source", meta["sources"][0].get<std::string>());
  add("org.opencontainers.image.authors", authors);
  for (const auto& [k, v] : own) {
    if (k != "org.opencontainers.image.title" && k != "org.opencontainers.image.version") {
      out[k] = v;
    }
  }
  return out;
}

void check_metadata(const ordered& meta) {
  std::string name = meta.value("name", std::string());
  std::string version = meta.value("version", std::string());
  std::string type = meta.value("type", std::string());
  if (name.empty()) bad("Chart.yaml has no name");
  if (name == "." || name == ".." || name.find('/') != std::string::npos) {
    bad("Chart.yaml's name \"" + name + "\" is invalid");
  }
  if (version.empty()) bad("Chart.yaml has no version");
  if (!is_semver(version)) bad("Chart.yaml's version \"" + version + "\" is not SemVer");
  if (type != "" && type != "application" && type != "library") {
    bad("Chart.yaml's type must be application or library, not \"" + type + "\"");
  }
}

ordered descriptor_json(const Descriptor& d) {
  return ordered{{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}};
}

}  // namespace

std::string go_json(const std::string& dump) {
  std::string out;
  out.reserve(dump.size());
  for (size_t i = 0; i < dump.size(); ++i) {
    char c = dump[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (dump.compare(i, 3, "\xe2\x80\xa8") == 0 || dump.compare(i, 3, "\xe2\x80\xa9") == 0) {
      out += dump[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

ChartMetadata read_chart_metadata(std::string_view chart_yaml, const std::string& created) {
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(chart_yaml));
  } catch (const YAML::Exception& e) {
    bad("Chart.yaml is not YAML: " + e.msg);
  }
  if (!doc.IsMap()) bad("Chart.yaml is not a map of fields");
  std::string authors;
  std::string api_version = text(doc, "apiVersion");
  std::map<std::string, std::string> annotations = annotations_of(doc["annotations"]);

  // chart.Metadata's fields in its declaration order, which is the order
  // Go's encoding/json writes them in.
  ordered meta = ordered::object();
  put(meta, "name", sanitize(text(doc, "name")));
  put(meta, "home", sanitize(text(doc, "home")));
  put(meta, "sources", sanitized(texts(doc, "sources")));
  put(meta, "version", text(doc, "version"));
  put(meta, "description", sanitize(text(doc, "description")));
  put(meta, "keywords", sanitized(texts(doc, "keywords")));
  if (ordered m = maintainers_of(doc["maintainers"], &authors); !m.empty()) meta["maintainers"] = m;
  put(meta, "icon", sanitize(text(doc, "icon")));
  put(meta, "apiVersion", api_version.empty() ? "v1" : api_version);
  put(meta, "condition", sanitize(text(doc, "condition")));
  put(meta, "tags", sanitize(text(doc, "tags")));
  put(meta, "appVersion", sanitize(text(doc, "appVersion")));
  if (flag(doc, "deprecated")) meta["deprecated"] = true;
  if (!annotations.empty()) meta["annotations"] = annotations;
  put(meta, "kubeVersion", sanitize(text(doc, "kubeVersion")));
  if (ordered d = dependencies_of(doc["dependencies"]); !d.empty()) meta["dependencies"] = d;
  put(meta, "type", text(doc, "type"));
  check_metadata(meta);

  ChartMetadata out;
  out.name = meta["name"];
  out.version = meta["version"];
  out.config_json = go_json(meta.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  out.annotations = oci_annotations(meta, created, authors, annotations);
  return out;
}

std::string chart_manifest(const Descriptor& config, std::vector<Descriptor> layers,
                           const std::map<std::string, std::string>& annotations) {
  std::sort(layers.begin(), layers.end(), [](const Descriptor& a, const Descriptor& b) {
    return a.digest.str() < b.digest.str();
  });
  ordered layer_list = ordered::array();
  for (const auto& l : layers) layer_list.push_back(descriptor_json(l));
  ordered m = {{"schemaVersion", 2}, {"config", descriptor_json(config)}, {"layers", layer_list}};
  if (!annotations.empty()) m["annotations"] = annotations;
  return go_json(m.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string tag_for_version(std::string_view version) {
  std::string tag(version);
  std::replace(tag.begin(), tag.end(), '+', '_');
  return tag;
}

std::string chart_yaml_in(const std::string& tgz_path) {
  std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(), archive_read_free);
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), tgz_path.c_str(), 64 << 10) != ARCHIVE_OK) {
    std::string why = archive_error_string(a.get()) ? archive_error_string(a.get()) : "unreadable";
    if (archive_errno(a.get()) == ENOENT || archive_errno(a.get()) == EACCES) {
      throw Error(ErrorCode::kStorage, tgz_path + ": " + why);
    }
    bad("not a packaged chart (a gzip tar, as helm package makes): " + why);
  }
  // Every entry is looked at, as helm's loader does before it installs:
  // a chart it would refuse is refused here, on the connected side.
  archive_entry* entry = nullptr;
  int rc;
  std::optional<std::string> yaml;
  uint64_t unpacked = 0;
  while ((rc = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
    std::string path = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    if (path.empty() || path.front() == '/' || ("/" + path + "/").find("/../") != std::string::npos)
      bad("holds an entry outside the chart's folder (" + path.substr(0, 200) +
          "), which helm refuses");
    unpacked += static_cast<uint64_t>(std::max<la_int64_t>(archive_entry_size(entry), 0));
    if (unpacked > kMaxUnpackedChart) bad("unpacks to more than 100 MiB, which helm refuses");
    auto slash = path.find('/');
    if (slash == std::string::npos || path.substr(slash + 1) != "Chart.yaml") continue;
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    if (yaml) bad("holds two Chart.yaml files (" + path + ")");
    if (archive_entry_size(entry) > static_cast<la_int64_t>(kMaxChartYaml)) {
      bad(path + " is larger than 1 MiB");
    }
    yaml.emplace(static_cast<size_t>(archive_entry_size(entry)), '\0');
    la_ssize_t n = archive_read_data(a.get(), yaml->data(), yaml->size());
    if (n < 0 || static_cast<size_t>(n) != yaml->size()) bad("cannot read " + path);
  }
  if (rc != ARCHIVE_EOF) {
    bad(std::string("not a packaged chart (a gzip tar, as helm package makes): ") +
        (archive_error_string(a.get()) ? archive_error_string(a.get()) : "damaged"));
  }
  if (!yaml) bad("holds no CHARTNAME/Chart.yaml; make it with helm package");
  return *yaml;
}

}  // namespace ferry::cli::helm
