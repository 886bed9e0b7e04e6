// The --registry value: which running ferryd ferryctl works through.
#pragma once

#include <string>

namespace ferry::ctl {

// Checks and normalises a --registry URL in place: the scheme lower-cased
// (RFC 3986, 3.1), a trailing '/' dropped. It must be http:// or https://
// with a host, an optional port (1-65535), and nothing after: no path, query
// or fragment, since ferryctl adds the API's own paths. Returns "" when it
// is usable, else the one-line refusal saying what to write instead.
std::string registry_url_problem(std::string& url);

}  // namespace ferry::ctl
