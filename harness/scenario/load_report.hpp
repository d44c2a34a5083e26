// Load report files: the --json document (result + metadata), the --csv row, the --spectrum text.
#pragma once

#include <string>

#include "harness/scenario/load_config.hpp"
#include "harness/scenario/load_result.hpp"
#include "harness/scenario/run_metadata.hpp"

namespace rtb {

// The whole run as one JSON object: metadata, the config, "result" (every CSV column), the serialized latency
// histogram (nanoseconds, mergeable), error examples, warnings and notes on how to read the figures.
std::string load_result_json(const LoadConfig& config, const LoadResult& result, const RunMetadata& meta);

// Appends one row to `path`, writing the header first when the file is new or empty.
bool append_load_result_csv(const std::string& path, const LoadResult& result, std::string* error);

// Overwrites `path` with `text`.
bool write_text_file(const std::string& path, const std::string& text, std::string* error);

// Whether `path` can be written (its folder exists, it is not a folder, permissions allow), checked before a
// run so a typo does not cost the measurement; creates nothing that stays. false with the reason in *error.
bool check_output_file(const std::string& path, std::string* error);

}  // namespace rtb
