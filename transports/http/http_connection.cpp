#include "transports/http/http_connection.hpp"

#include <cstring>

namespace rtb {

namespace {

HttpConnection& self(llhttp_t* parser) {
  return *static_cast<HttpConnection*>(parser->data);
}

const llhttp_settings_t& parser_settings() {
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = [](llhttp_t* p) { return self(p).on_message_begin(); };
    s.on_url = [](llhttp_t* p, const char* at, std::size_t n) { return self(p).on_url(at, n); };
    s.on_header_field = [](llhttp_t* p, const char* at, std::size_t n) {
      return self(p).on_header_field(at, n);
    };
    s.on_header_value = [](llhttp_t* p, const char* at, std::size_t n) {
      return self(p).on_header_value(at, n);
    };
    s.on_headers_complete = [](llhttp_t* p) { return self(p).on_headers_complete(); };
    s.on_body = [](llhttp_t* p, const char* at, std::size_t n) { return self(p).on_body(at, n); };
    s.on_message_complete = [](llhttp_t* p) { return self(p).on_message_complete(); };
    return s;
  }();
  return settings;
}

HttpMethod to_method(uint8_t m) {
  switch (m) {
    case HTTP_GET:
      return HttpMethod::kGet;
    case HTTP_HEAD:
      return HttpMethod::kHead;
    case HTTP_POST:
      return HttpMethod::kPost;
    case HTTP_PUT:
      return HttpMethod::kPut;
    case HTTP_DELETE:
      return HttpMethod::kDelete;
    case HTTP_OPTIONS:
      return HttpMethod::kOptions;
    case HTTP_PATCH:
      return HttpMethod::kPatch;
    default:
      return HttpMethod::kOther;
  }
}

// RFC 9110 5.1/5.6.2: a field name is a non-empty token. llhttp 8.1 lets a space inside a name ("Bad Name")
// and an empty name through; a proxy in front may read such a line differently than we do (smuggling), so the
// request is refused as malformed.
bool is_token(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) == std::string_view::npos)
      return false;
  }
  return true;
}

}  // namespace

HttpConnection::HttpConnection(HttpServerContext& context)
    : context_(context),
      limits_(context.limits),
      counters_(context.counters),
      timer_(&HttpConnection::on_timer, this),
      resume_task_(&HttpConnection::on_resume_task, this) {
  llhttp_init(&parser_, HTTP_REQUEST, &parser_settings());
  parser_.data = this;
  ++counters_.connections;
  next_ = context_.first;
  if (next_ != nullptr) next_->prev_ = this;
  context_.first = this;
}

HttpConnection::~HttpConnection() {
  // The session may unregister from the hub in its destructor; it goes before the rest of us.
  session_.reset();
  --counters_.connections;
  if (prev_ != nullptr) {
    prev_->next_ = next_;
  } else {
    context_.first = next_;
  }
  if (next_ != nullptr) next_->prev_ = prev_;
}

void HttpConnection::start() {
  arm_timer(limits_.header_timeout_ms);
  stream->start_reading();
}

void HttpConnection::arm_timer(std::uint32_t ms) {
  stream->loop().timers().schedule(timer_, ms);
}

void HttpConnection::on_timer(TimerEntry& entry) {
  auto& c = *static_cast<HttpConnection*>(entry.context);
  if (c.state_ == State::kReadingRequest) {
    ++c.counters_.header_timeouts;
    c.fail(408);
    return;
  }
  if (c.state_ == State::kIdle) c.close();
}

// --- llhttp callbacks -------------------------------------------------------------------------------------

int HttpConnection::on_message_begin() {
  request_.clear();
  error_status_ = 0;
  responded_ = false;
  if (state_ == State::kIdle) {
    state_ = State::kReadingRequest;
    arm_timer(limits_.header_timeout_ms);
  }
  return 0;
}

int HttpConnection::on_url(const char* at, std::size_t len) {
  request_.append_target({at, len});
  if (request_.head_bytes() > limits_.max_header_bytes) {
    error_status_ = 414;
    return -1;
  }
  return 0;
}

int HttpConnection::on_header_field(const char* at, std::size_t len) {
  std::size_t before = request_.header_count();
  request_.append_header_name({at, len});
  if (request_.header_count() != before && request_.header_count() > limits_.max_headers) {
    error_status_ = 431;
    return -1;
  }
  if (request_.head_bytes() > limits_.max_header_bytes) {
    error_status_ = 431;
    return -1;
  }
  return 0;
}

int HttpConnection::on_header_value(const char* at, std::size_t len) {
  request_.append_header_value({at, len});
  if (request_.head_bytes() > limits_.max_header_bytes) {
    error_status_ = 431;
    return -1;
  }
  return 0;
}

