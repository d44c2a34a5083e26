#include "harness/scenario/load_report.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "harness/metrics/csv_writer.hpp"
#include "harness/scenario/server_url.hpp"

namespace rtb {

std::string load_result_json(const LoadConfig& c, const LoadResult& r, const RunMetadata& meta) {
  JsonWriter json(2);
  json.begin_object();
  json.field("tool", "rtbench load");
  write_run_metadata(json, meta);
  json.field("start_time", std::string_view(r.start_time)).field("end_time", std::string_view(r.end_time));

  json.key("config").begin_object();
  json.field("url", std::string_view(c.url))
      .field("transport", transport_name(c.transport))
      .field("clients", c.clients)
      .field("rate", c.rate)
      .field("payload_bytes", c.payload_bytes)
      .field("channel", std::string_view(c.channel))
      .field("headers", std::string_view(c.headers.name()))
      .field("poll_interval_ms", c.poll_interval_ms)
      .field("connection_per_request", c.connection_per_request)
      .field("longpoll_timeout_ms", c.longpoll_timeout_ms)
      .field("request_timeout_ms", c.request_timeout_ms)
      .field("seed", c.seed)
      .field("pipeline", c.pipeline);
  json.key("sources").begin_array();
  for (const auto& s : c.sources) json.value(std::string_view(format_address(s)));
  json.end_array();
  json.field("connect_rate", c.connect_rate)
      .field("connect_batch", c.connect_batch)
      .field("connect_timeout_s", c.connect_timeout_s)
      .field("warmup_s", c.warmup_s)
      .field("duration_s", c.duration_s)
      .field("drain_s", c.drain_s)
      .field("publish_via", is_round_trip(c.transport) ? std::string_view("none")
                                                       : publish_via_name(c.effective_publish_via()))
      .field("max_in_flight", c.effective_max_in_flight())
      .field("late_ms", c.late_ms)
      .field("server_pid", c.server_pid)
      .field("max_errors", c.max_errors);
  json.key("max_p99_us");
  if (c.max_p99_us) {
    json.value(*c.max_p99_us);
  } else {
    json.null_value();
  }
  json.key("max_lost");
  if (c.max_lost) {
    json.value(*c.max_lost);
  } else {
    json.null_value();
  }
  json.end_object();

  json.key("result").begin_object();
  write_load_result_columns(json, r);
  json.end_object();

  json.field("latency_histogram_ns", std::string_view(r.latency.serialize()));
  json.key("error_examples").begin_object();
  for (const auto& [kind, message] : r.error_examples) json.field(kind, std::string_view(message));
  json.end_object();
  json.key("warnings").begin_array();
  for (const auto& w : r.warnings) json.value(std::string_view(w));
  json.end_array();
  json.key("notes").begin_object();
  if (is_round_trip(c.transport)) {
    json.field("latency",
               "round trip, from sending a request (message) to its complete answer (echo), one "
               "CLOCK_MONOTONIC; operations belong to the measure phase by send time; events = round trips");
  } else {
    json.field("latency",
               "one-way, from the event's scheduled (intended) send time to its reception, one "
               "CLOCK_MONOTONIC; first delivery of each event per subscriber; measured events only");
  }
  json.field("window",
             "events belong to the measure phase by scheduled send time; requests, bytes, TCP "
             "segments and CPU are counted over the measure phase's wall-clock window");
  json.field("tcp_segments",
             "from /proc/net/snmp, host-wide; on loopback both ends are ours and OutSegs "
             "counts each segment once");
  json.field("kernel_tcp",
             "delta of /proc/net/sockstat TCP mem (pages x page size) between before connecting "
             "and the idle subscribers, per connection; on loopback it includes both ends");
  json.field("kernel_socket",
             "delta of the socket slab caches in /proc/slabinfo (TCP, TCPv6, sock_inode_cache, filp, "
             "dentry, eventpoll_epi) over the same interval, per socket: two per connection on loopback");
  json.end_object();
  json.end_object();
  return json.take();
}

bool append_load_result_csv(const std::string& path, const LoadResult& result, std::string* error) {
  auto writer = CsvWriter::open(path, load_result_csv_header(), error);
  if (!writer) return false;
  if (!writer->write_row(load_result_csv_row(result))) {
    if (error != nullptr) *error = "cannot write to " + path;
    return false;
  }
  return true;
}

bool write_text_file(const std::string& path, const std::string& text, std::string* error) {
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, Closer> f(std::fopen(path.c_str(), "w"));
  if (!f) {
    if (error != nullptr) *error = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  if (std::fwrite(text.data(), 1, text.size(), f.get()) != text.size() || std::fflush(f.get()) != 0) {
    if (error != nullptr) *error = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace rtb
