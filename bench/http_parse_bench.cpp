// Measures llhttp parsing one keep-alive poll request per call, for the minimal and the browser header
// profile: llhttp alone, and llhttp filling an HttpRequest the way HttpConnection does (what the server
// pays).
#include <benchmark/benchmark.h>
#include <llhttp.h>

#include <string>
#include <string_view>

#include "bench/alloc_counter.hpp"
#include "harness/scenario/header_profile.hpp"
#include "transports/http/http_request.hpp"
#include "transports/common/client_request.hpp"

namespace rtb {
namespace {

constexpr std::string_view kPollTarget = "/poll?channel=default&since=123";
constexpr std::string_view kHost = "127.0.0.1:8080";

// The poll request exactly as the load generator's PollClient writes it for this header profile (the same
// build_get_request and header_profile_text), so the bench parses what the clients send.
std::string poll_request(HeaderProfileKind kind) {
  ClientOptions options;
  options.host_header = std::string(kHost);
  const std::size_t base = build_get_request(options, kPollTarget, false).size();
  HeaderProfile profile;
  profile.kind = kind;
  options.extra_headers = header_profile_text(profile, base, false).value_or("");
  return build_get_request(options, kPollTarget, false);
}

struct ParseSink {
  HttpRequest request;
  std::uint64_t completed = 0;
};

ParseSink& sink(llhttp_t* p) {
  return *static_cast<ParseSink*>(p->data);
}

// The same callback shape as HttpConnection's (minus limits and timers): every piece goes into HttpRequest,
// and each message pauses the parser so the request is dispatched outside llhttp.
llhttp_settings_t request_filling_settings() {
  llhttp_settings_t s;
  llhttp_settings_init(&s);
  s.on_message_begin = [](llhttp_t* p) {
    sink(p).request.clear();
    return 0;
  };
  s.on_url = [](llhttp_t* p, const char* at, std::size_t n) {
    sink(p).request.append_target({at, n});
    return 0;
  };
  s.on_header_field = [](llhttp_t* p, const char* at, std::size_t n) {
    sink(p).request.append_header_name({at, n});
    return 0;
  };
  s.on_header_value = [](llhttp_t* p, const char* at, std::size_t n) {
    sink(p).request.append_header_value({at, n});
    return 0;
  };
  s.on_headers_complete = [](llhttp_t* p) {
    const HttpMethod method = llhttp_get_method(p) == HTTP_GET ? HttpMethod::kGet : HttpMethod::kOther;
    sink(p).request.set_line(method, llhttp_get_http_major(p), llhttp_get_http_minor(p));
    return 0;
  };
  s.on_message_complete = [](llhttp_t* p) {
    sink(p).request.set_keep_alive(llhttp_should_keep_alive(p) != 0);
    sink(p).request.set_upgrade(llhttp_get_upgrade(p) != 0);
    ++sink(p).completed;
    return static_cast<int>(HPE_PAUSED);
  };
  return s;
}

// Only the end of the message is observed: what llhttp itself costs, without our span bookkeeping.
llhttp_settings_t raw_settings() {
  llhttp_settings_t s;
  llhttp_settings_init(&s);
  s.on_message_complete = [](llhttp_t* p) {
    ++sink(p).completed;
    return static_cast<int>(HPE_PAUSED);
  };
  return s;
}

void run_parse(benchmark::State& state, HeaderProfileKind profile, const llhttp_settings_t& settings,
               bool check_request) {
  const std::string text = poll_request(profile);
  ParseSink out;
  llhttp_t parser;
  // One parser for the whole run, resumed after every request: a keep-alive connection, as HttpConnection
  // keeps it.
  llhttp_init(&parser, HTTP_REQUEST, &settings);
  parser.data = &out;
  // One request first, so HttpRequest's buffers have grown to size: the loop measures the steady state.
  llhttp_execute(&parser, text.data(), text.size());
  llhttp_resume(&parser);
  out.completed = 0;

  bench::AllocWindow allocs;
  for (auto _ : state) {
    const llhttp_errno_t err = llhttp_execute(&parser, text.data(), text.size());
    if (err != HPE_PAUSED) {
      state.SkipWithError(llhttp_get_error_reason(&parser));
      break;
    }
    llhttp_resume(&parser);
  }
  allocs.stop();

  if (out.completed != static_cast<std::uint64_t>(state.iterations())) {
    state.SkipWithError("not every iteration completed one request");
  }
  if (check_request && (out.request.target() != kPollTarget || out.request.header("host") != kHost ||
                        !out.request.keep_alive())) {
    state.SkipWithError("HttpRequest does not hold the parsed request");
  }
  const auto n = static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
  state.counters["requests"] = benchmark::Counter(n, benchmark::Counter::kIsRate);
  state.counters["request_bytes"] = static_cast<double>(text.size());
  if (check_request) state.counters["headers"] = static_cast<double>(out.request.header_count());
  allocs.report(state, "allocs_per_request", n);
}

void BM_HttpParseRequest(benchmark::State& state, HeaderProfileKind profile) {
  static const llhttp_settings_t settings = request_filling_settings();
  run_parse(state, profile, settings, true);
}

void BM_LlhttpParseRaw(benchmark::State& state, HeaderProfileKind profile) {
  static const llhttp_settings_t settings = raw_settings();
  run_parse(state, profile, settings, false);
}

BENCHMARK_CAPTURE(BM_HttpParseRequest, minimal, HeaderProfileKind::kMinimal);
BENCHMARK_CAPTURE(BM_HttpParseRequest, browser, HeaderProfileKind::kBrowser);
BENCHMARK_CAPTURE(BM_LlhttpParseRaw, minimal, HeaderProfileKind::kMinimal);
BENCHMARK_CAPTURE(BM_LlhttpParseRaw, browser, HeaderProfileKind::kBrowser);

}  // namespace
}  // namespace rtb
