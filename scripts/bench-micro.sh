#!/usr/bin/env bash
# Builds rtbench-micro (RelWithDebInfo, in its own build dir) and runs it pinned to one core with 3
# repetitions, writing micro.json (aggregates only), micro.txt (the console table) and metadata.json (command,
# commit, machine) into a fresh results/latest/micro-<UTC time>/ (git-ignored; the committed reference in
# results/micro/ is written only with RTB_MICRO_OUT_DIR=results/micro). Extra arguments go to rtbench-micro, e.g.
#   scripts/bench-micro.sh --benchmark_filter='Hub|Utf8'
# Environment: RTB_MICRO_BUILD_DIR (default build-micro), RTB_MICRO_OUT_DIR (default as above),
# RTB_MICRO_CPU (default 1). RTB_ALLOC_TRACE=<n> prints where the first n timed-loop allocations happen.
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${RTB_MICRO_BUILD_DIR:-$root/build-micro}
out_dir=${RTB_MICRO_OUT_DIR:-$root/results/latest/micro-$(date -u +%Y%m%d-%H%M%S)}
cpu=${RTB_MICRO_CPU:-1}

# Its own build dir (not the `default` preset's build/) so a run never races another build of the tree;
# same build type as the preset.
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRTB_BUILD_TESTS=OFF -DRTB_BUILD_BENCH=ON \
  >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target rtbench-micro

mkdir -p "$out_dir"
cmd=(taskset -c "$cpu" "$build_dir/bench/rtbench-micro"
  --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
  --benchmark_out="$out_dir/micro.json" --benchmark_out_format=json "$@")

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
"${cmd[@]}" | tee "$out_dir/micro.txt"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# The exact command, relative to the repository, as someone would retype it.
printf -v command_line '%q ' "${cmd[@]}"
command_line=${command_line//"$root/"/}

RTB_META_COMMAND="scripts/bench-micro.sh${*:+ $*}" RTB_META_BENCH_COMMAND="${command_line% }" \
RTB_META_STARTED="$started" RTB_META_LOAD_BEFORE="$load_before" RTB_META_LOAD_AFTER="$load_after" \
RTB_META_CPU="$cpu" RTB_META_ROOT="$root" RTB_META_BUILD_DIR="$build_dir" \
  python3 - "$out_dir/metadata.json" <<'EOF'
import json, os, platform, subprocess, sys

def run(*args):
    try:
        return subprocess.run(args, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""

root = os.environ["RTB_META_ROOT"]
lscpu = {}
for line in run("lscpu").splitlines():
    key, _, value = line.partition(":")
    lscpu[key.strip()] = value.strip()
cache = os.path.join(os.environ["RTB_META_BUILD_DIR"], "CMakeCache.txt")
compiler = ""
if os.path.exists(cache):
    for line in open(cache):
        if line.startswith("CMAKE_CXX_COMPILER:"):
            compiler = run(line.split("=", 1)[1].strip(), "--version").splitlines()[0]
status = run("git", "-C", root, "status", "--porcelain")
meta = {
    "command": os.environ["RTB_META_COMMAND"],
    "benchmark_command": os.environ["RTB_META_BENCH_COMMAND"],
    "started_utc": os.environ["RTB_META_STARTED"],
    "git_commit": run("git", "-C", root, "rev-parse", "HEAD"),
    "git_uncommitted_paths": len(status.splitlines()) if status else 0,
    "build": {"type": "RelWithDebInfo", "compiler": compiler},
    "machine": {
        "cpu_model": lscpu.get("Model name", ""),
        "cpus": lscpu.get("CPU(s)", ""),
        "threads_per_core": lscpu.get("Thread(s) per core", ""),
        "hypervisor": lscpu.get("Hypervisor vendor", "") or ("yes" if "hypervisor" in lscpu.get("Flags", "") else "no"),
        "kernel": platform.release(),
        "clocksource": open("/sys/devices/system/clocksource/clocksource0/current_clocksource").read().strip(),
        "pinned_cpu": os.environ["RTB_META_CPU"],
        "loadavg_before": os.environ["RTB_META_LOAD_BEFORE"],
        "loadavg_after": os.environ["RTB_META_LOAD_AFTER"],
    },
    "libbenchmark": run("dpkg-query", "-W", "-f=${Package} ${Version}", "libbenchmark-dev"),
    "notes": [
        "Debian's libbenchmark is a debug build of the library (it prints '***WARNING*** Library was built as "
        "DEBUG' at start, and context.library_build_type is 'debug' in micro.json). Only the harness is "
        "unoptimised; the code under test is ours, built RelWithDebInfo (-O2 -g).",
        "Read the CPU column and the rates (computed from CPU time): the 'Time' (wall) column includes time "
        "the pinned core spent on other processes when the machine was busy (see loadavg).",
        "Allocation counters (allocs_per_*) count operator new and the malloc family inside the timed loop "
        "only, after a warm-up, so they are steady-state figures. The MemoryManager's own fields "
        "(allocs_per_iter, max_bytes_used) are dropped from aggregates; run without "
        "--benchmark_report_aggregates_only to see them per repetition.",
    ],
}
with open(sys.argv[1], "w") as f:
    json.dump(meta, f, indent=2)
    f.write("\n")
EOF
echo "wrote $out_dir/micro.json, micro.txt and metadata.json"
