// RAII for libcurl: easy handles and header lists, and the one global
// initialisation. Shared by ferry's registry client and ferryctl --registry.
#pragma once

#include <curl/curl.h>

#include <memory>

namespace ferry::client {

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlHandle = std::unique_ptr<CURL, CurlFree>;
using CurlHeaders = std::unique_ptr<curl_slist, SlistFree>;

// curl_global_init, once per process; false when it failed.
inline bool curl_ready() {
  static const bool ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ready;
}

}  // namespace ferry::client
