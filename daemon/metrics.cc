#include "daemon/metrics.h"

#include <cstdio>
#include <ctime>

#include "core/import_records.h"
#include "runtime/log.h"

namespace ferry {
namespace {

template <typename Array, typename T>
size_t index_of(const Array& values, const T& value) {
  for (size_t i = 0; i + 1 < values.size(); ++i) {
    if (values[i] == value) return i;
  }
  return values.size() - 1;  // the last entry is "other"
}

uint64_t now_unix() {
  return static_cast<uint64_t>(std::time(nullptr));
}

std::string label(std::string_view key, std::string_view value) {
  return std::string(key) + "=\"" + std::string(value) + "\"";
}

}  // namespace

// Appends one metric family: "# HELP", "# TYPE", then its samples.
class MetricsPage {
 public:
  void family(const char* name, const char* type, const char* help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  void sample(std::string_view name, std::string_view labels, double value) {
    char number[32];
    std::snprintf(number, sizeof number, "%.10g", value);
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      out_ += labels;
      out_ += '}';
    }
    out_ += ' ';
    out_ += number;
    out_ += '\n';
  }
  void gauge(const char* name, const char* help, double value) {
    family(name, "gauge", help);
    sample(name, "", value);
  }
  void counter(const char* name, const char* help, double value) {
    family(name, "counter", help);
    sample(name, "", value);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

void Metrics::request(std::string_view method, std::string_view route_label, unsigned status,
                      uint64_t bytes_in, uint64_t bytes_out, std::chrono::microseconds took) {
  size_t route = index_of(kRoutes, route_label);
  size_t cell = (index_of(kMethods, method) * kRoutes.size() + route) * kCodes.size() +
                index_of(kCodes, status);
  requests_[cell].fetch_add(1, std::memory_order_relaxed);
  bytes_in_.fetch_add(bytes_in, std::memory_order_relaxed);
  bytes_out_.fetch_add(bytes_out, std::memory_order_relaxed);
  Histogram& h = latency_[route];
  double seconds = static_cast<double>(took.count()) / 1e6;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      h.buckets[i].fetch_add(1, std::memory_order_relaxed);
      break;  // cumulated when rendered
    }
  }
  h.count.fetch_add(1, std::memory_order_relaxed);
  h.sum_micros.fetch_add(static_cast<uint64_t>(took.count()), std::memory_order_relaxed);
}

void Metrics::gc_run(const GcReport& r) {
  gc_ok_.fetch_add(1, std::memory_order_relaxed);
  gc_manifests_.fetch_add(r.manifests.size(), std::memory_order_relaxed);
  gc_blobs_.fetch_add(r.blobs.size() + r.orphan_files, std::memory_order_relaxed);
  gc_bytes_.fetch_add(r.bytes_freed, std::memory_order_relaxed);
  gc_last_.store(now_unix(), std::memory_order_relaxed);
}

void Metrics::gc_skipped(bool failed) {
  (failed ? gc_failed_ : gc_postponed_).fetch_add(1, std::memory_order_relaxed);
}

void Metrics::scrub_run(const ScrubReport& r) {
  scrubs_.fetch_add(1, std::memory_order_relaxed);
  scrub_bytes_.fetch_add(r.bytes, std::memory_order_relaxed);
  scrub_damaged_.fetch_add(r.damaged.size(), std::memory_order_relaxed);
  scrub_last_.store(now_unix(), std::memory_order_relaxed);
}

void Metrics::render_server(MetricsPage& p) const {
  if (!server_probe_) return;
  ServerGauges g = server_probe_();
  p.counter("ferry_http_slow_connections_cut_total",
            "Connections cut for headers past http.header_timeout or transfers below "
            "http.min_rate.",
            static_cast<double>(g.slow_connections_cut));
  p.gauge("ferry_http_body_memory_bytes",
          "Request bodies held in memory now (manifests, admin and token bodies).",
          static_cast<double>(g.body_memory_used));
  p.gauge("ferry_http_body_memory_limit_bytes", "The most they may hold (http.body_memory).",
          static_cast<double>(g.body_memory_capacity));
}

void Metrics::render_http(MetricsPage& p) const {
  p.family("ferry_http_requests_total", "counter", "HTTP requests by method, route and status.");
  for (size_t m = 0; m < kMethods.size(); ++m) {
    for (size_t r = 0; r < kRoutes.size(); ++r) {
      for (size_t c = 0; c < kCodes.size(); ++c) {
        uint64_t n = requests_[(m * kRoutes.size() + r) * kCodes.size() + c].load();
        if (n == 0) continue;
        std::string code = kCodes[c] ? std::to_string(kCodes[c]) : "other";
        p.sample("ferry_http_requests_total",
                 label("method", kMethods[m]) + "," + label("route", kRoutes[r]) + "," +
                     label("code", code),
                 static_cast<double>(n));
      }
    }
  }
  p.family("ferry_http_request_duration_seconds", "histogram",
           "Time from request start to the last byte sent, by route.");
  for (size_t r = 0; r < kRoutes.size(); ++r) {
    const Histogram& h = latency_[r];
    uint64_t count = h.count.load();
    if (count == 0) continue;
    std::string route = label("route", kRoutes[r]);
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.buckets[i].load();
      char le[32];
      std::snprintf(le, sizeof le, "%g", kBuckets[i]);
      p.sample("ferry_http_request_duration_seconds_bucket", route + "," + label("le", le),
               static_cast<double>(cumulative));
    }
    p.sample("ferry_http_request_duration_seconds_bucket", route + ",le=\"+Inf\"",
             static_cast<double>(count));
    p.sample("ferry_http_request_duration_seconds_sum", route,
             static_cast<double>(h.sum_micros.load()) / 1e6);
    p.sample("ferry_http_request_duration_seconds_count", route, static_cast<double>(count));
  }
  p.counter("ferry_http_received_bytes_total", "Request body bytes received.",
            static_cast<double>(bytes_in_.load()));
  p.counter("ferry_http_sent_bytes_total", "Response body bytes sent.",
            static_cast<double>(bytes_out_.load()));
}

