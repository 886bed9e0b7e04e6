#include "signing/text_format.h"

#include <sodium.h>

namespace ferry::signing {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

std::string to_base64(const unsigned char* data, size_t size) {
  std::string out(sodium_base64_encoded_len(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

bool from_base64(std::string_view text, unsigned char* out, size_t size) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  size_t decoded = 0;
  return sodium_base642bin(out, size, text.data(), text.size(), nullptr, &decoded, nullptr,
                           sodium_base64_VARIANT_ORIGINAL) == 0 &&
         decoded == size;
}

namespace {

int sodium_variant(Base64 variant) {
  return variant == Base64::kStandard ? sodium_base64_VARIANT_ORIGINAL
                                      : sodium_base64_VARIANT_URLSAFE_NO_PADDING;
}

}  // namespace

std::string encode_base64(std::string_view bytes, Base64 variant) {
  int v = sodium_variant(variant);
  std::string out(sodium_base64_encoded_len(bytes.size(), v), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), v);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> decode_base64(std::string_view text, Base64 variant) {
  std::string out(text.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, nullptr, sodium_variant(variant)) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

}  // namespace ferry::signing
