#include "ctl/registry_url.h"

#include <curl/curl.h>

#include <cctype>
#include <memory>

namespace ferry::ctl {
namespace {

struct FreeUrl {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct FreeText {
  void operator()(char* p) const { curl_free(p); }
};

// One part of a parsed URL, "" when it has none.
std::string part(CURLU* url, CURLUPart which) {
  char* raw = nullptr;
  if (curl_url_get(url, which, &raw, 0) != CURLUE_OK || !raw) return "";
  std::unique_ptr<char, FreeText> text(raw);
  return text.get();
}

// What follows "scheme://" (or the whole value), cut at its path: the
// HOST:PORT a refusal suggests.
std::string host_port_of(const std::string& url) {
  std::string rest = url;
  if (auto scheme = url.find("://"); scheme != std::string::npos) {
    rest = url.substr(scheme + 3);
  } else if (auto colon = url.find(':'); colon != std::string::npos &&
                                         (url.starts_with("http:") || url.starts_with("https:"))) {
    rest = url.substr(colon + 1);  // "http:host:5000", the slashes forgotten
  }
  rest = rest.substr(0, rest.find_first_of("/?#"));  // file:///x names no host
  return rest.empty() ? "HOST:PORT" : rest.substr(0, 200);
}

}  // namespace

std::string registry_url_problem(std::string& url) {
  std::string shown = "--registry '" + url.substr(0, 200) + "'";
  auto scheme = url.find("://");
  if (scheme != std::string::npos) {
    for (size_t i = 0; i < scheme; ++i) url[i] = static_cast<char>(std::tolower(url[i]));
  }
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    std::string rest = host_port_of(url);
    return shown + " must start with http:// or https://; write http://" + rest +
           " (plain HTTP) or https://" + rest + " (TLS)";
  }
  std::string head = url.substr(0, scheme + 3);
  std::unique_ptr<CURLU, FreeUrl> parsed(curl_url());
  if (!parsed) return shown + ": out of memory";
  if (CURLUcode rc = curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0); rc != CURLUE_OK) {
    if (url.size() == head.size()) return shown + " names no host; write " + head + "HOST:PORT";
    return shown + " is not a usable URL (" + curl_url_strerror(rc) + "); write " + head +
           "HOST:PORT, e.g. " + head + "127.0.0.1:5000";
  }
  std::string path = part(parsed.get(), CURLUPART_PATH);
  bool extra = (!path.empty() && path != "/") || !part(parsed.get(), CURLUPART_QUERY).empty() ||
               !part(parsed.get(), CURLUPART_FRAGMENT).empty();
  std::string port = part(parsed.get(), CURLUPART_PORT);
  std::string base = head + part(parsed.get(), CURLUPART_HOST) + (port.empty() ? "" : ":" + port);
  if (extra) {
    return shown + " has a path, query or fragment; ferryctl adds the API's paths itself: write " +
           base;
  }
  if (!url.ends_with('/')) return "";
  url.pop_back();  // "http://box:5000/" names the same registry
  return "";
}

}  // namespace ferry::ctl
