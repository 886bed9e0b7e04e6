#include "daemon/http/request.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <strings.h>

#include <charconv>
#include <cstring>

namespace ferry::http {

std::string client_address(MHD_Connection* connection) {
  auto* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (!info || !info->client_addr) return "-";
  char buf[INET6_ADDRSTRLEN] = "-";
  const sockaddr* sa = info->client_addr;
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
  } else if (sa->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

std::string Request::client_address() const {
  return http::client_address(connection_);
}

std::optional<std::string> Request::header(const char* name) const {
  const char* v = MHD_lookup_connection_value(connection_, MHD_HEADER_KIND, name);
  if (!v) return std::nullopt;
  return std::string(v);
}

namespace {

// Every value named `name` of one kind; header names compare without case.
std::vector<std::string> values_of(MHD_Connection* connection, MHD_ValueKind kind,
                                   const char* name) {
  struct Collect {
    const char* name;
    bool any_case;
    std::vector<std::string> values;
  } collect{name, kind == MHD_HEADER_KIND, {}};
  MHD_get_connection_values(
      connection, kind,
      [](void* cls, MHD_ValueKind, const char* key, const char* value) -> MHD_Result {
        auto* c = static_cast<Collect*>(cls);
        if (key && value && (c->any_case ? strcasecmp(key, c->name) : strcmp(key, c->name)) == 0) {
          c->values.emplace_back(value);
        }
        return MHD_YES;
      },
      &collect);
  return collect.values;
}

}  // namespace

std::vector<std::string> Request::header_values(const char* name) const {
  return values_of(connection_, MHD_HEADER_KIND, name);
}

std::vector<std::string> Request::query_values(const char* name) const {
  return values_of(connection_, MHD_GET_ARGUMENT_KIND, name);
}

std::optional<std::string> Request::query(const char* name) const {
  const char* v = MHD_lookup_connection_value(connection_, MHD_GET_ARGUMENT_KIND, name);
  if (!v) return std::nullopt;
  return std::string(v);
}

bool Request::has_query(const char* name) const {
  return MHD_lookup_connection_value_n(connection_, MHD_GET_ARGUMENT_KIND, name, strlen(name),
                                       nullptr, nullptr) == MHD_YES;
}

bool Request::has_nul() const {
  return connection_ && MHD_lookup_connection_value(connection_, MHD_FOOTER_KIND, kNulMarker);
}

std::optional<uint64_t> Request::content_length() const {
  auto v = header("Content-Length");
  if (!v) return std::nullopt;
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || end != v->data() + v->size()) return std::nullopt;
  return n;
}

}  // namespace ferry::http
