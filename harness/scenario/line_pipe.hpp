// Line pipes: the text protocol between `rtbench load --procs K` and its generator processes, one
// '\n'-terminated line per message over a child's stdin and stdout (procs_protocol.md in this folder).
// LinePipeReader reads lines from a pipe on the loop; LinePipeWriter queues lines to one.
#pragma once

#include <uv.h>

#include <array>
#include <functional>
#include <string>
#include <string_view>

#include "transports/net/uv_handle.hpp"

namespace rtb {

class LinePipeReader {
 public:
  using OnLine = std::function<void(std::string_view line)>;
  // The other end closed, reading failed, or a line exceeded kMaxLine: no more lines come.
  using OnEnd = std::function<void(std::string_view why)>;
  static constexpr std::size_t kMaxLine = 4096;

  LinePipeReader(uv_loop_t* loop, OnLine on_line, OnEnd on_end);
  LinePipeReader(const LinePipeReader&) = delete;
  LinePipeReader& operator=(const LinePipeReader&) = delete;

  // For uv_spawn's stdio (UV_CREATE_PIPE): the parent's end of a child's stdout.
  uv_stream_t* stream() const { return reinterpret_cast<uv_stream_t*>(pipe_.get()); }
  // An inherited descriptor (a generator process's stdin); false with the reason when it is not a pipe.
  bool open(int fd, std::string* error);
  void start();

 private:
  void on_read(ssize_t n);

  UvHandle<uv_pipe_t> pipe_;
  OnLine on_line_;
  OnEnd on_end_;
  std::array<char, kMaxLine> buffer_{};
  std::string partial_;  // bounded by kMaxLine
  bool ended_ = false;
};

class LinePipeWriter {
 public:
  explicit LinePipeWriter(uv_loop_t* loop);
  LinePipeWriter(const LinePipeWriter&) = delete;
  LinePipeWriter& operator=(const LinePipeWriter&) = delete;

  // For uv_spawn's stdio (UV_CREATE_PIPE): the parent's end of a child's stdin.
  uv_stream_t* stream() const { return reinterpret_cast<uv_stream_t*>(pipe_.get()); }
  // Queues `line` + '\n'; a write that fails (the child is gone) is dropped: its exit tells the story.
  void send(std::string_view line);
  // Closes the pipe: the child reads end-of-file.
  void close() { pipe_.close(); }

 private:
  UvHandle<uv_pipe_t> pipe_;
};

// A generator process's own messages to its parent: a blocking write of one line to stdout (small lines, a
// parent that always reads), so a message is out before the next step of the run.
bool write_line_to_stdout(std::string_view line);

}  // namespace rtb
