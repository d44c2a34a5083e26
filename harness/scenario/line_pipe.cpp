#include "harness/scenario/line_pipe.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

namespace rtb {

LinePipeReader::LinePipeReader(uv_loop_t* loop, OnLine on_line, OnEnd on_end)
    : on_line_(std::move(on_line)), on_end_(std::move(on_end)) {
  uv_pipe_init(loop, pipe_.get(), 0);
  pipe_.set_initialised();
  pipe_->data = this;
}

bool LinePipeReader::open(int fd, std::string* error) {
  if (int rc = uv_pipe_open(pipe_.get(), fd); rc != 0) {
    if (error != nullptr) *error = fmt::format("descriptor {} is not a pipe ({})", fd, uv_strerror(rc));
    return false;
  }
  return true;
}

void LinePipeReader::start() {
  uv_read_start(
      stream(),
      [](uv_handle_t* h, std::size_t, uv_buf_t* buf) {
        auto* self = static_cast<LinePipeReader*>(h->data);
        if (self == nullptr) {
          *buf = uv_buf_init(nullptr, 0);
          return;
        }
        *buf = uv_buf_init(self->buffer_.data(), self->buffer_.size());
      },
      [](uv_stream_t* s, ssize_t n, const uv_buf_t*) {
        if (auto* self = static_cast<LinePipeReader*>(s->data); self != nullptr) self->on_read(n);
      });
}

void LinePipeReader::on_read(ssize_t n) {
  if (ended_ || n == 0) return;
  if (n < 0) {
    ended_ = true;
    uv_read_stop(stream());
    on_end_(n == UV_EOF ? std::string_view("end of file")
                        : std::string_view(uv_strerror(static_cast<int>(n))));
    return;
  }
  std::string_view data(buffer_.data(), static_cast<std::size_t>(n));
  while (!data.empty()) {
    const std::size_t nl = data.find('\n');
    if (nl == std::string_view::npos) {
      partial_.append(data);
      break;
    }
    partial_.append(data.substr(0, nl));
    data.remove_prefix(nl + 1);
    std::string line = std::move(partial_);
    partial_.clear();
    on_line_(line);
    if (ended_) return;
  }
  if (partial_.size() > kMaxLine) {
    ended_ = true;
    uv_read_stop(stream());
    on_end_("a line longer than 4096 bytes");
  }
}

LinePipeWriter::LinePipeWriter(uv_loop_t* loop) {
  uv_pipe_init(loop, pipe_.get(), 0);
  pipe_.set_initialised();
}

void LinePipeWriter::send(std::string_view line) {
  if (pipe_.get() == nullptr) return;
  // The request owns its text until libuv calls back (also with UV_ECANCELED when the pipe closes first).
  struct Write {
    uv_write_t req;
    std::string text;
  };
  auto write = std::make_unique<Write>();
  write->text = fmt::format("{}\n", line);
  uv_buf_t buf = uv_buf_init(write->text.data(), static_cast<unsigned>(write->text.size()));
  Write* raw = write.get();
  raw->req.data = raw;
  if (uv_write(&raw->req, stream(), &buf, 1, [](uv_write_t* req, int) {
        std::unique_ptr<Write> done(static_cast<Write*>(req->data));
      }) == 0) {
    write.release();  // freed in the callback
  }
}

bool write_line_to_stdout(std::string_view line) {
  std::string text = fmt::format("{}\n", line);
  std::string_view rest(text);
  while (!rest.empty()) {
    const ssize_t n = ::write(STDOUT_FILENO, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace rtb
