// HttpRequest: one parsed request, its head kept in a single reusable buffer with headers as offsets into it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rtb {

enum class HttpMethod : std::uint8_t { kGet, kHead, kPost, kPut, kDelete, kOptions, kPatch, kOther };

class HttpRequest {
 public:
  HttpMethod method() const { return method_; }
  std::string_view method_name() const;
  int http_major() const { return http_major_; }
  int http_minor() const { return http_minor_; }
  bool keep_alive() const { return keep_alive_; }
  bool upgrade() const { return upgrade_; }

  std::string_view target() const { return slice(target_); }
  // The target's path without the query; of an absolute-form target ("http://host/poll?x"), the part after
  // the authority ("/poll").
  std::string_view path() const;
  std::string_view query() const;
  // First header with this name, compared case-insensitively.
  std::optional<std::string_view> header(std::string_view name) const;
  std::size_t header_count() const { return headers_.size(); }
  std::string_view header_name(std::size_t i) const { return slice(headers_[i].name); }
  std::string_view header_value(std::size_t i) const { return slice(headers_[i].value); }
  std::string_view body() const { return body_; }
  // Bytes of request line and headers as counted against the header limit.
  std::size_t head_bytes() const { return head_.size(); }

  // Filled by the parser.
  void clear();
  // Gives back storage beyond a typical request's (a long head, a large body), keeping the rest for reuse.
  void shrink_to_typical();
  void append_target(std::string_view piece);
  void append_header_name(std::string_view piece);
  void append_header_value(std::string_view piece);
  void append_body(std::string_view piece) { body_.append(piece); }
  void set_line(HttpMethod method, int major, int minor) {
    method_ = method;
    http_major_ = major;
    http_minor_ = minor;
  }
  void set_keep_alive(bool keep_alive) { keep_alive_ = keep_alive; }
  void set_upgrade(bool upgrade) { upgrade_ = upgrade; }

 private:
  struct Span {
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
  };
  struct HeaderSpans {
    Span name;
    Span value;
  };
  enum class Piece : std::uint8_t { kNone, kTarget, kName, kValue };
  static constexpr std::size_t kInitialHeadCapacity = 1024;
  static constexpr std::size_t kInitialHeaderCapacity = 16;
  static constexpr std::size_t kKeptBodyCapacity = 4 * 1024;
  std::string_view slice(Span s) const { return std::string_view(head_).substr(s.offset, s.length); }
  void extend(Span& span, Piece kind, std::string_view piece);

  std::string head_;
  std::vector<HeaderSpans> headers_;
  std::string body_;
  Span target_;
  Piece last_piece_ = Piece::kNone;
  HttpMethod method_ = HttpMethod::kOther;
  std::uint8_t http_major_ = 1;
  std::uint8_t http_minor_ = 1;
  bool keep_alive_ = true;
  bool upgrade_ = false;
};

}  // namespace rtb
