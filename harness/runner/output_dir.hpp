// OutputDir: readies a suite's results folder: refuses to overwrite a committed reference folder unless
// forced, clears what an earlier run left there, and creates the subfolders the runs write into.
#pragma once

#include <chrono>
#include <string>

namespace rtb {

// True when git tracks at least one file under `dir` (a committed reference result). False when `dir` does
// not exist, is not in a git work tree, or git is not installed.
bool has_committed_files(const std::string& dir);

// Creates `dir` with points/, spectra/, spectra/merged/, logs/ and plots/. When `dir` holds committed files
// and !force: false with a sentence in *error naming --force and --out. Otherwise removes only what a suite
// writes (results.csv, metadata.json, report.md and those subfolders), never other files.
bool prepare_output_dir(const std::string& dir, bool force, std::string* error);

// The default output folder of `rtbench run --suite NAME`: results/latest/NAME-YYYYMMDD-HHMMSS (UTC), with
// -2, -3... appended when that folder exists already. Never a committed folder, never an earlier run's.
std::string default_output_dir(const std::string& suite, std::chrono::system_clock::time_point now);

}  // namespace rtb
