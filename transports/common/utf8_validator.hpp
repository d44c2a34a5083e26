// Incremental UTF-8 validation for WebSocket text messages and close reasons, able to reject a message as
// soon as its bytes can no longer become valid, even when they arrive in many pieces.
#pragma once

#include <cstdint>
#include <string_view>

namespace rtb {

class Utf8Validator {
 public:
  // Returns false as soon as the bytes fed so far can never be part of valid UTF-8 (and keeps returning false
  // until reset()). Truncated sequences are not an error here: check at_boundary() at the end of the text.
  bool feed(std::string_view bytes);
  // True when the bytes fed so far end on a code point boundary (and nothing invalid was seen).
  bool at_boundary() const { return state_ == kAccept; }
  bool failed() const { return state_ == kReject; }
  void reset() { state_ = kAccept; }

  // DFA states; public so the transition table can be built at compile time next to the code that uses it.
  static constexpr std::uint8_t kAccept = 0;
  static constexpr std::uint8_t kReject = 1;

 private:
  std::uint8_t state_ = kAccept;
};

// The whole text at once: valid and not ending inside a multibyte sequence.
bool is_valid_utf8(std::string_view bytes);

}  // namespace rtb
