#!/usr/bin/python3
"""Decodes an HdrHistogram interval log (.hlog) by the format's specification and checks it against the
`rtbench load --json` results it was written beside.

Usage: hlog_check.py LOG.hlog RESULT.json [RESULT.json ...]

One interval per result, in time order. For each: the decoded counts equal the result's latency_histogram_ns
slot for slot, the total equals the histogram's count, the percentiles in `result` (p50/p90/p99 us) fall in
the range of values the decoded histogram gives for them, the interval starts at the result's
measure_start_time and lasts duration_s. Standard library only (base64, zlib, struct), sharing no code with
rtbench, so it is an independent reader. Exit status 0 when everything agrees, 1 otherwise.
"""

import base64
import datetime
import json
import math
import struct
import sys
import zlib


def zigzag_leb128(data):
    """HdrHistogram's V2 counts: ZigZag LEB128 words, at most 9 bytes (the ninth carries 8 bits)."""
    at = 0
    while at < len(data):
        value = 0
        for i in range(9):
            byte = data[at]
            at += 1
            if i == 8:
                value |= byte << 56
                break
            value |= (byte & 0x7F) << (7 * i)
            if not byte & 0x80:
                break
        yield (value >> 1) ^ -(value & 1)


def decode_histogram(text):
    blob = base64.b64decode(text, validate=True)
    cookie, length = struct.unpack(">iI", blob[:8])
    assert cookie & ~0xF0 == 0x1C849304, f"compressed cookie {cookie:#x}"
    assert len(blob) == 8 + length, "compressed length"
    raw = zlib.decompress(blob[8:])
    cookie, payload, offset, digits, lowest, highest, ratio = struct.unpack(">iiiiqqd", raw[:40])
    assert cookie & ~0xF0 == 0x1C849303, f"encoding cookie {cookie:#x}"
    assert len(raw) == 40 + payload and offset == 0 and ratio == 1.0
    counts = []
    for v in zigzag_leb128(raw[40:]):
        counts.extend([0] * -v if v < 0 else [v])
    return {"digits": digits, "lowest": lowest, "highest": highest, "counts": counts}


def layout(h):
    """HdrHistogram's unit magnitude and sub-bucket half-count magnitude for the header's parameters."""
    unit = h["lowest"].bit_length() - 1
    half = math.ceil(math.log2(2 * 10 ** h["digits"])) - 1
    return unit, half


def index_range(h, index):
    """[lowest, highest] of the values HdrHistogram keeps at counts index `index`."""
    unit, half = layout(h)
    bucket = (index >> half) - 1
    sub = (index & ((1 << half) - 1)) + (1 << half)
    if bucket < 0:
        sub -= 1 << half
        bucket = 0
    low = sub << (bucket + unit)
    return low, low + (1 << (bucket + unit)) - 1


def value_range_at_percentile(h, p):
    """The values HdrHistogram may report for whole percentile p: those of the first index whose running
    count reaches ceil(p / 100 * total)."""
    total = sum(h["counts"])
    wanted = max(1, (p * total + 99) // 100)
    running = 0
    for i, c in enumerate(h["counts"]):
        running += c
        if running >= wanted:
            return index_range(h, i)
    raise AssertionError("percentile past the counts")


def rtbh1_counts(text):
    """latency_histogram_ns ("rtbh1 lowest highest digits count saturated min max start:c,c ...")."""
    tokens = text.split(" ")
    assert tokens[0] == "rtbh1", tokens[0]
    lowest, highest, digits, count = (int(t) for t in tokens[1:5])
    counts = {}
    for run in tokens[8:]:
        start, values = run.split(":")
        for i, c in enumerate(values.split(",")):
            counts[int(start) + i] = int(c)
    return lowest, highest, digits, count, counts


def unix_seconds(iso):
    return datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def read_log(path):
    start = base = None
    intervals = []
    with open(path, encoding="ascii") as f:
        for line in f:
            line = line.rstrip("\n")
            assert len(line) < 128 or not line.startswith("#"), "header line too long for HdrHistogram_c"
            if line.startswith("#[StartTime: "):
                start = float(line.split()[1])
            elif line.startswith("#[BaseTime: "):
                base = float(line.split()[1])
            elif line.startswith("#") or line.startswith('"StartTimestamp"'):
                continue
            elif line:
                ts, length, max_ms, histogram = line.split(",")
                intervals.append((float(ts), float(length), float(max_ms), decode_histogram(histogram)))
    assert start is not None and base is not None, "no StartTime or BaseTime"
    return base, intervals


def check(log_path, result_paths):
    base, intervals = read_log(log_path)
    results = [json.load(open(p)) for p in result_paths]
    results.sort(key=lambda r: unix_seconds(r["measure_start_time"]))
    assert len(intervals) == len(results), f"{len(intervals)} intervals for {len(results)} results"
    for (ts, length, max_ms, h), doc in zip(intervals, results):
        r = doc["result"]
        assert abs(base + ts - unix_seconds(doc["measure_start_time"])) < 0.0015, "interval start"
        assert abs(length - r["duration_s"]) < 0.0015, "interval length"
        lowest, highest, digits, count, slots = rtbh1_counts(doc["latency_histogram_ns"])
        assert (h["lowest"], h["highest"], h["digits"]) == (lowest, highest, digits), "layout"
        assert sum(h["counts"]) == count, f"total {sum(h['counts'])} != {count}"
        decoded = {i: c for i, c in enumerate(h["counts"]) if c}
        assert decoded == slots, "counts differ from latency_histogram_ns"
        if count == 0:
            continue
        assert abs(max_ms - r["max_us"] / 1000) <= 0.0005 + 1e-9, f"Interval_Max {max_ms} vs max_us {r['max_us']}"
        for p, column in ((50, "p50_us"), (90, "p90_us"), (99, "p99_us")):
            low, high = value_range_at_percentile(h, p)
            value_ns = round(r[column] * 1000)
            assert low <= value_ns <= high, f"{column} {value_ns} ns outside the decoded [{low}, {high}]"
    return len(intervals)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    try:
        n = check(sys.argv[1], sys.argv[2:])
    except (AssertionError, ValueError, KeyError, zlib.error, struct.error) as e:
        print(f"hlog_check: {sys.argv[1]}: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"hlog_check: {sys.argv[1]}: {n} intervals agree with the results")
