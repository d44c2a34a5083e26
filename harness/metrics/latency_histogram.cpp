#include "harness/metrics/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <iterator>
#include <stdexcept>

#include <fmt/format.h>

namespace rtb {
namespace {

constexpr std::string_view kSerialTag = "rtbh1";

// floor(log2(v)) for v >= 1.
int floor_log2(uint64_t v) {
  return 63 - std::countl_zero(v);
}

// Sub-buckets per bucket as a power of two, enough that the slot width stays below 1 / 10^digits of the
// value.
int sub_bucket_half_magnitude_for(int significant_digits) {
  uint64_t largest_single_unit = 2;
  for (int i = 0; i < significant_digits; ++i) largest_single_unit *= 10;
  const int sub_bucket_magnitude = floor_log2(largest_single_unit - 1) + 1;  // ceil(log2)
  return sub_bucket_magnitude - 1;
}

bool parse_u64(std::string_view text, uint64_t& out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// Empty fields are kept so that doubled or trailing separators fail to parse instead of being skipped.
std::vector<std::string_view> split_keep_empty(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    const std::size_t pos = text.find(sep);
    out.push_back(text.substr(0, pos));
    if (pos == std::string_view::npos) return out;
    text.remove_prefix(pos + 1);
  }
}

}  // namespace

bool LatencyHistogram::valid_config(uint64_t lowest, uint64_t highest, int significant_digits) {
  if (lowest < 1 || significant_digits < 1 || significant_digits > 5) return false;
  if (highest >= (uint64_t{1} << 62) || highest / 2 < lowest) return false;
  // The slot arithmetic shifts sub-bucket indexes by the unit magnitude; keep every shift inside 64 bits.
  return floor_log2(lowest) + sub_bucket_half_magnitude_for(significant_digits) + 1 <= 62;
}

LatencyHistogram::LatencyHistogram(uint64_t lowest, uint64_t highest, int significant_digits)
    : lowest_(lowest), highest_(highest), significant_digits_(significant_digits) {
  if (!valid_config(lowest, highest, significant_digits)) {
    throw std::invalid_argument(fmt::format("LatencyHistogram: invalid config lowest={} highest={} digits={}",
                                            lowest, highest, significant_digits));
  }
  unit_magnitude_ = floor_log2(lowest_);
  sub_bucket_half_magnitude_ = sub_bucket_half_magnitude_for(significant_digits_);
  sub_bucket_count_ = uint64_t{1} << (sub_bucket_half_magnitude_ + 1);
  sub_bucket_mask_ = (sub_bucket_count_ - 1) << unit_magnitude_;

  uint64_t smallest_untrackable = sub_bucket_count_ << unit_magnitude_;
  bucket_count_ = 1;
  while (smallest_untrackable <= highest_) {
    smallest_untrackable <<= 1;
    ++bucket_count_;
  }
  // Bucket 0 uses all its sub-buckets; every later bucket only its upper half (the lower half would repeat
  // the previous bucket's range at a coarser width).
  counts_.assign(static_cast<std::size_t>(bucket_count_ + 1) << sub_bucket_half_magnitude_, 0);
}

int LatencyHistogram::bucket_of(uint64_t value) const {
  const int pow2_ceiling = 64 - std::countl_zero(value | sub_bucket_mask_);
  return pow2_ceiling - unit_magnitude_ - (sub_bucket_half_magnitude_ + 1);
}

std::size_t LatencyHistogram::slot_of(uint64_t value) const {
  const int bucket = bucket_of(value);
  const uint64_t sub_bucket = value >> (bucket + unit_magnitude_);
  const uint64_t half_count = sub_bucket_count_ / 2;
  return static_cast<std::size_t>((static_cast<uint64_t>(bucket + 1) << sub_bucket_half_magnitude_) +
                                  (sub_bucket - half_count));
}

uint64_t LatencyHistogram::slot_low_value(std::size_t slot) const {
  const uint64_t half_count = sub_bucket_count_ / 2;
  int bucket = static_cast<int>(slot >> sub_bucket_half_magnitude_) - 1;
  uint64_t sub_bucket = (slot & (half_count - 1)) + half_count;
  if (bucket < 0) {
    sub_bucket -= half_count;
    bucket = 0;
  }
  return sub_bucket << (bucket + unit_magnitude_);
}

uint64_t LatencyHistogram::slot_width(std::size_t slot) const {
  const int bucket = std::max(0, static_cast<int>(slot >> sub_bucket_half_magnitude_) - 1);
  return uint64_t{1} << (bucket + unit_magnitude_);
}

uint64_t LatencyHistogram::lowest_equivalent(uint64_t value) const {
  return slot_low_value(slot_of(value));
}

uint64_t LatencyHistogram::highest_equivalent(uint64_t value) const {
  const std::size_t slot = slot_of(value);
  return slot_low_value(slot) + slot_width(slot) - 1;
}

uint64_t LatencyHistogram::reported_value(std::size_t slot) const {
  // Clamping to the exact extremes only moves the answer towards every value that could be in the slot.
  return std::clamp(slot_low_value(slot) + slot_width(slot) - 1, min_, max_);
}

void LatencyHistogram::record(uint64_t value, uint64_t count) {
  if (count == 0) return;
  if (value > highest_) {
    value = highest_;
    saturated_count_ += count;
  }
  counts_[slot_of(value)] += count;
  total_count_ += count;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

bool LatencyHistogram::merge(const LatencyHistogram& other) {
  if (lowest_ != other.lowest_ || highest_ != other.highest_ ||
      significant_digits_ != other.significant_digits_) {
    return false;
  }
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  total_count_ += other.total_count_;
  saturated_count_ += other.saturated_count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  return true;
}

void LatencyHistogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_count_ = 0;
  saturated_count_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
}

double LatencyHistogram::mean() const {
  if (total_count_ == 0) return 0.0;
  long double sum = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    const uint64_t middle = std::clamp(slot_low_value(i) + slot_width(i) / 2, min_, max_);
    sum += static_cast<long double>(middle) * counts_[i];
  }
  return static_cast<double>(sum / total_count_);
}

