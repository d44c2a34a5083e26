#include "harness/runner/suite_metadata.hpp"

#include <fmt/format.h>

#include "harness/metrics/json.hpp"
#include "harness/runner/report.hpp"
#include "harness/runner/run_plan.hpp"
#include "harness/runner/suite_file.hpp"
#include "transports/table/transport_table.hpp"

namespace rtb {

std::string suite_metadata_json(const SuiteRunInfo& x, const std::vector<RunRecord>& records) {
  Json json = Json::object();
  json["tool"] = "rtbench run";
  json["suite"] = x.suite != nullptr ? x.suite->name : std::string();
  write_run_metadata(json, x.meta);
  Json system = Json::object();
  write_system_facts(system, x.facts);
  json["system"] = std::move(system);
  json["measurement_note"] = measurement_note(x.meta.host.cores);
  json["tcp_segment_overhead_note"] =
      "wire bytes = application bytes + TCP segments x 52 B (20 B IPv4 + 20 B TCP + 12 B timestamps option) "
      "on loopback; segments are counted on the generator's own sockets (TCP_INFO segs_out + segs_in: each "
      "segment between generator and server once), host-wide OutSegs only as a fallback the run's warnings "
      "name";
  json["pinning"] = {{"pinned", x.pinning.pinned()},
                     {"server_cpu", x.pinning.server_cpu},
                     {"generator_cpu", x.pinning.generator_cpu},
                     {"note", x.pinning.note}};
  json["binary"] = x.binary;
  json["out_dir"] = x.out_dir;
  json["repeat"] = x.repeat;
  json["start_time"] = x.start_time;
  json["end_time"] = x.end_time;
  json["load_average_at_end"] = x.load_average_end;
  json["estimated_s"] = x.estimated_s;
  json["elapsed_s"] = x.elapsed_s;
  json["interrupted"] = x.interrupted;

  Json verify = Json::array();
  for (const auto& c : x.verify.checks)
    verify.push_back({{"check", c.name}, {"ok", c.ok}, {"detail", c.detail}});
  json["verify"] = std::move(verify);

  // The transport table as this build registered it: plot.py and other readers take names, labels, colours,
  // order and models from here rather than keeping a list of their own.
  Json transports = Json::array();
  for (const TransportModule* m : transport_table()) {
    transports.push_back({{"name", m->name},
                          {"label", m->label},
                          {"colour", m->colour},
                          {"summary", m->summary},
                          {"delivery", delivery_name(m->delivery)},
                          {"kaazing", m->kaazing == KaazingSide::kPolling     ? "polling"
                                      : m->kaazing == KaazingSide::kWebSocket ? "websocket"
                                                                              : ""}});
  }
  json["transports"] = std::move(transports);

  if (x.suite != nullptr) {
    json["purpose"] = x.suite->purpose;
    json["notes"] = x.suite->notes;
    Json points = Json::array();
    for (const auto& p : x.suite->points) {
      Json point = {{"tag", p.tag}, {"note", p.note}};
      Json transports = Json::array();
      for (auto t : p.transports) transports.push_back(std::string(transport_name(t)));
      point["transports"] = std::move(transports);
      point["serve_args"] = serve_arguments(p);
      // A TLS point's serve also gets --tls-cert/--tls-key of a throwaway certificate (not kept), and its
      // load --tls-ca.
      if (p.tls) point["tls"] = true;
      if (!p.baseline.empty()) point["baseline"] = p.baseline;
      if (p.intermediary) {
        Json i = intermediary_to_json(p);
        i["version"] = intermediary_version(p.intermediary->kind);
        i["config"] = fmt::format("proxies/{}.conf", p.tag);
        point["intermediary"] = std::move(i);
      }
      // The generator's options for this point; --transport, --url, --server-pid and the files vary per run.
      point["load_options"] = load_options(p, p.transports.front());
      points.push_back(std::move(point));
    }
    json["points"] = std::move(points);
    Json rows = Json::array();
    for (const auto& r : x.suite->failure_rows) {
      Json transports = Json::array();
      for (auto t : r.transports) transports.push_back(std::string(transport_name(t)));
      rows.push_back({{"setup", r.setup},
                      {"broken", r.broken},
                      {"fixed", r.fixed},
                      {"fix", r.fix},
                      {"transports", std::move(transports)}});
    }
    if (!rows.empty()) json["failure_rows"] = std::move(rows);
  }

  Json runs = Json::array();
  for (const auto& r : records) {
    runs.push_back({{"run", r.run_id},
                    {"point", r.point},
                    {"transport", r.transport},
                    {"repetition", r.repetition},
                    {"load_exit_status", r.load_exit_status},
                    {"has_result", r.result.has_value()},
                    {"elapsed_s", r.elapsed_s},
                    {"error", r.error}});
  }
  json["runs"] = std::move(runs);
  json["plots"] = x.plots;
  json["plots_note"] = x.plots_note;
  return json_text(json) + "\n";
}

}  // namespace rtb
