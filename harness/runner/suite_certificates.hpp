// SuiteCertificates: the throwaway CA and server certificate a suite with TLS points is served with, made by
// scripts/make-test-certs.sh in a temporary folder that lives as long as the object (no key is kept).
#pragma once

#include <optional>
#include <string>

#include "harness/process/temp_dir.hpp"
#include "harness/runner/suite.hpp"

namespace rtb {

class SuiteCertificates {
 public:
  // nullopt with the reason in *error (no script, openssl failed); the script's output goes to `log_path`.
  static std::optional<SuiteCertificates> make(const std::string& script, const std::string& log_path,
                                               std::string* error);
  SuiteCertificates(SuiteCertificates&& other) noexcept = default;
  SuiteCertificates& operator=(SuiteCertificates&&) = delete;
  SuiteCertificates(const SuiteCertificates&) = delete;
  SuiteCertificates& operator=(const SuiteCertificates&) = delete;
  ~SuiteCertificates() = default;

  const TlsFiles& files() const { return files_; }

 private:
  explicit SuiteCertificates(TempDir dir);
  TempDir dir_;
  TlsFiles files_;
};

}  // namespace rtb
