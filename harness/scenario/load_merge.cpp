#include "harness/scenario/load_merge.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "harness/scenario/run_window.hpp"
#include "harness/scenario/server_url.hpp"

namespace rtb {

namespace {

using R = LoadResult;

const std::map<std::string_view, MergeRule>& rules() {
  using M = MergeRule;
  static const std::map<std::string_view, MergeRule> table = {
      {"start_time", M::kEarliest},
      {"end_time", M::kLatest},
      {"url", M::kSame},
      {"transport", M::kSame},
      {"clients", M::kSum},
      {"connected", M::kSum},
      {"rate", M::kSame},
      {"payload_bytes", M::kSame},
      {"header_profile", M::kSame},
      {"request_head_bytes", M::kSame},
      {"poll_interval_ms", M::kSame},
      {"connection_per_request", M::kSame},
      {"warmup_s", M::kSame},
      {"duration_s", M::kSame},
      {"seed", M::kSame},
      {"pipeline", M::kSame},
      {"p50_us", M::kRecomputed},
      {"p90_us", M::kRecomputed},
      {"p99_us", M::kRecomputed},
      {"p999_us", M::kRecomputed},
      {"p9999_us", M::kRecomputed},
      {"max_us", M::kRecomputed},
      {"mean_us", M::kRecomputed},
      {"latency_saturated", M::kSum},
      {"delivered", M::kSum},
      {"expected", M::kSum},
      {"lost", M::kSum},
      {"duplicated", M::kSum},
      {"reordered", M::kSum},
      {"events_per_s", M::kSum},
      {"requests", M::kSum},
      {"requests_per_event", M::kRecomputed},
      {"connects", M::kSum},
      {"requests_per_s", M::kSum},
      {"connect_s", M::kMax},
      {"connects_per_s", M::kRecomputed},
      {"effective_poll_interval_ms", M::kRecomputed},
      {"empty_responses", M::kSum},
      {"responses_2xx", M::kSum},
      {"responses_3xx", M::kSum},
      {"responses_4xx", M::kSum},
      {"bytes_up", M::kSum},
      {"bytes_down", M::kSum},
      {"bytes_up_per_event", M::kPerEvent},
      {"bytes_down_per_event", M::kPerEvent},
      {"header_bytes_per_event", M::kPerEvent},
      {"framing_bytes_per_event", M::kPerEvent},
      {"payload_bytes_per_event", M::kPerEvent},
      {"header_bytes_up_per_event", M::kPerEvent},
      {"header_bytes_down_per_event", M::kPerEvent},
      {"framing_bytes_up_per_event", M::kPerEvent},
      {"framing_bytes_down_per_event", M::kPerEvent},
      {"payload_bytes_up_per_event", M::kPerEvent},
      {"payload_bytes_down_per_event", M::kPerEvent},
      {"bytes_up_per_s", M::kSum},
      {"bytes_down_per_s", M::kSum},
      {"tcp_segments", M::kRecomputed},
      {"tcp_segments_per_event", M::kRecomputed},
      {"tcp_segments_scope", M::kRecomputed},
      {"tcp_retransmits", M::kShared},
      {"server_cpu_s", M::kShared},
      {"server_cpu_s_per_1k_events", M::kSharedPerEvent},
      {"server_cpu_us_per_op", M::kSharedPerEvent},
      {"server_user_cpu_us_per_op", M::kSharedPerEvent},
      {"server_rss_bytes", M::kShared},
      {"server_bytes_per_idle_conn", M::kShared},
      {"proxy_cpu_s", M::kShared},
      {"proxy_cpu_us_per_op", M::kSharedPerEvent},
      {"proxy_rss_bytes", M::kShared},
      {"proxy_bytes_per_idle_conn", M::kShared},
      {"proxy_io_bytes_per_event", M::kSharedPerEvent},
      {"proxy_server_side_bytes_per_event", M::kSharedPerEvent},
      {"broker_cpu_s", M::kShared},
      {"broker_cpu_us_per_event", M::kShared},
      {"broker_rss_bytes", M::kShared},
      {"kernel_tcp_bytes_per_conn", M::kShared},
      {"kernel_socket_bytes_per_conn", M::kShared},
      {"generator_cpu_pct", M::kMax},
      {"generator_bottleneck", M::kMax},
      {"gen_cpu_us_per_op", M::kPerEvent},
      {"errors_refused", M::kSum},
      {"errors_reset", M::kSum},
      {"errors_timeout", M::kSum},
      {"errors_protocol", M::kSum},
      {"errors_http_status", M::kSum},
      {"errors_total", M::kSum},
      {"publish_via", M::kSame},
      {"publish_scheduled", M::kSum},
      {"publish_sent", M::kSum},
      {"publish_late", M::kSum},
      {"publish_dropped", M::kSum},
      {"publish_errors", M::kSum},
      {"publish_max_lateness_us", M::kMax},
      {"warmup_events", M::kSum},
      {"unstamped_events", M::kSum},
      {"gap_reports", M::kSum},
      {"tcp_segments_own", M::kSum},
      {"tcp_segments_host", M::kShared},
      {"tcp_sockets_gone", M::kSum},
      {"other_cpu_pct", M::kRecomputed},
      {"suspect_count", M::kRecomputed},
      {"tls", M::kRecomputed},
      {"tls_verified", M::kSame},
      {"tls_handshakes", M::kSum},
      {"tls_resumed", M::kSum},
      {"tls_bytes_up", M::kSum},
      {"tls_bytes_down", M::kSum},
      {"tls_bytes_per_event", M::kPerEvent},
      {"tls_overhead_bytes_per_event", M::kPerEvent},
  };
  return table;
}

std::string text_of(const LoadResult& r, const ResultColumn& c) {
  if (auto p = std::get_if<std::string R::*>(&c.member)) return r.*(*p);
  if (auto p = std::get_if<std::uint64_t R::*>(&c.member)) return std::to_string(r.*(*p));
  return fmt::format("{}", r.*std::get<double R::*>(c.member));
}

bool same_value(const LoadResult& a, const LoadResult& b, const ResultColumn& c) {
  if (auto p = std::get_if<double R::*>(&c.member)) {
    const double x = a.*(*p), y = b.*(*p);
    return (std::isnan(x) && std::isnan(y)) || x == y;
  }
  return text_of(a, c) == text_of(b, c);
}

// A double column combined over the parts; NaN parts are left out, NaN when none has a value.
double combine(const std::vector<LoadResult>& parts, double R::*m, MergeRule rule, std::uint64_t delivered) {
  const double nan = std::nan("");
  double sum = 0, weighted = 0, weight = 0, best = nan;
  bool any = false;
  for (const auto& p : parts) {
    const double v = p.*m;
    if (std::isnan(v)) continue;
    switch (rule) {
      case MergeRule::kSum:
        sum += v;
        break;
      case MergeRule::kMax:
        best = std::isnan(best) ? v : std::max(best, v);
        break;
      case MergeRule::kPerEvent:
        if (p.delivered > 0) {
          weighted += v * static_cast<double>(p.delivered);
          weight += static_cast<double>(p.delivered);
        }
        break;
      case MergeRule::kShared:
        if (!any) best = v;
        break;
      case MergeRule::kSharedPerEvent:
        // The part's total (v x its deliveries) over the merged deliveries.
        if (!any && p.delivered > 0 && delivered > 0) {
          best = v * static_cast<double>(p.delivered) / static_cast<double>(delivered);
        }
        break;
      default:
        break;
    }
    any = true;
  }
  if (!any) return nan;
  switch (rule) {
    case MergeRule::kSum:
      return sum;
    case MergeRule::kPerEvent:
      return weight > 0 ? weighted / weight : nan;
    default:
      return best;
  }
}

std::uint64_t combine(const std::vector<LoadResult>& parts, std::uint64_t R::*m, MergeRule rule) {
  std::uint64_t out = 0;
  for (const auto& p : parts) {
    if (rule == MergeRule::kSum) out += p.*m;
    if (rule == MergeRule::kMax) out = std::max(out, p.*m);
  }
  if (rule == MergeRule::kShared || rule == MergeRule::kSame) out = parts.front().*m;
  return out;
}

std::string combine(const std::vector<LoadResult>& parts, std::string R::*m, MergeRule rule) {
  std::string out = parts.front().*m;
  for (const auto& p : parts) {
    const std::string& v = p.*m;
    if (v.empty()) continue;
    if (rule == MergeRule::kEarliest && (out.empty() || v < out)) out = v;
    if (rule == MergeRule::kLatest && v > out) out = v;
  }
  return out;
}

// Both ends on this host: the host's segment count then holds every segment of our sockets once.
bool on_loopback(const LoadResult& r) {
  std::string ignored;
  auto url = parse_server_url(r.url, &ignored, true);
  return url && url->loopback;
}

bool is_other_work_warning(const std::string& w) {
  return w.rfind("other work was running", 0) == 0;
}
bool is_connected_warning(const std::string& w) {
  return w.rfind("only ", 0) == 0 && w.find("clients were connected") != std::string::npos;
}
// Each process's cross-check of its own sockets against the host sees its siblings' sockets as others'.
bool is_other_traffic_warning(const std::string& w) {
  return w.rfind("other TCP traffic on the host", 0) == 0;
}

void fill_recomputed(LoadResult& m, const std::vector<LoadResult>& parts, MergeKind kind) {
  const double nan = std::nan("");
  const double delivered = static_cast<double>(m.delivered);
  fill_latency_figures(m, m.latency);

  m.requests_per_event = m.delivered > 0 ? static_cast<double>(m.requests) / delivered : nan;
  // The processes connected side by side: the group's phase is its slowest process's.
  m.connects_per_s = m.connect_s > 0 ? static_cast<double>(m.connected) / m.connect_s : nan;
  // Each part's interval is connected x window / requests, so the merged one weighs the parts by connection.
  double connected = 0, polls_per_ms = 0;
  bool intervals = true;
  for (const auto& p : parts) {
    if (!std::isfinite(p.effective_poll_interval_ms) || p.effective_poll_interval_ms <= 0) {
      intervals = false;
      break;
    }
    connected += static_cast<double>(p.connected);
    polls_per_ms += static_cast<double>(p.connected) / p.effective_poll_interval_ms;
  }
  m.effective_poll_interval_ms = intervals && polls_per_ms > 0 ? connected / polls_per_ms : nan;

  // Per socket when every part counted its own sockets; else the host-wide count the first part read.
  const bool own = std::all_of(parts.begin(), parts.end(),
                               [](const LoadResult& p) { return p.tcp_segments_scope == "own_sockets"; });
  if (own) {
    m.tcp_segments = m.tcp_segments_own;
    m.tcp_segments_scope = "own_sockets";
  } else {
    m.tcp_segments = parts.front().tcp_segments_host;
    m.tcp_segments_scope = parts.front().tcp_segments_scope;
  }
  m.tcp_segments_per_event = m.delivered > 0 && !m.tcp_segments_scope.empty()
                                 ? static_cast<double>(m.tcp_segments) / delivered
                                 : nan;

  std::set<std::string> tls;
  for (const auto& p : parts) tls.insert(p.tls);
  m.tls = tls.size() == 1 ? *tls.begin() : "mixed";

  std::set<std::string> kinds;
  // The processes of one run read the same host and server: the same sentence from several is said once.
  std::set<std::string> said;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const LoadResult& p = parts[i];
    const std::string who = kind == MergeKind::kProcessesOfOneRun ? fmt::format("generator process {}", i)
                                                                  : fmt::format("run {}", i);
    for (const auto& w : p.warnings) {
      // Recomputed below for the whole: a sibling generator is not other work, and connections add up.
      if (kind == MergeKind::kProcessesOfOneRun &&
          (is_other_work_warning(w) || is_connected_warning(w) || is_other_traffic_warning(w))) {
        continue;
      }
      if (said.insert(w).second) m.warnings.push_back(fmt::format("{}: {}", who, w));
    }
    for (const auto& s : p.suspects) {
      if (said.insert(s).second) m.suspects.push_back(fmt::format("{}: {}", who, s));
    }
    for (const auto& [k, message] : p.error_examples) {
      if (kinds.insert(k).second) m.error_examples.emplace_back(k, message);
    }
  }

