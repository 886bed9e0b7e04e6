#include "daemon/http/response.h"

namespace ferry::http {

Response Response::empty(unsigned status) {
  Response r;
  r.status = status;
  return r;
}

Response Response::json(unsigned status, std::string body) {
  return text(status, std::move(body), "application/json");
}

Response Response::text(unsigned status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.body = Body::kBytes;
  r.bytes = std::move(body);
  r.header("Content-Type", std::move(content_type));
  return r;
}

Response Response::file(unsigned status, UniqueFd fd, uint64_t offset, uint64_t length) {
  Response r;
  r.status = status;
  r.body = Body::kFile;
  r.fd = std::move(fd);
  r.offset = offset;
  r.length = length;
  return r;
}

Response Response::length_only(unsigned status, uint64_t length) {
  Response r;
  r.status = status;
  r.body = Body::kLengthOnly;
  r.length = length;
  return r;
}

uint64_t Response::body_size() const {
  switch (body) {
    case Body::kEmpty: return 0;
    case Body::kBytes: return bytes.size();
    case Body::kFile: return length;
    case Body::kLengthOnly: return 0;
  }
  return 0;
}

}  // namespace ferry::http
