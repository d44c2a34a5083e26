#include "harness/metrics/proc_sampler.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <iterator>
#include <memory>
#include <vector>

#include <fmt/format.h>

namespace rtb {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::vector<std::string_view> split_whitespace(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    const std::size_t start = i;
    while (i < text.size() && !is_space(text[i])) ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

// Calls fn(line) for each line without its '\n'; stops early when fn returns true.
template <typename Fn>
bool for_each_line(std::string_view text, Fn&& fn) {
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    if (fn(line)) return true;
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return false;
}

template <typename T>
bool parse_int(std::string_view text, T& out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// The value part of a "Key:<spaces>value" line, or nullopt when the line is for another key.
std::optional<std::string_view> value_of_key_line(std::string_view line, std::string_view key) {
  if (line.size() <= key.size() || line.substr(0, key.size()) != key || line[key.size()] != ':') {
    return std::nullopt;
  }
  return line.substr(key.size() + 1);
}

struct DirCloser {
  void operator()(DIR* d) const { closedir(d); }
};
struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

int count_dir_entries(const std::string& path, bool minus_own_handle) {
  std::unique_ptr<DIR, DirCloser> dir(opendir(path.c_str()));
  if (!dir) return -1;
  int n = 0;
  while (const dirent* e = readdir(dir.get())) {
    const std::string_view name = e->d_name;
    if (name != "." && name != "..") ++n;
  }
  // Listing our own fd directory shows the descriptor opendir() just used.
  return minus_own_handle ? n - 1 : n;
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  const std::size_t open = text.find('(');
  const std::size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
  // After the comm: field 3 (state) is index 0, so field N is index N - 3 (proc(5) numbering).
  const std::vector<std::string_view> f = split_whitespace(text.substr(close + 1));
  if (f.size() < 22 || f[0].size() != 1) return std::nullopt;
  ProcStat s;
  s.state = f[0][0];
  if (!parse_int(f[11], s.utime_ticks) || !parse_int(f[12], s.stime_ticks) ||
      !parse_int(f[17], s.num_threads) || !parse_int(f[20], s.vsize_bytes) ||
      !parse_int(f[21], s.rss_pages)) {
    return std::nullopt;
  }
  return s;
}

std::optional<uint64_t> parse_status_kb(std::string_view text, std::string_view key) {
  std::optional<uint64_t> result;
  for_each_line(text, [&](std::string_view line) {
    const std::optional<std::string_view> value = value_of_key_line(line, key);
    if (!value) return false;
    const std::vector<std::string_view> parts = split_whitespace(*value);
    uint64_t kb = 0;
    if ((parts.size() == 1 || (parts.size() == 2 && parts[1] == "kB")) && parse_int(parts[0], kb))
      result = kb;
    return true;
  });
  return result;
}

std::optional<int64_t> parse_status_int(std::string_view text, std::string_view key) {
  std::optional<int64_t> result;
  for_each_line(text, [&](std::string_view line) {
    const std::optional<std::string_view> value = value_of_key_line(line, key);
    if (!value) return false;
    const std::vector<std::string_view> parts = split_whitespace(*value);
    int64_t v = 0;
    if (parts.size() == 1 && parse_int(parts[0], v)) result = v;
    return true;
  });
  return result;
}

std::optional<TcpSockstat> parse_sockstat(std::string_view text) {
  std::optional<TcpSockstat> result;
  for_each_line(text, [&](std::string_view line) {
    const std::vector<std::string_view> t = split_whitespace(line);
    if (t.empty() || t[0] != "TCP:") return false;
    if (t.size() % 2 != 1) return true;
    TcpSockstat s;
    int found = 0;
    for (std::size_t i = 1; i + 1 < t.size(); i += 2) {
      uint64_t* field = t[i] == "inuse"    ? &s.inuse
                        : t[i] == "orphan" ? &s.orphan
                        : t[i] == "tw"     ? &s.tw
                        : t[i] == "alloc"  ? &s.alloc
                        : t[i] == "mem"    ? &s.mem_pages
                                           : nullptr;
      if (field == nullptr) continue;  // newer kernels may add fields
      if (!parse_int(t[i + 1], *field)) return true;
      ++found;
    }
    if (found == 5) result = s;
    return true;
  });
  return result;
}

std::optional<uint64_t> parse_socket_slab_bytes(std::string_view slabinfo) {
  uint64_t bytes = 0;
  bool tcp = false;
  bool malformed = false;
  for_each_line(slabinfo, [&](std::string_view line) {
    const std::vector<std::string_view> t = split_whitespace(line);
    // name active_objs num_objs objsize ...
    if (t.size() < 4 || std::find(std::begin(kSocketSlabCaches), std::end(kSocketSlabCaches), t[0]) ==
                            std::end(kSocketSlabCaches)) {
      return false;
    }
    uint64_t active = 0, size = 0;
    if (!parse_int(t[1], active) || !parse_int(t[3], size)) {
      malformed = true;
      return true;
    }
    bytes += active * size;
    tcp = tcp || t[0] == "TCP";
    return false;
  });
  if (malformed || !tcp) return std::nullopt;
  return bytes;
}

std::optional<TcpSnmp> parse_snmp(std::string_view text) {
  std::vector<std::string_view> header;
  std::vector<std::string_view> values;
  for_each_line(text, [&](std::string_view line) {
    std::vector<std::string_view> t = split_whitespace(line);
    if (t.empty() || t[0] != "Tcp:") return false;
    (header.empty() ? header : values) = std::move(t);
    return !values.empty();
  });
  if (header.empty() || values.size() != header.size()) return std::nullopt;

  TcpSnmp s;
  const std::pair<std::string_view, uint64_t*> wanted[] = {
      {"InSegs", &s.in_segs},           {"OutSegs", &s.out_segs},           {"RetransSegs", &s.retrans_segs},
      {"ActiveOpens", &s.active_opens}, {"PassiveOpens", &s.passive_opens}, {"EstabResets", &s.estab_resets},
  };
  for (const auto& [name, field] : wanted) {
    bool found = false;
    for (std::size_t i = 1; i < header.size() && !found; ++i) {
      if (header[i] != name) continue;
      if (!parse_int(values[i], *field)) return std::nullopt;
      found = true;
    }
    if (!found) return std::nullopt;
  }
  return s;
}

std::optional<std::string> read_proc_file(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) return std::nullopt;
  std::string out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, file.get())) > 0) out.append(buf, n);
  if (std::ferror(file.get())) return std::nullopt;
  return out;
}

