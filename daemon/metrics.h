// /metrics in the Prometheus text format. Requests are counted on their own
// threads with relaxed atomics in fixed tables (no locks, no allocation);
// what the store holds is read from SQLite when the page is scraped, so
// counts made by ferryctl and `ferryd import` show up too.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/gc.h"
#include "core/scrub.h"
#include "core/store.h"

namespace ferry {

class MetricsPage;

class Metrics {
 public:
  static constexpr std::array<std::string_view, 7> kMethods = {"GET",   "HEAD",   "PUT",  "POST",
                                                               "PATCH", "DELETE", "other"};
  static constexpr std::array<std::string_view, 10> kRoutes = {
      "base",   "catalog",   "tags",  "manifest", "blob",
      "upload", "referrers", "ferry", "metrics",  "other"};
  static constexpr std::array<unsigned, 16> kCodes = {200, 201, 202, 204, 206, 400, 401, 403,
                                                      404, 405, 413, 416, 429, 500, 507, 0};
  static constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,   0.25,   0.5,   1,    2.5,   10};

  // One finished request; `route` is one of kRoutes as the router named it
  // (http::RouteInfo), anything else counts as "other".
  void request(std::string_view method, std::string_view route, unsigned status, uint64_t bytes_in,
               uint64_t bytes_out, std::chrono::microseconds took);
  void gc_run(const GcReport& report);
  void gc_skipped(bool failed);  // postponed by an import, or failed
  void scrub_run(const ScrubReport& report);

  // What the HTTP server says about itself, asked for when the page is
  // scraped. Set once, before the server starts.
  struct ServerGauges {
    uint64_t slow_connections_cut = 0;  // connections cut by the slow-client watch
    uint64_t body_memory_used = 0;      // bytes of request bodies held now
    uint64_t body_memory_capacity = 0;  // http.body_memory
  };
  void watch_server(std::function<ServerGauges()> probe) { server_probe_ = std::move(probe); }

  // The whole page; `store` supplies the gauges.
  std::string render(Store& store) const;

 private:
  void render_http(MetricsPage& page) const;    // requests, latency, bytes
  void render_jobs(MetricsPage& page) const;    // scheduled GC and scrub
  void render_server(MetricsPage& page) const;  // slow clients, body memory

  using Counter = std::atomic<uint64_t>;
  struct Histogram {
    std::array<Counter, kBuckets.size()> buckets{};
    Counter count{0}, sum_micros{0};
  };

  std::array<Counter, kMethods.size() * kRoutes.size() * kCodes.size()> requests_{};
  std::array<Histogram, kRoutes.size()> latency_{};
  Counter bytes_in_{0}, bytes_out_{0};
  Counter gc_ok_{0}, gc_postponed_{0}, gc_failed_{0}, gc_manifests_{0}, gc_blobs_{0}, gc_bytes_{0},
      gc_last_{0};
  std::function<ServerGauges()> server_probe_;
  Counter scrubs_{0}, scrub_bytes_{0}, scrub_damaged_{0}, scrub_last_{0};
};

}  // namespace ferry
