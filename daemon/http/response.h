// What a handler answers: a status, headers and one kind of body. The server
// turns it into a libmicrohttpd response; file bodies go out with sendfile.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/unique_fd.h"

namespace ferry::http {

struct Response {
  enum class Body {
    kEmpty,       // Content-Length: 0
    kBytes,       // `bytes`
    kFile,        // `length` bytes of `fd` from `offset`
    kLengthOnly,  // HEAD: Content-Length `length`, no body, no file opened
  };

  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  Body body = Body::kEmpty;
  std::string bytes;
  UniqueFd fd;
  uint64_t offset = 0;
  uint64_t length = 0;

  static Response empty(unsigned status);
  static Response json(unsigned status, std::string body);
  static Response text(unsigned status, std::string body, std::string content_type);
  static Response file(unsigned status, UniqueFd fd, uint64_t offset, uint64_t length);
  static Response length_only(unsigned status, uint64_t length);

  Response& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  // Bytes the body will carry (for the access log).
  uint64_t body_size() const;
};

}  // namespace ferry::http
