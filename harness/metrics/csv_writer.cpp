#include "harness/metrics/csv_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace rtb {
namespace {

std::string non_finite(double value) {
  if (std::isnan(value)) return "nan";
  return value > 0 ? "inf" : "-inf";
}

void set_error(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
}

}  // namespace

std::string csv_escape(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out;
  out.reserve(field.size() + 2);
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += csv_escape(fields[i]);
  }
  out.push_back('\n');
  return out;
}

std::string csv_double(double value) {
  if (!std::isfinite(value)) return non_finite(value);
  return fmt::format("{}", value);
}

std::string csv_figure(double value) {
  if (!std::isfinite(value)) return {};
  const double rounded = std::strtod(fmt::format("{:.9g}", value).c_str(), nullptr);
  return fmt::format("{}", rounded == 0 ? 0.0 : rounded);  // no "-0"
}

std::string csv_fixed(double value, int decimals) {
  if (!std::isfinite(value)) return non_finite(value);
  return fmt::format("{:.{}f}", value, decimals < 0 ? 0 : decimals);
}

std::optional<CsvWriter> CsvWriter::open(const std::string& path, const std::vector<std::string>& header,
                                         std::string* error) {
  if (header.empty()) {
    set_error(error, fmt::format("{}: a CSV header needs at least one column", path));
    return std::nullopt;
  }
  const std::string header_line = csv_line(header);
  // "a+" appends every write at the end whatever other writers did, and lets us read the existing header.
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "a+b"));
  if (!file) {
    set_error(error, fmt::format("{}: cannot open for appending: {}", path, std::strerror(errno)));
    return std::nullopt;
  }
  std::FILE* f = file.get();
  if (std::fseek(f, 0, SEEK_END) != 0) {
    set_error(error, fmt::format("{}: cannot seek: {}", path, std::strerror(errno)));
    return std::nullopt;
  }
  const long size = std::ftell(f);
  if (size < 0) {
    set_error(error, fmt::format("{}: cannot tell size: {}", path, std::strerror(errno)));
    return std::nullopt;
  }

  if (size == 0) {
    if (std::fwrite(header_line.data(), 1, header_line.size(), f) != header_line.size() ||
        std::fflush(f) != 0) {
      set_error(error, fmt::format("{}: cannot write header: {}", path, std::strerror(errno)));
      return std::nullopt;
    }
  } else {
    // Read a bit more than our header so the error message can show the whole existing first line.
    std::string existing(std::max<std::size_t>(header_line.size(), 4096), '\0');
    std::rewind(f);
    existing.resize(std::fread(existing.data(), 1, existing.size(), f));
    if (existing.compare(0, header_line.size(), header_line) != 0) {
      const std::string_view first_line = std::string_view(existing).substr(0, existing.find('\n'));
      set_error(
          error,
          fmt::format("{}: existing header '{}' differs from this run's '{}'; refusing to mix two "
                      "schemas in one file (write to a new file or move the old one away)",
                      path, first_line, std::string_view(header_line).substr(0, header_line.size() - 1)));
      return std::nullopt;
    }
    char last = '\0';
    if (std::fseek(f, -1, SEEK_END) != 0 || std::fread(&last, 1, 1, f) != 1 || last != '\n') {
      set_error(error,
                fmt::format("{}: does not end with a newline (torn last row?); refusing to append", path));
      return std::nullopt;
    }
  }
  // stdio needs a positioning call between a read and the next write on the same stream.
  if (std::fseek(f, 0, SEEK_END) != 0) {
    set_error(error, fmt::format("{}: cannot seek: {}", path, std::strerror(errno)));
    return std::nullopt;
  }
  return CsvWriter(path, header.size(), std::move(file));
}

bool CsvWriter::write_row(const std::vector<std::string>& fields) {
  if (fields.size() != columns_) return false;
  const std::string line = csv_line(fields);
  // Rows are few (one per scenario point) and a crash must not lose finished points: flush each one.
  return std::fwrite(line.data(), 1, line.size(), file_.get()) == line.size() &&
         std::fflush(file_.get()) == 0;
}

bool CsvWriter::flush() {
  return std::fflush(file_.get()) == 0;
}

}  // namespace rtb
