// What a SOURCE text names, on the command line or in a -f LIST.
#include <stdexcept>

#include "base/error.h"
#include "bundle/error.h"
#include "bundler/source.h"
#include "core/file_util.h"
#include "core/names.h"

namespace ferry::cli {
namespace {

constexpr const char* kForms =
    "sources are REF (e.g. nginx:1.25, quay.io/org/app:v1), docker://REF, oci:DIR[:TAG], "
    "docker-archive:FILE[:REF], chart:FILE.tgz or file:PATH, each optionally =REPO:TAG";

// Transports the containers tools know and pack does not read.
constexpr std::string_view kOtherTransports[] = {
    "dir:", "oci-archive:", "docker-daemon:", "containers-storage:", "ostree:", "sif:", "tarball:"};

std::string_view trim(std::string_view s) {
  auto start = s.find_first_not_of(" \t\r");
  if (start == std::string_view::npos) return "";
  return s.substr(start, s.find_last_not_of(" \t\r") - start + 1);
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// oci:DIR[:TAG] and docker-archive:FILE[:REF] split at the first ':', as
// the containers tools do (so a TAG may itself hold ':' and '/').
void split_path_and_tag(std::string_view rest, SourceSpec& spec) {
  auto colon = rest.find(':');
  spec.location = std::string(rest.substr(0, colon));
  if (colon != std::string_view::npos) spec.tag = std::string(rest.substr(colon + 1));
}

}  // namespace

SourceSpec parse_source(std::string_view text) {
  SourceSpec spec;
  spec.text = std::string(trim(text));
  std::string_view source = spec.text;
  if (auto eq = source.rfind('='); eq != std::string_view::npos) {
    spec.destination = std::string(trim(source.substr(eq + 1)));
    source = trim(source.substr(0, eq));
    if (spec.destination->empty()) {
      throw std::invalid_argument("'" + spec.text + "' has nothing after '='; name it =REPO:TAG");
    }
  }
  if (starts_with(source, "docker://")) {
    spec.transport = "docker";
    spec.reference = parse_reference(source.substr(9));
    spec.location = spec.reference.name();
    return spec;
  }
  if (starts_with(source, "docker-archive:") || starts_with(source, "oci:")) {
    bool archive = starts_with(source, "docker-archive:");
    spec.transport = archive ? "docker-archive" : "oci";
    split_path_and_tag(source.substr(archive ? 15 : 4), spec);
    if (spec.location.empty()) {
      throw std::invalid_argument(archive ? "docker-archive: needs a file"
                                          : "oci: needs a directory, e.g. oci:./layout:v1");
    }
    return spec;
  }
  if (starts_with(source, "chart:") || starts_with(source, "file:")) {
    spec.transport = starts_with(source, "chart:") ? "chart" : "file";
    spec.location = std::string(source.substr(spec.transport.size() + 1));
    if (spec.location.empty()) {
      throw std::invalid_argument(spec.transport == "chart"
                                      ? "chart: needs a packaged chart, e.g. chart:./app-1.0.0.tgz"
                                      : "file: needs a file or folder, e.g. file:./setup.sh");
    }
    // file:PATH=NAME is files/NAME:latest; =REPO:TAG names it whole.
    if (spec.transport == "file" && spec.destination &&
        spec.destination->find(':') == std::string::npos) {
      spec.destination = "files/" + *spec.destination + ":latest";
    }
    return spec;
  }
  for (auto other : kOtherTransports) {
    if (starts_with(source, other)) {
      throw std::invalid_argument("'" + spec.text + "': the " + std::string(other) +
                                  " transport is not supported; " + kForms);
    }
  }
  spec.transport = "docker";
  try {
    spec.reference = parse_reference(source);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string(e.what()) + "; " + kForms);
  }
  spec.location = spec.reference.name();
  return spec;
}

std::vector<SourceSpec> read_source_list(const std::string& file) {
  std::string text = read_small_file(file, 16 << 20);
  std::vector<SourceSpec> out;
  size_t start = 0;
  for (size_t line = 1; start <= text.size(); ++line) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view entry = trim(std::string_view(text).substr(start, end - start));
    start = end + 1;
    if (entry.empty() || entry.front() == '#') continue;
    std::string origin = file + ":" + std::to_string(line);
    with_origin(origin, [&] {
      out.push_back(parse_source(entry));
      out.back().origin = origin;
    });
  }
  return out;
}

void with_origin(const std::string& origin, const std::function<void()>& fn) {
  if (origin.empty()) return fn();
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(origin + ": " + e.what());
  } catch (const Error& e) {
    throw e.with_message(origin + ": " + e.what());
  }
}

std::string checked_destination(const std::string& name, const std::string& source) {
  auto colon = name.rfind(':');
  if (colon == std::string::npos || !is_valid_repository_name(name.substr(0, colon)) ||
      !is_valid_tag(name.substr(colon + 1))) {
    throw std::invalid_argument("destination '" + name + "' for " + source +
                                " is not REPO:TAG (lower-case repository); name it with " + source +
                                "=REPO:TAG");
  }
  return name;
}

}  // namespace ferry::cli
