// Interop: Debian's python3-websockets, a third-party client, against /echo and /ws (text and binary echo,
// fragmented send, ping, close code round trip, a close code from the server, published events).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/server/server_test_util.hpp"
#include "transports/websocket/websocket_transport.hpp"

namespace rtb::test {
namespace {

std::string interop_script() {
  if (const char* root = std::getenv("RTB_SOURCE_DIR"))
    return (std::filesystem::path(root) / "tests/server/ws_interop_client.py").string();
  return (std::filesystem::path(__FILE__).parent_path() / "ws_interop_client.py").string();
}

// Runs the script with a hard timeout; returns its exit status (or -1) and its output.
int run_script(int port, std::string& output) {
  const std::string command =
      "timeout 120 /usr/bin/python3 '" + interop_script() + "' " + std::to_string(port) + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
  const int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(WsInterop, PythonWebsocketsAgainstEchoAndWs) {
  ServerConfig config = TestServer::default_config();
  config.transports.get<WsConfig>().ping_interval_ms = 100;
  TestServer server(config);
  std::string output;
  const int status = run_script(server.port(), output);
  EXPECT_EQ(status, 0) << output;
  for (const char* check :
       {"echo_text", "echo_binary", "fragmented_send", "ping", "close_code_round_trip", "server_close_code",
        "ws_receives_published_events", "server_pings_are_answered"}) {
    EXPECT_NE(output.find(std::string("ok ") + check + "\n"), std::string::npos) << check << "\n" << output;
  }
  EXPECT_EQ(output.find("FAIL"), std::string::npos) << output;
}

}  // namespace
}  // namespace rtb::test
