// HttpPublishLink: publishes as POST /publish?channel=C over one keep-alive HTTP/1.1 connection, pipelined,
// and reads each assigned id from the answers, which come back in request order.
#pragma once

#include <sys/socket.h>

#include <deque>
#include <memory>
#include <string>

#include "harness/scenario/publish_link.hpp"
#include "transports/http/http_response_parser.hpp"
#include "transports/net/client_connection.hpp"
#include "transports/net/loop.hpp"

namespace rtb {

struct HttpPublishTarget {
  sockaddr_storage server{};
  std::string host_header;
  std::string path_prefix;
  std::string channel;
  ClientTls tls;  // https
};

class HttpPublishLink final : public PublishLink, public ClientConnectionOwner, public HttpResponseEvents {
 public:
  HttpPublishLink(Loop& loop, HttpPublishTarget target, PublishLinkEvents& events);
  ~HttpPublishLink() override;

  void open() override;
  bool send(std::uint64_t seq, std::string_view text) override;
  void close() override;
  bool is_open() const override { return connected_; }
  bool opening() const override { return connecting_; }
  std::uint64_t bytes_up() const override { return bytes_up_; }
  std::uint64_t bytes_down() const override { return bytes_down_; }

 private:
  void lost(std::string_view why);
  void on_link_connected(int status) override;
  void on_link_data(char* data, std::size_t len) override;
  void on_link_closed() override;
  void on_response_head(const HttpResponseHead& head) override;
  void on_response_body(std::string_view bytes) override;
  void on_response_complete(const HttpResponseHead& head) override;

  Loop& loop_;
  HttpPublishTarget target_;
  PublishLinkEvents& events_;
  ClientConnection connection_;
  std::unique_ptr<HttpResponseParser> parser_;
  std::deque<std::uint64_t> awaiting_;  // seqs of the requests not answered yet, oldest first
  std::string request_;                 // reused to build each request
  std::string body_;                    // the current answer's body (an id, or an error text)
  std::uint64_t bytes_up_ = 0;
  std::uint64_t bytes_down_ = 0;
  int status_ = 0;
  bool connected_ = false;
  bool connecting_ = false;
};

}  // namespace rtb
