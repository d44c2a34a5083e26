// Verify: TechEmpower-style checks that a server speaks the wire contract before a suite spends minutes on it
// (GET /stats is JSON, POST /publish returns an id, and every transport of the table delivers that event to
// its own client, the one the load generator runs).
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace rtb {

struct VerifyCheck {
  std::string name;  // "POST /publish returns an id"
  bool ok = false;
  std::string detail;  // what was received when it failed, or a short note when it passed
};

struct VerifyReport {
  std::vector<VerifyCheck> checks;
  bool ok() const;
  // One line per failed check: "verify: <name>: <detail>".
  std::string failures() const;
};

// Each check has a deadline of `timeout`.
VerifyReport verify_server(const std::string& host, int port,
                           std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

}  // namespace rtb