  if (kind == MergeKind::kProcessesOfOneRun) {
    // The first part read the host's CPU over the window; the other generator processes were in it.
    double siblings = 0;
    for (std::size_t i = 1; i < parts.size(); ++i) {
      if (std::isfinite(parts[i].generator_cpu_pct)) siblings += parts[i].generator_cpu_pct;
    }
    const double first = parts.front().other_cpu_pct;
    m.other_cpu_pct = std::isfinite(first) ? std::max(0.0, first - siblings) : nan;
    if (m.other_cpu_pct > kOtherWorkPct) {
      m.warnings.push_back(fmt::format(
          "other work was running: processes other than the server, the proxy and the {} generator processes "
          "used {:.0f}% of a core during the measure window (/proc/stat); latency and CPU figures are "
          "noisier",
          parts.size(), m.other_cpu_pct));
    }
    const double own_n = static_cast<double>(m.tcp_segments_own);
    const double host_n = static_cast<double>(m.tcp_segments_host);
    if (own && m.tcp_segments_scope == "own_sockets" && on_loopback(parts.front()) &&
        host_n > own_n * 1.10 + 200) {
      m.warnings.push_back(fmt::format(
          "other TCP traffic on the host during the measure window: {} segments host-wide, {} on this run's "
          "sockets; the figures use this run's sockets only",
          m.tcp_segments_host, m.tcp_segments_own));
    }
    if (m.connected < m.clients) {
      m.warnings.push_back(
          fmt::format("only {} of {} clients were connected when measuring began", m.connected, m.clients));
    }
  } else {
    m.other_cpu_pct = parts.front().other_cpu_pct;
    // Separate windows: the server's CPU over the first run's window is not the cost of the others' events.
    m.server_cpu_us_per_op = parts.front().server_cpu_us_per_op;
    m.server_user_cpu_us_per_op = parts.front().server_user_cpu_us_per_op;
    m.server_cpu_s_per_1k_events = parts.front().server_cpu_s_per_1k_events;
    m.proxy_cpu_us_per_op = parts.front().proxy_cpu_us_per_op;
    m.proxy_io_bytes_per_event = parts.front().proxy_io_bytes_per_event;
    m.proxy_server_side_bytes_per_event = parts.front().proxy_server_side_bytes_per_event;
    m.warnings.push_back(fmt::format(
        "merged from {} separate runs: counters and latency cover all of them; the server, proxy, kernel and "
        "host figures (CPU, memory, TCP segments host-wide, other_cpu_pct) are the first run's own",
        parts.size()));
  }
  m.suspect_count = m.suspects.size();
}

}  // namespace