long clock_ticks_per_second() {
  static const long ticks = sysconf(_SC_CLK_TCK);
  return ticks > 0 ? ticks : 100;
}

uint64_t page_size_bytes() {
  static const long size = sysconf(_SC_PAGESIZE);
  return size > 0 ? static_cast<uint64_t>(size) : 4096;
}

std::optional<ProcSample> sample_process(pid_t pid) {
  const std::string dir = fmt::format("/proc/{}", pid);
  const std::optional<std::string> stat_text = read_proc_file(dir + "/stat");
  const std::optional<std::string> status_text = read_proc_file(dir + "/status");
  if (!stat_text || !status_text) return std::nullopt;
  const std::optional<ProcStat> stat = parse_proc_stat(*stat_text);
  if (!stat) return std::nullopt;

  ProcSample s;
  const double ticks = static_cast<double>(clock_ticks_per_second());
  s.cpu_user_s = static_cast<double>(stat->utime_ticks) / ticks;
  s.cpu_system_s = static_cast<double>(stat->stime_ticks) / ticks;
  s.threads = static_cast<int>(stat->num_threads);
  // Kernel threads and zombies have no VmRSS line: report 0 rather than failing the whole sample.
  s.rss_bytes = parse_status_kb(*status_text, "VmRSS").value_or(0) * 1024;
  s.vm_hwm_bytes = parse_status_kb(*status_text, "VmHWM").value_or(0) * 1024;
  s.open_fds = count_dir_entries(dir + "/fd", pid == getpid());
  if (const std::optional<std::string> io_text = read_proc_file(dir + "/io")) {
    const auto rchar = parse_status_int(*io_text, "rchar");
    const auto wchar = parse_status_int(*io_text, "wchar");
    if (rchar && wchar && *rchar >= 0 && *wchar >= 0) {
      s.io_read_bytes = static_cast<uint64_t>(*rchar);
      s.io_write_bytes = static_cast<uint64_t>(*wchar);
    }
  }
  return s;
}

std::optional<TcpSockstat> read_sockstat() {
  const std::optional<std::string> text = read_proc_file("/proc/net/sockstat");
  return text ? parse_sockstat(*text) : std::nullopt;
}

std::optional<TcpSnmp> read_snmp() {
  const std::optional<std::string> text = read_proc_file("/proc/net/snmp");
  return text ? parse_snmp(*text) : std::nullopt;
}

std::optional<uint64_t> read_socket_slab_bytes() {
  const std::optional<std::string> text = read_proc_file("/proc/slabinfo");
  return text ? parse_socket_slab_bytes(*text) : std::nullopt;
}

std::vector<pid_t> child_pids(pid_t pid) {
  std::vector<pid_t> out;
  const std::string tasks = fmt::format("/proc/{}/task", pid);
  std::unique_ptr<DIR, int (*)(DIR*)> dir(opendir(tasks.c_str()), closedir);
  if (!dir) return out;
  while (const dirent* e = readdir(dir.get())) {
    if (e->d_name[0] == '.') continue;
    const std::optional<std::string> text = read_proc_file(tasks + "/" + e->d_name + "/children");
    if (!text) continue;
    const char* p = text->data();
    const char* end = p + text->size();
    while (p < end) {
      pid_t child = 0;
      const auto [next, ec] = std::from_chars(p, end, child);
      if (ec == std::errc()) {
        out.push_back(child);
        p = next;
      } else {
        ++p;
      }
    }
  }
  return out;
}

std::optional<ProcSample> sample_process_tree(pid_t pid) {
  std::optional<ProcSample> total = sample_process(pid);
  if (!total) return std::nullopt;
  std::vector<pid_t> pending = child_pids(pid);
  // Bounded: a process tree that keeps forking cannot hold the sampler.
  for (std::size_t seen = 0; !pending.empty() && seen < 4096; ++seen) {
    const pid_t child = pending.back();
    pending.pop_back();
    const std::optional<ProcSample> s = sample_process(child);
    if (!s) continue;  // ended meanwhile
    total->cpu_user_s += s->cpu_user_s;
    total->cpu_system_s += s->cpu_system_s;
    total->rss_bytes += s->rss_bytes;
    total->vm_hwm_bytes += s->vm_hwm_bytes;
    total->threads += s->threads;
    total->open_fds = total->open_fds < 0 || s->open_fds < 0 ? -1 : total->open_fds + s->open_fds;
    if (total->io_read_bytes && s->io_read_bytes && total->io_write_bytes && s->io_write_bytes) {
      *total->io_read_bytes += *s->io_read_bytes;
      *total->io_write_bytes += *s->io_write_bytes;
    } else {
      total->io_read_bytes.reset();
      total->io_write_bytes.reset();
    }
    for (pid_t grandchild : child_pids(child)) pending.push_back(grandchild);
  }
  return total;
}

}  // namespace rtb
