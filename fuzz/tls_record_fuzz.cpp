// Fuzzes the server side of TLS: the bytes a client sends, through a server TlsStream (OpenSSL with the BIO
// of ours, a real server TlsContext with a certificate and key) over an in-memory Stream below, then checks
// what it did. The bytes cannot complete a handshake (that takes the server's key), so every input must leave
// the stream still handshaking, or closed: with a TLS alert or nothing written last, or with the plain-HTTP
// 400 when the input was plain HTTP; each closed stream counted once, as a failure, a plain-HTTP request or
// an incomplete handshake.
//
// Input: byte 0 is a set of switches: bits 0-1 how the client's bytes arrive (0: at once, 1: in two reads, 2:
// in three, 3: in pieces of (byte 1 % 16) + 1 bytes), bit 2 the client then closes its side (EOF below), bit
// 3 the layer above has paused input before the first byte (the handshake must go on regardless). Bytes 1 and
// 2 place the read boundaries (fractions of the rest, in 256ths); the rest is what the client sends. An input
// shorter than 3 bytes is sent at once, as it is.
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "transports/net/stream.hpp"
#include "transports/net/tls_context.hpp"
#include "transports/net/tls_stream.hpp"

namespace rtb {
namespace {

[[noreturn]] void violation(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "tls_record_fuzz: %s %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// --- the server's certificate and key

struct OpenSslFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
};
template <class T>
using OpenSslPtr = std::unique_ptr<T, OpenSslFree>;

// The PEM text `write` puts into a memory BIO.
template <class Write>
std::string pem_of(Write write) {
  OpenSslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) violation("cannot write PEM");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// A throwaway EC P-256 key and a self-signed certificate for it, made at start-up, so that nothing secret is
// committed and no certificate made at build time can expire under a long fuzzing run. TlsContext::server
// reads files (the server's own path, with its checks), so they are written to a private temporary folder
// and removed once read.
std::unique_ptr<TlsContext> make_server_context() {
  OpenSslPtr<EVP_PKEY> key(EVP_EC_gen("P-256"));
  OpenSslPtr<X509> cert(X509_new());
  if (!key || !cert) violation("cannot make a key and certificate");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) violation("cannot sign the certificate");

  const std::string cert_pem = pem_of([&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()); });
  const std::string key_pem = pem_of([&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });

  std::string dir = (std::filesystem::temp_directory_path() / "rtb-tls-fuzz-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) violation("no temporary folder");
  const std::filesystem::path cert_file = std::filesystem::path(dir) / "server.pem";
  const std::filesystem::path key_file = std::filesystem::path(dir) / "server.key";
  std::ofstream(cert_file, std::ios::binary) << cert_pem;
  std::ofstream(key_file, std::ios::binary) << key_pem;
  std::string error;
  std::unique_ptr<TlsContext> context = TlsContext::server({cert_file.string(), key_file.string()}, error);
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  if (!context) violation("TlsContext::server:", error);
  return context;
}

TlsContext& server_context() {
  static const std::unique_ptr<TlsContext> context = make_server_context();
  return *context;
}

// --- the stream below and the layer above

// What the layer above heard; kept outside it, since the TlsStream frees it.
struct Above {
  std::size_t plaintext = 0;
  int connected = 0;
  int eof = 0;
  int closed = 0;
};

class AboveHandler final : public StreamHandler {
 public:
  explicit AboveHandler(Above& seen) : seen_(seen) {}
  void on_stream_data(char*, std::size_t len) override { seen_.plaintext += len; }
  void on_stream_eof() override { ++seen_.eof; }
  void on_stream_connected(int) override { ++seen_.connected; }
  void on_stream_closed() override { ++seen_.closed; }

 private:
  Above& seen_;
};

// A connected stream in memory: what is written below is "sent" at once and kept in `output()`; a close
// takes effect at once (closing()), and on_stream_closed comes later, at deliver_close(), as the loop's close
// callback would. It owns its handler, the TlsStream, like TcpConnection, and frees it after that call.
class MemoryStream final : public Stream {
 public:
  void set_handler(std::unique_ptr<StreamHandler> handler) override {
    handler_ = std::move(handler);
    if (handler_) handler_->stream = this;
  }
  StreamHandler* handler() const override { return handler_.get(); }
  int start_reading() override {
    reading_ = true;
    return 0;
  }
  void stop_reading() override { reading_ = false; }
  WriteResult write(SharedBuffer bytes) override { return write_copy(bytes.view()); }
  WriteResult write_copy(std::string_view bytes) override {
    // TcpConnection drops these too; TLS writing after it closed would be a state it lost track of.
    if (closing_) violation("wrote below after closing it:", bytes.substr(0, 16));
    output_.append(bytes);
    return WriteResult::kOk;
  }
  std::size_t queued_bytes() const override { return 0; }
  const StreamLimits& limits() const override { return limits_; }
  void close() override { closing_ = true; }
  void close_after_writes() override { closing_ = true; }
  bool closing() const override { return closing_; }
  Loop& loop() override { violation("a handshaking TlsStream asked for the loop"); }
  int fd() const override { return -1; }

