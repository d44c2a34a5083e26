#include "harness/process/temp_dir.hpp"

#include <fmt/format.h>
#include <stdlib.h>

#include <filesystem>

namespace rtb {

namespace fs = std::filesystem;

std::optional<TempDir> TempDir::make(std::string_view prefix, std::string* error) {
  std::error_code ec;
  std::string pattern = (fs::temp_directory_path(ec) / fmt::format("{}-XXXXXX", prefix)).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    *error =
        fmt::format("cannot make a temporary folder ({}): is the temporary directory writable?", pattern);
    return std::nullopt;
  }
  return TempDir(pattern);
}

void TempDir::remove() noexcept {
  if (path_.empty()) return;
  std::error_code ignored;
  fs::remove_all(path_, ignored);
  path_.clear();
}

}  // namespace rtb
