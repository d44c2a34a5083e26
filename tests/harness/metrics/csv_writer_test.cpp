#include "harness/metrics/csv_writer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <locale>
#include <sstream>

namespace rtb {
namespace {

class CsvWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (std::filesystem::temp_directory_path() / "rtb_csv_XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string path(const char* name) const { return (dir_ / name).string(); }
  static std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static void spit(const std::string& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
  }

  std::filesystem::path dir_;
};

TEST_F(CsvWriterTest, QuotesPerRfc4180) {
  EXPECT_EQ(csv_escape("plain"), "plain");
  EXPECT_EQ(csv_escape(""), "");
  EXPECT_EQ(csv_escape("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_escape("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_escape("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(csv_escape("cr\r"), "\"cr\r\"");
  EXPECT_EQ(csv_escape("semi;colon tab\t"), "semi;colon tab\t");
  EXPECT_EQ(csv_line({"a", "b,c", "", "\""}), "a,\"b,c\",,\"\"\"\"\n");
}

TEST_F(CsvWriterTest, WritesHeaderOnceAndAppends) {
  const std::string p = path("results.csv");
  std::string error;
  {
    auto w = CsvWriter::open(p, {"transport", "p99_us", "note"}, &error);
    ASSERT_TRUE(w.has_value()) << error;
    EXPECT_TRUE(w->write_row({"sse", "12.5", "ok, fine"}));
  }
  {
    auto w = CsvWriter::open(p, {"transport", "p99_us", "note"}, &error);
    ASSERT_TRUE(w.has_value()) << error;
    EXPECT_TRUE(w->write_row({"ws", "9", "said \"hi\""}));
    EXPECT_FALSE(w->write_row({"too", "few"}));
  }
  EXPECT_EQ(slurp(p),
            "transport,p99_us,note\n"
            "sse,12.5,\"ok, fine\"\n"
            "ws,9,\"said \"\"hi\"\"\"\n");
}

TEST_F(CsvWriterTest, EmptyExistingFileGetsHeader) {
  const std::string p = path("empty.csv");
  spit(p, "");
  std::string error;
  auto w = CsvWriter::open(p, {"a"}, &error);
  ASSERT_TRUE(w.has_value()) << error;
  EXPECT_TRUE(w->write_row({"1"}));
  EXPECT_EQ(slurp(p), "a\n1\n");
}

TEST_F(CsvWriterTest, RefusesDifferentHeader) {
  const std::string p = path("mixed.csv");
  spit(p, "transport,p50_us\nsse,1\n");
  for (const std::vector<std::string>& header : std::vector<std::vector<std::string>>{
           {"transport", "p99_us"}, {"transport"}, {"transport", "p50_us", "p99_us"}}) {
    std::string error;
    EXPECT_FALSE(CsvWriter::open(p, header, &error).has_value());
    EXPECT_NE(error.find("transport,p50_us"), std::string::npos) << error;
    EXPECT_NE(error.find("refusing"), std::string::npos) << error;
  }
  EXPECT_EQ(slurp(p), "transport,p50_us\nsse,1\n");  // untouched
}

TEST_F(CsvWriterTest, RefusesTornLastRow) {
  const std::string p = path("torn.csv");
  spit(p, "a,b\n1,");
  std::string error;
  EXPECT_FALSE(CsvWriter::open(p, {"a", "b"}, &error).has_value());
  EXPECT_NE(error.find("newline"), std::string::npos) << error;
}

TEST_F(CsvWriterTest, UnopenablePathReportsError) {
  std::string error;
  EXPECT_FALSE(CsvWriter::open(path("no/such/dir.csv"), {"a"}, &error).has_value());
  EXPECT_NE(error.find("cannot open"), std::string::npos) << error;
}

// A numpunct that would turn 0.5 into "0,5" if anything consulted the global C++ locale.
struct CommaDecimal : std::numpunct<char> {
  // refs = 1: the locale does not own (delete) the facet, so it can live in a static.
  CommaDecimal() : std::numpunct<char>(1) {}
  char do_decimal_point() const override { return ','; }
  char do_thousands_sep() const override { return '.'; }
  std::string do_grouping() const override { return "\3"; }
};

TEST_F(CsvWriterTest, DoublesIgnoreLocale) {
  static CommaDecimal comma_decimal;
  const std::locale saved = std::locale::global(std::locale(std::locale::classic(), &comma_decimal));
  std::ostringstream probe;  // proves the locale is really in force for iostreams
  probe << 0.5;
  EXPECT_EQ(probe.str(), "0,5");
  EXPECT_EQ(csv_double(0.5), "0.5");
  EXPECT_EQ(csv_double(0.1), "0.1");
  EXPECT_EQ(csv_double(1234567.25), "1234567.25");
  EXPECT_EQ(csv_double(3.0), "3");
  EXPECT_EQ(csv_fixed(2.5, 2), "2.50");
  EXPECT_EQ(csv_fixed(1234.5678, 1), "1234.6");
  EXPECT_EQ(csv_double(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(csv_double(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(csv_fixed(-std::numeric_limits<double>::infinity(), 3), "-inf");
  std::locale::global(saved);
}

}  // namespace
}  // namespace rtb
