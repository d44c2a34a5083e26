#include "harness/process/child_process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

namespace rtb {

namespace {

// Closes a file descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

}  // namespace

std::optional<ChildProcess> ChildProcess::spawn(const SpawnOptions& o, std::string* error) {
  auto fail = [error](std::string why) {
    if (error != nullptr) *error = std::move(why);
    return std::nullopt;
  };
  // Everything the child needs is prepared before fork: between fork and exec only async-signal-safe calls.
  std::vector<std::string> storage;
  storage.reserve(o.args.size() + 1);
  storage.push_back(o.binary);
  storage.insert(storage.end(), o.args.begin(), o.args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);

  Fd out;
  if (!o.output_path.empty()) {
    out.reset(::open(o.output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (out.get() < 0) return fail(fmt::format("cannot open {}: {}", o.output_path, std::strerror(errno)));
  }
  Fd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  // exec failures travel back through a close-on-exec pipe: EOF means exec succeeded.
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return fail(fmt::format("pipe: {}", std::strerror(errno)));
  Fd report_read(report[0]);
  Fd report_write(report[1]);

  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  if (o.cpu >= 0) CPU_SET(o.cpu, &cpus);
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) return fail(fmt::format("fork: {}", std::strerror(errno)));
  if (pid == 0) {
    // The child dies with the runner even when the runner is SIGKILLed and cannot clean up.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    if (o.own_process_group) ::setpgid(0, 0);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    ::sigaction(SIGINT, &dfl, nullptr);
    ::sigaction(SIGTERM, &dfl, nullptr);
    ::sigaction(SIGPIPE, &dfl, nullptr);
    int err = 0;
    if (o.cpu >= 0 && ::sched_setaffinity(0, sizeof cpus, &cpus) != 0) err = errno;
    if (err == 0 && null_in.get() >= 0 && ::dup2(null_in.get(), 0) < 0) err = errno;
    if (err == 0 && out.get() >= 0 && (::dup2(out.get(), 1) < 0 || ::dup2(out.get(), 2) < 0)) err = errno;
    if (err == 0) {
      ::execv(argv[0], argv.data());
      err = errno;
    }
    [[maybe_unused]] auto n = ::write(report_write.get(), &err, sizeof err);
    ::_exit(127);
  }
  report_write.reset();
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(report_read.get(), &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ChildProcess child(pid);
  if (n > 0) {
    child.wait_for(std::chrono::milliseconds(1000));
    return fail(fmt::format("cannot start {}: {}", o.binary, std::strerror(child_errno)));
  }
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), exit_code_(std::exchange(other.exit_code_, std::nullopt)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && !exit_code_) stop(std::chrono::milliseconds(1000));
    pid_ = std::exchange(other.pid_, -1);
    exit_code_ = std::exchange(other.exit_code_, std::nullopt);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exit_code_) stop(std::chrono::milliseconds(1000));
}

void ChildProcess::record_status(int status) {
  if (WIFEXITED(status)) {
    exit_code_ = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    exit_code_ = 128 + WTERMSIG(status);
  } else {
    exit_code_ = 255;
  }
}

bool ChildProcess::running() {
  if (pid_ <= 0 || exit_code_) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    record_status(status);
    return false;
  }
  if (r < 0 && errno == ECHILD) {
    exit_code_ = 255;  // reaped elsewhere: nothing left to wait for
    return false;
  }
  return true;
}

bool ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Polling keeps the runner responsive to its own SIGINT; 10 ms is far below a run's length.
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return -1;
  if (running()) {
    ::kill(pid_, SIGINT);
    if (!wait_for(grace)) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      record_status(status);
    }
  }
  return exit_code_.value_or(-1);
}

std::string ChildProcess::describe_exit() const {
  if (!exit_code_) return "running";
  if (*exit_code_ > 128 && *exit_code_ < 128 + 65) {
    const int sig = *exit_code_ - 128;
    return fmt::format("killed by signal {} ({})", sig, ::strsignal(sig));
  }
  return fmt::format("exit {}", *exit_code_);
}

std::vector<int> allowed_cpus() {
  std::vector<int> out;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return out;
  for (int i = 0; i < CPU_SETSIZE; ++i) {
    if (CPU_ISSET(i, &set)) out.push_back(i);
  }
  return out;
}

}  // namespace rtb
