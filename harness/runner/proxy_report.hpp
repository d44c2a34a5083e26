// The report's sections about intermediaries: what each proxy in the path costs every transport (against the
// same load straight to the server), and the failure table (what the clients saw with a proxy set up wrong,
// and with the fix), both read from the runs.
#pragma once

#include <string>
#include <vector>

#include "harness/runner/aggregate.hpp"
#include "harness/runner/suite.hpp"

namespace rtb {

// "" when no point of `suite` has an intermediary and a baseline with results.
std::string render_intermediary_section(const std::vector<CaseResults>& cases, const Suite* suite);

// "" when `suite` has no failure rows.
std::string render_failure_table(const std::vector<CaseResults>& cases, const Suite* suite);

// "setup (transport)" for every failure-table row whose fix a run did not verify (see the table's footnote);
// rows whose broken setup was not run on a transport are left out.
std::vector<std::string> unverified_fixes(const std::vector<CaseResults>& cases, const Suite* suite);

// What the clients of one case saw, in a table cell: the run's error when there was no result, else
// delivered/lost, latency, errors (with the first one's words) and reconnects, the worst over repetitions.
std::string clients_saw(const CaseResults& c);

// Whether a case shows the transport working: a result in every repetition, nothing lost, no error, no
// reconnect.
bool case_clean(const CaseResults& c);

}  // namespace rtb