std::optional<MergeRule> merge_rule(std::string_view column) {
  auto it = rules().find(column);
  if (it == rules().end()) return std::nullopt;
  return it->second;
}

std::optional<LoadResult> merge_load_results(const std::vector<LoadResult>& parts, MergeKind kind,
                                             std::string* error) {
  auto fail = [&](std::string why) -> std::optional<LoadResult> {
    if (error != nullptr) *error = std::move(why);
    return std::nullopt;
  };
  if (parts.empty()) return fail("nothing to merge");
  for (std::size_t i = 0; i < parts.size(); ++i) {
    // Percentiles of the whole need every part's distribution; a CSV row alone has only its percentiles.
    if (parts[i].latency.count() != parts[i].delivered) {
      return fail(fmt::format(
          "part {} holds {} latencies for {} deliveries: merging needs each run's full histogram (the JSON "
          "of rtbench load --json, not a CSV row)",
          i, parts[i].latency.count(), parts[i].delivered));
    }
  }
  LoadResult m;
  for (const auto& c : load_result_columns()) {
    auto rule = merge_rule(c.name);
    if (!rule) return fail(fmt::format("column {} has no merge rule", c.name));
    if (*rule == MergeRule::kSame) {
      for (std::size_t i = 1; i < parts.size(); ++i) {
        if (!same_value(parts.front(), parts[i], c)) {
          return fail(
              fmt::format("{} differs: {} in part 0, {} in part {}; only runs of the same setup merge",
                          c.name, text_of(parts.front(), c), text_of(parts[i], c), i));
        }
      }
    }
  }
  for (const auto& c : load_result_columns()) {
    const MergeRule rule = *merge_rule(c.name);
    if (rule == MergeRule::kRecomputed) continue;
    if (auto p = std::get_if<std::string R::*>(&c.member)) {
      m.*(*p) = combine(parts, *p, rule);
    } else if (auto p = std::get_if<std::uint64_t R::*>(&c.member)) {
      m.*(*p) = combine(parts, *p, rule);
    }
  }
  // Doubles after the counters: the shared-per-event ones divide by the merged deliveries.
  for (const auto& c : load_result_columns()) {
    const MergeRule rule = *merge_rule(c.name);
    if (rule == MergeRule::kRecomputed || rule == MergeRule::kSame) {
      if (rule == MergeRule::kSame) {
        if (auto p = std::get_if<double R::*>(&c.member)) m.*(*p) = parts.front().*(*p);
      }
      continue;
    }
    if (auto p = std::get_if<double R::*>(&c.member)) m.*(*p) = combine(parts, *p, rule, m.delivered);
  }
  m.measure_start_time = combine(parts, &R::measure_start_time, MergeRule::kEarliest);
  for (const auto& p : parts) {
    if (!m.latency.merge(p.latency)) return fail("the latency histograms have different ranges or precision");
  }
  fill_recomputed(m, parts, kind);
  return m;
}

}  // namespace rtb
