#include "harness/runner/suite_certificates.hpp"

#include <fmt/format.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <utility>

#include "harness/process/child_process.hpp"

namespace rtb {

namespace fs = std::filesystem;

SuiteCertificates::SuiteCertificates(std::string dir) : dir_(std::move(dir)) {
  files_.ca = (fs::path(dir_) / "ca.pem").string();
  files_.cert = (fs::path(dir_) / "server.pem").string();
  files_.key = (fs::path(dir_) / "server.key").string();
}

SuiteCertificates::SuiteCertificates(SuiteCertificates&& other) noexcept
    : dir_(std::exchange(other.dir_, std::string())), files_(std::move(other.files_)) {}

SuiteCertificates::~SuiteCertificates() {
  if (dir_.empty()) return;
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

std::optional<SuiteCertificates> SuiteCertificates::make(const std::string& script,
                                                         const std::string& log_path, std::string* error) {
  std::error_code ec;
  if (script.empty() || !fs::exists(script, ec)) {
    *error =
        "the suite has TLS points and scripts/make-test-certs.sh was not found (run from the source tree)";
    return std::nullopt;
  }
  std::string pattern = (fs::temp_directory_path(ec) / "rtb-suite-certs-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    *error = fmt::format("cannot make a temporary folder for the suite's certificates ({})", pattern);
    return std::nullopt;
  }
  SuiteCertificates certs(pattern);  // removes the folder on every way out from here
  SpawnOptions o;
  o.binary = "/bin/bash";
  o.args = {script, pattern};
  o.output_path = log_path;
  auto child = ChildProcess::spawn(o, error);
  if (!child) return std::nullopt;
  if (!child->wait_for(std::chrono::seconds(60))) {
    child->stop();
    *error = fmt::format("{} did not finish within 60 s; see {}", script, log_path);
    return std::nullopt;
  }
  if (child->exit_code() != 0) {
    *error = fmt::format("{} failed ({}); see {}", script, child->describe_exit(), log_path);
    return std::nullopt;
  }
  for (const auto* f : {&certs.files_.ca, &certs.files_.cert, &certs.files_.key}) {
    if (!fs::exists(*f, ec)) {
      *error = fmt::format("{} did not make {}", script, *f);
      return std::nullopt;
    }
  }
  return certs;
}

}  // namespace rtb