double LatencyHistogram::stddev() const {
  if (total_count_ == 0) return 0.0;
  const long double mu = mean();
  long double sum_sq = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    const uint64_t middle = std::clamp(slot_low_value(i) + slot_width(i) / 2, min_, max_);
    const long double d = static_cast<long double>(middle) - mu;
    sum_sq += d * d * counts_[i];
  }
  return static_cast<double>(std::sqrt(sum_sq / total_count_));
}

uint64_t LatencyHistogram::rank_at_percentile(double percentile, uint64_t total) {
  if (total == 0) return 0;
  if (!(percentile > 0.0)) return 1;  // also catches NaN
  if (percentile >= 100.0) return total;
  const long double exact = static_cast<long double>(percentile) * total / 100.0L;
  const long double nearest = std::round(exact);
  const long double rank = std::fabs(exact - nearest) <= exact * 1e-12L ? nearest : std::ceil(exact);
  return std::clamp(static_cast<uint64_t>(rank), uint64_t{1}, total);
}

std::size_t LatencyHistogram::slot_for_rank(uint64_t rank, uint64_t* count_through_slot) const {
  uint64_t cumulative = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    cumulative += counts_[i];
    if (cumulative >= rank) {
      if (count_through_slot != nullptr) *count_through_slot = cumulative;
      return i;
    }
  }
  if (count_through_slot != nullptr) *count_through_slot = cumulative;
  return counts_.size() - 1;
}

uint64_t LatencyHistogram::value_at_percentile(double percentile) const {
  if (total_count_ == 0) return 0;
  if (!(percentile > 0.0)) return min_;
  if (percentile >= 100.0) return max_;
  return reported_value(slot_for_rank(rank_at_percentile(percentile, total_count_), nullptr));
}

std::vector<LatencyHistogram::SpectrumPoint> LatencyHistogram::percentile_spectrum(
    int ticks_per_half_distance) const {
  std::vector<SpectrumPoint> points;
  if (total_count_ == 0) return points;
  const double ticks_per_half = std::max(1, ticks_per_half_distance);

  std::size_t slot = 0;
  uint64_t cumulative = counts_[0];
  double level = 0.0;
  for (;;) {
    const uint64_t rank = rank_at_percentile(level, total_count_);
    if (rank >= total_count_) break;
    while (cumulative < rank) cumulative += counts_[++slot];
    points.push_back({level, level == 0.0 ? min_ : reported_value(slot), cumulative});

    // halvings = floor(log2(100 / (100 - level))) without log2's rounding at exact powers of two.
    const double remaining = 100.0 - level;
    int halvings = 0;
    for (double d = 100.0; remaining <= d / 2; d /= 2) ++halvings;
    const double next = level + 100.0 / (ticks_per_half * std::ldexp(1.0, halvings + 1));
    // Past 2^46 or so values the step drops below the spacing of doubles near 100; stop instead of spinning.
    level = next > level ? next : 100.0;
  }
  points.push_back({100.0, max_, total_count_});
  return points;
}

