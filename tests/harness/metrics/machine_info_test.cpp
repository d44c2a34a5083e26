#include "harness/metrics/machine_info.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

namespace rtb {
namespace {

// Suite name starts with "Proc" so the metrics ctest filter (Histogram|Csv|Json|Proc|Counter) selects it.
TEST(ProcMachineInfoTest, ReadsThisMachine) {
  const MachineInfo info = read_machine_info();
  EXPECT_GE(info.cores, 1);
  EXPECT_EQ(info.cores, sysconf(_SC_NPROCESSORS_ONLN));
  EXPECT_FALSE(info.hostname.empty());
  EXPECT_EQ(info.kernel.rfind("Linux ", 0), 0u) << info.kernel;
  EXPECT_FALSE(info.cpu_model.empty());
  EXPECT_GT(info.mem_total_bytes, 0u);
  EXPECT_EQ(info.mem_total_bytes % 1024, 0u);
  EXPECT_GE(info.open_files_limit, 3u);
}

TEST(ProcMachineInfoTest, ParsesCpuModel) {
  EXPECT_EQ(parse_cpuinfo_model("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel\t\t: 1\n"
                                "model name\t: AMD EPYC 7763 64-Core Processor  \nflags\t\t: fpu\n"
                                "processor\t: 1\nmodel name\t: second\n"),
            std::optional<std::string>("AMD EPYC 7763 64-Core Processor"));
  EXPECT_EQ(parse_cpuinfo_model("processor\t: 0\nmodel\t\t: 1\n"), std::nullopt);
}

TEST(ProcMachineInfoTest, WritesJsonFields) {
  MachineInfo info;
  info.hostname = "bench-1";
  info.kernel = "Linux 6.1.0-18-amd64 x86_64";
  info.cpu_model = "AMD \"EPYC\"";
  info.cores = 8;
  info.mem_total_bytes = 16ull << 30;
  info.open_files_limit = 1048576;
  Json w = Json::object();
  write_machine_info(w, info);
  EXPECT_EQ(json_text(w, -1),
            "{\"hostname\":\"bench-1\",\"kernel\":\"Linux 6.1.0-18-amd64 x86_64\",\"cpu_model\":\"AMD "
            "\\\"EPYC\\\"\",\"cores\":8,\"mem_total_bytes\":17179869184,\"open_files_limit\":1048576}");
}

}  // namespace
}  // namespace rtb
