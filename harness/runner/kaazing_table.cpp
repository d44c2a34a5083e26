#include "harness/runner/kaazing_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "harness/runner/result_figures.hpp"
#include "harness/scenario/chromium_heads.hpp"

#include "transports/table/transport_table.hpp"

namespace rtb {

namespace {

std::string num(double v, int decimals) {
  if (!std::isfinite(v)) return "-";
  return fmt::format("{:.{}f}", v, decimals);
}

// Enough significant digits to compare with the 2010 figures (6.6, 0.015, 665).
std::string mbps(double v) {
  if (!std::isfinite(v)) return "-";
  if (v >= 100) return fmt::format("{:.0f}", v);
  if (v >= 10) return fmt::format("{:.1f}", v);
  if (v >= 1) return fmt::format("{:.2f}", v);
  return fmt::format("{:.3f}", v);
}

// Position in the transport table; a name the table does not know (results of another build) goes last.
std::size_t transport_order(const std::string& t) {
  auto table = transport_table();
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (table[i]->name == t) return i;
  }
  return table.size();
}

// The transport standing for one side of the 2010 comparison, or "" when none is registered.
std::string kaazing_side(KaazingSide side) {
  for (const TransportModule* m : transport_table()) {
    if (m->kaazing == side) return std::string(m->name);
  }
  return {};
}

constexpr std::string_view kOverTls = " over TLS";

enum class Layer { kApp, kTls, kWire };
const char* layer_name(Layer l) {
  return l == Layer::kApp ? "app" : l == Layer::kTls ? "tls" : "wire";
}

}  // namespace

const std::vector<KaazingReference>& kaazing_2010_table() {
  static const std::vector<KaazingReference> table = {
      {1000, 6.6, 0.015}, {10000, 66, 0.153}, {100000, 665, 1.526}};
  return table;
}

