// Where the runner tests find the source tree and the rtbench binary: ctest's RTB_SOURCE_DIR / RTB_BINARY_DIR
// when set, else the directories this test binary was configured with (so it also runs by hand).
#pragma once

#include <cstdlib>
#include <string>

namespace rtb::test {

inline std::string source_dir() {
  const char* env = std::getenv("RTB_SOURCE_DIR");
  return env != nullptr ? env : RTB_RUNNER_TEST_SOURCE_DIR;
}

inline std::string rtbench_binary() {
  const char* env = std::getenv("RTB_BINARY_DIR");
  return std::string(env != nullptr ? env : RTB_RUNNER_TEST_BINARY_DIR) + "/harness/rtbench";
}

}  // namespace rtb::test
