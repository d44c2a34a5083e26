#!/usr/bin/env bash
# rtbench compare --out on two fixture folders (compare_fixtures/): compare.json holds the expected ratios and
# verdicts, compare.png is a PNG; with a Python that has no matplotlib the tables are still written, the plot is
# said to be skipped and the exit status stays 0. Usage: compare_plot_test.sh RTBENCH
set -uo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$here/compare_fixtures
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() {
  echo "FAIL $*"
  failed=1
}

"$bin" compare "$fixtures/before" "$fixtures/after" --out "$tmp/out" >"$tmp/stdout" 2>"$tmp/stderr"
status=$?
[ "$status" -eq 0 ] || fail "compare exit $status: $(cat "$tmp/stderr")"
grep -q '| c10 | ws | p50_us | 100 | 150 | 1.500 |' "$tmp/stdout" || fail "markdown row for ws p50_us: $(cat "$tmp/stdout")"
grep -q "compare.png" "$tmp/stderr" || fail "compare does not name its plot: $(cat "$tmp/stderr")"
[ -s "$tmp/out/compare.md" ] || fail "no compare.md"
if [ "$(head -c 8 "$tmp/out/compare.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" != 89504e470d0a1a0a ]; then
  fail "compare.png is missing or not a PNG"
fi
[ "$(stat -c %s "$tmp/out/compare.png" 2>/dev/null || echo 0)" -gt 10000 ] || fail "compare.png is nearly empty"
/usr/bin/python3 - "$tmp/out/compare.json" <<'PY' || fail "compare.json"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["tool"] == "rtbench compare" and doc["baseline"].endswith("before"), doc
[comparison] = doc["comparisons"]
assert comparison["candidate"].endswith("after"), comparison
got = {(f["transport"], f["figure"]): f for f in comparison["figures"]}
expected = {  # (transport, figure): (ratio, verdict)
    ("ws", "p50_us"): (1.5, "worse"),
    ("sse", "p50_us"): (0.5, "better"),
    ("ws", "p99_us"): (1.0, "no_difference"),
    ("sse", "p99_us"): (0.5, "better"),
    ("ws", "requests_per_event"): (1.0, "no_difference"),
    ("sse", "requests_per_event"): (1.0, "no_difference"),
}
assert set(got) == set(expected), sorted(got)  # figures whose baseline is 0 have no ratio
for key, (ratio, verdict) in expected.items():
    f = got[key]
    assert abs(f["ratio"] - ratio) < 1e-9 and f["verdict"] == verdict, (key, f)
    assert f["ci_low"] <= f["ratio"] <= f["ci_high"] and f["baseline_n"] == 3 and f["candidate_n"] == 3, f
assert got[("ws", "p50_us")]["ci_low"] > 1 and got[("sse", "p50_us")]["ci_high"] < 1
assert got[("ws", "p50_us")]["verdict_text"] == "slower"
PY

# --fail-if-slower still writes everything, then exits 1.
"$bin" compare "$fixtures/before" "$fixtures/after" --out "$tmp/fail" --fail-if-slower 10 >/dev/null 2>"$tmp/stderr"
status=$?
[ "$status" -eq 1 ] || fail "--fail-if-slower 10: exit $status (wanted 1)"
[ -s "$tmp/fail/compare.png" ] || fail "--fail-if-slower: no compare.png"

# A Python without matplotlib (-S: no site packages): tables written, plot skipped, exit 0.
printf '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n' >"$tmp/python-without-matplotlib"
chmod +x "$tmp/python-without-matplotlib"
"$bin" compare "$fixtures/before" "$fixtures/after" --out "$tmp/nompl" --python "$tmp/python-without-matplotlib" \
  >/dev/null 2>"$tmp/stderr"
status=$?
[ "$status" -eq 0 ] || fail "without matplotlib: exit $status (wanted 0)"
grep -q "plots skipped.*no matplotlib" "$tmp/stderr" || fail "without matplotlib: $(cat "$tmp/stderr")"
[ -s "$tmp/nompl/compare.md" ] && [ -s "$tmp/nompl/compare.json" ] || fail "without matplotlib: tables missing"
[ ! -e "$tmp/nompl/compare.png" ] || fail "without matplotlib: a compare.png was written"
exit $failed
