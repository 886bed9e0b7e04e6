// application/x-www-form-urlencoded bodies (the OAuth2 token request that
// containerd sends): name=value pairs joined by '&', with '+' for a space
// and %XX escapes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry::http {

using FormFields = std::vector<std::pair<std::string, std::string>>;

// The fields in order, repeats kept; nullopt for a malformed %XX escape.
std::optional<FormFields> parse_form(std::string_view body);

// The value of one hex digit of a %XX escape (0-15), or -1 for another character.
int hex_value(char c);

// `text` as a query value: every byte but ALPHA / DIGIT / "-._~/" as %XX
// (RFC 3986, 2.1), so a name with '&', '#', '>' or a space fits in a URL.
std::string percent_encode(std::string_view text);

// The first value of `name`, if any.
std::optional<std::string> form_value(const FormFields& fields, std::string_view name);

}  // namespace ferry::http