int HttpConnection::on_headers_complete() {
  request_.set_line(to_method(llhttp_get_method(&parser_)), llhttp_get_http_major(&parser_),
                    llhttp_get_http_minor(&parser_));
  for (std::size_t i = 0; i < request_.header_count(); ++i) {
    if (!is_token(request_.header_name(i))) {
      error_status_ = 400;
      return -1;
    }
  }
  // Decided from the header, before any body byte is buffered.
  if ((parser_.flags & F_CONTENT_LENGTH) && parser_.content_length > limits_.max_body_bytes) {
    error_status_ = 413;
    return -1;
  }
  return 0;
}

int HttpConnection::on_body(const char* at, std::size_t len) {
  if (request_.body().size() + len > limits_.max_body_bytes) {
    error_status_ = 413;
    return -1;
  }
  request_.append_body({at, len});
  return 0;
}

int HttpConnection::on_message_complete() {
  request_.set_keep_alive(llhttp_should_keep_alive(&parser_) != 0);
  request_.set_upgrade(llhttp_get_upgrade(&parser_) != 0);
  state_ = State::kDispatching;
  // Upgrade requests pause by themselves (HPE_PAUSED_UPGRADE); every other request pauses here so it is
  // dispatched outside llhttp and the next pipelined request waits for this answer.
  return request_.upgrade() ? 0 : HPE_PAUSED;
}

// --- input ------------------------------------------------------------------------------------------------

void HttpConnection::on_stream_data(char* data, std::size_t len) {
  if (state_ == State::kUpgraded) {
    session_->on_session_data(data, len);
    return;
  }
  if (state_ == State::kClosing) return;
  if (state_ == State::kDeferred || !buffered_input_.empty()) {
    buffered_input_.append(data, len);
    // A client that pipelines faster than we answer is paused, not buffered without limit.
    if (buffered_input_.size() > limits_.max_buffered_input) stream->stop_reading();
    if (state_ != State::kDeferred && !waiting_for_drain_) process_buffered_input();
    return;
  }
  parse(data, len);
}

void HttpConnection::process_buffered_input() {
  if (buffered_input_.empty()) {
    if (!stream->closing() && !waiting_for_drain_) stream->start_reading();
    return;
  }
  std::string input;
  input.swap(buffered_input_);
  parse(input.data(), input.size());
  // Whatever parse() could not take yet was put back into buffered_input_.
  if (buffered_input_.size() <= limits_.max_buffered_input && !stream->closing() && !waiting_for_drain_)
    stream->start_reading();
}

void HttpConnection::parse(char* data, std::size_t len) {
  while (len > 0) {
    if (state_ == State::kIdle) {
      // Any byte starts a request: the header timeout runs from here.
      state_ = State::kReadingRequest;
      arm_timer(limits_.header_timeout_ms);
    }
    llhttp_errno_t err = llhttp_execute(&parser_, data, len);
    if (err == HPE_OK) return;  // everything consumed; the request continues in the next read
    if (err != HPE_PAUSED && err != HPE_PAUSED_UPGRADE) {
      ++counters_.parse_errors;
      fail(error_status_ != 0 ? error_status_ : 400);
      return;
    }
    std::size_t consumed = static_cast<std::size_t>(llhttp_get_error_pos(&parser_) - data);
    data += consumed;
    len -= consumed;
    if (err == HPE_PAUSED_UPGRADE) {
      llhttp_resume_after_upgrade(&parser_);
    } else {
      llhttp_resume(&parser_);
    }
    dispatch();
    if (state_ == State::kUpgraded) {
      if (len > 0) session_->on_session_data(data, len);
      return;
    }
    if (state_ == State::kClosing) return;
    if (state_ == State::kDeferred) {
      if (len > 0) buffered_input_.append(data, len);
      return;
    }
    if (stream->closing()) return;
    // Pipelined answers pile up faster than the client reads them: the next request waits until they drain,
    // where answering on would push the queue past its bound and cost the client every answer.
    if (len > 0 && stream->queued_bytes() > stream->limits().high_watermark) {
      buffered_input_.append(data, len);
      waiting_for_drain_ = true;
      stream->stop_reading();
      return;
    }
  }
}

void HttpConnection::dispatch() {
  stream->loop().timers().cancel(timer_);
  ++counters_.requests;
  Router::Match match = context_.router.match(request_.method(), request_.path());
  switch (match.outcome) {
    case Router::Outcome::kNotFound:
      respond_text(404, "no such path");
      return;
    case Router::Outcome::kMethodNotAllowed:
      respond_text(405, "method not allowed", match.route->allow_header);
      return;
    case Router::Outcome::kFound:
      break;
  }
  if (refusing_) {
    shutting_down_ = true;  // closes after this answer
    if (match.route->kind == RouteKind::kStream) {
      state_ = State::kClosing;
      stream->close_after_writes();
      return;
    }
    respond_text(503, "server at its connection limit", "Retry-After: 1\r\n");
    return;
  }
  match.route->handler(*this, request_);
  if (state_ == State::kDispatching && !responded_) respond_text(500, "handler gave no answer");
  // The session took what it needs from the request (channel, cursor): a parked poll or a stream holds none
  // of its buffers.
  if (state_ == State::kDeferred) request_.release_buffers();
}

