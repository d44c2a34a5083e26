#include "transports/http/http_request.hpp"

#include "transports/http/header_tokens.hpp"

namespace rtb {

std::string_view HttpRequest::method_name() const {
  switch (method_) {
    case HttpMethod::kGet:
      return "GET";
    case HttpMethod::kHead:
      return "HEAD";
    case HttpMethod::kPost:
      return "POST";
    case HttpMethod::kPut:
      return "PUT";
    case HttpMethod::kDelete:
      return "DELETE";
    case HttpMethod::kOptions:
      return "OPTIONS";
    case HttpMethod::kPatch:
      return "PATCH";
    case HttpMethod::kOther:
      break;
  }
  return "OTHER";
}

namespace {

// The path of a target in absolute form ("http://host:port/poll?since=1", RFC 9112 3.2.2: what a client
// sends to a forward proxy, and what a server must accept too): what follows the authority, "/" when nothing
// does. Any other target is returned as it is.
std::string_view path_of_absolute_form(std::string_view t) {
  if (t.empty() || t.front() == '/') return t;
  const std::size_t scheme_end = t.find("://");
  if (scheme_end == std::string_view::npos) return t;
  const std::string_view scheme = t.substr(0, scheme_end);
  if (!iequals(scheme, "http") && !iequals(scheme, "https")) return t;
  const std::string_view rest = t.substr(scheme_end + 3);
  const std::size_t path_start = rest.find_first_of("/?");
  if (path_start == std::string_view::npos || rest[path_start] == '?') return "/";
  return rest.substr(path_start);
}

}  // namespace

std::string_view HttpRequest::path() const {
  std::string_view t = path_of_absolute_form(target());
  return t.substr(0, t.find('?'));
}

std::string_view HttpRequest::query() const {
  std::string_view t = target();
  auto q = t.find('?');
  return q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
}

std::optional<std::string_view> HttpRequest::header(std::string_view name) const {
  for (const auto& h : headers_) {
    if (iequals(slice(h.name), name)) return slice(h.value);
  }
  return std::nullopt;
}

void HttpRequest::clear() {
  head_.clear();
  headers_.clear();
  body_.clear();
  target_ = {};
  last_piece_ = Piece::kNone;
  method_ = HttpMethod::kOther;
  http_major_ = http_minor_ = 1;
  keep_alive_ = true;
  upgrade_ = false;
}

void HttpRequest::shrink_to_typical() {
  if (head_.capacity() > 2 * kInitialHeadCapacity) std::string().swap(head_);
  if (headers_.capacity() > 2 * kInitialHeaderCapacity) std::vector<HeaderSpans>().swap(headers_);
  if (body_.capacity() > kKeptBodyCapacity) std::string().swap(body_);
}

void HttpRequest::extend(Span& span, Piece kind, std::string_view piece) {
  // llhttp may deliver one token in several callbacks; consecutive pieces are contiguous in head_.
  if (last_piece_ != kind) span.offset = static_cast<std::uint32_t>(head_.size());
  // One allocation for a typical head (a browser's is ~800 B) instead of a doubling series of them.
  if (head_.capacity() < kInitialHeadCapacity) head_.reserve(kInitialHeadCapacity);
  head_.append(piece);
  span.length = static_cast<std::uint32_t>(head_.size() - span.offset);
  last_piece_ = kind;
}

void HttpRequest::append_target(std::string_view piece) {
  extend(target_, Piece::kTarget, piece);
}

void HttpRequest::append_header_name(std::string_view piece) {
  if (last_piece_ != Piece::kName) {
    if (headers_.capacity() == 0) headers_.reserve(kInitialHeaderCapacity);
    headers_.emplace_back();
  }
  extend(headers_.back().name, Piece::kName, piece);
}

void HttpRequest::append_header_value(std::string_view piece) {
  if (headers_.empty()) return;
  extend(headers_.back().value, Piece::kValue, piece);
}

}  // namespace rtb
