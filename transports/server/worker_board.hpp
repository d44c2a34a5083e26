// WorkerBoard: the /stats of every worker of `serve --workers N`, in memory the supervisor maps shared before
// it starts them. Each worker posts its own stats there (every 250 ms, and whenever it answers /stats), so
// whichever worker the kernel hands a /stats request answers for the whole server: every counter summed
// over the workers, and the per-worker list. The supervisor writes each slot's pid and restart count.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace rtb {

class WorkerBoard {
 public:
  static constexpr std::size_t kSlotBytes = 64 * 1024;  // one worker's /stats is ~2 KiB

  // nullptr with the reason in *why when the shared mapping cannot be made.
  static std::unique_ptr<WorkerBoard> create(std::size_t workers, std::string* why);
  ~WorkerBoard();
  WorkerBoard(const WorkerBoard&) = delete;
  WorkerBoard& operator=(const WorkerBoard&) = delete;

  std::size_t size() const { return workers_; }
  // Supervisor: who holds slot `index` now, and that it was restarted once more.
  void set_pid(std::size_t index, pid_t pid);
  void count_restart(std::size_t index);
  // Worker: its latest stats (a JSON object); a text beyond the slot is not posted.
  void post(std::size_t index, std::string_view stats_json, std::uint64_t now_ms);
  // The whole server: every number summed over the workers that posted (a flag is true when it is true for
  // all, text is the first worker's), plus "workers": [{index, pid, restarts, age_ms, stats}] where age_ms
  // says how old a slot's stats are (null stats: that worker has not posted yet).
  std::string combined(std::uint64_t now_ms) const;

 private:
  struct Slot;
  WorkerBoard(void* memory, std::size_t bytes, std::size_t workers);
  Slot& slot(std::size_t index) const;
  // The slot's stats as posted last (empty when none or when a writer kept it busy).
  std::string read(std::size_t index, std::uint64_t* posted_ms) const;

  void* memory_;
  std::size_t bytes_;
  std::size_t workers_;
};

}  // namespace rtb
