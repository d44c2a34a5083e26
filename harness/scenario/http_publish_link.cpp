#include "harness/scenario/http_publish_link.hpp"

#include <fmt/format.h>

#include <charconv>

namespace rtb {

namespace {

// The publisher may have to hold a few seconds of events while a server stalls: allow a deep send queue
// rather than refuse at the default 4 MiB.
constexpr StreamLimits kPublisherLimits{256 * 1024 * 1024, 64 * 1024 * 1024};
constexpr std::size_t kMaxBodyKept = 256;

}  // namespace

HttpPublishLink::HttpPublishLink(Loop& loop, HttpPublishTarget target, PublishLinkEvents& events)
    : loop_(loop), target_(std::move(target)), events_(events) {}

HttpPublishLink::~HttpPublishLink() {
  close();
}

void HttpPublishLink::open() {
  if (connected_ || connecting_) return;
  parser_ = std::make_unique<HttpResponseParser>(*this);
  connecting_ = true;
  int rc = connection_.open(loop_, reinterpret_cast<const sockaddr*>(&target_.server), nullptr, *this,
                            kPublisherLimits, target_.tls.context, target_.tls.server_name);
  if (rc != 0) {
    connecting_ = false;
    events_.on_link_lost(fmt::format("cannot connect: {}", uv_strerror(rc)));
  }
}

bool HttpPublishLink::send(std::uint64_t seq, std::string_view text) {
  if (!connected_) return false;
  request_.clear();
  fmt::format_to(std::back_inserter(request_),
                 "POST {}/publish?channel={} HTTP/1.1\r\nHost: {}\r\nContent-Type: text/plain; "
                 "charset=utf-8\r\nContent-Length: {}\r\n\r\n",
                 target_.path_prefix, target_.channel, target_.host_header, text.size());
  request_ += text;
  if (connection_.write_copy(request_) == WriteResult::kDropped) return false;
  bytes_up_ += request_.size();
  awaiting_.push_back(seq);
  return true;
}

void HttpPublishLink::close() {
  connection_.close();
  connected_ = connecting_ = false;
  awaiting_.clear();
}

void HttpPublishLink::lost(std::string_view why) {
  connection_.close();
  connected_ = connecting_ = false;
  awaiting_.clear();
  events_.on_link_lost(why);
}

void HttpPublishLink::on_link_connected(int status) {
  connecting_ = false;
  if (status != 0) {
    events_.on_link_lost(fmt::format("cannot connect: {}", uv_strerror(status)));
    return;
  }
  connected_ = true;
  events_.on_link_ready();
}

void HttpPublishLink::on_link_data(char* data, std::size_t len) {
  const std::uint64_t before = parser_->total_head_bytes() + parser_->total_body_bytes();
  parser_->feed(data, len);
  bytes_down_ += parser_->total_head_bytes() + parser_->total_body_bytes() - before;
  if (parser_->failed()) lost(fmt::format("bad HTTP answer: {}", parser_->error()));
}

void HttpPublishLink::on_link_closed() {
  const bool was_up = connected_ || connecting_;
  connected_ = connecting_ = false;
  awaiting_.clear();
  if (was_up) events_.on_link_lost("the server closed the publishing connection");
}

void HttpPublishLink::on_response_head(const HttpResponseHead& head) {
  status_ = head.status;
  body_.clear();
}

void HttpPublishLink::on_response_body(std::string_view bytes) {
  if (body_.size() < kMaxBodyKept) body_.append(bytes.substr(0, kMaxBodyKept - body_.size()));
}

void HttpPublishLink::on_response_complete(const HttpResponseHead&) {
  if (awaiting_.empty()) return;  // an answer nobody asked for
  const std::uint64_t seq = awaiting_.front();
  awaiting_.pop_front();
  std::string_view text = body_;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  std::uint64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (status_ == 200 && ec == std::errc() && end == text.data() + text.size() && id > 0) {
    events_.on_published(seq, id);
  } else {
    events_.on_publish_failed(seq,
                              fmt::format("POST /publish answered {}: {}", status_, text.substr(0, 120)));
  }
}

}  // namespace rtb
