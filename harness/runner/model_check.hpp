// ModelCheck: the measurements set against what theory predicts (short-poll latency ~ interval/2 + transit,
// requests per event, RFC 6202's one transit per long-polled event), computed from a suite's data so the
// report can say where they agree and where they do not.
#pragma once

#include <string>
#include <vector>

#include "harness/runner/aggregate.hpp"

namespace rtb {

struct ModelCheck {
  std::string point;
  std::string transport;
  std::string figure;   // "p50 latency (ms)"
  double measured = 0;  // median across repetitions
  double model = 0;
  std::string model_text;  // how the model value was made: "interval/2 + transit = 500 + 1.3"
  double tolerance = 0;    // relative: agrees when |measured - model| <= tolerance x model
  bool agrees = false;
};

std::vector<ModelCheck> check_models(const std::vector<CaseResults>& cases);

// Markdown: a table of every check and one summary line ("agree: ...; disagree: ...").
std::string render_model_section(const std::vector<ModelCheck>& checks);

}  // namespace rtb
