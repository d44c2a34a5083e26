// Helpers shared by the loopback tests: configs, publishing, batch bodies and a tiny JSON reader for /stats.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "tests/support/blocking_client.hpp"
#include "tests/support/test_server.hpp"

namespace rtb::test {

// The batch record the wire contract promises for one event with single-line text.
inline std::string record(std::uint64_t id, std::string_view data) {
  return "id: " + std::to_string(id) + "\ndata: " + std::string(data) + "\n\n";
}

// Publishes on its own connection and returns the id the server assigned (0 when it did not answer 200).
inline std::uint64_t publish(int port, std::string_view channel, std::string_view text) {
  auto r = http_post(port, "/publish?channel=" + std::string(channel), text);
  if (!r || r->status != 200) return 0;
  return std::stoull(r->body);
}

// Flattens a JSON document into "a.b.c" -> scalar text (strings without quotes); nullopt when the text is not
// valid JSON. Enough to check /stats without a JSON library.
class JsonFlattener {
 public:
  static std::optional<std::map<std::string, std::string>> parse(std::string_view text) {
    JsonFlattener p(text);
    p.skip_ws();
    if (!p.value("")) return std::nullopt;
    p.skip_ws();
    if (p.pos_ != text.size()) return std::nullopt;
    return std::move(p.out_);
  }

 private:
  explicit JsonFlattener(std::string_view text) : s_(text) {}
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t'))
      ++pos_;
  }
  bool eat(char c) {
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool string(std::string& out) {
    if (!eat('"')) return false;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      if (static_cast<unsigned char>(s_[pos_]) < 0x20) return false;
      if (s_[pos_] == '\\') {
        if (++pos_ >= s_.size()) return false;
        if (std::string_view("\"\\/bfnrtu").find(s_[pos_]) == std::string_view::npos) return false;
      }
      out.push_back(s_[pos_++]);
    }
    return eat('"');
  }
  bool number(std::string& out) {
    std::size_t start = pos_;
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    std::size_t digits = pos_;
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    if (pos_ == digits) return false;
    if (s_[digits] == '0' && pos_ - digits > 1) return false;  // no leading zeros
    if (pos_ < s_.size() && s_[pos_] == '.') {
      std::size_t frac = ++pos_;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      if (pos_ == frac) return false;
    }
    out.assign(s_.substr(start, pos_ - start));
    return true;
  }
  bool value(const std::string& path) {
    skip_ws();
    if (pos_ >= s_.size()) return false;
    char c = s_[pos_];
    if (c == '{') {
      ++pos_;
      if (eat('}')) return true;
      do {
        std::string key;
        if (!string(key) || !eat(':')) return false;
        if (!value(path.empty() ? key : path + "." + key)) return false;
      } while (eat(','));
      return eat('}');
    }
    if (c == '[') {
      ++pos_;
      if (eat(']')) return true;
      int i = 0;
      do {
        if (!value(path + "[" + std::to_string(i++) + "]")) return false;
      } while (eat(','));
      return eat(']');
    }
    std::string scalar;
    if (c == '"') {
      if (!string(scalar)) return false;
    } else if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
      if (!number(scalar)) return false;
    } else {
      for (std::string_view word : {"true", "false", "null"}) {
        if (s_.substr(pos_, word.size()) == word) {
          pos_ += word.size();
          scalar = word;
          break;
        }
      }
      if (scalar.empty()) return false;
    }
    if (out_.count(path)) return false;  // duplicate key
    out_[path] = scalar;
    return true;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::map<std::string, std::string> out_;
};

// GET /stats, parsed; fails the test when the body is not valid JSON.
inline std::map<std::string, std::string> get_stats(int port) {
  auto r = http_get(port, "/stats");
  EXPECT_TRUE(r.has_value());
  if (!r) return {};
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type"), "application/json");
  auto parsed = JsonFlattener::parse(r->body);
  EXPECT_TRUE(parsed.has_value()) << "not valid JSON: " << r->body;
  return parsed.value_or(std::map<std::string, std::string>{});
}

}  // namespace rtb::test
