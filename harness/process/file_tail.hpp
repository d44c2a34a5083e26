// The end of a child's log file, quoted in the one-sentence reasons a spawned program did not start or ended.
#pragma once

#include <string>

namespace rtb {

// The last `max_lines` lines of a file (all of it when shorter; empty when it cannot be read).
std::string file_tail(const std::string& path, int max_lines = 8);

}  // namespace rtb
