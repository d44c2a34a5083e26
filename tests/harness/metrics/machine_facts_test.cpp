#include "harness/metrics/machine_facts.hpp"

#include <sys/resource.h>
#include <unistd.h>
#include <uv.h>

#include <gtest/gtest.h>

#include <cmath>

namespace rtb {
namespace {

TEST(HostFacts, ReadsThisMachine) {
  const HostFacts f = read_host_facts();
  EXPECT_GE(f.cores, 1);
  EXPECT_EQ(f.cores, sysconf(_SC_NPROCESSORS_ONLN));
  EXPECT_FALSE(f.hostname.empty());
  EXPECT_EQ(f.kernel.rfind("Linux ", 0), 0u) << f.kernel;
  EXPECT_FALSE(f.cpu_model.empty());
  EXPECT_GT(f.mem_total_bytes, 0u);
  EXPECT_EQ(f.mem_total_bytes % 1024, 0u);
  EXPECT_GE(f.open_files_limit, 3u);
}

TEST(HostFacts, ParsesCpuModel) {
  EXPECT_EQ(parse_cpuinfo_model("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel\t\t: 1\n"
                                "model name\t: AMD EPYC 7763 64-Core Processor  \nflags\t\t: fpu\n"
                                "processor\t: 1\nmodel name\t: second\n"),
            std::optional<std::string>("AMD EPYC 7763 64-Core Processor"));
  EXPECT_EQ(parse_cpuinfo_model("processor\t: 0\nmodel\t\t: 1\n"), std::nullopt);
}

TEST(HostFacts, WritesJsonFields) {
  HostFacts f;
  f.hostname = "bench-1";
  f.kernel = "Linux 6.1.0-18-amd64 x86_64";
  f.cpu_model = "AMD \"EPYC\"";
  f.cores = 8;
  f.mem_total_bytes = 16ull << 30;
  f.open_files_limit = 1048576;
  Json w = Json::object();
  write_host_facts(w, f);
  EXPECT_EQ(json_text(w, -1),
            "{\"hostname\":\"bench-1\",\"kernel\":\"Linux 6.1.0-18-amd64 x86_64\",\"cpu_model\":\"AMD "
            "\\\"EPYC\\\"\",\"cores\":8,\"mem_total_bytes\":17179869184,\"open_files_limit\":1048576}");
}

TEST(SystemFacts, ReadsThisMachine) {
  const SystemFacts f = read_system_facts("");
  rlimit nofile{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &nofile), 0);
  EXPECT_GE(f.open_files_soft, 3u);
  EXPECT_GE(f.open_files_hard, f.open_files_soft);
  // Both groups read the one limit the same way.
  EXPECT_EQ(f.open_files_soft, read_host_facts().open_files_limit);
  if (access("/proc/sys/net/ipv4/ip_local_port_range", R_OK) == 0) {
    EXPECT_EQ(f.ip_local_port_range.find('\t'), std::string::npos) << f.ip_local_port_range;
    EXPECT_NE(f.ip_local_port_range.find(' '), std::string::npos) << f.ip_local_port_range;
  }
  EXPECT_FALSE(f.compiler.empty());
  EXPECT_EQ(f.libuv, uv_version_string());
  EXPECT_FALSE(f.fmt.empty());
  EXPECT_FALSE(std::isnan(one_minute_load(f.load_average))) << f.load_average;
  // No interpreter named: none is asked.
  EXPECT_EQ(f.python, "");
  EXPECT_EQ(f.matplotlib, "");
}

TEST(SystemFacts, AsksTheNamedInterpreter) {
  // An interpreter that fails (as one without matplotlib does for that probe) or is missing leaves both
  // empty.
  for (const char* python : {"false", "/nonexistent/python3"}) {
    SCOPED_TRACE(python);
    const SystemFacts f = read_system_facts(python);
    EXPECT_EQ(f.python, "");
    EXPECT_EQ(f.matplotlib, "");
  }
  if (access("/usr/bin/python3", X_OK) == 0) {
    const SystemFacts f = read_system_facts("/usr/bin/python3");
    EXPECT_EQ(f.python.rfind("3.", 0), 0u) << f.python;
  }
}

TEST(SystemFacts, ParsesLoadAverage) {
  EXPECT_EQ(parse_load_average("0.52 0.61 0.70 2/345 6789\n"), "0.52 0.61 0.70");
  EXPECT_EQ(parse_load_average("0.52 0.61"), "");
  EXPECT_EQ(parse_load_average(""), "");
  EXPECT_DOUBLE_EQ(one_minute_load("0.52 0.61 0.70"), 0.52);
  EXPECT_TRUE(std::isnan(one_minute_load("")));
}

TEST(SystemFacts, WritesJsonFields) {
  SystemFacts f;
  f.open_files_soft = 1024;
  f.open_files_hard = 524288;
  f.somaxconn = "4096";
  f.ip_local_port_range = "32768 60999";
  f.tcp_timestamps = "1";
  f.compiler = "gcc 12.2.0";
  f.libuv = "1.44.2";
  f.openssl = "OpenSSL 3.0.19 27 Jan 2026";
  f.fmt = "9.1.0";
  f.load_average = "0.52 0.61 0.70";
  f.python = "3.11.2";
  f.matplotlib = "3.6.3";
  Json w = Json::object();
  write_system_facts(w, f);
  EXPECT_EQ(json_text(w, -1),
            "{\"open_files_soft\":1024,\"open_files_hard\":524288,\"somaxconn\":\"4096\","
            "\"ip_local_port_range\":\"32768 60999\",\"tcp_timestamps\":\"1\",\"compiler\":\"gcc 12.2.0\","
            "\"libuv\":\"1.44.2\",\"openssl\":\"OpenSSL 3.0.19 27 Jan 2026\",\"fmt\":\"9.1.0\",\"load_average_at_start\":\"0.52 0.61 0.70\","
            "\"python\":\"3.11.2\",\"matplotlib\":\"3.6.3\"}");
}

}  // namespace
}  // namespace rtb
