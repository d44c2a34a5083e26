// ResponseWriter: the exact bytes of a response head and body (the Date line is masked; it changes each
// second).
#include "transports/http/response_writer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "transports/http/http_date.hpp"

namespace rtb::test {
namespace {

// Replaces the value of the one Date line so the rest can be compared byte for byte.
std::string mask_date(std::string_view bytes) {
  std::string s(bytes);
  auto start = s.find("\r\nDate: ");
  if (start == std::string::npos) return s;
  start += 8;
  auto end = s.find("\r\n", start);
  return s.replace(start, end - start, "X");
}

std::string build(const ResponseSpec& spec) {
  return mask_date(ResponseWriter::build(spec).view());
}

// "Date: Wed, 25 Nov 2026 13:53:27 GMT\r\n", checked against a shape where 9 is a digit and www/mmm are day
// and month names (std::regex trips g++ 12's -Wmaybe-uninitialized under the sanitizers).
bool is_imf_fixdate_line(std::string_view line) {
  constexpr std::string_view kShape = "Date: www, 99 mmm 9999 99:99:99 GMT\r\n";
  constexpr std::string_view kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (line.size() != kShape.size()) return false;
  auto one_of = [](std::string_view word, const auto& names) {
    for (std::string_view n : names)
      if (word == n) return true;
    return false;
  };
  if (!one_of(line.substr(kShape.find("www"), 3), kDays)) return false;
  if (!one_of(line.substr(kShape.find("mmm"), 3), kMonths)) return false;
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    if (kShape[i] == 'w' || kShape[i] == 'm') continue;
    if (kShape[i] == '9' ? (line[i] < '0' || line[i] > '9') : line[i] != kShape[i]) return false;
  }
  return true;
}

TEST(HttpDate, HeaderLineHasTheImfFixdateFormat) {
  std::string line(HttpDate::header_line());
  EXPECT_TRUE(is_imf_fixdate_line(line)) << line;
  EXPECT_FALSE(is_imf_fixdate_line("Date: Xyz, 25 Nov 2026 13:53:27 GMT\r\n"));
  EXPECT_FALSE(is_imf_fixdate_line("Date: Wed, 25 Nov 2026 13:53:27 UTC\r\n"));
  EXPECT_TRUE(is_imf_fixdate_line("Date: Wed, 25 Nov 2026 13:53:27 GMT\r\n"));
}

TEST(HttpResponseWriter, NoContentHasNoLengthAndNoBody) {
  ResponseSpec spec;
  spec.status = 204;
  spec.extra_headers = "Cache-Control: no-cache\r\n";
  spec.body = "ignored";
  EXPECT_EQ(build(spec), "HTTP/1.1 204 No Content\r\nDate: X\r\nCache-Control: no-cache\r\n\r\n");
}

TEST(HttpResponseWriter, ARepeatedBodilessAnswerSharesItsBytesAndAnyChangeGetsItsOwn) {
  ResponseSpec spec;
  spec.status = 204;
  spec.extra_headers = "Cache-Control: no-cache\r\n";
  SharedBuffer first = ResponseWriter::build(spec);
  SharedBuffer again = ResponseWriter::build(spec);
  if (first.data() != again.data()) {  // the Date ticked in between: once more, within one second
    first = ResponseWriter::build(spec);
    again = ResponseWriter::build(spec);
  }
  EXPECT_EQ(first.data(), again.data()) << "the same answer is shared, not built again";
  EXPECT_EQ(first.view().find("Connection: close"), std::string_view::npos);
  spec.close = true;
  EXPECT_NE(ResponseWriter::build(spec).view().find("Connection: close\r\n"), std::string_view::npos);
  spec.close = false;
  spec.http10_keep_alive = true;
  EXPECT_NE(ResponseWriter::build(spec).view().find("Connection: keep-alive\r\n"), std::string_view::npos);
  spec.http10_keep_alive = false;
  spec.extra_headers = "X-Rtb-Gap: 1-2\r\n";
  EXPECT_NE(ResponseWriter::build(spec).view().find("X-Rtb-Gap: 1-2\r\n"), std::string_view::npos);
  spec.status = 200;
  EXPECT_EQ(ResponseWriter::build(spec).view().substr(0, 17), "HTTP/1.1 200 OK\r\n");
  spec.content_type = "text/plain";
  EXPECT_NE(ResponseWriter::build(spec).view().find("Content-Type: text/plain\r\n"), std::string_view::npos);
  // The first answer's bytes are untouched by the ones built after it.
  EXPECT_EQ(first.view().substr(0, 25), "HTTP/1.1 204 No Content\r\n");
  EXPECT_NE(first.view().find("Cache-Control: no-cache\r\n"), std::string_view::npos);
}

TEST(HttpResponseWriter, OkWithBody) {
  ResponseSpec spec;
  spec.content_type = "text/plain";
  spec.body = "hello";
  EXPECT_EQ(build(spec),
            "HTTP/1.1 200 OK\r\nDate: X\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");
}

TEST(HttpResponseWriter, OkWithEmptyBodySaysLengthZero) {
  ResponseSpec spec;
  EXPECT_EQ(build(spec), "HTTP/1.1 200 OK\r\nDate: X\r\nContent-Length: 0\r\n\r\n");
}

TEST(HttpResponseWriter, ConnectionClose) {
  ResponseSpec spec;
  spec.status = 400;
  spec.content_type = "text/plain";
  spec.body = "bad\n";
  spec.close = true;
  EXPECT_EQ(build(spec),
            "HTTP/1.1 400 Bad Request\r\nDate: X\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n"
            "Connection: close\r\n\r\nbad\n");
}

TEST(HttpResponseWriter, Http10KeepAlive) {
  ResponseSpec spec;
  spec.body = "1";
  spec.http10_keep_alive = true;
  EXPECT_EQ(build(spec),
            "HTTP/1.1 200 OK\r\nDate: X\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\n1");
}

TEST(HttpResponseWriter, CloseWinsOverKeepAlive) {
  ResponseSpec spec;
  spec.body = "1";
  spec.close = true;
  spec.http10_keep_alive = true;
  EXPECT_EQ(build(spec), "HTTP/1.1 200 OK\r\nDate: X\r\nContent-Length: 1\r\nConnection: close\r\n\r\n1");
}

TEST(HttpResponseWriter, HeadKeepsTheLengthButSendsNoBody) {
  ResponseSpec spec;
  spec.content_type = "application/json";
  spec.body = "{\"a\":1}";
  spec.head_only = true;
  EXPECT_EQ(build(spec),
            "HTTP/1.1 200 OK\r\nDate: X\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n");
}

TEST(HttpResponseWriter, StreamingResponseHasNoLength) {
  ResponseSpec spec;
  spec.content_type = "text/event-stream";
  spec.no_content_length = true;
  EXPECT_EQ(build(spec), "HTTP/1.1 200 OK\r\nDate: X\r\nContent-Type: text/event-stream\r\n\r\n");
}

TEST(HttpResponseWriter, ExtraHeadersComeLastBeforeTheBlankLine) {
  ResponseSpec spec;
  spec.status = 405;
  spec.content_type = "text/plain; charset=utf-8";
  spec.extra_headers = "Allow: GET, HEAD\r\n";
  spec.body = "method not allowed\n";
  spec.close = true;
  EXPECT_EQ(build(spec),
            "HTTP/1.1 405 Method Not Allowed\r\nDate: X\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 19\r\nConnection: close\r\nAllow: GET, HEAD\r\n\r\nmethod not allowed\n");
}

TEST(HttpResponseWriter, HeadSizeMatchesTheBuiltHead) {
  ResponseSpec spec;
  spec.status = 413;
  spec.content_type = "text/plain";
  spec.extra_headers = "X-A: b\r\n";
  spec.body = std::string_view("0123456789");
  SharedBuffer built = ResponseWriter::build(spec);
  std::size_t head = ResponseWriter::head_size(spec);
  EXPECT_EQ(built.size(), head + 10);
  EXPECT_EQ(built.view().substr(head), "0123456789");
  EXPECT_EQ(built.view().substr(head - 4, 4), "\r\n\r\n");
  EXPECT_EQ(built.use_count(), 1u);
}

TEST(HttpResponseWriter, ReasonPhrases) {
  EXPECT_EQ(http_status_reason(200), "OK");
  EXPECT_EQ(http_status_reason(408), "Request Timeout");
  EXPECT_EQ(http_status_reason(413), "Content Too Large");
  EXPECT_EQ(http_status_reason(431), "Request Header Fields Too Large");
  EXPECT_EQ(http_status_reason(503), "Service Unavailable");
  EXPECT_EQ(http_status_reason(299), "Unknown");
}

}  // namespace
}  // namespace rtb::test
