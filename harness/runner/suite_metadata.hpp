// SuiteMetadata: metadata.json of a results folder: versions, commit, machine, limits, pinning, the exact
// command, start and end, the verify step, the suite definition and how every run ended.
#pragma once

#include <string>
#include <vector>

#include "harness/metrics/machine_facts.hpp"
#include "harness/runner/pin_plan.hpp"
#include "harness/runner/run_record.hpp"
#include "harness/runner/suite.hpp"
#include "harness/runner/verify.hpp"
#include "harness/scenario/run_metadata.hpp"

namespace rtb {

struct SuiteRunInfo {
  const Suite* suite = nullptr;
  std::string out_dir;
  std::string binary;  // the rtbench spawned for serve and load
  int repeat = 3;
  RunMetadata meta;  // version, git commit, host, the exact command
  SystemFacts facts;
  PinPlan pinning;
  std::string start_time, end_time;
  std::string load_average_end;  // /proc/loadavg when the runs were over
  double estimated_s = 0, elapsed_s = 0;
  VerifyReport verify;
  bool interrupted = false;
  std::vector<std::string> plots;  // relative to out_dir
  std::string plots_note;          // why there are none, or how they were made
};

std::string suite_metadata_json(const SuiteRunInfo& info, const std::vector<RunRecord>& records);

}  // namespace rtb
