// Load report files: the --json document (result + metadata), the --csv row, the --spectrum text, the
// --hdr-log interval log.
#pragma once

#include <string>

#include "harness/metrics/hdr_log.hpp"
#include "harness/scenario/load_config.hpp"
#include "harness/scenario/load_result.hpp"
#include "harness/scenario/run_metadata.hpp"

namespace rtb {

// The whole run as one JSON object: metadata, the config, "result" (every CSV column), the serialized latency
// histogram (nanoseconds, mergeable), error examples, warnings and notes on how to read the figures.
std::string load_result_json(const LoadConfig& config, const LoadResult& result, const RunMetadata& meta);

// The run's latency histogram as one interval of an HdrHistogram log (harness/metrics/hdr_log.hpp): the
// measure window, from measure_start_time (start_time for a result that predates it) for duration_s.
HdrLogInterval load_result_hdr_interval(const LoadResult& result);
// The --hdr-log file: a whole .hlog holding that one interval.
std::string load_result_hdr_log(const LoadResult& result);

// Appends one row to `path`, writing the header first when the file is new or empty.
bool append_load_result_csv(const std::string& path, const LoadResult& result, std::string* error);

// Overwrites `path` with `text`.
bool write_text_file(const std::string& path, const std::string& text, std::string* error);

// Whether `path` can be written (its folder exists, it is not a folder, permissions allow), checked before a
// run so a typo does not cost the measurement; creates nothing that stays. false with the reason in *error.
bool check_output_file(const std::string& path, std::string* error);

}  // namespace rtb
