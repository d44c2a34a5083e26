#include "harness/runner/suite_metadata.hpp"

#include "harness/runner/report.hpp"
#include "harness/runner/run_plan.hpp"

namespace rtb {

std::string suite_metadata_json(const SuiteRunInfo& x, const std::vector<RunRecord>& records) {
  JsonWriter json(2);
  json.begin_object();
  json.field("tool", "rtbench run");
  json.field("suite", x.suite != nullptr ? std::string_view(x.suite->name) : std::string_view());
  write_run_metadata(json, x.meta);
  json.key("system").begin_object();
  write_system_facts(json, x.facts);
  json.end_object();
  json.field("measurement_note", measurement_note(x.meta.host.cores));
  json.field("tcp_segment_overhead_note",
             "wire bytes = application bytes + TCP segments x 52 B (20 B IPv4 + 20 B TCP + 12 B timestamps "
             "option) on loopback; segments are host-wide OutSegs, both ends counted once");
  json.key("pinning").begin_object();
  json.field("pinned", x.pinning.pinned())
      .field("server_cpu", x.pinning.server_cpu)
      .field("generator_cpu", x.pinning.generator_cpu)
      .field("note", x.pinning.note);
  json.end_object();
  json.field("binary", x.binary).field("out_dir", x.out_dir).field("repeat", x.repeat);
  json.field("start_time", x.start_time).field("end_time", x.end_time);
  json.field("load_average_at_end", x.load_average_end);
  json.field("estimated_s", x.estimated_s).field("elapsed_s", x.elapsed_s);
  json.field("interrupted", x.interrupted);

  json.key("verify").begin_array();
  for (const auto& c : x.verify.checks) {
    json.begin_object().field("check", c.name).field("ok", c.ok).field("detail", c.detail).end_object();
  }
  json.end_array();

  if (x.suite != nullptr) {
    json.field("purpose", x.suite->purpose);
    json.key("notes").begin_array();
    for (const auto& n : x.suite->notes) json.value(std::string_view(n));
    json.end_array();
    json.key("points").begin_array();
    for (const auto& p : x.suite->points) {
      json.begin_object().field("tag", p.tag).field("note", p.note);
      json.key("transports").begin_array();
      for (auto t : p.transports) json.value(transport_name(t));
      json.end_array();
      json.key("serve_args").begin_array();
      for (const auto& a : serve_arguments(p)) json.value(std::string_view(a));
      json.end_array();
      // The generator's options for this point; --transport, --url, --server-pid and the files vary per run.
      json.key("load_options").begin_array();
      for (const auto& a : load_options(p, p.transports.front())) json.value(std::string_view(a));
      json.end_array();
      json.end_object();
    }
    json.end_array();
  }

  json.key("runs").begin_array();
  for (const auto& r : records) {
    json.begin_object()
        .field("run", r.run_id)
        .field("point", r.point)
        .field("transport", r.transport)
        .field("repetition", r.repetition)
        .field("load_exit_status", r.load_exit_status)
        .field("has_result", r.result.has_value())
        .field("elapsed_s", r.elapsed_s)
        .field("error", r.error)
        .end_object();
  }
  json.end_array();

  json.key("plots").begin_array();
  for (const auto& p : x.plots) json.value(std::string_view(p));
  json.end_array();
  json.field("plots_note", x.plots_note);
  json.end_object();
  return json.take();
}

}  // namespace rtb