std::string LatencyHistogram::spectrum_text(double unit_divisor, int ticks_per_half_distance) const {
  if (!(unit_divisor > 0.0)) unit_divisor = 1.0;
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{:>12} {:>14} {:>10} {:>14}\n\n", "Value", "Percentile", "TotalCount",
                 "1/(1-Percentile)");
  for (const SpectrumPoint& p : percentile_spectrum(ticks_per_half_distance)) {
    const double fraction = p.percentile / 100.0;
    if (p.percentile < 100.0) {
      fmt::format_to(it, "{:12.3f} {:14.12f} {:10d} {:14.2f}\n", static_cast<double>(p.value) / unit_divisor,
                     fraction, p.count_at_or_below, 1.0 / (1.0 - fraction));
    } else {
      fmt::format_to(it, "{:12.3f} {:14.12f} {:10d}\n", static_cast<double>(p.value) / unit_divisor, fraction,
                     p.count_at_or_below);
    }
  }
  fmt::format_to(it, "#[Mean    = {:12.3f}, StdDeviation   = {:12.3f}]\n", mean() / unit_divisor,
                 stddev() / unit_divisor);
  fmt::format_to(it, "#[Max     = {:12.3f}, Total count    = {:12d}]\n",
                 static_cast<double>(max()) / unit_divisor, total_count_);
  fmt::format_to(it, "#[Buckets = {:12d}, SubBuckets     = {:12d}]\n", bucket_count_, sub_bucket_count_);
  return out;
}

std::string LatencyHistogram::serialize() const {
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{} {} {} {} {} {} {} {}", kSerialTag, lowest_, highest_, significant_digits_,
                 total_count_, saturated_count_, min(), max());
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    if (i == 0 || counts_[i - 1] == 0) {
      fmt::format_to(it, " {}:{}", i, counts_[i]);
    } else {
      fmt::format_to(it, ",{}", counts_[i]);
    }
  }
  return out;
}

std::optional<LatencyHistogram> LatencyHistogram::deserialize(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  const std::vector<std::string_view> tokens = split_keep_empty(text, ' ');
  if (tokens.size() < 8 || tokens[0] != kSerialTag) return std::nullopt;

  uint64_t lowest = 0, highest = 0, digits = 0, total = 0, saturated = 0, min_value = 0, max_value = 0;
  if (!parse_u64(tokens[1], lowest) || !parse_u64(tokens[2], highest) || !parse_u64(tokens[3], digits) ||
      !parse_u64(tokens[4], total) || !parse_u64(tokens[5], saturated) || !parse_u64(tokens[6], min_value) ||
      !parse_u64(tokens[7], max_value)) {
    return std::nullopt;
  }
  if (digits > 5 || !valid_config(lowest, highest, static_cast<int>(digits))) return std::nullopt;

  LatencyHistogram h(lowest, highest, static_cast<int>(digits));
  uint64_t sum = 0;
  std::size_t next_allowed_start =
      0;  // runs are increasing, maximal, so separated by at least one empty slot
  std::size_t first_slot = 0;
  std::size_t last_slot = 0;
  for (std::size_t t = 8; t < tokens.size(); ++t) {
    const std::size_t colon = tokens[t].find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    uint64_t start = 0;
    if (!parse_u64(tokens[t].substr(0, colon), start)) return std::nullopt;
    if (start >= h.counts_.size() || start < next_allowed_start) return std::nullopt;
    std::size_t slot = static_cast<std::size_t>(start);
    if (t == 8) first_slot = slot;
    for (std::string_view field : split_keep_empty(tokens[t].substr(colon + 1), ',')) {
      uint64_t c = 0;
      if (slot >= h.counts_.size() || !parse_u64(field, c) || c == 0) return std::nullopt;
      if (__builtin_add_overflow(sum, c, &sum)) return std::nullopt;
      h.counts_[slot] = c;
      last_slot = slot++;
    }
    next_allowed_start = slot + 1;
  }

  if (sum != total) return std::nullopt;
  if (total == 0) {
    if (saturated != 0 || min_value != 0 || max_value != 0) return std::nullopt;
    return h;
  }
  if (saturated > total || min_value > max_value || max_value > highest) return std::nullopt;
  if (saturated > 0 && max_value != highest) return std::nullopt;
  if (h.slot_of(min_value) != first_slot || h.slot_of(max_value) != last_slot) return std::nullopt;
  h.total_count_ = total;
  h.saturated_count_ = saturated;
  h.min_ = min_value;
  h.max_ = max_value;
  return h;
}

}  // namespace rtb
