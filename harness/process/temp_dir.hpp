// TempDir: a folder of its own under the system's temporary directory (mkdtemp), removed with everything in
// it when the object goes, whatever way the caller leaves: certificates, proxy configs and logs of one run.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace rtb {

class TempDir {
 public:
  // `prefix` names the folder ("rtb-suite-certs"); nullopt with a sentence in *error when none can be made.
  static std::optional<TempDir> make(std::string_view prefix, std::string* error);
  TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  TempDir& operator=(TempDir&& other) noexcept {
    if (this != &other) {
      remove();
      path_ = std::exchange(other.path_, {});
    }
    return *this;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() { remove(); }

  const std::string& path() const { return path_; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  void remove() noexcept;
  std::string path_;  // empty once moved from
};

}  // namespace rtb
