// ErrorTally: connection errors of a load run counted by kind, with the first message of each kind kept so
// the summary can say what went wrong, not just how often.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "transports/common/client_session.hpp"

namespace rtb {

inline constexpr std::size_t kClientErrorKinds = 5;
inline constexpr std::array<ClientErrorKind, kClientErrorKinds> kAllClientErrorKinds = {
    ClientErrorKind::kRefused, ClientErrorKind::kReset, ClientErrorKind::kTimeout, ClientErrorKind::kProtocol,
    ClientErrorKind::kHttpStatus};

// One line per kind for --help and the README: what it means and what usually causes it.
std::string_view client_error_explanation(ClientErrorKind kind);

class ErrorTally {
 public:
  void add(ClientErrorKind kind, std::string_view detail, std::uint64_t n = 1);
  std::uint64_t count(ClientErrorKind kind) const { return counts_[index(kind)]; }
  const std::string& first_detail(ClientErrorKind kind) const { return details_[index(kind)]; }
  std::uint64_t total() const;

 private:
  static std::size_t index(ClientErrorKind kind) { return static_cast<std::size_t>(kind); }
  std::array<std::uint64_t, kClientErrorKinds> counts_{};
  std::array<std::string, kClientErrorKinds> details_;
};

}  // namespace rtb
