#include "harness/runner/suite_certificates.hpp"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <utility>

#include "harness/process/child_process.hpp"

namespace rtb {

namespace fs = std::filesystem;

SuiteCertificates::SuiteCertificates(TempDir dir) : dir_(std::move(dir)) {
  files_.ca = (fs::path(dir_.path()) / "ca.pem").string();
  files_.cert = (fs::path(dir_.path()) / "server.pem").string();
  files_.key = (fs::path(dir_.path()) / "server.key").string();
}

std::optional<SuiteCertificates> SuiteCertificates::make(const std::string& script,
                                                         const std::string& log_path, std::string* error) {
  std::error_code ec;
  if (script.empty() || !fs::exists(script, ec)) {
    *error =
        "the suite has TLS points and scripts/make-test-certs.sh was not found (run from the source tree)";
    return std::nullopt;
  }
  auto dir = TempDir::make("rtb-suite-certs", error);
  if (!dir) return std::nullopt;
  const std::string folder = dir->path();
  SuiteCertificates certs(std::move(*dir));  // removes the folder on every way out from here
  SpawnOptions o;
  o.binary = "/bin/bash";
  o.args = {script, folder};
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
