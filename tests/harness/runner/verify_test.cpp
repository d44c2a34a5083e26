#include "harness/runner/verify.hpp"

#include <gtest/gtest.h>

#include "tests/support/test_server.hpp"
#include "transports/table/transport_table.hpp"

namespace rtb {
namespace {

TEST(VerifyServer, PassesEveryCheckAgainstTheRealServer) {
  test::TestServer server;
  VerifyReport report = verify_server("127.0.0.1", server.port());
  EXPECT_TRUE(report.ok()) << report.failures();
  // /stats, /publish, then one check per transport of the table.
  EXPECT_EQ(report.checks.size(), 2 + transport_table().size());
  EXPECT_EQ(report.failures(), "");
}

TEST(VerifyServer, FailsWithAClearMessageWhenNothingListens) {
  int port;
  {
    test::TestServer server;
    port = server.port();
  }
  VerifyReport report = verify_server("127.0.0.1", port, std::chrono::milliseconds(500));
  EXPECT_FALSE(report.ok());
  EXPECT_NE(report.failures().find("verify: GET /stats answers 200 with a JSON object: cannot connect"),
            std::string::npos)
      << report.failures();
  EXPECT_NE(report.failures().find("skipped: no id from /publish"), std::string::npos);
}

TEST(VerifyReport, EmptyIsNotOk) {
  EXPECT_FALSE(VerifyReport{}.ok());
}

}  // namespace
}  // namespace rtb
