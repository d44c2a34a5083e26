// Helpers for the proxy tests: a scratch directory removed afterwards, line differences between two config
// texts, the children and threads of a process, and the skip when a proxy is not installed.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "harness/proxies/intermediary.hpp"

// Skips the test, saying which package to install, when the proxy's binary is missing.
#define RTB_SKIP_UNLESS_INSTALLED(kind)                                                      \
  do {                                                                                       \
    if (std::string rtb_missing = ::rtb::intermediary_missing(kind); !rtb_missing.empty()) { \
      GTEST_SKIP() << rtb_missing;                                                           \
    }                                                                                        \
  } while (false)

namespace rtb::test {

// A fresh directory under the temp dir, removed with everything in it when the object goes.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "rtb_proxy_XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::vector<std::string> text_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The lines of `a` that `b` lacks (as a multiset), in a's order.
inline std::vector<std::string> lines_only_in(const std::string& a, const std::string& b) {
  std::vector<std::string> rest = text_lines(b);
  std::vector<std::string> out;
  for (const std::string& line : text_lines(a)) {
    auto it = std::find(rest.begin(), rest.end(), line);
    if (it == rest.end()) {
      out.push_back(line);
    } else {
      rest.erase(it);
    }
  }
  return out;
}

// The whole line of `text` that contains `needle` (the first), or empty.
inline std::string line_with(const std::string& text, const std::string& needle) {
  for (const std::string& line : text_lines(text)) {
    if (line.find(needle) != std::string::npos) return line;
  }
  return {};
}

// The processes whose parent is `pid` (from /proc/<pid>/stat of every process).
inline int child_count(pid_t pid) {
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;  // not a process
    std::ifstream in(entry.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string state;
    long ppid = 0;
    fields >> state >> ppid;
    if (ppid == pid) ++n;
  }
  return n;
}

// "Threads:" of /proc/<pid>/status; -1 when unreadable.
inline int thread_count(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Threads:", 0) == 0) return std::atoi(line.c_str() + 8);
  }
  return -1;
}

}  // namespace rtb::test
