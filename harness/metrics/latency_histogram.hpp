// LatencyHistogram: an HDR-style log-linear histogram of non-negative integers (we record nanoseconds) whose
// percentiles are within a fixed relative precision and which merges exactly across threads and processes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rtb {

// Layout (HdrHistogram's published design): values are grouped into buckets that double in width; each bucket
// is split into `sub_bucket_count` linear sub-buckets, with sub_bucket_count = 2^ceil(log2(2 * 10^digits))
// (2048 for 3 digits). Every value below sub_bucket_count << unit_magnitude has its own slot (exact), and
// above that a value v shares its slot with fewer than v / (sub_bucket_count / 2) others. So the value
// reported for a slot (its highest equivalent) exceeds every value v recorded there by strictly less than v /
// (sub_bucket_count / 2), i.e. v / 1024 for 3 digits, tighter than the 1/1000 that "3 significant digits"
// promises.
//
// Counts live in one array allocated by the constructor; record() never allocates. With the defaults (1 ns ..
// 1 h, 3 digits) the array has 33 * 1024 slots, 264 KiB: create histograms per load-generator thread or per
// scenario point, not per connection.
class LatencyHistogram {
 public:
  static constexpr uint64_t kDefaultLowest = 1;
  static constexpr uint64_t kDefaultHighest = 3'600'000'000'000ULL;  // one hour in nanoseconds
  static constexpr int kDefaultSignificantDigits = 3;

  struct SpectrumPoint {
    double percentile;           // 0 .. 100
    uint64_t value;              // value_at_percentile(percentile)
    uint64_t count_at_or_below;  // values recorded in the slots up to and including the one `value` reports
  };

  // Throws std::invalid_argument unless 1 <= lowest, 2 * lowest <= highest < 2^62 and 1 <= digits <= 5.
  explicit LatencyHistogram(uint64_t lowest = kDefaultLowest, uint64_t highest = kDefaultHighest,
                            int significant_digits = kDefaultSignificantDigits);

  static bool valid_config(uint64_t lowest, uint64_t highest, int significant_digits);

  // Values above highest() are recorded as highest() and also counted in saturated_count(), so a run that
  // overflowed the range says so instead of silently reporting a too-small tail. Zero is recordable.
  void record(uint64_t value, uint64_t count = 1);

  // Adds every count of `other`; afterwards *this equals a histogram that recorded both streams. Returns
  // false (and changes nothing) when lowest/highest/digits differ, because slots would not line up.
  bool merge(const LatencyHistogram& other);

  void reset();

  uint64_t count() const { return total_count_; }
  uint64_t saturated_count() const { return saturated_count_; }
  // Exact extremes of what was recorded (after clamping); 0 when empty.
  uint64_t min() const { return total_count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }
  // Computed from the slots (each slot counts as its middle value), so they merge and deserialize exactly;
  // the mean is within mean / 2048 of the exact mean for 3 digits. Population standard deviation. 0 when
  // empty.
  double mean() const;
  double stddev() const;

  // The smallest slot such that at least p% of the recorded values are in it or below, reported as the slot's
  // highest equivalent value clamped to [min(), max()] (so never below the exact percentile and within the
  // precision bound above it). p <= 0 gives min(), p >= 100 gives max(); 0 when empty.
  uint64_t value_at_percentile(double percentile) const;

  // The 1-based rank that percentile p selects out of `total` values: the smallest k with k >= p / 100 *
  // total, at least 1. A p written in decimal (99.9) is not exact in binary, so p * total / 100 within 1e-12
  // relative of an integer is taken to be that integer.
  static uint64_t rank_at_percentile(double percentile, uint64_t total);

  // HdrHistogram's percentile iteration: levels 0, 10, 20, ... 50, 55, ... 75, 77.5 ... each half of the
  // remaining distance to 100 split into 2 * ticks_per_half_distance steps, stopping once a level selects the
  // maximum; the last point is always {100, max(), count()}. Empty histogram -> empty vector.
  std::vector<SpectrumPoint> percentile_spectrum(int ticks_per_half_distance = 5) const;

  // The spectrum in HdrHistogram's .hgrm text layout, values divided by unit_divisor (1000 for microseconds
  // from nanoseconds), so the usual percentile-plotting tools read it.
  std::string spectrum_text(double unit_divisor, int ticks_per_half_distance = 5) const;

  // One line of text: "rtbh1 <lowest> <highest> <digits> <count> <saturated> <min> <max>" followed by runs of
  // consecutive non-zero slots, " <first slot>:<count>,<count>,...". deserialize() accepts exactly what
  // serialize() produces (and rejects anything inconsistent), so deserialize(serialize(h)) == h.
  std::string serialize() const;
  static std::optional<LatencyHistogram> deserialize(std::string_view text);

  uint64_t lowest() const { return lowest_; }
  uint64_t highest() const { return highest_; }
  int significant_digits() const { return significant_digits_; }

  // Slot-level access, for tests and for exporters that want the raw distribution.
  std::size_t slot_count() const { return counts_.size(); }
  uint64_t count_at_slot(std::size_t slot) const { return counts_[slot]; }
  std::size_t slot_of(uint64_t value) const;
  uint64_t lowest_equivalent(uint64_t value) const;
  uint64_t highest_equivalent(uint64_t value) const;

  bool operator==(const LatencyHistogram& other) const = default;

 private:
  int bucket_of(uint64_t value) const;
  uint64_t slot_low_value(std::size_t slot) const;
  uint64_t slot_width(std::size_t slot) const;
  std::size_t slot_for_rank(uint64_t rank, uint64_t* count_through_slot) const;
  uint64_t reported_value(std::size_t slot) const;

  uint64_t lowest_;
  uint64_t highest_;
  int significant_digits_;
  int unit_magnitude_;  // floor(log2(lowest)): the width of slots in bucket 0
  int sub_bucket_half_magnitude_;
  uint64_t sub_bucket_count_;  // 2^(sub_bucket_half_magnitude_ + 1)
  uint64_t sub_bucket_mask_;   // (sub_bucket_count_ - 1) << unit_magnitude_
  int bucket_count_;
  uint64_t total_count_ = 0;
  uint64_t saturated_count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  std::vector<uint64_t> counts_;
};

}  // namespace rtb
