#include "transports/server/worker_board.hpp"

#include <fmt/format.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <new>
#include <nlohmann/json.hpp>

namespace rtb {

// A seqlock per slot: the one writer makes `sequence` odd while it copies, readers retry when it was odd or
// moved. The atomics are lock-free, so they work across processes in shared memory.
struct WorkerBoard::Slot {
  std::atomic<std::uint64_t> sequence;
  std::atomic<std::int64_t> pid;
  std::atomic<std::uint64_t> restarts;
  std::atomic<std::uint64_t> posted_ms;
  std::atomic<std::uint32_t> length;
  char text[kSlotBytes - 40];
};
static_assert(sizeof(std::atomic<std::uint64_t>) == 8 && std::atomic<std::uint64_t>::is_always_lock_free);

namespace {

// Adds `from` into `into`: numbers summed, flags and-ed, objects merged key by key, anything else kept.
void add_into(nlohmann::json& into, const nlohmann::json& from) {
  if (into.is_object() && from.is_object()) {
    for (const auto& [key, value] : from.items()) {
      if (!into.contains(key)) {
        into[key] = value;
      } else {
        add_into(into[key], value);
      }
    }
  } else if (into.is_number_unsigned() && from.is_number_unsigned()) {
    into = into.get<std::uint64_t>() + from.get<std::uint64_t>();
  } else if (into.is_number() && from.is_number()) {
    into = into.get<double>() + from.get<double>();
  } else if (into.is_boolean() && from.is_boolean()) {
    into = into.get<bool>() && from.get<bool>();
  }
}

}  // namespace

std::unique_ptr<WorkerBoard> WorkerBoard::create(std::size_t workers, std::string* why) {
  const std::size_t bytes = workers * sizeof(Slot);
  void* memory = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) {
    *why = fmt::format("cannot map {} bytes of shared memory for the workers' stats: {}", bytes,
                       std::strerror(errno));
    return nullptr;
  }
  return std::unique_ptr<WorkerBoard>(new WorkerBoard(memory, bytes, workers));
}

WorkerBoard::WorkerBoard(void* memory, std::size_t bytes, std::size_t workers)
    : memory_(memory), bytes_(bytes), workers_(workers) {
  // Fresh anonymous pages are zero: every slot starts empty, with sequence 0.
  for (std::size_t i = 0; i < workers_; ++i) new (&slot(i)) Slot{};
}

WorkerBoard::~WorkerBoard() {
  ::munmap(memory_, bytes_);
}

WorkerBoard::Slot& WorkerBoard::slot(std::size_t index) const {
  return static_cast<Slot*>(memory_)[index];
}

void WorkerBoard::set_pid(std::size_t index, pid_t pid) {
  slot(index).pid.store(pid);
}

void WorkerBoard::count_restart(std::size_t index) {
  slot(index).restarts.fetch_add(1);
}

void WorkerBoard::post(std::size_t index, std::string_view stats_json, std::uint64_t now_ms) {
  if (index >= workers_ || stats_json.size() > sizeof(Slot::text)) return;
  Slot& s = slot(index);
  const std::uint64_t seq = s.sequence.load(std::memory_order_relaxed);
  s.sequence.store(seq + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  std::memcpy(s.text, stats_json.data(), stats_json.size());
  s.length.store(static_cast<std::uint32_t>(stats_json.size()), std::memory_order_relaxed);
  s.posted_ms.store(now_ms, std::memory_order_relaxed);
  s.sequence.store(seq + 2, std::memory_order_release);
}

std::string WorkerBoard::read(std::size_t index, std::uint64_t* posted_ms) const {
  const Slot& s = slot(index);
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::uint64_t before = s.sequence.load(std::memory_order_acquire);
    if (before == 0) return {};
    if (before % 2 == 1) continue;
    const std::uint32_t length =
        std::min<std::uint32_t>(s.length.load(std::memory_order_relaxed), sizeof s.text);
    std::string text(s.text, length);
    *posted_ms = s.posted_ms.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (s.sequence.load(std::memory_order_relaxed) == before) return text;
  }
  return {};
}

std::string WorkerBoard::combined(std::uint64_t now_ms) const {
  nlohmann::json total = nlohmann::json::object();
  nlohmann::json list = nlohmann::json::array();
  std::size_t reporting = 0;
  for (std::size_t i = 0; i < workers_; ++i) {
    std::uint64_t posted = 0;
    const std::string text = read(i, &posted);
    nlohmann::json stats = text.empty() ? nlohmann::json() : nlohmann::json::parse(text, nullptr, false);
    if (stats.is_discarded()) stats = nlohmann::json();
    nlohmann::json entry = {
        {"index", i},
        {"pid", slot(i).pid.load()},
        {"restarts", slot(i).restarts.load()},
        {"age_ms",
         stats.is_null() ? nlohmann::json() : nlohmann::json(now_ms > posted ? now_ms - posted : 0)},
        {"stats", stats}};
    list.push_back(std::move(entry));
    if (!stats.is_object()) continue;
    ++reporting;
    add_into(total, stats);
  }
  total["workers"] = std::move(list);
  total["workers_reporting"] = reporting;
  return total.dump();
}

}  // namespace rtb