std::string render_kaazing_section(const std::vector<CaseResults>& cases) {
  // profile -> clients -> transport -> case, for cases at one event per second.
  std::map<std::string, std::map<std::uint64_t, std::map<std::string, const CaseResults*>>> by_profile;
  std::map<std::string, std::uint64_t> head_bytes;
  for (const auto& c : cases) {
    if (c.results.empty()) continue;
    const LoadResult& r = *c.results.front();
    if (r.rate != 1 || r.connection_per_request != 0) continue;
    // The same profile over TLS is a table of its own, with the records as a layer between app and wire.
    const std::string key = r.tls.empty() ? r.header_profile : r.header_profile + std::string(kOverTls);
    by_profile[key][r.clients][c.transport] = &c;
    head_bytes[key] = r.request_head_bytes;
  }
  if (by_profile.empty()) return {};
  const bool any_tls = std::any_of(by_profile.begin(), by_profile.end(),
                                   [](const auto& p) { return p.first.ends_with(kOverTls); });

  std::string out;
  out += "## The Kaazing table, measured\n\n";
  out += fmt::format(
      "2010 (Lubbers and Greco, websocket.org): one poll per client per second carried {:.0f} B of HTTP "
      "headers "
      "(request + response, no payload counted); a WebSocket message was a {:.0f}-byte frame. Their \"Mbps\" "
      "is "
      "2^20 bit/s, and so is every Mbps below. Measured here: one event per second, short polls every "
      "second; "
      "**app** = application bytes (headers + framing + payload, both directions) per delivered event; "
      "**wire** = "
      "app + TCP segments x {:.0f} B (20 B IP + 20 B TCP + 12 B timestamps per segment on loopback; both "
      "ends' "
      "segments, ACKs included, counted once each on the generator's own sockets with TCP_INFO). A "
      "100,000-client column not measured (the run had no such point) is **extrapolated** linearly from the "
      "largest client count measured, and says so.\n\n",
      kKaazingPollBytes, kKaazingFrameBytes, kTcpSegmentOverheadBytes);

  for (const auto& [profile, by_clients] : by_profile) {
    std::vector<std::uint64_t> clients;
    for (const auto& [n, _] : by_clients) clients.push_back(n);
    std::set<std::string> transports;
    for (const auto& [n, m] : by_clients) {
      for (const auto& [t, _] : m) transports.insert(t);
    }
    std::vector<std::string> ordered(transports.begin(), transports.end());
    std::sort(ordered.begin(), ordered.end(), [](const std::string& a, const std::string& b) {
      return transport_order(a) < transport_order(b);
    });
    const std::uint64_t largest = clients.back();
    const double factor = 100000.0 / static_cast<double>(largest);
    // Measured at 100,000 (rtbench load --procs, serve --workers): nothing to extrapolate.
    const bool extrapolate = largest < 100000;

    const bool tls = profile.ends_with(kOverTls);
    if (profile == "chromium") {
      out += fmt::format(
          "### Chromium, measured: the request head Chromium {} sent for a fetch() poll ({} B request "
          "head)\n\n",
          kChromiumVersion, head_bytes[profile]);
    } else {
      out += fmt::format("### {} request headers{} ({} B request head)\n\n",
                         tls ? profile.substr(0, profile.size() - kOverTls.size()) : profile,
                         tls ? kOverTls : std::string_view(), head_bytes[profile]);
    }
    std::string header = "| transport, layer |";
    std::string rule = "|---|";
    for (auto n : clients) {
      header += fmt::format(" B/event @ {} | Mbps @ {} |", n, n);
      rule += "---:|---:|";
    }
    if (extrapolate) {
      header += fmt::format(" Mbps @ 100000 (extrapolated x{:g} from {}) |", factor, largest);
      rule += "---:|";
    }
    out += header + "\n" + rule + "\n";

    // The 2010 rows, at the client counts measured.
    auto ref_row = [&](const char* label, double bytes, bool polling) {
      std::string row = fmt::format("| 2010 {} |", label);
      for (auto n : clients) {
        double printed = std::nan("");
        for (const auto& k : kaazing_2010_table()) {
          if (k.clients == n) printed = polling ? k.polling_mbps : k.websocket_mbps;
        }
        double computed = binary_mbps(bytes * static_cast<double>(n));
        // The 2010 figures exactly as printed; others computed the same way.
        row += fmt::format(" {:.0f} | {} |", bytes,
                           std::isfinite(printed) ? fmt::format("{}", printed) : mbps(computed));
      }
      if (extrapolate) row += fmt::format(" {} |", polling ? "665" : "1.526");
      out += row + "\n";
    };
    ref_row("polling (871 B headers)", kKaazingPollBytes, true);
    ref_row("WebSocket (2 B frames)", kKaazingFrameBytes, false);

    for (const auto& t : ordered) {
      for (Layer layer : {Layer::kApp, Layer::kTls, Layer::kWire}) {
        if (layer == Layer::kTls && !tls) continue;
        std::string row = fmt::format("| {}, {} |", t, layer_name(layer));
        double last_mbps = std::nan("");
        for (auto n : clients) {
          auto it = by_clients.at(n).find(t);
          if (it == by_clients.at(n).end()) {
            row += " - | - |";
            continue;
          }
          const ResultFigure per_event_figure = layer == Layer::kApp ? ResultFigure(app_bytes_per_event)
                                                : layer == Layer::kTls
                                                    ? ResultFigure(tcp_payload_bytes_per_event)
                                                    : ResultFigure(wire_bytes_per_event);
          const ResultFigure per_s_figure = layer == Layer::kApp   ? ResultFigure(app_bytes_per_s)
                                            : layer == Layer::kTls ? ResultFigure(tcp_payload_bytes_per_s)
                                                                   : ResultFigure(wire_bytes_per_s);
          double per_event = median_of(*it->second, per_event_figure);
          double rate = binary_mbps(median_of(*it->second, per_s_figure));
          row += fmt::format(" {} | {} |", num(per_event, 0), mbps(rate));
          if (n == largest) last_mbps = rate;
        }
        if (extrapolate) row += fmt::format(" *{}* |", mbps(last_mbps * factor));
        out += row + "\n";
      }
    }
    out += "\n";

    // Ratios at the largest measured client count, against 2010's 435.5:1.
    const std::string polling = kaazing_side(KaazingSide::kPolling);
    const std::string websocket = kaazing_side(KaazingSide::kWebSocket);
    auto poll_it = by_clients.at(largest).find(polling);
    auto ws_it = by_clients.at(largest).find(websocket);
    if (poll_it != by_clients.at(largest).end() && ws_it != by_clients.at(largest).end()) {
      const double app_ratio =
          median_of(*poll_it->second, app_bytes_per_event) / median_of(*ws_it->second, app_bytes_per_event);
      const double wire_ratio =
          median_of(*poll_it->second, wire_bytes_per_event) / median_of(*ws_it->second, wire_bytes_per_event);
      const double head = median_of(*poll_it->second, header_bytes_per_request);
      const double rpe =
          median_of(*poll_it->second, [](const LoadResult& r) { return r.requests_per_event; });
      out += fmt::format(
          "- {} : {} at {} clients = **{}:1** in application bytes and **{}:1** on the wire (2010: "
          "{:.1f}:1). "
          "A poll here carries {} B of HTTP heads (request + response; 2010: {:.0f} B) and {} requests per "
          "delivered event.\n\n",
          polling, websocket, largest, num(app_ratio, 1), num(wire_ratio, 1),
          kKaazingPollBytes / kKaazingFrameBytes, num(head, 0), kKaazingPollBytes, num(rpe, 2));
    }
  }
  out +=
      "What the 2010 table left out and this one counts: the event's own payload and framing (WebSocket: "
      "2-10 B per frame server to client), TCP/IP headers and ACKs for every segment. ";
  out += any_tls ? "Over TLS, the **tls** rows are what TCP carried: the records (header, AEAD tag, content "
                   "type) and any handshakes, counted in the generator's TLS layer; **wire** adds the TCP/IP "
                   "headers to them. What neither table counts: Ethernet framing.\n\n"
                 : "What neither counts: Ethernet framing, and TLS (measured by the `tls` suite, whose "
                   "report has this table over TLS with the records as a layer of their own).\n\n";
  return out;
}

}  // namespace rtb
