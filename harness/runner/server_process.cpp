#include "harness/runner/server_process.hpp"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/process/file_tail.hpp"

namespace rtb {

namespace {

std::string read_log_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::optional<std::pair<std::string, int>> parse_listening_line(std::string_view text) {
  constexpr std::string_view kPrefix = "rtbench serve: listening on ";
  std::size_t at = text.find(kPrefix);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(at + kPrefix.size());
  std::size_t end = rest.find_first_of("\r\n");
  if (end == std::string_view::npos) return std::nullopt;  // the line is not complete yet
  std::string_view url = rest.substr(0, end);
  std::size_t colon = url.rfind(':');
  const std::size_t scheme = url.starts_with("https://") ? 8 : url.starts_with("http://") ? 7 : 0;
  if (scheme == 0 || colon == std::string_view::npos || colon < scheme) return std::nullopt;
  int port = 0;
  auto [p, ec] = std::from_chars(url.data() + colon + 1, url.data() + url.size(), port);
  if (ec != std::errc() || p != url.data() + url.size() || port <= 0 || port > 65535) return std::nullopt;
  return std::make_pair(std::string(url), port);
}

std::optional<ServerProcess> ServerProcess::start(const std::string& binary,
                                                  const std::vector<std::string>& args,
                                                  const std::string& log_path, int cpu, std::string* error,
                                                  std::chrono::milliseconds timeout) {
  // A fresh log, so a ready line left by an earlier run cannot be mistaken for this server's.
  std::ofstream(log_path, std::ios::trunc).close();
  SpawnOptions o;
  o.binary = binary;
  o.args = args;
  o.output_path = log_path;
  o.cpu = cpu;
  auto child = ChildProcess::spawn(o, error);
  if (!child) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (auto line = parse_listening_line(read_log_file(log_path))) {
      return ServerProcess(std::move(*child), line->first, line->second);
    }
    if (!child->running()) {
      if (error != nullptr) {
        *error = fmt::format("the server ({}) ended before listening ({}); its log {}:\n{}", binary,
                             child->describe_exit(), log_path, file_tail(log_path));
      }
      return std::nullopt;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      child->stop();
      if (error != nullptr) {
        *error = fmt::format("the server did not print its address within {} ms; its log {}:\n{}",
                             timeout.count(), log_path, file_tail(log_path));
      }
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace rtb
