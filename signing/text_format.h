// The line-and-base64 framing shared by minisign's key and signature files.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::signing {

inline constexpr std::string_view kUntrustedPrefix = "untrusted comment: ";
inline constexpr std::string_view kTrustedPrefix = "trusted comment: ";

// Splits into lines, dropping '\r' and a trailing empty line.
std::vector<std::string_view> split_lines(std::string_view text);
std::string to_base64(const unsigned char* data, size_t size);
// Decodes standard base64 that must be exactly `size` bytes; false otherwise.
bool from_base64(std::string_view text, unsigned char* out, size_t size);

// Base64 of text of any length, for HTTP credentials and bearer tokens.
enum class Base64 { kStandard, kUrlNoPadding };
std::string encode_base64(std::string_view bytes, Base64 variant = Base64::kStandard);
std::optional<std::string> decode_base64(std::string_view text, Base64 variant = Base64::kStandard);

}  // namespace ferry::signing