void HttpConnection::fail(int status) {
  // The request cannot be trusted any further: answer once and close.
  state_ = State::kClosing;
  ResponseSpec spec;
  spec.status = status;
  spec.content_type = "text/plain";
  std::string body(http_status_reason(status));
  body += "\n";
  spec.body = body;
  spec.close = true;
  if (status >= 500) {
    ++counters_.responses_5xx;
  } else {
    ++counters_.responses_4xx;
  }
  stream->loop().timers().cancel(timer_);
  stream->write(ResponseWriter::build(spec));
  stream->close_after_writes();
}

// --- output -----------------------------------------------------------------------------------------------

void HttpConnection::respond(ResponseSpec spec) {
  if (state_ != State::kDispatching && state_ != State::kDeferred) return;
  bool keep = request_.keep_alive() && !shutting_down_;
  spec.close = spec.close || !keep;
  spec.http10_keep_alive = keep && request_.http_major() == 1 && request_.http_minor() == 0;
  spec.head_only = request_.method() == HttpMethod::kHead;
  if (spec.status >= 500) {
    ++counters_.responses_5xx;
  } else if (spec.status >= 400) {
    ++counters_.responses_4xx;
  } else {
    ++counters_.responses_2xx;
  }
  if (stream->write(ResponseWriter::build(spec)) == WriteResult::kDropped && !stream->closing()) {
    // The answer is larger than the send-queue bound: a close tells the client now, where a dropped answer
    // would leave it waiting on an open connection for bytes that never come.
    close();
    return;
  }
  responded_ = true;
  bool was_deferred = state_ == State::kDeferred;
  std::unique_ptr<HttpSession> finished = std::move(session_);
  if (spec.close) {
    state_ = State::kClosing;
    stream->close_after_writes();
    return;
  }
  state_ = State::kIdle;
  if (was_deferred) {
    // Pipelined requests resume outside the caller's stack (often a hub fan-out).
    stream->loop().post(resume_task_);
  }
  after_response();
}

void HttpConnection::after_response() {
  if (buffered_input_.empty()) {
    // An idle keep-alive connection holds no request memory (nginx frees its buffers the same way).
    request_.release_memory();
    arm_timer(limits_.keep_alive_timeout_ms);
  }
}

void HttpConnection::on_resume_task(LoopTask& task) {
  auto& c = *static_cast<HttpConnection*>(task.context);
  if (c.state_ == State::kIdle) c.process_buffered_input();
}

void HttpConnection::respond_text(int status, std::string_view text, std::string_view extra_headers) {
  std::string body(text);
  body += "\n";
  ResponseSpec spec;
  spec.status = status;
  spec.content_type = "text/plain; charset=utf-8";
  spec.body = body;
  spec.extra_headers = extra_headers;
  respond(spec);
}

HttpSession& HttpConnection::defer(std::unique_ptr<HttpSession> session) {
  session_ = std::move(session);
  state_ = State::kDeferred;
  responded_ = true;
  return *session_;
}

HttpSession& HttpConnection::upgrade(std::unique_ptr<HttpSession> session, SharedBuffer head) {
  ++counters_.responses_2xx;  // 101 counts with the successes
  stream->write(std::move(head));
  session_ = std::move(session);
  state_ = State::kUpgraded;
  upgraded_ = true;
  responded_ = true;
  request_.release_memory();
  std::string().swap(buffered_input_);
  return *session_;
}

WriteResult HttpConnection::write(SharedBuffer bytes) {
  return stream->write(std::move(bytes));
}

void HttpConnection::close() {
  state_ = State::kClosing;
  stream->close();
}

void HttpConnection::close_after_writes() {
  stream->close_after_writes();
}

void HttpConnection::resume_input() {
  if (!stream->closing()) stream->start_reading();
}

void HttpConnection::begin_shutdown() {
  shutting_down_ = true;
  // Idle may still mean an answer in the queue (a large batch, or the 204 a transport's shutdown just wrote):
  // it is sent before the close.
  if (state_ == State::kIdle && buffered_input_.empty()) {
    state_ = State::kClosing;
    stream->close_after_writes();
  }
}

void HttpConnection::on_stream_eof() {
  // A half-closed peer can send no further request, but it may still be reading: answers already queued (a
  // large batch can outlast the request by many loop turns) are delivered before the close. A parked or
  // streaming request has nobody left to read it.
  if (state_ == State::kDeferred || state_ == State::kUpgraded) {
    close();
    return;
  }
  state_ = State::kClosing;
  stream->close_after_writes();
}

void HttpConnection::on_stream_drained() {
  if (waiting_for_drain_) {
    waiting_for_drain_ = false;
    // From a task: the drain is reported inside a write callback, not a place to parse requests.
    if (state_ == State::kIdle) stream->loop().post(resume_task_);
  }
  if (session_) session_->on_session_drained();
}

void HttpConnection::on_stream_closed() {
  state_ = State::kClosing;
  stream->loop().timers().cancel(timer_);
  stream->loop().cancel(resume_task_);
  session_.reset();
}

}  // namespace rtb
