#include "harness/metrics/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace rtb {
namespace {

// 3 digits -> 2048 sub-buckets per bucket; a reported value exceeds the true one by less than true / 1024.
constexpr uint64_t kHalfSubBuckets = 1024;

struct Percentile {
  double p;      // as callers pass it
  uint64_t num;  // p = num / den exactly, for an independent integer rank
  uint64_t den;
};
constexpr Percentile kPercentiles[] = {{0, 0, 1},       {1, 1, 1},          {25, 25, 1},
                                       {50, 50, 1},     {90, 90, 1},        {99, 99, 1},
                                       {99.9, 999, 10}, {99.99, 9999, 100}, {100, 100, 1}};

// The exact percentile of a sorted sample: the smallest element with at least p% of the sample <= it.
uint64_t exact_percentile(const std::vector<uint64_t>& sorted, const Percentile& pc) {
  const uint64_t n = sorted.size();
  const uint64_t scaled = pc.num * n;  // rank = ceil(num * n / (den * 100)), at least 1
  const uint64_t den = pc.den * 100;
  const uint64_t rank = std::max<uint64_t>(1, (scaled + den - 1) / den);
  return sorted[rank - 1];
}

std::vector<uint64_t> make_values(const std::string& kind, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> v(100'000);
  if (kind == "uniform") {
    std::uniform_int_distribution<uint64_t> d(1, 1'000'000'000);
    for (auto& x : v) x = d(rng);
  } else if (kind == "log_uniform") {
    std::uniform_real_distribution<double> d(0.0, std::log(3.0e12));
    for (auto& x : v) x = std::max<uint64_t>(1, static_cast<uint64_t>(std::exp(d(rng))));
  } else if (kind == "constant") {
    std::fill(v.begin(), v.end(), 123'456'789);
  } else {  // two clusters: ~50 us and ~20 ms, 90/10
    std::normal_distribution<double> fast(50'000, 2'000);
    std::normal_distribution<double> slow(20'000'000, 1'000'000);
    std::bernoulli_distribution is_slow(0.1);
    for (auto& x : v) x = static_cast<uint64_t>(std::max(1.0, is_slow(rng) ? slow(rng) : fast(rng)));
  }
  return v;
}

class HistogramDistributionTest : public ::testing::TestWithParam<std::string> {};

TEST_P(HistogramDistributionTest, PercentilesCountsExtremesAndMeanWithinBound) {
  std::vector<uint64_t> values = make_values(GetParam(), 42);
  LatencyHistogram h;
  for (uint64_t v : values) h.record(v);
  std::vector<uint64_t> sorted = values;
  std::sort(sorted.begin(), sorted.end());

  EXPECT_EQ(h.count(), values.size());
  EXPECT_EQ(h.min(), sorted.front());
  EXPECT_EQ(h.max(), sorted.back());
  EXPECT_EQ(h.saturated_count(), 0u);

  for (const Percentile& pc : kPercentiles) {
    const uint64_t exact = exact_percentile(sorted, pc);
    const uint64_t got = h.value_at_percentile(pc.p);
    SCOPED_TRACE(testing::Message() << GetParam() << " p=" << pc.p << " exact=" << exact << " got=" << got);
    EXPECT_GE(got, exact);
    EXPECT_LT((got - exact) * kHalfSubBuckets, exact);  // exact >= 1 here, so 0 error passes
  }
  EXPECT_EQ(h.value_at_percentile(0), sorted.front());
  EXPECT_EQ(h.value_at_percentile(100), sorted.back());

  long double sum = 0;
  long double sum_sq = 0;
  for (uint64_t v : values) {
    sum += v;
    sum_sq += static_cast<long double>(v) * v;
  }
  const double exact_mean = static_cast<double>(sum / values.size());
  EXPECT_LE(std::fabs(h.mean() - exact_mean), exact_mean / (2 * kHalfSubBuckets) * (1 + 1e-9));

  long double var = 0;
  for (uint64_t v : values) var += (v - sum / values.size()) * (v - sum / values.size());
  const double exact_sd = static_cast<double>(std::sqrt(var / values.size()));
  // Each value moves by at most v / 2048, so the centred vector moves by at most the RMS of v / 2048.
  const double sd_bound = static_cast<double>(std::sqrt(sum_sq / values.size())) / (2 * kHalfSubBuckets);
  EXPECT_LE(std::fabs(h.stddev() - exact_sd), sd_bound * (1 + 1e-9) + 1e-9);
}

INSTANTIATE_TEST_SUITE_P(LatencyHistogram, HistogramDistributionTest,
                         ::testing::Values("uniform", "log_uniform", "constant", "two_clusters"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(LatencyHistogramTest, ConstantIsExact) {
  LatencyHistogram h;
  h.record(123'456'789, 1000);
  EXPECT_EQ(h.count(), 1000u);
  EXPECT_EQ(h.value_at_percentile(50), 123'456'789u);
  EXPECT_EQ(h.value_at_percentile(99.99), 123'456'789u);
  EXPECT_DOUBLE_EQ(h.mean(), 123'456'789.0);
  EXPECT_DOUBLE_EQ(h.stddev(), 0.0);
}

TEST(LatencyHistogramTest, MeanUsesClampedSlotMiddles) {
  LatencyHistogram h;
  h.record(4096);       // slot 4096..4099: middle 4098 (above min, so unclamped)
  h.record(1'000'000);  // slot 999936..1000447: middle 1000192
  h.record(2'000'000);  // slot 1999872..2000895: middle 2000384, clamped to the exact max
  EXPECT_DOUBLE_EQ(h.mean(), (4098.0 + 1'000'192.0 + 2'000'000.0) / 3);
}

TEST(LatencyHistogramTest, SmallValuesAreExactAndLayoutIsAsDocumented) {
  LatencyHistogram h;
  EXPECT_EQ(h.slot_count(), 33u * 1024u);
  for (uint64_t v : {0ull, 1ull, 2047ull}) {
    EXPECT_EQ(h.lowest_equivalent(v), v);
    EXPECT_EQ(h.highest_equivalent(v), v);
  }
  // 2048..4095 share slots in pairs, 4096..8191 in fours.
  EXPECT_EQ(h.lowest_equivalent(2049), 2048u);
  EXPECT_EQ(h.highest_equivalent(2048), 2049u);
  EXPECT_EQ(h.highest_equivalent(4096), 4099u);
  EXPECT_EQ(h.slot_of(2047) + 1, h.slot_of(2048));
  // 3.6e12 lies in bucket 31 (2^41 <= v < 2^42) at sub-bucket v >> 31 = 1676, i.e. in the last bucket.
  EXPECT_EQ(h.slot_of(LatencyHistogram::kDefaultHighest), 32u * 1024u + (1676u - 1024u));
}

TEST(LatencyHistogramTest, RankAtPercentile) {
  EXPECT_EQ(LatencyHistogram::rank_at_percentile(99.9, 100'000), 99'900u);
  EXPECT_EQ(LatencyHistogram::rank_at_percentile(99.99, 100'000), 99'990u);
  EXPECT_EQ(LatencyHistogram::rank_at_percentile(50, 3), 2u);
  EXPECT_EQ(LatencyHistogram::rank_at_percentile(50, 4), 2u);
  EXPECT_EQ(LatencyHistogram::rank_at_percentile(0, 10), 1u);
  EXPECT_EQ(LatencyHistogram::rank_at_percentile(0.0001, 10), 1u);
  EXPECT_EQ(LatencyHistogram::rank_at_percentile(100, 10), 10u);
  EXPECT_EQ(LatencyHistogram::rank_at_percentile(90.01, 10), 10u);
  EXPECT_EQ(LatencyHistogram::rank_at_percentile(50, 0), 0u);
}

TEST(LatencyHistogramTest, EmptyHistogram) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.value_at_percentile(50), 0u);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_TRUE(h.percentile_spectrum().empty());
  EXPECT_EQ(h.serialize(), "rtbh1 1 3600000000000 3 0 0 0 0");
  const auto back = LatencyHistogram::deserialize(h.serialize());
  ASSERT_TRUE(back.has_value());
  EXPECT_TRUE(*back == h);
}

TEST(LatencyHistogramTest, MergeOfPartsEqualsWhole) {
  std::vector<uint64_t> values = make_values("log_uniform", 7);
  LatencyHistogram whole;
  std::vector<LatencyHistogram> parts(4);
  for (std::size_t i = 0; i < values.size(); ++i) {
    whole.record(values[i]);
    parts[(values[i] >> 3) % 4].record(values[i]);  // uneven split on value bits, not position
  }
  whole.record(LatencyHistogram::kDefaultHighest * 2, 3);
  parts[2].record(LatencyHistogram::kDefaultHighest * 2, 3);
  LatencyHistogram merged;
  for (const auto& part : parts) ASSERT_TRUE(merged.merge(part));
  for (std::size_t s = 0; s < whole.slot_count(); ++s) {
    ASSERT_EQ(merged.count_at_slot(s), whole.count_at_slot(s)) << "slot " << s;
  }
  EXPECT_TRUE(merged == whole);
  EXPECT_EQ(merged.value_at_percentile(99.9), whole.value_at_percentile(99.9));
  EXPECT_EQ(merged.min(), whole.min());
  EXPECT_EQ(merged.max(), whole.max());
  EXPECT_EQ(merged.saturated_count(), 3u);
}

TEST(LatencyHistogramTest, MergeRejectsDifferentConfig) {
  LatencyHistogram a;
  LatencyHistogram b(1, 1'000'000, 3);
  LatencyHistogram c(1, LatencyHistogram::kDefaultHighest, 2);
  a.record(5);
  b.record(7);
  c.record(9);
  const LatencyHistogram before = a;
  EXPECT_FALSE(a.merge(b));
  EXPECT_FALSE(a.merge(c));
  EXPECT_TRUE(a == before);
}

TEST(LatencyHistogramTest, SaturatedValuesClampAndCount) {
  LatencyHistogram h(1, 1'000'000, 3);
  h.record(10);
  h.record(2'000'000);
  h.record(1'000'001, 3);
  h.record(1'000'000);
  EXPECT_EQ(h.count(), 6u);
  EXPECT_EQ(h.saturated_count(), 4u);
  EXPECT_EQ(h.max(), 1'000'000u);
  EXPECT_EQ(h.value_at_percentile(100), 1'000'000u);
  EXPECT_EQ(h.value_at_percentile(50), 1'000'000u);
  EXPECT_EQ(h.value_at_percentile(10), 10u);
  LatencyHistogram d;
  d.record(LatencyHistogram::kDefaultHighest + 1);
  EXPECT_EQ(d.saturated_count(), 1u);
  EXPECT_EQ(d.max(), LatencyHistogram::kDefaultHighest);
}

TEST(LatencyHistogramTest, ResetClearsEverything) {
  LatencyHistogram h;
  h.record(1'000'000'000'000'000ull);
  h.record(17);
  h.reset();
  EXPECT_TRUE(h == LatencyHistogram());
}

TEST(LatencyHistogramTest, InvalidConfigThrows) {
  EXPECT_THROW(LatencyHistogram(0, 100, 3), std::invalid_argument);
  EXPECT_THROW(LatencyHistogram(10, 15, 3), std::invalid_argument);
  EXPECT_THROW(LatencyHistogram(1, 100, 0), std::invalid_argument);
  EXPECT_THROW(LatencyHistogram(1, 100, 6), std::invalid_argument);
  EXPECT_THROW(LatencyHistogram(1, uint64_t{1} << 62, 3), std::invalid_argument);
}

TEST(LatencyHistogramTest, SerializeRoundTripsExactly) {
  std::vector<uint64_t> values = make_values("two_clusters", 3);
  LatencyHistogram h;
  for (uint64_t v : values) h.record(v);
  h.record(LatencyHistogram::kDefaultHighest + 5);
  const std::string text = h.serialize();
  const std::optional<LatencyHistogram> back = LatencyHistogram::deserialize(text);
  ASSERT_TRUE(back.has_value());
  EXPECT_TRUE(*back == h);
  EXPECT_EQ(back->serialize(), text);
  EXPECT_EQ(back->saturated_count(), 1u);
  EXPECT_TRUE(LatencyHistogram::deserialize(text + "\n").has_value());
}

TEST(LatencyHistogramTest, SerializeFormat) {
  LatencyHistogram h;
  h.record(3, 2);
  h.record(4);
  h.record(6);
  h.record(2048);  // slot 2048 holds 2048..2049
  h.record(2049);
  EXPECT_EQ(h.serialize(), "rtbh1 1 3600000000000 3 6 0 3 2049 3:2,1 6:1 2048:2");
}

TEST(LatencyHistogramTest, DeserializeRejectsGarbage) {
  const std::string good = "rtbh1 1 3600000000000 3 4 0 3 6 3:2,1 6:1";
  ASSERT_TRUE(LatencyHistogram::deserialize(good).has_value());
  const char* bad[] = {
      "",
      "garbage",
      "rtbh2 1 3600000000000 3 4 0 3 6 3:2,1 6:1",         // unknown format
      "rtbh1 1 3600000000000 3 4 0 3 6",                   // counts missing
      "rtbh1 1 3600000000000 3 5 0 3 6 3:2,1 6:1",         // total does not match
      "rtbh1 1 3600000000000 9 4 0 3 6 3:2,1 6:1",         // bad digits
      "rtbh1 0 3600000000000 3 4 0 3 6 3:2,1 6:1",         // bad lowest
      "rtbh1 1 3600000000000 3 4 0 3 6 3:2,1  6:1",        // empty token
      "rtbh1 1 3600000000000 3 4 0 3 6 3:2,1 6:1 ",        // trailing separator
      "rtbh1 1 3600000000000 3 4 0 3 6 3:2,,1 6:1",        // empty count
      "rtbh1 1 3600000000000 3 4 0 3 6 3:2,0,1 6:0",       // zero count
      "rtbh1 1 3600000000000 3 4 0 3 6 6:1 3:2,1",         // not increasing
      "rtbh1 1 3600000000000 3 4 0 3 6 3:2 4:1 6:1",       // adjacent runs (not canonical)
      "rtbh1 1 3600000000000 3 4 0 2 6 3:2,1 6:1",         // min not in the first slot
      "rtbh1 1 3600000000000 3 4 0 3 7 3:2,1 6:1",         // max not in the last slot
      "rtbh1 1 3600000000000 3 4 1 3 6 3:2,1 6:1",         // saturated but max below highest
      "rtbh1 1 3600000000000 3 4 0 3 6 3:2,1 99999999:1",  // slot out of range
      "rtbh1 1 3600000000000 3 4 0 3 6 3:2,x 6:1",
      "rtbh1 1 3600000000000 3 4 0 3 6 3-2",
      "rtbh1 1 3600000000000 3 18446744073709551616 0 3 6 3:2,1 6:1",  // overflow
      "rtbh1 1 3600000000000 3 0 0 0 0 3:1",                           // empty but has counts
      "rtbh1 1 3600000000000 3 2 0 3 3 3:18446744073709551615,1",      // sum overflows
  };
  for (const char* text : bad) {
    EXPECT_FALSE(LatencyHistogram::deserialize(text).has_value()) << text;
  }
}

TEST(LatencyHistogramTest, SpectrumFollowsHdrLevelsAndEndsAtMax) {
  LatencyHistogram h;
  for (uint64_t v = 1; v <= 100; ++v) h.record(v);
  const auto spectrum = h.percentile_spectrum(5);
  ASSERT_GE(spectrum.size(), 12u);
  const double levels[] = {0, 10, 20, 30, 40, 50, 55, 60, 65, 70, 75, 77.5};
  for (std::size_t i = 0; i < std::size(levels); ++i) {
    EXPECT_DOUBLE_EQ(spectrum[i].percentile, levels[i]);
    const uint64_t expect = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(levels[i])));
    EXPECT_EQ(spectrum[i].value, expect) << levels[i];
    EXPECT_EQ(spectrum[i].count_at_or_below, expect) << levels[i];
  }
  EXPECT_DOUBLE_EQ(spectrum.back().percentile, 100.0);
  EXPECT_EQ(spectrum.back().value, 100u);
  EXPECT_EQ(spectrum.back().count_at_or_below, 100u);
  // The level before 100 is the last one that still selects fewer than all values.
  EXPECT_EQ(spectrum[spectrum.size() - 2].value, 99u);
}

TEST(LatencyHistogramTest, SpectrumIsMonotoneAndEndsAtMax) {
  for (const char* kind : {"uniform", "log_uniform", "two_clusters", "constant"}) {
    std::vector<uint64_t> values = make_values(kind, 11);
    LatencyHistogram h;
    for (uint64_t v : values) h.record(v);
    const auto spectrum = h.percentile_spectrum();
    ASSERT_FALSE(spectrum.empty()) << kind;
    EXPECT_EQ(spectrum.front().percentile, 0.0);
    EXPECT_EQ(spectrum.front().value, h.min());
    for (std::size_t i = 1; i < spectrum.size(); ++i) {
      EXPECT_GT(spectrum[i].percentile, spectrum[i - 1].percentile) << kind << " " << i;
      EXPECT_GE(spectrum[i].value, spectrum[i - 1].value) << kind << " " << i;
      EXPECT_GE(spectrum[i].count_at_or_below, spectrum[i - 1].count_at_or_below) << kind << " " << i;
      if (spectrum[i].percentile < 100) {
        EXPECT_EQ(spectrum[i].value, h.value_at_percentile(spectrum[i].percentile)) << kind << " " << i;
      }
    }
    EXPECT_EQ(spectrum.back().percentile, 100.0);
    EXPECT_EQ(spectrum.back().value, h.max());
    EXPECT_EQ(spectrum.back().count_at_or_below, h.count());
  }
}

TEST(LatencyHistogramTest, SpectrumTerminatesWithHugeCounts) {
  // 1e18 values: no level below 100 that a double can hold selects the last one, so the walk must stop
  // anyway.
  LatencyHistogram h;
  h.record(1);
  h.record(1000, 1'000'000'000'000'000'000ull);
  const auto spectrum = h.percentile_spectrum();
  ASSERT_FALSE(spectrum.empty());
  EXPECT_LT(spectrum.size(), 2000u);
  EXPECT_EQ(spectrum.front().value, 1u);
  EXPECT_EQ(spectrum.back().percentile, 100.0);
  EXPECT_EQ(spectrum.back().value, 1000u);
  EXPECT_EQ(spectrum.back().count_at_or_below, h.count());
}

TEST(LatencyHistogramTest, SpectrumTextLayout) {
  LatencyHistogram h;
  h.record(1000);
  h.record(1500);
  h.record(2000);
  h.record(4000);  // slot 4000..4001, reported as 4000 because that is the exact max
  const std::string text = h.spectrum_text(1000.0, 1);
  // ticks_per_half_distance = 1: levels 0, 50, 75, then 100.
  const std::string expected =
      "       Value     Percentile TotalCount 1/(1-Percentile)\n"
      "\n"
      "       1.000 0.000000000000          1           1.00\n"
      "       1.500 0.500000000000          2           2.00\n"
      "       2.000 0.750000000000          3           4.00\n"
      "       4.000 1.000000000000          4\n"
      "#[Mean    =        2.125, StdDeviation   =        1.139]\n"
      "#[Max     =        4.000, Total count    =            4]\n"
      "#[Buckets =           32, SubBuckets     =         2048]\n";
  EXPECT_EQ(text, expected);
}

}  // namespace
}  // namespace rtb
