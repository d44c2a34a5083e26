#include "transports/http/http_response_parser.hpp"

#include "transports/http/header_tokens.hpp"

namespace rtb {

namespace {

HttpResponseParser& response_parser(llhttp_t* p) {
  return *static_cast<HttpResponseParser*>(p->data);
}

const llhttp_settings_t& settings() {
  static const llhttp_settings_t s = [] {
    llhttp_settings_t x;
    llhttp_settings_init(&x);
    x.on_message_begin = [](llhttp_t* p) { return response_parser(p).on_message_begin(); };
    x.on_header_field = [](llhttp_t* p, const char* at, std::size_t n) {
      return response_parser(p).on_header_field(at, n);
    };
    x.on_header_value = [](llhttp_t* p, const char* at, std::size_t n) {
      return response_parser(p).on_header_value(at, n);
    };
    x.on_headers_complete = [](llhttp_t* p) { return response_parser(p).on_headers_complete(); };
    x.on_body = [](llhttp_t* p, const char* at, std::size_t n) { return response_parser(p).on_body(at, n); };
    x.on_message_complete = [](llhttp_t* p) { return response_parser(p).on_message_complete(); };
    return x;
  }();
  return s;
}

}  // namespace

std::string_view HttpResponseHead::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return {};
}

HttpResponseParser::HttpResponseParser(HttpResponseEvents& events) : events_(events) {
  llhttp_init(&parser_, HTTP_RESPONSE, &settings());
  parser_.data = this;
}

int HttpResponseParser::on_message_begin() {
  head_.status = 0;
  head_.headers.clear();
  in_value_ = false;
  body_bytes_ = 0;
  return 0;
}

int HttpResponseParser::on_header_field(const char* at, std::size_t len) {
  if (!keep_headers_) return 0;
  if (in_value_ || head_.headers.empty()) head_.headers.emplace_back();
  in_value_ = false;
  head_.headers.back().first.append(at, len);
  return 0;
}

int HttpResponseParser::on_header_value(const char* at, std::size_t len) {
  if (!keep_headers_) return 0;
  in_value_ = true;
  if (!head_.headers.empty()) head_.headers.back().second.append(at, len);
  return 0;
}

int HttpResponseParser::on_headers_complete() {
  head_.status = llhttp_get_status_code(&parser_);
  // llhttp takes "HTTP/1.1 \r\n" as status 0; a status code is three digits (RFC 9112 4).
  if (head_.status < 100 || head_.status > 999) {
    llhttp_set_error_reason(&parser_, "status line without a three-digit status code");
    return -1;
  }
  head_.keep_alive = llhttp_should_keep_alive(&parser_) != 0;
  events_.on_response_head(head_);
  if (head_request_) {
    head_request_ = false;
    return 1;  // llhttp: no body follows
  }
  return 0;
}

int HttpResponseParser::on_body(const char* at, std::size_t len) {
  body_bytes_ += len;
  total_body_bytes_ += len;
  events_.on_response_body({at, len});
  return 0;
}

int HttpResponseParser::on_message_complete() {
  head_.keep_alive = llhttp_should_keep_alive(&parser_) != 0;
  events_.on_response_complete(head_);
  return 0;
}

std::size_t HttpResponseParser::feed(const char* data, std::size_t len) {
  if (failed_ || upgraded_) return 0;
  std::uint64_t body_before = total_body_bytes_;
  llhttp_errno_t err = llhttp_execute(&parser_, data, len);
  std::size_t consumed = len;
  if (err == HPE_PAUSED_UPGRADE) {
    consumed = static_cast<std::size_t>(llhttp_get_error_pos(&parser_) - data);
    upgraded_ = true;
  } else if (err != HPE_OK) {
    failed_ = true;
    error_ = llhttp_get_error_reason(&parser_) ? llhttp_get_error_reason(&parser_) : llhttp_errno_name(err);
    consumed =
        llhttp_get_error_pos(&parser_) ? static_cast<std::size_t>(llhttp_get_error_pos(&parser_) - data) : 0;
  }
  // Everything that was not body is head or chunk framing.
  std::uint64_t body_now = total_body_bytes_ - body_before;
  std::uint64_t framing = consumed >= body_now ? consumed - body_now : 0;
  total_head_bytes_ += framing;
  return consumed;
}

void HttpResponseParser::finish() {
  if (!failed_ && !upgraded_) llhttp_finish(&parser_);
}

}  // namespace rtb
