#include "transports/common/utf8_validator.hpp"

#include <array>
#include <cstddef>
#include <cstring>

namespace rtb {
namespace {

// Byte classes: bytes with the same transitions from every state share a class. Splitting the continuation
// range 80..BF three ways lets the second byte of a sequence reject overlongs, surrogates and code points
// above U+10FFFF, so a hopeless sequence fails at once instead of at its end.
enum ByteClass : std::uint8_t {
  kAscii,   // 00..7F
  kCont80,  // 80..8F
  kCont90,  // 90..9F
  kContA0,  // A0..BF
  kNever,   // C0, C1, F5..FF: cannot appear anywhere
  kLead2,   // C2..DF
  kLeadE0,  // E0: second byte A0..BF (else overlong)
  kLead3,   // E1..EC, EE, EF
  kLeadED,  // ED: second byte 80..9F (else a surrogate)
  kLeadF0,  // F0: second byte 90..BF (else overlong)
  kLead4,   // F1..F3
  kLeadF4,  // F4: second byte 80..8F (else > U+10FFFF)
  kClassCount,
};

// States besides kAccept (0) and kReject (1): what the rest of the current sequence must look like.
enum State : std::uint8_t {
  kNeed1 = 2,  // one more continuation byte
  kNeed2,      // two more
  kNeed3,      // three more
  kAfterE0,    // A0..BF, then one more
  kAfterED,    // 80..9F, then one more
  kAfterF0,    // 90..BF, then two more
  kAfterF4,    // 80..8F, then two more
  kStateCount,
};

constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> c{};
  for (int b = 0; b < 256; ++b) {
    std::uint8_t cls = kNever;
    if (b <= 0x7F)
      cls = kAscii;
    else if (b <= 0x8F)
      cls = kCont80;
    else if (b <= 0x9F)
      cls = kCont90;
    else if (b <= 0xBF)
      cls = kContA0;
    else if (b <= 0xC1)
      cls = kNever;
    else if (b <= 0xDF)
      cls = kLead2;
    else if (b == 0xE0)
      cls = kLeadE0;
    else if (b == 0xED)
      cls = kLeadED;
    else if (b <= 0xEF)
      cls = kLead3;
    else if (b == 0xF0)
      cls = kLeadF0;
    else if (b <= 0xF3)
      cls = kLead4;
    else if (b == 0xF4)
      cls = kLeadF4;
    c[static_cast<std::size_t>(b)] = cls;
  }
  return c;
}

using Transitions = std::array<std::array<std::uint8_t, kClassCount>, kStateCount>;

constexpr Transitions make_transitions() {
  Transitions t{};
  for (auto& row : t) row.fill(Utf8Validator::kReject);
  auto& start = t[Utf8Validator::kAccept];
  start[kAscii] = Utf8Validator::kAccept;
  start[kLead2] = kNeed1;
  start[kLeadE0] = kAfterE0;
  start[kLead3] = kNeed2;
  start[kLeadED] = kAfterED;
  start[kLeadF0] = kAfterF0;
  start[kLead4] = kNeed3;
  start[kLeadF4] = kAfterF4;
  for (auto cls : {kCont80, kCont90, kContA0}) {
    t[kNeed1][cls] = Utf8Validator::kAccept;
    t[kNeed2][cls] = kNeed1;
    t[kNeed3][cls] = kNeed2;
  }
  t[kAfterE0][kContA0] = kNeed1;
  t[kAfterED][kCont80] = kNeed1;
  t[kAfterED][kCont90] = kNeed1;
  t[kAfterF0][kCont90] = kNeed2;
  t[kAfterF0][kContA0] = kNeed2;
  t[kAfterF4][kCont80] = kNeed2;
  return t;
}

constexpr auto kClasses = make_classes();
constexpr auto kTransitions = make_transitions();

constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

}  // namespace

bool Utf8Validator::feed(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* const end = p + bytes.size();
  std::uint8_t state = state_;
  while (p < end) {
    if (state == kAccept) {
      // Most payloads are ASCII: between code points, skip 8 bytes per step while no high bit is set.
      while (end - p >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, sizeof word);
        if ((word & kHighBits) != 0) break;
        p += 8;
      }
      if (p == end) break;
    }
    state = kTransitions[state][kClasses[*p]];
    ++p;
    if (state == kReject) break;
  }
  state_ = state;
  return state != kReject;
}

bool is_valid_utf8(std::string_view bytes) {
  Utf8Validator v;
  return v.feed(bytes) && v.at_boundary();
}

}  // namespace rtb
