// Resumer: a test client that resumes a channel after an id on /sse, /ws, /longpoll or /poll and writes down
// what it gets, "gap a-b" or "<id>", failing on anything out of order, repeated, or whose text is not
// history_text(id). Shared by the tests of brokers that keep history beyond a hub's window.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/push_test_util.hpp"
#include "tests/server/server_test_util.hpp"
#include "tests/server/ws_test_client.hpp"

namespace rtb::test {

inline std::string history_text(std::uint64_t id) {
  return "event " + std::to_string(id);
}

enum class Via { kSse, kWs, kLongPoll, kPoll };

inline std::string via_name(const testing::TestParamInfo<Via>& info) {
  switch (info.param) {
    case Via::kSse:
      return "sse";
    case Via::kWs:
      return "ws";
    case Via::kLongPoll:
      return "longpoll";
    case Via::kPoll:
      return "poll";
  }
  return "?";
}

// A client that resumes after `since` on one transport and writes down what it gets: "gap a-b" or "<id>"
// (each event's text checked against its id).
class Resumer {
 public:
  Resumer(Via via, int port, std::uint64_t since) : via_(via), port_(port), last_(since) {}

  // Connects, or sends the first poll, without reading anything yet.
  void start() {
    const std::string target = "?channel=c&since=" + std::to_string(last_);
    switch (via_) {
      case Via::kSse: {
        http_ = std::make_unique<BlockingClient>(port_);
        auto head = open_stream(*http_, "/sse" + target);
        ASSERT_TRUE(head && head->status == 200);
        return;
      }
      case Via::kWs:
        ws_ = std::make_unique<WsTestClient>(port_, "/ws" + target);
        ASSERT_TRUE(ws_->upgraded());
        return;
      case Via::kLongPoll:
      case Via::kPoll:
        http_ = std::make_unique<BlockingClient>(port_);
        send_poll();
        return;
    }
  }

  // Reads until it holds id `until` (bounded: 10 s); what it got so far.
  const std::vector<std::string>& read_until(std::uint64_t until) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (last_ < until && error_.empty() && std::chrono::steady_clock::now() < deadline) step();
    EXPECT_EQ(error_, "");
    return got_;
  }

 private:
  void send_poll() {
    const bool parked = via_ == Via::kLongPoll;
    const std::string request = std::string(parked ? "GET /longpoll" : "GET /poll") +
                                "?channel=c&since=" + std::to_string(last_) +
                                (parked ? "&timeout=1000" : "") + " HTTP/1.1\r\nHost: x\r\n\r\n";
    if (!http_->send(request)) error_ = "poll send failed";
  }

  void step() {
    switch (via_) {
      case Via::kSse: {
        std::string& buf = http_->buffer();
        http_->read_until("\n\n", std::chrono::milliseconds(100));
        buf.erase(0, parse_records(buf));
        return;
      }
      case Via::kWs: {
        auto f = ws_->read_frame(std::chrono::milliseconds(100));
        if (!f || f->opcode() != ws_b0::kText) return;
        if (f->payload.rfind("gap ", 0) == 0) {
          gap(f->payload.substr(4));
          return;
        }
        const std::size_t space = f->payload.find(' ');
        if (space == std::string::npos) {
          error_ = "frame " + f->payload;
          return;
        }
        event(std::stoull(f->payload.substr(0, space)), f->payload.substr(space + 1));
        return;
      }
      case Via::kLongPoll:
      case Via::kPoll: {
        auto r = http_->read_response(std::chrono::seconds(5));
        if (!r || (r->status != 200 && r->status != 204)) {
          error_ = "poll failed";
          return;
        }
        const std::size_t gaps_before = gaps_;
        if (parse_records(r->body) != r->body.size()) error_ = "a partial record in a batch";
        // The header names the gap the body's first record does.
        const std::string header = r->header("x-rtb-gap");
        if (gaps_ != gaps_before) {
          EXPECT_EQ("gap " + header, got_[last_gap_index_]);
        } else {
          EXPECT_EQ(header, "");
        }
        if (via_ == Via::kPoll && r->status == 204)
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        send_poll();
        return;
      }
    }
  }

  // Reads whole "...\n\n" records; the bytes consumed. The preface (retry:, an id-only record) is skipped.
  std::size_t parse_records(std::string_view body) {
    std::size_t consumed = 0;
    for (;;) {
      const std::size_t end = body.find("\n\n", consumed);
      if (end == std::string_view::npos) return consumed;
      const std::string_view block = body.substr(consumed, end + 2 - consumed);
      consumed = end + 2;
      const std::size_t data = block.find("data: ");
      if (data == std::string_view::npos) continue;
      const std::string_view text = block.substr(data + 6, block.size() - data - 8);
      if (block.rfind("event: gap\n", 0) == 0) {
        gap(text);
      } else if (block.rfind("id: ", 0) == 0) {
        event(std::stoull(std::string(block.substr(4))), text);
      } else {
        error_ = "record " + std::string(block);
      }
    }
  }

  void gap(std::string_view range) {
    const std::size_t dash = range.find('-');
    const std::uint64_t first = std::stoull(std::string(range.substr(0, dash)));
    const std::uint64_t last = std::stoull(std::string(range.substr(dash + 1)));
    if (first != last_ + 1 || last < first)
      error_ = "gap " + std::string(range) + " after " + std::to_string(last_);
    last_gap_index_ = got_.size();
    got_.push_back("gap " + std::string(range));
    last_ = last;
    ++gaps_;
  }

  void event(std::uint64_t id, std::string_view text) {
    if (id != last_ + 1 || text != history_text(id)) {
      error_ =
          "after " + std::to_string(last_) + " got " + std::to_string(id) + " [" + std::string(text) + "]";
      return;
    }
    got_.push_back(std::to_string(id));
    last_ = id;
  }

  Via via_;
  int port_;
  std::uint64_t last_;
  std::size_t last_gap_index_ = 0;
  std::size_t gaps_ = 0;
  std::unique_ptr<BlockingClient> http_;
  std::unique_ptr<WsTestClient> ws_;
  std::vector<std::string> got_;
  std::string error_;
};

}  // namespace rtb::test