namespace {

// What the store holds and the space left.
void render_store(MetricsPage& p, Store& store) {
  StoreStats s = store.stats();
  p.gauge("ferry_repositories", "Repositories.", static_cast<double>(s.repositories));
  p.gauge("ferry_tags", "Tags.", static_cast<double>(s.tags));
  p.gauge("ferry_manifests", "Manifests (per repository).", static_cast<double>(s.manifests));
  p.gauge("ferry_blobs", "Stored content files (blobs and manifests).",
          static_cast<double>(s.blobs));
  p.gauge("ferry_blob_bytes", "Bytes of stored content.", static_cast<double>(s.blob_bytes));
  p.gauge("ferry_uploads_in_progress", "Open upload sessions.", static_cast<double>(s.uploads));
  p.gauge("ferry_upload_bytes_held",
          "Bytes open upload sessions and writes in flight hold (counted toward quotas).",
          static_cast<double>(store.upload_ledger().held_total()));
  p.gauge("ferry_damaged_blobs", "Content scrub found damaged and no push has repaired yet.",
          static_cast<double>(s.damaged));

  uint64_t free = store.free_bytes(), floor = store.options().min_free;
  p.gauge("ferry_free_bytes", "Free space on the data disk.", static_cast<double>(free));
  p.gauge("ferry_min_free_bytes", "The free-space floor (storage.min_free).",
          static_cast<double>(floor));
  p.gauge("ferry_low_space", "1 while pushes and imports are refused for lack of space.",
          free < floor ? 1 : 0);
}

}  // namespace

void Metrics::render_jobs(MetricsPage& p) const {
  p.family("ferry_gc_runs_total", "counter", "Scheduled garbage collections by result.");
  p.sample("ferry_gc_runs_total", "result=\"ok\"", static_cast<double>(gc_ok_.load()));
  p.sample("ferry_gc_runs_total", "result=\"postponed\"",
           static_cast<double>(gc_postponed_.load()));
  p.sample("ferry_gc_runs_total", "result=\"failed\"", static_cast<double>(gc_failed_.load()));
  p.counter("ferry_gc_removed_manifests_total", "Manifests removed by scheduled GC.",
            static_cast<double>(gc_manifests_.load()));
  p.counter("ferry_gc_removed_blobs_total", "Content files removed by scheduled GC.",
            static_cast<double>(gc_blobs_.load()));
  p.counter("ferry_gc_freed_bytes_total", "Bytes freed by scheduled GC.",
            static_cast<double>(gc_bytes_.load()));
  p.gauge("ferry_gc_last_run_timestamp_seconds", "When scheduled GC last finished (0: never).",
          static_cast<double>(gc_last_.load()));
  p.counter("ferry_scrub_runs_total", "Background scrubs finished.",
            static_cast<double>(scrubs_.load()));
  p.counter("ferry_scrub_checked_bytes_total", "Bytes re-hashed by background scrubs.",
            static_cast<double>(scrub_bytes_.load()));
  p.counter("ferry_scrub_damaged_found_total", "Damaged content found by background scrubs.",
            static_cast<double>(scrub_damaged_.load()));
  p.gauge("ferry_scrub_last_run_timestamp_seconds", "When a background scrub last finished.",
          static_cast<double>(scrub_last_.load()));
}

std::string Metrics::render(Store& store) const {
  MetricsPage p;
  render_http(p);
  render_server(p);
  render_store(p, store);
  render_jobs(p);
  p.family("ferry_imports_total", "counter", "Bundle imports by result (the import history).");
  for (const auto& [result, n] : ImportRecords(store.database()).count_by_result()) {
    p.sample("ferry_imports_total", label("result", result), static_cast<double>(n));
  }
  p.counter("ferry_log_dropped_lines_total",
            "Log lines dropped because the journal was not reading (requests never wait for it).",
            static_cast<double>(log::dropped()));
  p.family("ferry_build_info", "gauge", "The running ferryd.");
  p.sample("ferry_build_info", "version=\"" FERRY_VERSION "\"", 1);
  return p.take();
}

}  // namespace ferry
