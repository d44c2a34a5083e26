#include "harness/scenario/load_report.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "harness/metrics/csv_writer.hpp"
#include "harness/metrics/json.hpp"
#include "harness/scenario/load_options.hpp"
#include "harness/scenario/server_url.hpp"

namespace rtb {

std::string load_result_json(const LoadConfig& c, const LoadResult& r, const RunMetadata& meta) {
  Json json = Json::object();
  json["tool"] = "rtbench load";
  write_run_metadata(json, meta);
  json["start_time"] = r.start_time;
  json["end_time"] = r.end_time;
  json["measure_start_time"] = r.measure_start_time;
  // Every option of the run, named as on the command line (harness/scenario/load_options.hpp), then the
  // values the run derived from them.
  Json config = load_options_json(c, LoadOptionScope::kLoad);
  const Json run_options = load_options_json(c, LoadOptionScope::kRun);
  for (const auto& [key, value] : run_options.items()) config[key] = value;
  config["effective_publish_via"] = is_round_trip(c.transport)
                                        ? std::string("none")
                                        : std::string(publish_via_name(c.effective_publish_via()));
  config["effective_max_in_flight"] = c.effective_max_in_flight();
  config["effective_late_ms"] = c.effective_late_ms();
  json["config"] = std::move(config);
  json["result"] = load_result_columns_json(r);
  json["latency_histogram_ns"] = r.latency.serialize();
  Json examples = Json::object();
  for (const auto& [kind, message] : r.error_examples) examples[kind] = message;
  json["error_examples"] = std::move(examples);
  json["warnings"] = r.warnings;
  json["suspects"] = r.suspects;
  Json notes = Json::object();
  if (is_round_trip(c.transport)) {
    notes["latency"] =
        "round trip, from sending a request (message) to its complete answer (echo), one CLOCK_MONOTONIC; "
        "operations belong to the measure phase by send time; events = round trips";
  } else {
    notes["latency"] =
        "one-way, from the event's scheduled (intended) send time to its reception, one CLOCK_MONOTONIC; "
        "first delivery of each event per subscriber; measured events only";
  }
  notes["window"] =
      "events belong to the measure phase by scheduled send time; requests, bytes, TCP segments and CPU are "
      "counted over the measure phase's wall-clock window";
  notes["tcp_segments"] =
      "per socket: TCP_INFO (tcpi_segs_out + tcpi_segs_in) of the generator's own sockets at the window's "
      "edges, so other traffic on the host cannot enter; /proc/net/snmp (host-wide) is kept as "
      "tcp_segments_host and a disagreement is a warning";
  notes["kernel_tcp"] =
      "delta of /proc/net/sockstat TCP mem (pages x page size) between before connecting and the idle "
      "subscribers, per connection; on loopback it includes both ends";
  notes["kernel_socket"] =
      "delta of the socket slab caches in /proc/slabinfo (TCP, TCPv6, sock_inode_cache, filp, dentry, "
      "eventpoll_epi) over the same interval, per socket: two per connection on loopback";
  json["notes"] = std::move(notes);
  return json_text(json) + "\n";
}

bool check_output_file(const std::string& path, std::string* error) {
  auto fail = [&](const std::string& why) {
    if (error != nullptr) *error = fmt::format("cannot write {}: {}", path, why);
    return false;
  };
  struct stat st {};
  const bool existed = ::stat(path.c_str(), &st) == 0;
  if (existed && S_ISDIR(st.st_mode)) return fail("it is a folder; give a file name");
  // Opening for append neither truncates an existing file nor writes a byte; a new file is removed again.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int e = errno;
    if (e == ENOENT) {
      const auto slash = path.rfind('/');
      const std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
      struct stat dir {};
      if (::stat(folder.c_str(), &dir) != 0)
        return fail(fmt::format("the folder {} does not exist; create it first", folder));
      return fail(fmt::format("the folder {} does not take new files", folder));
    }
    if (e == ENOTDIR) return fail("a part of the path is a file, not a folder");
    return fail(std::strerror(e));
  }
  ::close(fd);
  if (!existed) ::unlink(path.c_str());
  return true;
}

HdrLogInterval load_result_hdr_interval(const LoadResult& r) {
  HdrLogInterval interval;
  const std::string& start = r.measure_start_time.empty() ? r.start_time : r.measure_start_time;
  interval.start_unix_s = unix_seconds_of_iso8601_utc(start).value_or(0);
  interval.length_s = r.duration_s;
  interval.histogram = &r.latency;
  return interval;
}

std::string load_result_hdr_log(const LoadResult& r) {
  return hdr_interval_log(
      {load_result_hdr_interval(r)},
      fmt::format("rtbench load --transport {}: latency in ns, one interval: the measure window",
                  r.transport));
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
