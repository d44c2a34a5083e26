#include "harness/runner/kaazing_table.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "harness/runner/result_figures.hpp"
#include "harness/scenario/chromium_heads.hpp"

namespace rtb {
namespace {

// The 2010 table is 871 B and 2 B per client per second in 2^20-bit "Mbps", cut to 2-4 digits as printed
// (0.015 for 0.01526: within 2%).
TEST(Kaazing2010, TheTableFollowsFrom871And2BytesInBinaryMegabits) {
  for (const auto& row : kaazing_2010_table()) {
    const double clients = static_cast<double>(row.clients);
    EXPECT_NEAR(binary_mbps(kKaazingPollBytes * clients), row.polling_mbps, row.polling_mbps * 0.02)
        << row.clients;
    EXPECT_NEAR(binary_mbps(kKaazingFrameBytes * clients), row.websocket_mbps, row.websocket_mbps * 0.02)
        << row.clients;
  }
  EXPECT_DOUBLE_EQ(kKaazingPollBytes / kKaazingFrameBytes, 435.5);
}

TEST(ResultFigures, WireBytesAdd52BytesPerSegment) {
  LoadResult r;
  r.bytes_up_per_event = 800;
  r.bytes_down_per_event = 200;
  r.tcp_segments_per_event = 3;
  r.bytes_up_per_s = 8000;
  r.bytes_down_per_s = 2000;
  r.tcp_segments = 300;
  r.duration_s = 10;
  r.requests_per_event = 0.5;
  r.header_bytes_per_event = 400;
  EXPECT_DOUBLE_EQ(app_bytes_per_event(r), 1000);
  EXPECT_DOUBLE_EQ(wire_bytes_per_event(r), 1156);
  EXPECT_DOUBLE_EQ(wire_bytes_per_s(r), 10000 + 30 * 52);
  EXPECT_DOUBLE_EQ(header_bytes_per_request(r), 800);
  r.requests_per_event = 0;
  EXPECT_TRUE(std::isnan(header_bytes_per_request(r)));
  EXPECT_NEAR(binary_mbps(871'000), 6.645, 0.001);
}

LoadResult measured(const char* transport, std::uint64_t clients, double app_per_event, const char* profile) {
  LoadResult r;
  r.transport = transport;
  r.clients = r.connected = clients;
  r.rate = 1;
  r.header_profile = profile;
  r.request_head_bytes = 700;
  r.duration_s = 10;
  r.bytes_up_per_event = app_per_event;
  r.tcp_segments_per_event = 2;
  r.bytes_up_per_s = app_per_event * static_cast<double>(clients);
  r.tcp_segments = 2 * clients * 10;
  r.requests_per_event = std::string(transport) == "poll" ? 1 : 0;
  r.header_bytes_per_event = std::string(transport) == "poll" ? app_per_event - 64 : 0;
  return r;
}

TEST(KaazingSection, PutsThe2010RowsBesideMeasuredAppAndWireBytes) {
  std::vector<LoadResult> results = {
      measured("poll", 1000, 900, "browser"), measured("ws", 1000, 70, "browser"),
      measured("poll", 10000, 900, "browser"), measured("ws", 10000, 70, "browser")};
  std::vector<CaseResults> cases;
  for (const auto& r : results) {
    cases.push_back({r.clients == 1000 ? "c1000" : "c10000", r.transport, {}, {&r}});
  }
  std::string md = render_kaazing_section(cases);
  EXPECT_NE(md.find("### browser request headers (700 B request head)"), std::string::npos) << md;
  EXPECT_NE(md.find("| 2010 polling (871 B headers) | 871 | 6.6 | 871 | 66 | 665 |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| 2010 WebSocket (2 B frames) | 2 | 0.015 | 2 | 0.153 | 1.526 |"), std::string::npos)
      << md;
  // 900 B x 1,000 clients x 8 / 2^20 = 6.87 Mbps; the 100,000 column is 10x the 10,000 one, in italics.
  EXPECT_NE(md.find("| poll, app | 900 | 6.87 | 900 | 68.7 | *687* |"), std::string::npos) << md;
  // wire = 900 + 2 x 52 = 1004 B per event.
  EXPECT_NE(md.find("| poll, wire | 1004 |"), std::string::npos) << md;
  EXPECT_NE(md.find("**12.9:1** in application bytes"), std::string::npos) << md;
  EXPECT_NE(md.find("(2010: 435.5:1)"), std::string::npos) << md;
  EXPECT_NE(md.find("Mbps @ 100000 (extrapolated x10 from 10000)"), std::string::npos) << md;
}

TEST(KaazingSection, AMeasuredHundredThousandColumnIsNotExtrapolated) {
  std::vector<LoadResult> results = {
      measured("poll", 10000, 900, "minimal"), measured("ws", 10000, 70, "minimal"),
      measured("poll", 100000, 900, "minimal"), measured("ws", 100000, 70, "minimal")};
  std::vector<CaseResults> cases;
  for (const auto& r : results) cases.push_back({fmt::format("c{}", r.clients), r.transport, {}, {&r}});
  const std::string md = render_kaazing_section(cases);
  EXPECT_EQ(md.find("Mbps @ 100000 (extrapolated"), std::string::npos) << md;
  EXPECT_NE(md.find("| B/event @ 100000 | Mbps @ 100000 |"), std::string::npos) << md;
  // 900 B x 100,000 x 8 / 2^20, measured, not in italics; 2010's 665 beside it.
  EXPECT_NE(md.find("| poll, app | 900 | 68.7 | 900 | 687 |\n"), std::string::npos) << md;
  EXPECT_NE(md.find("| 2010 polling (871 B headers) | 871 | 66 | 871 | 665 |\n"), std::string::npos) << md;
}

TEST(KaazingSection, GivesChromiumsMeasuredHeadsTheirOwnSectionNamingTheVersion) {
  std::vector<LoadResult> results = {
      measured("poll", 1000, 900, "browser"), measured("ws", 1000, 70, "browser"),
      measured("poll", 1000, 950, "chromium"), measured("ws", 1000, 70, "chromium")};
  std::vector<CaseResults> cases;
  for (const auto& r : results) cases.push_back({"c1000-" + r.header_profile, r.transport, {}, {&r}});
  const std::string md = render_kaazing_section(cases);
  const std::string heading = "### Chromium, measured: the request head Chromium " +
                              std::string(kChromiumVersion) + " sent for a fetch() poll (700 B request head)";
  const std::size_t chromium = md.find(heading);
  ASSERT_NE(chromium, std::string::npos) << md;
  EXPECT_NE(md.find("### browser request headers (700 B request head)"), std::string::npos) << md;
  // Its own rows: the chromium poll's 950 B, after its heading.
  EXPECT_NE(md.find("| poll, app | 950 |", chromium), std::string::npos) << md;
  EXPECT_EQ(md.find("| poll, app | 950 |"), md.find("| poll, app | 950 |", chromium)) << md;
}

TEST(KaazingSection, EmptyWithoutOneEventPerSecond) {
  LoadResult r = measured("poll", 1000, 900, "minimal");
  r.rate = 100;
  std::vector<CaseResults> cases = {{"p", "poll", {}, {&r}}};
  EXPECT_EQ(render_kaazing_section(cases), "");
}

}  // namespace
}  // namespace rtb
