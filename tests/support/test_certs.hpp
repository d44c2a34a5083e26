// TestCerts: a throwaway CA and server certificates (scripts/make-test-certs.sh) in a temporary folder that
// lives as long as the object. Tests and suites never use a committed key.
#pragma once

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace rtb::test {

class TestCerts {
 public:
  TestCerts() {
    const char* source = std::getenv("RTB_SOURCE_DIR");
    std::string pattern = (std::filesystem::temp_directory_path() / "rtb-certs-XXXXXX").string();
    if (source == nullptr || ::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("TestCerts: RTB_SOURCE_DIR unset (run through ctest) or no temporary folder");
    }
    dir_ = pattern;
    const std::string command =
        std::string(source) + "/scripts/make-test-certs.sh '" + dir_.string() + "' >/dev/null";
    if (std::system(command.c_str()) != 0) {
      std::filesystem::remove_all(dir_);
      throw std::runtime_error("TestCerts: scripts/make-test-certs.sh failed");
    }
  }
  ~TestCerts() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  TestCerts(const TestCerts&) = delete;
  TestCerts& operator=(const TestCerts&) = delete;

  std::string file(const char* name) const { return (dir_ / name).string(); }
  std::string ca() const { return file("ca.pem"); }
  std::string cert() const { return file("server.pem"); }
  std::string key() const { return file("server.key"); }

 private:
  std::filesystem::path dir_;
};

}  // namespace rtb::test
