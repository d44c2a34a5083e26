// CsvWriter: appends result rows to a CSV file under a fixed header, refusing to mix schemas in one file.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rtb {

// One field, quoted per RFC 4180 when it contains a comma, a double quote, CR or LF (quotes doubled).
std::string csv_escape(std::string_view field);
// Fields joined with commas and terminated by "\n" (LF, not RFC 4180's CRLF: every CSV reader we feed, pandas
// and Python's csv module included, accepts it, and it keeps the files diff-friendly).
std::string csv_line(const std::vector<std::string>& fields);

// Shortest text that reads back as the same double, always '.' as decimal point whatever the C/C++ locale;
// NaN and infinities as "nan", "inf", "-inf" (what pandas and Python's float() read back).
std::string csv_double(double value);
// A measured figure for a results table: 9 significant digits in the shortest form ("0.084", not
// "0.08399999999999999"), and an empty cell for NaN (not measured) or an infinity.
std::string csv_figure(double value);
// Fixed number of decimals, same locale independence and non-finite spelling.
std::string csv_fixed(double value, int decimals);

class CsvWriter {
 public:
  // Opens `path` for appending. A missing or empty file gets the header; an existing one must start with
  // exactly this header line (else nullopt, with the reason in *error), and must end with a newline, because
  // a torn last row would glue itself to our first one.
  static std::optional<CsvWriter> open(const std::string& path, const std::vector<std::string>& header,
                                       std::string* error);

  // Writes one row. Refuses (returns false, writes nothing) a row whose field count differs from the
  // header's; also false on an I/O error. Each row is flushed, so a crash later in the run keeps the rows
  // written.
  bool write_row(const std::vector<std::string>& fields);
  bool flush();

  const std::string& path() const { return path_; }
  std::size_t columns() const { return columns_; }

 private:
  struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  CsvWriter(std::string path, std::size_t columns, std::unique_ptr<std::FILE, FileCloser> file)
      : path_(std::move(path)), columns_(columns), file_(std::move(file)) {}

  std::string path_;
  std::size_t columns_;
  std::unique_ptr<std::FILE, FileCloser> file_;
};

}  // namespace rtb
