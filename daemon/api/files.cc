// GET /files/ and GET|HEAD /files/...: the files and folders of artifacts
// with artifactType application/vnd.ferry.file.v1 (what `ferry pack
// file:PATH` makes) as plain downloads, for a node that has curl but no
// container runtime yet. docs/registry-api.md, "Files".
#include <nlohmann/json.hpp>
#include <set>

#include "base/error.h"
#include "core/media_types.h"
#include "daemon/api/handlers.h"

namespace ferry::api {
namespace {

using nlohmann::json;

constexpr std::string_view kPrefix = "/files/";

struct FileEntry {
  std::string repository, tag;
  std::string name;  // the download's name: the title, plus .tar.gz for a folder
  Digest digest;
  uint64_t size = 0;
  std::string media_type;
  bool folder = false;

  std::string path() const { return std::string(kPrefix) + repository + "/" + tag + "/" + name; }
};

// A name that is one path segment, so every file has a URL of its own.
bool servable(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

void add_layers(const TaggedManifest& t, const json& doc, std::vector<FileEntry>& out) {
  if (!doc.contains("layers") || !doc["layers"].is_array()) return;
  for (const auto& layer : doc["layers"]) {
    if (!layer.is_object() || !layer.contains("annotations")) continue;
    const json& a = layer["annotations"];
    if (!a.is_object()) continue;
    std::string title = a.value(std::string(media::kTitleAnnotation), "");
    bool folder = a.value(std::string(media::kOrasUnpackAnnotation), "") == "true";
    std::string name = folder ? title + ".tar.gz" : title;
    auto digest = Digest::parse(layer.value("digest", ""));
    if (!servable(title) || !digest || !layer.contains("size") ||
        !layer["size"].is_number_unsigned()) {
      continue;
    }
    out.push_back({t.repository, t.tag, name, *digest, layer["size"].get<uint64_t>(),
                   layer.value("mediaType", ""), folder});
  }
}

// Every file of every tagged file artifact, by repository, tag and order in
// the manifest. Manifests are small and read from disk each time, so a new
// import shows at once. Only of repositories `keep` accepts (all when
// unset): the others' manifests are not even read.
std::vector<FileEntry> file_entries(Store& store,
                                    const std::function<bool(std::string_view)>& keep = {}) {
  std::vector<FileEntry> out;
  for (const auto& t : store.tagged_artifacts(std::string(media::kFerryFile))) {
    if (keep && !keep(t.repository)) continue;
    auto digest = Digest::parse(t.digest);
    if (!digest) continue;
    json doc;
    try {
      doc = json::parse(store.read_content(*digest, store.options().max_manifest_bytes));
    } catch (const std::exception&) {
      continue;  // unreadable (quarantined by scrub): not listed, as not servable
    }
    add_layers(t, doc, out);
  }
  return out;
}

bool wants_text(const http::Request& req) {
  if (auto format = req.query("format")) return *format == "sha256sum";
  for (const auto& accept : req.header_values("Accept")) {
    if (accept.find("text/plain") != std::string::npos &&
        accept.find("application/json") == std::string::npos) {
      return true;
    }
  }
  return false;
}

// A name as GNU sha256sum writes it: with '\\', newline or carriage return
// the line starts with '\\' and those are escaped, so a title cannot add a
// line or break `sha256sum -c`.
std::string sha256sum_line(const std::string& hex, const std::string& name) {
  std::string escaped;
  bool any = false;
  for (char c : name) {
    switch (c) {
      case '\\':
        escaped += "\\\\";
        any = true;
        break;
      case '\n':
        escaped += "\\n";
        any = true;
        break;
      case '\r':
        escaped += "\\r";
        any = true;
        break;
      default: escaped += c;
    }
  }
  return (any ? "\\" : "") + hex + "  " + escaped + "\n";
}

// The names held by more than one entry: those are listed by their full
// path (REPO/TAG/NAME) in the text form, so no line stands for two files.
std::set<std::string> shared_names(const std::vector<FileEntry>& entries) {
  std::set<std::string> seen, shared;
  for (const auto& e : entries) {
    if (!seen.insert(e.name).second) shared.insert(e.name);
  }
  return shared;
}

http::Response listing(const std::vector<FileEntry>& entries, const http::Request& req) {
  if (wants_text(req)) {
    std::string text;  // sha256sum's format, for `curl ... | sha256sum -c`
    std::set<std::string> shared = shared_names(entries);
    for (const auto& e : entries) {
      if (e.digest.algorithm() != DigestAlgorithm::kSha256) continue;
      bool full = shared.count(e.name) > 0;
      text += sha256sum_line(e.digest.hex(), full ? e.path().substr(kPrefix.size()) : e.name);
    }
    return http::Response::text(200, text, "text/plain; charset=utf-8");
  }
  json files = json::array();
  for (const auto& e : entries) {
    json f = {{"name", e.name},
              {"size", e.size},
              {"digest", e.digest.str()},
              {"repository", e.repository},
              {"tag", e.tag},
              {"reference", e.repository + ":" + e.tag},
              {"path", e.path()},
              {"mediaType", e.media_type},
              {"folder", e.folder}};
    if (e.digest.algorithm() == DigestAlgorithm::kSha256) f["sha256"] = e.digest.hex();
    files.push_back(std::move(f));
  }
  return http::Response::json(200, json{{"files", files}}.dump());
}

// The files the caller may pull, of one repository when ?repository= says.
// Others are never looked at further, so nothing tells they exist.
std::vector<FileEntry> visible_entries(Store& store, const http::Request& req,
                                       const Checks& checks) {
  auto repository = req.query("repository");
  return file_entries(store, [&](std::string_view repo) {
    if (repository && repo != *repository) return false;
    return !checks.may_pull || checks.may_pull(repo);
  });
}

ExchangePtr list_files(Store& store, const http::Request& req, const Checks& checks,
                       const LoginPrompt& ask_login) {
  std::vector<FileEntry> visible = visible_entries(store, req, checks);
  // Nothing an anonymous caller may pull: ask them to log in, whatever exists.
  if (visible.empty() && ask_login) ask_login();
  return answer(listing(visible, req));
}

[[noreturn]] void no_such_file(std::string_view path) {
  throw Error(ErrorCode::kNameUnknown, "no file at " + std::string(path.substr(0, 300)) +
                                           "; GET /files/ lists the files this box serves");
}

// /files/NAME: the one visible file of that name, wherever it is.
const FileEntry& by_name(const std::vector<FileEntry>& visible, std::string_view name,
                         std::string_view path, const LoginPrompt& ask_login) {
  const FileEntry* found = nullptr;
  std::string paths;
  for (const auto& e : visible) {
    if (e.name != name) continue;
    paths += (paths.empty() ? "" : ", ") + e.path();
    if (!found) found = &e;
  }
  if (!found) {
    // Anonymous: logging in may show it; the same answer whether it exists.
    if (ask_login) ask_login();
    no_such_file(path);
  }
  if (paths.find(", ") != std::string::npos) {
    throw Error(ErrorCode::kExists, "several files are named " + std::string(name) + ": " + paths +
                                        "; ask for one by its full path");
  }
  return *found;
}

ExchangePtr by_short_name(Store& store, const http::Request& req, std::string_view name,
                          const Checks& checks, const LoginPrompt& ask_login) {
  std::vector<FileEntry> visible = visible_entries(store, req, checks);
  const FileEntry& e = by_name(visible, name, req.path(), ask_login);
  if (checks.require_pull) checks.require_pull(e.repository);  // a bearer token's scope
  return answer(blob_response(store, req, e.repository, e.digest));
}

}  // namespace

bool is_files_path(std::string_view path) {
  return path == "/files" || path.substr(0, kPrefix.size()) == kPrefix;
}

ExchangePtr handle_files(Store& store, const http::Request& req, const Checks& checks,
                         const LoginPrompt& ask_login) {
  if (req.method() != "GET" && req.method() != "HEAD") method_not_allowed(req, "GET, HEAD");
  std::string_view rest =
      req.path().size() > kPrefix.size() ? req.path().substr(kPrefix.size()) : std::string_view();
  if (rest.empty()) return list_files(store, req, checks, ask_login);

  // /files/REPO/TAG/NAME, REPO itself holding '/': read from the right.
  auto last = rest.rfind('/');
  if (last == std::string_view::npos) return by_short_name(store, req, rest, checks, ask_login);
  auto before = rest.rfind('/', last - 1);
  if (last == 0 || before == std::string_view::npos || before == 0) {
    if (ask_login) ask_login();  // no repository to ask about: as for a missing one
    no_such_file(req.path());
  }
  std::string repository(rest.substr(0, before));
  std::string_view tag = rest.substr(before + 1, last - before - 1);
  std::string_view name = rest.substr(last + 1);
  // As for a pull of the repository: refused before anything is looked up.
  if (checks.require_pull) checks.require_pull(repository);
  for (const auto& e : file_entries(store)) {
    if (e.repository == repository && e.tag == tag && e.name == name) {
      return answer(blob_response(store, req, e.repository, e.digest));
    }
  }
  no_such_file(req.path());
}

}  // namespace ferry::api