  bool reading() const { return reading_; }
  const std::string& output() const { return output_; }
  // One read from the socket: the bytes sit in a buffer that is gone after the call, as the loop's read
  // buffer is reused, so anything TLS kept without copying is a use after free under ASan.
  void deliver(std::string_view bytes) {
    std::vector<char> buffer(bytes.begin(), bytes.end());
    handler_->on_stream_data(buffer.data(), buffer.size());
  }
  void deliver_eof() { handler_->on_stream_eof(); }
  void deliver_close() {
    handler_->on_stream_closed();
    handler_.reset();
  }

 private:
  std::unique_ptr<StreamHandler> handler_;
  StreamLimits limits_;
  std::string output_;
  bool reading_ = false;
  bool closing_ = false;
};

// --- reading TLS records

struct Record {
  std::uint8_t type;
  std::uint16_t version;
  std::string_view body;
};
constexpr std::uint8_t kChangeCipherSpec = 20, kAlert = 21, kHandshake = 22, kApplicationData = 23;

std::uint16_t be16(std::string_view at) {
  return static_cast<std::uint16_t>(static_cast<std::uint8_t>(at[0]) << 8 | static_cast<std::uint8_t>(at[1]));
}

// The records that `bytes` starts with, as far as they are whole and well framed (RFC 8446 5.1/5.2, RFC 5246
// 6.2: a content type of TLS, at most 2^14 + 2048 bytes); `rest` is what is left.
std::vector<Record> records_of(std::string_view bytes, std::string_view& rest) {
  std::vector<Record> out;
  while (bytes.size() >= 5) {
    const auto type = static_cast<std::uint8_t>(bytes[0]);
    const std::size_t len = be16(bytes.substr(3));
    if (type < kChangeCipherSpec || type > kApplicationData || len == 0 || len > 16384 + 2048 ||
        bytes.size() < 5 + len) {
      break;
    }
    out.push_back({type, be16(bytes.substr(1)), bytes.substr(5, len)});
    bytes.remove_prefix(5 + len);
  }
  rest = bytes;
  return out;
}

// Whether the client's bytes hold a record header of type alert, walking the headers as the server does,
// even one too long or of an odd version: OpenSSL ends a handshake on such a record without an alert of its
// own (ssl3_get_record: "we probably shouldn't send a fatal alert back").
bool client_sent_alert(std::string_view in) {
  while (in.size() >= 5 && static_cast<std::uint8_t>(in[0]) >= kChangeCipherSpec &&
         static_cast<std::uint8_t>(in[0]) <= kApplicationData) {
    if (in[0] == kAlert) return true;
    in.remove_prefix(std::min(in.size(), 5 + std::size_t{be16(in.substr(3))}));
  }
  return false;
}

// A plaintext alert, or, once the server's flight went out, an encrypted TLS 1.3 one: inner content type
// and 2 bytes, sealed with a 16-byte tag (AES-GCM, ChaCha20-Poly1305) is 19 bytes, shorter than any sealed
// handshake message (a 4-byte header at least).
bool is_alert(const Record& r, bool flight_sent) {
  if (r.type == kAlert) {
    if (r.body.size() != 2 || (r.body[0] != 1 && r.body[0] != 2)) violation("a malformed alert was written");
    return true;
  }
  return flight_sent && r.type == kApplicationData && r.body.size() == 19;
}

// What OpenSSL recognises as plain HTTP on a TLS port (ssl3_get_record: SSL_R_HTTP_REQUEST).
bool looks_like_http(std::string_view in) {
  for (std::string_view method : {"GET ", "POST ", "HEAD ", "PUT "}) {
    if (in.starts_with(method)) return true;
  }
  return false;
}

// --- one input

struct Input {
  std::vector<std::string_view> chunks;
  std::string_view stream;
  bool eof = false;
  bool paused = false;
};

Input split_input(const std::uint8_t* data, std::size_t size) {
  Input in;
  if (size < 3) {
    in.stream = {reinterpret_cast<const char*>(data), size};
    in.chunks.push_back(in.stream);
    return in;
  }
  in.eof = data[0] & 4;
  in.paused = data[0] & 8;
  in.stream = {reinterpret_cast<const char*>(data) + 3, size - 3};
  std::string_view rest = in.stream;
  const unsigned mode = data[0] & 3u;
  if (mode == 3) {
    const std::size_t piece = data[1] % 16u + 1;
    for (; !rest.empty(); rest.remove_prefix(std::min(piece, rest.size()))) {
      in.chunks.push_back(rest.substr(0, piece));
    }
    return in;
  }
  for (unsigned i = 0; i < mode; ++i) {
    const std::size_t cut = rest.size() * data[1 + i] / 256;
    in.chunks.push_back(rest.substr(0, cut));
    rest.remove_prefix(cut);
  }
  in.chunks.push_back(rest);
  return in;
}

void run_one(const std::uint8_t* data, std::size_t size) {
  TlsContext& context = server_context();
  const TlsCounters before = context.counters();
  const Input in = split_input(data, size);
  static const bool debug = std::getenv("RTB_FUZZ_DEBUG") != nullptr;

  Above above;
  MemoryStream below;
  TlsStream& tls = TlsStream::attach(below, context, std::make_unique<AboveHandler>(above));
  // As HttpConnection::start() does on an accepted connection.
  tls.start_reading();
  if (in.paused) tls.stop_reading();
  if (!below.output().empty()) violation("the server wrote before the client said anything");

  // Where the output of the read that closed the stream begins.
  std::size_t closing_step = 0;
  bool closed_by_input = false;
  auto step = [&](auto&& action) {
    const std::size_t start = below.output().size();
    action();
    if (!closed_by_input && below.closing()) {
      closed_by_input = true;
      closing_step = start;
    }
  };
  bool handshaking = true;  // checked after every read: no input can finish a handshake
  for (std::string_view chunk : in.chunks) {
    // A closed TCP stream reads no more, nor does one whose layer above paused input.
    if (below.closing() || !below.reading()) break;
    if (!chunk.empty()) step([&] { below.deliver(chunk); });
    handshaking = handshaking && !tls.established();
  }
  if (in.eof && !below.closing() && below.reading()) step([&] { below.deliver_eof(); });
  handshaking = handshaking && !tls.established();
  if (!handshaking || above.connected != 0 || above.plaintext != 0 || above.eof != 0) {
    violation("a handshake completed with bytes that cannot know the server's key");
  }

  // The stream as the input left it: still handshaking, or closed.
  const std::string output = below.output();
  const TlsCounters& after = context.counters();
  const std::uint64_t failures = after.handshake_failures - before.handshake_failures;
  const std::uint64_t plain_http = after.plain_http - before.plain_http;
  // RTB_FUZZ_DEBUG=1 shows what happened and what the server wrote, for reading a reproducer.
  if (debug) {
    std::fprintf(stderr,
                 "%zu reads, %s; wrote %zu bytes (%zu in the read that closed it); failures +%llu, "
                 "plain http +%llu\nwrote:",
                 in.chunks.size(), closed_by_input ? "closed" : "still handshaking", output.size(),
                 closed_by_input ? output.size() - closing_step : 0,
                 static_cast<unsigned long long>(failures), static_cast<unsigned long long>(plain_http));
    for (unsigned char c : output) std::fprintf(stderr, " %02x", c);
    std::fprintf(stderr, "\n");
  }
  if (closed_by_input != (failures + plain_http == 1)) {
    violation("a close was not counted once, or a count without a close");
  }

  if (plain_http == 1) {
    if (!looks_like_http(in.stream)) violation("a plain-HTTP answer to bytes that are not HTTP");
    if (!output.starts_with("HTTP/1.1 400 Bad Request\r\n") ||
        output.find("\r\nConnection: close\r\n") == std::string::npos) {
      violation("the plain-HTTP answer is not a 400 that closes:", output);
    }
  } else {
    std::string_view rest;
    const std::vector<Record> records = records_of(output, rest);
    if (!rest.empty()) violation("wrote something that is not whole TLS records");
    bool flight_sent = false;
    bool alert_sent = false;
    for (const Record& r : records) {
      if (alert_sent) violation("wrote a record after an alert");
      alert_sent = is_alert(r, flight_sent);
      // An alert answering a ClientHello or record of an odd version carries that version (OpenSSL answers
      // in kind); everything else is TLS 1.0-1.2 on the record layer (TLS 1.3 records say 1.2).
      if (!alert_sent && (r.version < 0x0301 || r.version > 0x0303)) {
        violation("wrote a record of a version not TLS");
      }
      flight_sent = flight_sent || r.type == kHandshake;
    }
    if (alert_sent && !closed_by_input) violation("sent an alert and kept the stream open");
    if (closed_by_input && closing_step < output.size() && !alert_sent) {
      // The read that closed it carried a good ClientHello (the server's flight went out) and then what
      // ended the handshake: only the client's own alert ends it without one of ours.
      if (!client_sent_alert(in.stream)) {
        violation("closed for bad input without an alert after what it wrote");
      }
    }
  }

  if (!closed_by_input) below.close();  // as the header timeout does with a handshake that stalls
  const std::uint64_t incomplete = context.counters().handshakes_incomplete - before.handshakes_incomplete;
  below.deliver_close();
  const std::uint64_t incomplete_now =
      context.counters().handshakes_incomplete - before.handshakes_incomplete;
  if (incomplete != 0 || incomplete_now != (closed_by_input ? 0u : 1u)) {
    violation("an incomplete handshake was not counted once when it closed");
  }
  if (above.closed != 1) violation("the layer above did not hear the close once");
  if (context.counters().handshakes != before.handshakes) violation("a handshake was counted");
}

}  // namespace
}  // namespace rtb

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rtb::run_one(data, size);
  return 0;
}
