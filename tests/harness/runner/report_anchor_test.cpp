#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "harness/runner/report.hpp"
#include "tests/harness/runner/test_paths.hpp"

namespace rtb {
namespace {

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// report.md cites documents that exist in the project, with the figures those documents hold.
TEST(ReportAnchors, CitedDocumentsExistAndHoldTheCitedFigures) {
  const std::string source = test::source_dir();
  const std::string anchor(kNginxAnchor);
  ASSERT_NE(anchor.find("results/peers/README.md"), std::string::npos);
  ASSERT_NE(anchor.find("docs/anchors.md"), std::string::npos);
  const std::string peers = read_whole_file(source + "/results/peers/README.md");
  ASSERT_FALSE(peers.empty()) << "results/peers/README.md is missing";
  EXPECT_NE(peers.find("rtbench 6.30 us, nginx 6.46 us"), std::string::npos)
      << "the anchor's figures (6.30 / 6.46 us) are not the ones results/peers/README.md holds";
  EXPECT_NE(anchor.find("6.46 us"), std::string::npos);
  EXPECT_NE(anchor.find("6.30 us"), std::string::npos);
  const std::string anchors = read_whole_file(source + "/docs/anchors.md");
  ASSERT_FALSE(anchors.empty()) << "docs/anchors.md is missing";
  EXPECT_NE(anchors.find("6.46 us"), std::string::npos) << "docs/anchors.md must point at the local figure";
}

}  // namespace
}  // namespace rtb
