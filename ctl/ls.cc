// ferryctl ls [NAMESPACE|REPO] [--json]: what the registry holds, for
// people: namespaces; the repositories at or under a name; a repository's
// tags with digest, size and last change. On the data dir (core/browse.h)
// or through a registry's browsing endpoints (/ferry/v1/catalog,
// /repositories; docs/console.md), with the same JSON either way.
#include <cstdio>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "core/browse.h"
#include "core/json_strict.h"
#include "core/names.h"
#include "core/printable.h"
#include "core/units.h"
#include "ctl/commands.h"
#include "runtime/data_dir.h"
#include "runtime/exit_codes.h"
#include "runtime/fail.h"

namespace ferry::ctl {
namespace {

using nlohmann::json;

struct Options {
  std::string name;  // empty: namespaces
  bool json = false;
};

constexpr int64_t kPage = 1000;

// Where the listing comes from: the data dir's store or a registry.
struct Source {
  std::function<json()> catalog;
  // Tags of a repository, all pages; nullopt when there is no such repository.
  std::function<std::optional<json>(const std::string&)> tags;
  std::function<json(const std::string&)> repositories;  // at or under a name
};

bool is_unknown(const Error& e) {
  return e.code_in<ErrorCode>() == ErrorCode::kNameUnknown ||
         e.code_in<access::AccessErrorKind>() == access::AccessErrorKind::kUnknown;
}

Source local_source(Store& store) {
  Source s;
  s.catalog = [&store] {
    json out = json::array();
    for (const auto& n : Browse(store).catalog({})) out.push_back(to_json(n));
    return out;
  };
  s.tags = [&store](const std::string& name) -> std::optional<json> {
    json out = json::array();
    for (std::string after;;) {
      BrowsePage<TagSummary> page;
      try {
        page = Browse(store).tags(name, after, kPage);
      } catch (const Error& e) {
        if (is_unknown(e)) return std::nullopt;
        throw;
      }
      for (const auto& t : page.items) out.push_back(to_json(t));
      if (!page.more) return out;
      after = page.items.back().name;
    }
  };
  s.repositories = [&store](const std::string& name) {
    json out = json::array();
    RepositoryQuery q{name, "", "", kPage};
    for (;;) {
      auto page = Browse(store).repositories(q, {});
      for (const auto& r : page.items) out.push_back(to_json(r));
      if (!page.more) return out;
      q.after = page.items.back().name;
    }
  };
  return s;
}

// Every page of `path` (with a query), the array under `key`.
json all_pages(RemoteAdmin& remote, const std::string& path, const char* key) {
  json out = json::array();
  std::string last;
  for (;;) {
    json page = remote.get(path + "n=" + std::to_string(kPage) + "&last=" + last);
    const json& items = page.at(key);
    for (const auto& item : items) out.push_back(item);
    if (static_cast<int64_t>(items.size()) < kPage) return out;
    last = items.back().at("name").get<std::string>();
  }
}

Source remote_source(RemoteAdmin& remote) {
  Source s;
  s.catalog = [&remote] { return remote.get("catalog").at("namespaces"); };
  s.tags = [&remote](const std::string& name) -> std::optional<json> {
    try {
      return all_pages(remote, "repositories/" + name + "/tags?", "tags");
    } catch (const Error& e) {
      if (is_unknown(e)) return std::nullopt;
      throw;
    }
  };
  s.repositories = [&remote](const std::string& name) {
    return all_pages(remote, "repositories?namespace=" + name + "&", "repositories");
  };
  return s;
}

std::string when(const json& t) {
  return t.is_number_integer() && t.get<int64_t>() > 0 ? format_utc(t.get<int64_t>()) : "-";
}

std::string text(const json& v) {
  return v.is_string() ? printable(v.get<std::string>()) : "-";
}

void print_rows(const json& doc) {
  if (doc.contains("namespaces")) {
    for (const auto& n : doc["namespaces"]) {
      std::printf("%s\t%llu repositories\t%llu tags\t%s\t%s\n", text(n["name"]).c_str(),
                  n["repositories"].get<unsigned long long>(), n["tags"].get<unsigned long long>(),
                  format_size(n["bytes"].get<uint64_t>()).c_str(), when(n["updatedAt"]).c_str());
    }
  } else if (doc.contains("repositories")) {
    for (const auto& r : doc["repositories"]) {
      std::printf("%s\t%llu tags\t%s\t%s\n", text(r["name"]).c_str(),
                  r["tags"].get<unsigned long long>(),
                  format_size(r["bytes"].get<uint64_t>()).c_str(), when(r["updatedAt"]).c_str());
    }
  } else {
    for (const auto& t : doc["tags"]) {
      std::string platforms;
      for (const auto& p : t["platforms"]) platforms += (platforms.empty() ? "" : ",") + text(p);
      std::printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", text(t["name"]).c_str(),
                  text(t["digest"]).c_str(), text(t["kind"]).c_str(),
                  platforms.empty() ? "-" : platforms.c_str(),
                  format_size(t["bytes"].get<uint64_t>()).c_str(), when(t["updatedAt"]).c_str(),
                  text(t["updatedBy"]).c_str());
    }
  }
}

// The listing for `name`: a repository's tags when it is one, else the
// repositories at or under it.
json listing(const Source& source, const std::string& name) {
  if (name.empty()) return {{"namespaces", source.catalog()}};
  if (auto tags = source.tags(name)) return {{"name", name}, {"tags", *tags}};
  json repositories = source.repositories(name);
  if (repositories.empty()) {
    throw Error(access::AccessErrorKind::kUnknown,
                "no repository at or under '" + name + "' (that you may pull)");
  }
  return {{"repositories", repositories}};
}

int run_ls(const Options& o, const Where& where) {
  if (!o.name.empty()) {
    try {
      check_repository_name(o.name);
    } catch (const Error& e) {
      return fail(kUsage, e.what());
    }
  }
  json doc;
  if (where.remote) {
    RemoteAdmin remote(*where.remote);
    doc = listing(remote_source(remote), o.name);
  } else {
    if (!act_as_data_dir_owner(where.config.data_dir)) return kStorage;
    std::string error;
    auto store = open_store_beside_server(where.config, &error);
    if (!store) return fail(kStorage, error);
    doc = listing(local_source(*store), o.name);
  }
  if (o.json) {
    std::printf("%s\n", json_text(doc, 2).c_str());
  } else {
    print_rows(doc);
  }
  return kOk;
}

}  // namespace

void add_ls_command(CLI::App& app, Commands& commands) {
  auto o = std::make_shared<Options>();
  auto* ls = app.add_subcommand(
      "ls", "List namespaces; the repositories at or under NAME; or repository NAME's tags");
  ls->add_option("name", o->name, "A namespace or repository (none: every namespace)");
  ls->add_flag("--json", o->json, "Machine-readable output (as the /ferry/v1/ endpoints answer)");
  commands.on(ls, [o](const Where& where) {
    try {
      return run_ls(*o, where);
    } catch (const Error& e) {
      auto code = exit_code_of(e);
      if (!code) throw;
      return fail(*code, e.what());
    }
  });
}

}  // namespace ferry::ctl
