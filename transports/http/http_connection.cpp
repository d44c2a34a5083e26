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
    : context_(context), timer_(&HttpConnection::on_timer, this) {
  ++context_.counters.connections;
  next_ = context_.first;
  if (next_ != nullptr) next_->prev_ = this;
  context_.first = this;
}

HttpConnection::~HttpConnection() {
  // The session may unregister from the hub in its destructor; it goes before the rest of us.
  session_.reset();
  return_reader();
  --context_.counters.connections;
  if (prev_ != nullptr) {
    prev_->next_ = next_;
  } else {
    context_.first = next_;
  }
  if (next_ != nullptr) next_->prev_ = prev_;
}

void HttpConnection::start() {
  arm_timer(context_.limits.header_timeout_ms);
  stream->start_reading();
}

void HttpConnection::arm_timer(std::uint32_t ms) {
  stream->loop().timers().schedule(timer_, ms);
}

RequestReader& HttpConnection::reader() {
  if (!reader_) {
    reader_ = context_.readers.take();
    // A reader is taken between requests, where a fresh parser is where the old one would stand.
    llhttp_init(&reader_->parser, HTTP_REQUEST, &parser_settings());
    reader_->parser.data = this;
  }
  return *reader_;
}

void HttpConnection::return_reader() {
  if (reader_) context_.readers.give(std::move(reader_));
}

void HttpConnection::buffer_input(const char* data, std::size_t len) {
  if (!buffered_input_) buffered_input_ = std::make_unique<std::string>();
  buffered_input_->append(data, len);
}

// kDispatching: a session made by the handler, before defer() or upgrade() hands it over.
bool HttpConnection::lends_to_session() const {
  return state_ == State::kDispatching || state_ == State::kDeferred || state_ == State::kUpgraded;
}

void HttpConnection::schedule_session_timer(std::uint64_t ms) {
  if (lends_to_session()) stream->loop().timers().schedule(timer_, ms);
}

void HttpConnection::cancel_session_timer() {
  if (lends_to_session()) stream->loop().timers().cancel(timer_);
}

void HttpConnection::post_resume() {
  if (!resume_task_) resume_task_ = std::make_unique<LoopTask>(&HttpConnection::on_resume_task, this);
  stream->loop().post(*resume_task_);
}

void HttpConnection::on_timer(TimerEntry& entry) {
  auto& c = *static_cast<HttpConnection*>(entry.context);
  if ((c.state_ == State::kDeferred || c.state_ == State::kUpgraded) && c.session_) {
    c.session_->on_session_timer();
    return;
  }
  if (c.state_ == State::kReadingRequest) {
    ++c.context_.counters.header_timeouts;
    c.fail(408);
    return;
  }
  if (c.state_ == State::kIdle) c.close();
}

// --- llhttp callbacks -------------------------------------------------------------------------------------

int HttpConnection::on_message_begin() {
  reader_->request.clear();
  error_status_ = 0;
  responded_ = false;
  if (state_ == State::kIdle) state_ = State::kReadingRequest;  // the timer is armed when parse() ends
  return 0;
}

int HttpConnection::on_url(const char* at, std::size_t len) {
  HttpRequest& request = reader_->request;
  request.append_target({at, len});
  if (request.head_bytes() > context_.limits.max_header_bytes) {
    error_status_ = 414;
    return -1;
  }
  return 0;
}

int HttpConnection::on_header_field(const char* at, std::size_t len) {
  HttpRequest& request = reader_->request;
  std::size_t before = request.header_count();
  request.append_header_name({at, len});
  if (request.header_count() != before && request.header_count() > context_.limits.max_headers) {
    error_status_ = 431;
    return -1;
  }
  if (request.head_bytes() > context_.limits.max_header_bytes) {
    error_status_ = 431;
    return -1;
  }
  return 0;
}

int HttpConnection::on_header_value(const char* at, std::size_t len) {
  HttpRequest& request = reader_->request;
  request.append_header_value({at, len});
  if (request.head_bytes() > context_.limits.max_header_bytes) {
    error_status_ = 431;
    return -1;
  }
  return 0;
}

