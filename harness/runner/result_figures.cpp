#include "harness/runner/result_figures.hpp"

#include <cmath>
#include <limits>

namespace rtb {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

double app_bytes_per_event(const LoadResult& r) {
  return r.bytes_up_per_event + r.bytes_down_per_event;
}

double tcp_payload_bytes_per_event(const LoadResult& r) {
  return r.tls.empty() ? app_bytes_per_event(r) : r.tls_bytes_per_event;
}

double wire_bytes_per_event(const LoadResult& r) {
  return tcp_payload_bytes_per_event(r) + r.tcp_segments_per_event * kTcpSegmentOverheadBytes;
}

double app_bytes_per_s(const LoadResult& r) {
  return r.bytes_up_per_s + r.bytes_down_per_s;
}

double tcp_payload_bytes_per_s(const LoadResult& r) {
  if (!(r.duration_s > 0)) return kNaN;
  return r.tls.empty() ? app_bytes_per_s(r)
                       : static_cast<double>(r.tls_bytes_up + r.tls_bytes_down) / r.duration_s;
}

double wire_bytes_per_s(const LoadResult& r) {
  if (!(r.duration_s > 0)) return kNaN;
  return tcp_payload_bytes_per_s(r) +
         static_cast<double>(r.tcp_segments) / r.duration_s * kTcpSegmentOverheadBytes;
}

double header_bytes_per_request(const LoadResult& r) {
  if (!(r.requests_per_event > 0)) return kNaN;
  return r.header_bytes_per_event / r.requests_per_event;
}

double requests_per_s_per_client(const LoadResult& r) {
  return r.connected == 0 ? kNaN : r.requests_per_s / static_cast<double>(r.connected);
}

double app_bytes_per_s_per_client(const LoadResult& r) {
  return r.connected == 0 ? kNaN : app_bytes_per_s(r) / static_cast<double>(r.connected);
}

double binary_mbps(double bytes_per_s) {
  return bytes_per_s * 8 / (1024.0 * 1024.0);
}

}  // namespace rtb
