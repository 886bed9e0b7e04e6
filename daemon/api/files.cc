// GET /files/ and GET|HEAD /files/...: the files and folders of artifacts
// with artifactType application/vnd.ferry.file.v1 (what `ferry pack
// file:PATH` makes) as plain downloads, for a node that has curl but no
// container runtime yet. docs/registry-api.md, "Files".
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <tuple>

#include "base/error.h"
#include "core/json_strict.h"
#include "core/media_types.h"
#include "daemon/api/handlers.h"
#include "daemon/api/params.h"
#include "daemon/http/form.h"

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

using KeepArtifact = std::function<bool(const TaggedManifest&)>;

// The files of the tagged file artifacts `keep` accepts, by repository,
// tag (byte order) and order in the manifest, handed to `visit` until it
// returns false. Manifests are small and read from disk each time, so a new
// import shows at once; those `keep` refuses, or after `visit` stops, are
// not even read.
void each_file(Store& store, const KeepArtifact& keep,
               const std::function<bool(const FileEntry&)>& visit) {
  for (const auto& t : store.tagged_artifacts(std::string(media::kFerryFile))) {
    if (!keep(t)) continue;
    auto digest = Digest::parse(t.digest);
    if (!digest) continue;
    json doc;
    try {
      doc = json::parse(store.read_content(*digest, store.options().max_manifest_bytes));
    } catch (const std::exception&) {
      continue;  // unreadable (quarantined by scrub): not listed, as not servable
    }
    std::vector<FileEntry> files;
    add_layers(t, doc, files);
    for (const auto& f : files) {
      if (!visit(f)) return;
    }
  }
}

std::vector<FileEntry> file_entries(Store& store, const KeepArtifact& keep) {
  std::vector<FileEntry> out;
  each_file(store, keep, [&](const FileEntry& f) {
    out.push_back(f);
    return true;
  });
  return out;
}

// REPO/TAG/NAME (REPO holding '/'), read from the right; nullopt when it
// is not three parts.
struct FilePath {
  std::string repository, tag, name;
};
std::optional<FilePath> split_file_path(std::string_view rest) {
  auto last = rest.rfind('/');
  if (last == std::string_view::npos || last == 0) return std::nullopt;
  auto before = rest.rfind('/', last - 1);
  if (before == std::string_view::npos || before == 0) return std::nullopt;
  return FilePath{std::string(rest.substr(0, before)),
                  std::string(rest.substr(before + 1, last - before - 1)),
                  std::string(rest.substr(last + 1))};
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

// sha256sum's format, for `curl ... | sha256sum -c`: always the whole
// listing, since a name shared by two files is written by its full path.
http::Response sha256sum_listing(const std::vector<FileEntry>& entries) {
  std::string text;
  std::set<std::string> shared = shared_names(entries);
  for (const auto& e : entries) {
    if (e.digest.algorithm() != DigestAlgorithm::kSha256) continue;
    bool full = shared.count(e.name) > 0;
    text += sha256sum_line(e.digest.hex(), full ? e.path().substr(kPrefix.size()) : e.name);
  }
  return http::Response::text(200, text, "text/plain; charset=utf-8");
}

http::Response json_listing(const std::vector<FileEntry>& entries) {
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
  return http::Response::json(200, json_text(json{{"files", files}}));
}

// Artifacts the caller may pull, of one repository when ?repository= says.
// Others are never looked at further, so nothing tells they exist.
KeepArtifact visible(const http::Request& req, const Checks& checks) {
  return [repository = req.query("repository"), &checks](const TaggedManifest& t) {
    if (repository && t.repository != *repository) return false;
    return !checks.may_pull || checks.may_pull(t.repository);
  };
}

// One page of the JSON listing: up to page.n + 1 files after page.last
// (a path as listed, without /files/). Artifacts before it are skipped
// without reading their manifests, so a page costs about its own size.
std::vector<FileEntry> page_of_files(Store& store, const KeepArtifact& keep, const Page& page) {
  std::optional<FilePath> last;
  if (!page.last.empty()) {
    last = split_file_path(page.last);
    if (!last) {
      throw Error(ErrorCode::kInvalid,
                  "last must be a file's path as listed (REPO/TAG/NAME), not '" +
                      page.last.substr(0, 300) + "'");
    }
  }
  auto after_last = [&](const TaggedManifest& t) {
    return !last || std::tie(t.repository, t.tag) >= std::tie(last->repository, last->tag);
  };
  std::vector<FileEntry> out;
  bool passed = !last;
  if (page.n == 0) return out;
  each_file(
      store, [&](const TaggedManifest& t) { return after_last(t) && keep(t); },
      [&](const FileEntry& f) {
        if (!passed && f.repository == last->repository && f.tag == last->tag) {
          passed = f.name == last->name;  // files up to `last` were on earlier pages
          return true;
        }
        passed = true;
        out.push_back(f);
        return static_cast<int64_t>(out.size()) <= page.n;
      });
  return out;
}

ExchangePtr list_files(Store& store, const http::Request& req, const Checks& checks,
                       const LoginPrompt& ask_login) {
  if (wants_text(req)) {
    std::vector<FileEntry> all = file_entries(store, visible(req, checks));
    // Nothing an anonymous caller may pull: ask them to log in, whatever exists.
    if (all.empty() && ask_login) ask_login();
    return answer(sha256sum_listing(all));
  }
  Page page = page_of(req);
  std::vector<FileEntry> files = page_of_files(store, visible(req, checks), page);
  if (files.empty() && page.last.empty() && ask_login) ask_login();
  bool more = static_cast<int64_t>(files.size()) > page.n;
  if (more) files.pop_back();  // page_of_files gives at most n + 1
  http::Response r = json_listing(files);
  if (more) {
    std::string next = "/files/?n=" + std::to_string(page.n) +
                       "&last=" + http::percent_encode(files.back().path().substr(kPrefix.size()));
    if (auto repository = req.query("repository")) {
      next += "&repository=" + http::percent_encode(*repository);
    }
    r.header("Link", "<" + next + ">; rel=\"next\"");
  }
  return answer(std::move(r));
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
  std::vector<FileEntry> files = file_entries(store, visible(req, checks));
  const FileEntry& e = by_name(files, name, req.path(), ask_login);
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

  if (rest.find('/') == std::string_view::npos) {
    return by_short_name(store, req, rest, checks, ask_login);
  }
  // /files/REPO/TAG/NAME, REPO itself holding '/'.
  std::optional<FilePath> path = split_file_path(rest);
  if (!path) {
    if (ask_login) ask_login();  // no repository to ask about: as for a missing one
    no_such_file(req.path());
  }
  // As for a pull of the repository: refused before anything is looked up.
  if (checks.require_pull) checks.require_pull(path->repository);
  auto that_tag = [&](const TaggedManifest& t) {
    return t.repository == path->repository && t.tag == path->tag;
  };
  for (const auto& e : file_entries(store, that_tag)) {
    if (e.name == path->name) return answer(blob_response(store, req, e.repository, e.digest));
  }
  no_such_file(req.path());
}

}  // namespace ferry::api