int HttpConnection::on_headers_complete() {
  HttpRequest& request = reader_->request;
  llhttp_t& parser = reader_->parser;
  request.set_line(to_method(llhttp_get_method(&parser)), llhttp_get_http_major(&parser),
                   llhttp_get_http_minor(&parser));
  for (std::size_t i = 0; i < request.header_count(); ++i) {
    if (!is_token(request.header_name(i))) {
      error_status_ = 400;
      return -1;
    }
  }
  // Decided from the header, before any body byte is buffered.
  if ((parser.flags & F_CONTENT_LENGTH) && parser.content_length > context_.limits.max_body_bytes) {
    error_status_ = 413;
    return -1;
  }
  return 0;
}

int HttpConnection::on_body(const char* at, std::size_t len) {
  HttpRequest& request = reader_->request;
  if (request.body().size() + len > context_.limits.max_body_bytes) {
    error_status_ = 413;
    return -1;
  }
  request.append_body({at, len});
  return 0;
}

int HttpConnection::on_message_complete() {
  HttpRequest& request = reader_->request;
  request.set_keep_alive(llhttp_should_keep_alive(&reader_->parser) != 0);
  request.set_upgrade(llhttp_get_upgrade(&reader_->parser) != 0);
  state_ = State::kDispatching;
  // Upgrade requests pause by themselves (HPE_PAUSED_UPGRADE); every other request pauses here so it is
  // dispatched outside llhttp and the next pipelined request waits for this answer.
  return request.upgrade() ? 0 : HPE_PAUSED;
}

// --- input ------------------------------------------------------------------------------------------------

void HttpConnection::on_stream_data(char* data, std::size_t len) {
  if (state_ == State::kUpgraded) {
    session_->on_session_data(data, len);
    return;
  }
  if (state_ == State::kClosing) return;
  if (state_ == State::kDeferred || has_buffered_input()) {
    buffer_input(data, len);
    // A client that pipelines faster than we answer is paused, not buffered without limit.
    if (buffered_input_->size() > context_.limits.max_buffered_input) stream->stop_reading();
    if (state_ != State::kDeferred && !waiting_for_drain_) process_buffered_input();
    return;
  }
  parse(data, len);
}

void HttpConnection::process_buffered_input() {
  if (!has_buffered_input()) {
    if (!stream->closing() && !waiting_for_drain_) stream->start_reading();
    return;
  }
  std::unique_ptr<std::string> input = std::move(buffered_input_);
  parse(input->data(), input->size());
  // Whatever parse() could not take yet was put back into buffered_input_.
  bool within_bound = !buffered_input_ || buffered_input_->size() <= context_.limits.max_buffered_input;
  if (within_bound && !stream->closing() && !waiting_for_drain_) stream->start_reading();
}

void HttpConnection::parse(char* data, std::size_t len) {
  parsing_ = true;
  parse_requests(data, len);
  parsing_ = false;
  // Whatever the answers (now, later, a stream or an upgrade), the requests of this read have been read: the
  // reader goes back to the pool unless one is still arriving. Not earlier: a handler may read its request
  // after answering it, and pipelined requests reuse one reader.
  if (state_ != State::kReadingRequest) return_reader();
  // The timers are armed once per read, for where the connection stands after it, not once per request it
  // held: a request that arrived whole needs no header timeout, and pipelined requests one keep-alive.
  if (state_ == State::kReadingRequest && !header_timer_armed_) {
    // Any byte starts a request: the header timeout runs from the read that brought its first byte.
    header_timer_armed_ = true;
    arm_timer(context_.limits.header_timeout_ms);
  } else if (state_ == State::kIdle && keep_alive_due_) {
    arm_timer(context_.limits.keep_alive_timeout_ms);
  }
  keep_alive_due_ = false;
}

