#include "harness/runner/suite_file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "harness/scenario/load_options.hpp"
#include "harness/scenario/transport_kind.hpp"

namespace rtb {

namespace {

std::vector<std::string> split_list(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    auto comma = list.find(',');
    if (auto item = list.substr(0, comma); !item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

bool fail(std::string* error, std::string why) {
  if (error != nullptr) *error = std::move(why);
  return false;
}

std::optional<std::vector<std::string>> string_list(const Json& v) {
  if (!v.is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& item : v) {
    if (!item.is_string()) return std::nullopt;
    out.push_back(item.get<std::string>());
  }
  return out;
}

// "" when `j` is a valid "intermediary" member (then set on `p`), else why not.
std::string intermediary_from_json(const Json& j, SuitePoint& p) {
  if (!j.is_object() || !j.contains("kind") || !j["kind"].is_string()) {
    return "\"intermediary\" must be an object with \"kind\" (nginx, haproxy-tcp, haproxy-http, squid)";
  }
  auto kind = parse_intermediary_kind(j["kind"].get<std::string>());
  if (!kind) return "\"intermediary\": kind must be nginx, haproxy-tcp, haproxy-http or squid";
  IntermediaryOptions o;
  o.kind = *kind;
  for (const auto& [key, value] : j.items()) {
    if (key == "kind") continue;
    const bool flag = key == "forward_upgrade" || key == "buffering" || key == "ignore_accel_buffering" ||
                      key == "allow_connect_to_upstream" || key == "no_delay" || key == "shared_broker";
    if (flag) {
      if (!value.is_boolean()) return fmt::format("\"intermediary\": {} must be true or false", key);
      const bool v = value.get<bool>();
      (key == "forward_upgrade"          ? o.forward_upgrade
       : key == "buffering"              ? o.buffering
       : key == "ignore_accel_buffering" ? o.ignore_accel_buffering
       : key == "no_delay"               ? o.no_delay
       : key == "shared_broker"          ? o.shared_broker
                                         : o.allow_connect_to_upstream) = v;
    } else if (key == "max_connections" || key == "idle_timeout_ms") {
      if (!value.is_number_unsigned() || value.get<std::uint64_t>() < 1 ||
          value.get<std::uint64_t>() > 86'400'000)
        return fmt::format("\"intermediary\": {} must be a positive whole number", key);
      if (key == "max_connections") {
        o.max_connections = static_cast<int>(value.get<std::uint64_t>());
      } else {
        o.idle_timeout_ms = value.get<std::uint64_t>();
      }
    } else if (key == "backends") {
      if (!value.is_number_unsigned() || value.get<std::uint64_t>() < 1 || value.get<std::uint64_t>() > 8)
        return "\"intermediary\": backends must be 1-8 (rtbench servers behind it, sharing a Redis broker)";
      o.backends = static_cast<int>(value.get<std::uint64_t>());
    } else if (key == "kill_at_s" || key == "down_s") {
      if (!value.is_number() || value.get<double>() < 0)
        return fmt::format("\"intermediary\": {} must be seconds", key);
      (key == "kill_at_s" ? p.intermediary_kill_at_s : p.intermediary_down_s) = value.get<double>();
    } else {
      return fmt::format(
          "\"intermediary\": \"{}\" is not a member (kind, max_connections, idle_timeout_ms, "
          "forward_upgrade, "
          "buffering, ignore_accel_buffering, allow_connect_to_upstream, no_delay, backends, shared_broker, "
          "kill_at_s, down_s)",
          key);
    }
  }
  p.intermediary = o;
  return {};
}

std::optional<std::vector<TransportKind>> transport_list(const Json& v) {
  auto names = string_list(v);
  if (!names || names->empty()) return std::nullopt;
  std::vector<TransportKind> out;
  for (const auto& n : *names) {
    auto kind = parse_transport(n);
    if (!kind || is_round_trip(*kind)) return std::nullopt;
    out.push_back(*kind);
  }
  return out;
}

Json transport_names_json(const std::vector<TransportKind>& transports) {
  Json names = Json::array();
  for (auto t : transports) names.push_back(std::string(transport_name(t)));
  return names;
}

}  // namespace

Json intermediary_to_json(const SuitePoint& p) {
  const IntermediaryOptions& o = *p.intermediary;
  Json j = {{"kind", intermediary_name(o.kind)},
            {"max_connections", o.max_connections},
            {"idle_timeout_ms", o.idle_timeout_ms},
            {"forward_upgrade", o.forward_upgrade},
            {"buffering", o.buffering},
            {"ignore_accel_buffering", o.ignore_accel_buffering},
            {"allow_connect_to_upstream", o.allow_connect_to_upstream},
            {"no_delay", o.no_delay}};
  if (o.backends > 1) {
    j["backends"] = o.backends;
    j["shared_broker"] = o.shared_broker;
  }
  if (p.intermediary_kill_at_s > 0) {
    j["kill_at_s"] = p.intermediary_kill_at_s;
    j["down_s"] = p.intermediary_down_s;
  }
  return j;
}

Json suite_to_json(const Suite& suite) {
  Json j = Json::object();
  j["name"] = suite.name;
  j["purpose"] = suite.purpose;
  j["notes"] = suite.notes;
  if (suite.repeat > 0) j["repeat"] = suite.repeat;
  Json points = Json::array();
  for (const auto& p : suite.points) {
    Json point = Json::object();
    point["tag"] = p.tag;
    point["note"] = p.note;
    Json transports = Json::array();
    for (auto t : p.transports) transports.push_back(std::string(transport_name(t)));
    point["transports"] = std::move(transports);
    point["server_args"] = p.server_args;
    if (p.tls) point["tls"] = true;
    if (!p.baseline.empty()) point["baseline"] = p.baseline;
    if (p.intermediary) point["intermediary"] = intermediary_to_json(p);
    if (p.errors_expected) point["errors_expected"] = true;
    point["load"] = load_options_json(p.load, LoadOptionScope::kLoad, true);
    points.push_back(std::move(point));
  }
  j["points"] = std::move(points);
  if (!suite.failure_rows.empty()) {
    Json rows = Json::array();
    for (const auto& r : suite.failure_rows) {
      rows.push_back({{"setup", r.setup},
                      {"broken", r.broken},
                      {"fixed", r.fixed},
                      {"fix", r.fix},
                      {"transports", transport_names_json(r.transports)}});
    }
    j["failure_rows"] = std::move(rows);
  }
  return j;
}

std::optional<Suite> suite_from_json(const Json& j, std::string* error) {
  auto bad = [&](std::string why) -> std::optional<Suite> {
    fail(error, std::move(why));
    return std::nullopt;
  };
  if (!j.is_object()) return bad("a suite file holds one JSON object with \"name\" and \"points\"");
  static const std::array<std::string_view, 6> kTop = {"name",   "purpose", "notes",
                                                       "repeat", "points",  "failure_rows"};
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (auto k : kTop) known = known || key == k;
    if (!known)
      return bad(fmt::format("\"{}\" is not a suite member; the members are {}", key, fmt::join(kTop, ", ")));
  }
  Suite s;
  s.name = json_string(j, "name");
  if (s.name.empty()) return bad("\"name\" must be a non-empty string");
  s.purpose = json_string(j, "purpose");
  if (j.contains("notes")) {
    auto notes = string_list(j["notes"]);
    if (!notes) return bad("\"notes\" must be a list of strings");
    s.notes = std::move(*notes);
  }
  if (j.contains("repeat")) {
    if (!j["repeat"].is_number_unsigned() || j["repeat"].get<std::uint64_t>() < 1 ||
        j["repeat"].get<std::uint64_t>() > 100) {
      return bad("\"repeat\" must be a whole number 1-100");
    }
    s.repeat = static_cast<int>(j["repeat"].get<std::uint64_t>());
  }
  if (!j.contains("points") || !j["points"].is_array() || j["points"].empty()) {
    return bad("\"points\" must be a non-empty list of points");
  }
  std::size_t index = 0;
  for (const auto& pj : j["points"]) {
    ++index;
    if (!pj.is_object()) return bad(fmt::format("point {} must be an object", index));
    SuitePoint p;
    p.tag = json_string(pj, "tag");
    const std::string where = fmt::format("point {} ({})", index, p.tag.empty() ? "no tag" : p.tag);
    for (const auto& [key, value] : pj.items()) {
      if (key != "tag" && key != "note" && key != "transports" && key != "server_args" && key != "load" &&
          key != "tls" && key != "baseline" && key != "intermediary" && key != "errors_expected") {
        return bad(
            fmt::format("{}: \"{}\" is not a point member (tag, note, transports, server_args, load, tls, "
                        "baseline, intermediary, errors_expected)",
                        where, key));
      }
    }
    if (p.tag.empty()) return bad(fmt::format("{}: \"tag\" must be a non-empty string", where));
    p.note = json_string(pj, "note");
    if (pj.contains("tls")) {
      if (!pj["tls"].is_boolean()) return bad(fmt::format("{}: \"tls\" must be true or false", where));
      p.tls = pj["tls"].get<bool>();
    }
    p.baseline = json_string(pj, "baseline");
    if (pj.contains("errors_expected")) {
      if (!pj["errors_expected"].is_boolean())
        return bad(fmt::format("{}: \"errors_expected\" must be true or false", where));
      p.errors_expected = pj["errors_expected"].get<bool>();
    }
    if (pj.contains("intermediary")) {
      if (std::string why = intermediary_from_json(pj["intermediary"], p); !why.empty())
        return bad(fmt::format("{}: {}", where, why));
    }
    if (pj.contains("transports")) {
      auto names = string_list(pj["transports"]);
      if (!names || names->empty())
        return bad(fmt::format("{}: \"transports\" must be a list of names", where));
      p.transports.clear();
      for (const auto& n : *names) {
        auto kind = parse_transport(n);
        if (!kind || is_round_trip(*kind)) {
          return bad(fmt::format("{}: transport \"{}\": expected poll, longpoll, sse or ws", where, n));
        }
        p.transports.push_back(*kind);
      }
    }
    if (pj.contains("server_args")) {
      auto args = string_list(pj["server_args"]);
      if (!args) return bad(fmt::format("{}: \"server_args\" must be a list of strings", where));
      p.server_args = std::move(*args);
    }
    if (pj.contains("load")) {
      std::string why;
      const std::array scopes = {LoadOptionScope::kLoad};
      if (!apply_load_options_json(pj["load"], p.load, scopes, &why))
        return bad(fmt::format("{}: load: {}", where, why));
    }
    s.points.push_back(std::move(p));
  }
  if (j.contains("failure_rows")) {
    if (!j["failure_rows"].is_array()) return bad("\"failure_rows\" must be a list");
    for (const auto& rj : j["failure_rows"]) {
      FailureRow row;
      auto transports =
          rj.is_object() && rj.contains("transports") ? transport_list(rj["transports"]) : std::nullopt;
      if (!transports) {
        return bad(
            "a failure row is an object with setup, broken, fixed, fix and transports (a list of names)");
      }
      row.setup = json_string(rj, "setup");
      row.broken = json_string(rj, "broken");
      row.fixed = json_string(rj, "fixed");
      row.fix = json_string(rj, "fix");
      row.transports = std::move(*transports);
      s.failure_rows.push_back(std::move(row));
    }
  }
  if (auto problems = check_suite(s); !problems.empty()) return bad(problems.front());
  return s;
}

std::optional<Suite> read_suite_file(const std::string& path, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    fail(error, fmt::format("cannot read {}", path));
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string why;
  auto json = parse_json(text.str(), &why);
  if (!json) {
    fail(error, fmt::format("{}: not JSON: {}", path, why));
    return std::nullopt;
  }
  auto suite = suite_from_json(*json, &why);
  if (!suite) fail(error, fmt::format("{}: {}", path, why));
  return suite;
}

bool select_transports(Suite& suite, std::string_view list, std::string* error) {
  std::vector<TransportKind> keep;
  for (const auto& name : split_list(list)) {
    auto kind = parse_transport(name);
    if (!kind || is_round_trip(*kind)) {
      return fail(error, fmt::format("--transports: \"{}\": expected poll, longpoll, sse or ws", name));
    }
    keep.push_back(*kind);
  }
  if (keep.empty()) return fail(error, "--transports: give a list such as ws,sse");
  std::vector<SuitePoint> points;
  for (auto& p : suite.points) {
    std::vector<TransportKind> t;
    for (auto k : p.transports) {
      for (auto want : keep) {
        if (k == want) t.push_back(k);
      }
    }
    if (t.empty()) continue;
    p.transports = std::move(t);
    points.push_back(std::move(p));
  }
  if (points.empty()) {
    return fail(error, fmt::format("--transports {}: no point of suite {} runs those", list, suite.name));
  }
  suite.points = std::move(points);
  return true;
}

bool select_points(Suite& suite, std::string_view list, std::string* error) {
  std::vector<SuitePoint> points;
  for (const auto& tag : split_list(list)) {
    bool found = false;
    for (const auto& p : suite.points) {
      if (p.tag != tag) continue;
      points.push_back(p);
      found = true;
    }
    if (!found) {
      std::vector<std::string> tags;
      for (const auto& p : suite.points) tags.push_back(p.tag);
      return fail(error, fmt::format("--points: suite {} has no point \"{}\"; its points are {}", suite.name,
                                     tag, fmt::join(tags, ", ")));
    }
  }
  if (points.empty()) return fail(error, "--points: give a list of point tags");
  // A point keeps its baseline only when that was picked too: the side-by-side needs both.
  for (auto& p : points) {
    const bool kept =
        std::any_of(points.begin(), points.end(), [&](const SuitePoint& o) { return o.tag == p.baseline; });
    if (!kept) p.baseline.clear();
  }
  // A failure row stays when its broken point was picked; its fix only when that was picked too.
  auto picked = [&](const std::string& tag) {
    return std::any_of(points.begin(), points.end(), [&](const SuitePoint& o) { return o.tag == tag; });
  };
  std::vector<FailureRow> rows;
  for (auto row : suite.failure_rows) {
    if (!picked(row.broken)) continue;
    if (!row.fixed.empty() && !picked(row.fixed)) {
      row.fixed.clear();
      row.fix += " (its run was not picked with --points)";
    }
    rows.push_back(std::move(row));
  }
  suite.failure_rows = std::move(rows);
  suite.points = std::move(points);
  return true;
}

}  // namespace rtb
