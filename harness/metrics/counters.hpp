// DeliveryCounter: per-subscriber accounting of delivered, lost, duplicated and reordered events from the ids
// the subscriber receives, cheap enough to keep one per connection and exactly mergeable into totals.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rtb {

// Definitions (ids on one channel start at 1 and increase by 1; a subscriber expects every id from
// first_expected_id on):
// - delivered: distinct ids received, whether in order or late. Never counts an id twice.
// - lost: ids the subscriber should have received and has not: the holes below last_id(), plus, after
//   expect_through(n), the ids last_id()+1 .. n. A hole that is later filled stops counting as lost.
// - duplicates: receptions of an id already delivered (id == last_id(), or an older id that is not a hole),
//   and any id below first_expected_id or equal to 0 (never a valid new delivery).
// - reordered: receptions that filled a hole, i.e. an id below last_id() that had not been delivered. Each is
//   also counted in delivered.
// - late: receptions we can no longer classify because their hole was given up (see below). They stay counted
//   as lost (we cannot tell a very late delivery from a duplicate without unbounded memory).
//
// Memory: in order (the common case) the counter is a few integers. Holes are kept as ranges of ids, so one
// long gap costs one entry; the range list is allocated only while holes exist and holds at most
// kMaxHoleRanges ranges (64 KiB). Past that the oldest range is given up: its ids are lost for good and any
// later reception at or below it counts as late.
class DeliveryCounter {
 public:
  static constexpr std::size_t kMaxHoleRanges = 4096;

  explicit DeliveryCounter(uint64_t first_expected_id = 1)
      : first_expected_id_(first_expected_id == 0 ? 1 : first_expected_id),
        last_id_(first_expected_id_ - 1) {}

  void on_id(uint64_t id) {
    if (id > last_id_) {
      if (id > last_id_ + 1) add_hole(last_id_ + 1, id - 1);
      last_id_ = id;
      ++delivered_;
    } else if (id == 0 || id < first_expected_id_) {
      ++duplicates_;
    } else if (id <= given_up_through_) {
      ++late_;
    } else if (fill_hole(id)) {
      ++delivered_;
      ++reordered_;
    } else {
      ++duplicates_;
    }
  }

  // Call at the end of a run with the last id the publisher got back, so ids that never arrived after the
  // last one that did are counted as lost. Later calls only ever raise the expectation.
  void expect_through(uint64_t last_published_id) {
    expected_through_ = std::max(expected_through_, last_published_id);
  }

  // Adds other's totals, with its open holes and trailing ids counted as lost as of now. This counter's own
  // sequence state is unchanged, so a merged counter is for totals; keep feeding on_id() only to
  // per-subscriber counters.
  void merge(const DeliveryCounter& other) {
    delivered_ += other.delivered();
    duplicates_ += other.duplicates();
    reordered_ += other.reordered();
    late_ += other.late();
    lost_settled_ += other.lost();
    merged_last_id_ = std::max(merged_last_id_, other.last_id());
  }

  uint64_t delivered() const { return delivered_; }
  uint64_t lost() const {
    const uint64_t trailing = expected_through_ > last_id_ ? expected_through_ - last_id_ : 0;
    return lost_in_holes_ + lost_settled_ + trailing;
  }
  uint64_t duplicates() const { return duplicates_; }
  uint64_t reordered() const { return reordered_; }
  uint64_t late() const { return late_; }
  // Highest id received (first_expected_id - 1 before any); after merge(), the highest over all merged.
  uint64_t last_id() const { return std::max(last_id_, merged_last_id_); }
  std::size_t hole_ranges() const { return holes_.size(); }
  bool holds_memory() const { return holes_.capacity() != 0; }

 private:
  struct Range {
    uint64_t first;
    uint64_t last;
  };

  void add_hole(uint64_t first, uint64_t last) {
    holes_.push_back({first, last});
    lost_in_holes_ += last - first + 1;
    if (holes_.size() > kMaxHoleRanges) give_up_oldest_hole();
  }

  void give_up_oldest_hole() {
    const Range oldest = holes_.front();
    holes_.erase(holes_.begin());
    const uint64_t n = oldest.last - oldest.first + 1;
    lost_in_holes_ -= n;
    lost_settled_ += n;
    given_up_through_ = oldest.last;
  }

  bool fill_hole(uint64_t id) {
    // Ranges are disjoint and sorted because new holes always lie above every existing one.
    auto it = std::upper_bound(holes_.begin(), holes_.end(), id,
                               [](uint64_t v, const Range& r) { return v < r.first; });
    if (it == holes_.begin()) return false;
    --it;
    if (id > it->last) return false;
    --lost_in_holes_;
    if (it->first == it->last) {
      holes_.erase(it);
    } else if (id == it->first) {
      ++it->first;
    } else if (id == it->last) {
      --it->last;
    } else {
      const Range upper{id + 1, it->last};
      it->last = id - 1;
      holes_.insert(it + 1, upper);
      if (holes_.size() > kMaxHoleRanges) give_up_oldest_hole();
    }
    // Give the memory back once the subscriber has caught up, so in-order subscribers stay a few integers.
    if (holes_.empty()) std::vector<Range>().swap(holes_);
    return true;
  }

  uint64_t first_expected_id_;
  uint64_t last_id_;
  uint64_t expected_through_ = 0;
  uint64_t delivered_ = 0;
  uint64_t duplicates_ = 0;
  uint64_t reordered_ = 0;
  uint64_t late_ = 0;
  uint64_t lost_in_holes_ = 0;     // ids currently inside holes_
  uint64_t lost_settled_ = 0;      // given-up holes plus everything merged in
  uint64_t given_up_through_ = 0;  // ids at or below this are no longer tracked
  uint64_t merged_last_id_ = 0;
  std::vector<Range> holes_;
};

}  // namespace rtb