void HttpConnection::parse_requests(char* data, std::size_t len) {
  while (len > 0) {
    if (state_ == State::kIdle) {
      state_ = State::kReadingRequest;
      header_timer_armed_ = false;
    }
    llhttp_t& parser = reader().parser;
    llhttp_errno_t err = llhttp_execute(&parser, data, len);
    if (err == HPE_OK) return;  // everything consumed; the request continues in the next read
    if (err != HPE_PAUSED && err != HPE_PAUSED_UPGRADE) {
      ++context_.counters.parse_errors;
      fail(error_status_ != 0 ? error_status_ : 400);
      return;
    }
    std::size_t consumed = static_cast<std::size_t>(llhttp_get_error_pos(&parser) - data);
    data += consumed;
    len -= consumed;
    if (err == HPE_PAUSED_UPGRADE) {
      llhttp_resume_after_upgrade(&parser);
    } else {
      llhttp_resume(&parser);
    }
    route();
    if (state_ == State::kUpgraded) {
      if (len > 0) session_->on_session_data(data, len);
      return;
    }
    if (state_ == State::kClosing) return;
    if (state_ == State::kDeferred) {
      if (len > 0) buffer_input(data, len);
      return;
    }
    if (stream->closing()) return;
    // Pipelined answers pile up faster than the client reads them: the next request waits until they drain,
    // where answering on would push the queue past its bound and cost the client every answer.
    if (len > 0 && stream->queued_bytes() > stream->limits().high_watermark) {
      buffer_input(data, len);
      waiting_for_drain_ = true;
      stream->stop_reading();
      return;
    }
  }
}

void HttpConnection::route() {
  stream->loop().timers().cancel(timer_);
  ++context_.counters.requests;
  const HttpRequest& request = reader_->request;
  method_ = request.method();
  keep_alive_ = request.keep_alive();
  http10_ = request.http_major() == 1 && request.http_minor() == 0;
  Router::Match match = context_.router.match(request.method(), request.path());
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
  match.route->handler(*this, request);
  if (state_ == State::kDispatching && !responded_) respond_text(500, "handler gave no answer");
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
    ++context_.counters.responses_5xx;
  } else {
    ++context_.counters.responses_4xx;
  }
  stream->loop().timers().cancel(timer_);
  stream->write(ResponseWriter::build(spec));
  stream->close_after_writes();
}

// --- output -----------------------------------------------------------------------------------------------

void HttpConnection::respond(ResponseSpec spec) {
  if (state_ != State::kDispatching && state_ != State::kDeferred) return;
  bool keep = keep_alive_ && !shutting_down_;
  spec.close = spec.close || !keep;
  spec.http10_keep_alive = keep && http10_;
  spec.head_only = method_ == HttpMethod::kHead;
  if (spec.status >= 500) {
    ++context_.counters.responses_5xx;
  } else if (spec.status >= 400) {
    ++context_.counters.responses_4xx;
  } else {
    ++context_.counters.responses_2xx;
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
  if (was_deferred) {
    // Whatever the session had borrowed ends with it.
    stream->loop().timers().cancel(timer_);
  }
  if (spec.close) {
    state_ = State::kClosing;
    stream->close_after_writes();
    return;
  }
  state_ = State::kIdle;
  if (was_deferred && has_buffered_input()) {
    // Pipelined requests resume outside the caller's stack (often a hub fan-out). Without any, reading never
    // stopped (it stops only with input buffered), and there is nothing to resume.
    post_resume();
  }
  after_response();
}

void HttpConnection::after_response() {
  if (!has_buffered_input()) {
    // An idle keep-alive connection holds no request memory (nginx frees its buffers the same way); its
    // reader goes back to the pool once the read that brought the request is parsed.
    buffered_input_.reset();
    if (parsing_) {
      keep_alive_due_ = true;  // parse() arms it if no further request follows in the same read
    } else {
      arm_timer(context_.limits.keep_alive_timeout_ms);
    }
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
  ++context_.counters.responses_2xx;  // 101 counts with the successes
  stream->write(std::move(head));
  session_ = std::move(session);
  state_ = State::kUpgraded;
  upgraded_ = true;
  responded_ = true;
  buffered_input_.reset();
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
  if (state_ == State::kIdle && !has_buffered_input()) {
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
    if (state_ == State::kIdle) post_resume();
  }
  if (session_) session_->on_session_drained();
}

void HttpConnection::on_stream_closed() {
  state_ = State::kClosing;
  stream->loop().timers().cancel(timer_);
  if (resume_task_) stream->loop().cancel(*resume_task_);
  session_.reset();
  return_reader();
}

}  // namespace rtb
