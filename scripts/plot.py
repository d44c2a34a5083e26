#!/usr/bin/python3
"""Plots of one `rtbench run` results folder, for slides: DIR/plots/<name>.png (1920x1080) and <name>.svg.

Usage: /usr/bin/python3 scripts/plot.py DIR

Reads DIR/results.csv (one row per run), DIR/metadata.json and DIR/spectra/merged/*.hgrm. Every figure shows the
median across repetitions with min-max error bars, one colour per transport, and is skipped when the suite has no
data for it. Standard library + matplotlib (Agg) only, so Debian's python3-matplotlib is enough.
"""

import csv
import json
import math
import os
import re
import statistics
import sys
import textwrap
from collections import OrderedDict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

# The transport table of the build that produced the results, read from metadata.json (load_transport_table):
# names in the table's order, labels, colours, delivery model ("polled", "parked", "streamed") and side of the
# 2010 Kaazing comparison ("polling", "websocket"). This script keeps no list of its own.
TRANSPORTS = []
LABELS = {}
COLOURS = {}
DELIVERY = {}
KAAZING = {}


def load_transport_table(meta, rows):
    table = meta.get("transports") or []
    if not table:
        # Results written before metadata carried the table: names as the rows give them, default colours,
        # and no model lines (nothing says how each transport delivers).
        print("plot.py: metadata.json has no transport table; labels are the names and models are not drawn",
              file=sys.stderr)
        names = list(OrderedDict.fromkeys(r["transport"] for r in rows))
        table = [{"name": n, "label": n, "colour": f"C{i}", "delivery": "", "kaazing": ""}
                 for i, n in enumerate(names)]
    for t in table:
        TRANSPORTS.append(t["name"])
        LABELS[t["name"]] = t.get("label") or t["name"]
        COLOURS[t["name"]] = t.get("colour") or "#888888"
        DELIVERY[t["name"]] = t.get("delivery", "")
        KAAZING[t["name"]] = t.get("kaazing", "")


def with_delivery(kind):
    return [t for t in TRANSPORTS if DELIVERY.get(t) == kind]


def kaazing_side(side):
    return next((t for t in TRANSPORTS if KAAZING.get(t) == side), None)
TCP_SEGMENT_BYTES = 52  # 20 B IPv4 + 20 B TCP + 12 B timestamps, per segment on loopback
MAX_SPECTRUM_FIGURES = 12

plt.rcParams.update({
    "figure.figsize": (19.2, 10.8),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 22,
    "axes.titlesize": 30,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",  # long titles may run over the legend column instead of being cut off
    "axes.labelsize": 26,
    "xtick.labelsize": 22,
    "ytick.labelsize": 22,
    "legend.fontsize": 22,
    "lines.linewidth": 4,
    "lines.markersize": 12,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "svg.fonttype": "none",
})


# ---------------------------------------------------------------------------------------------------- data


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def finite(values):
    return [v for v in values if v is not None and math.isfinite(v)]


def spread(values):
    """(median, min, max) of the finite values, or None."""
    v = finite(values)
    if not v:
        return None
    return statistics.median(v), min(v), max(v)


class Case:
    """One point on one transport: its repetitions' rows."""

    def __init__(self, point, transport):
        self.point = point
        self.transport = transport
        self.rows = []

    def first(self, column):
        return number(self.rows[0].get(column))

    def values(self, fn):
        out = []
        for r in self.rows:
            try:
                out.append(fn(r))
            except (ZeroDivisionError, TypeError, ValueError):
                out.append(math.nan)
        return out

    def spread(self, fn):
        return spread(self.values(fn))

    def median(self, fn):
        s = self.spread(fn)
        return s[0] if s else math.nan


def col(name):
    # .get: results written before a column existed lack it (nan, not a crash).
    return lambda r: number(r.get(name))


def app_bytes_per_event(r):
    return number(r["bytes_up_per_event"]) + number(r["bytes_down_per_event"])


def wire_bytes_per_event(r):
    return app_bytes_per_event(r) + number(r["tcp_segments_per_event"]) * TCP_SEGMENT_BYTES


def per_client(column):
    def fn(r):
        connected = number(r["connected"])
        return number(r[column]) / connected if connected > 0 else math.nan
    return fn


def app_bytes_per_s_per_client(r):
    connected = number(r["connected"])
    if not connected > 0:
        return math.nan
    return (number(r["bytes_up_per_s"]) + number(r["bytes_down_per_s"])) / connected


class Results:
    def __init__(self, directory):
        self.dir = directory
        with open(os.path.join(directory, "results.csv"), newline="") as f:
            self.rows = list(csv.DictReader(f))
        try:
            with open(os.path.join(directory, "metadata.json")) as f:
                self.meta = json.load(f)
        except (OSError, ValueError):
            self.meta = {}
        load_transport_table(self.meta, self.rows)
        self.suite = (self.rows[0]["suite"] if self.rows else "") or self.meta.get("suite", "")
        self.points = list(OrderedDict.fromkeys(r["point"] for r in self.rows))
        self.cases = OrderedDict()
        for r in self.rows:
            key = (r["point"], r["transport"])
            self.cases.setdefault(key, Case(*key)).rows.append(r)
        self.repeat = max((int(number(r["repetition"])) for r in self.rows), default=0)
        cores = (self.meta.get("host") or {}).get("cores", 0)
        self.footer = (f"rtbench {self.suite} · median of {self.repeat} run(s){{bars}} · loopback, "
                       f"{cores}-core machine shared by server and load generator (pinned to separate cores)")

    def case(self, point, transport):
        return self.cases.get((point, transport))

    def transports(self):
        present = {t for (_, t) in self.cases}
        return [t for t in TRANSPORTS if t in present]

    def points_where(self, predicate):
        return [p for p in self.points
                if any(c.rows and predicate(c) for (q, _), c in self.cases.items() if q == p)]


# ---------------------------------------------------------------------------------------------------- drawing


def save(fig, res, name, made, error_bars_drawn=True):
    """The footer says "error bars min–max" only on plots that draw them."""
    footer = res.footer.replace("{bars}", ", error bars min–max" if error_bars_drawn else "")
    fig.text(0.5, 0.01, footer, ha="center", va="bottom", fontsize=16, color="#555555")
    # The legend sits in a row below the axes (place_legend), above the footer: the plot keeps the width.
    fig.tight_layout(rect=(0, 0.12 if getattr(fig, "_rtb_legend", False) else 0.04, 1, 1))
    out = os.path.join(res.dir, "plots")
    os.makedirs(out, exist_ok=True)
    for ext in ("png", "svg"):
        fig.savefig(os.path.join(out, f"{name}.{ext}"), format=ext)
    plt.close(fig)
    made.append(name)


def place_legend(ax, handles=None):
    """In one row below the axes, above the footer: it never hides data and costs no canvas width."""
    if handles is None:
        handles, _ = ax.get_legend_handles_labels()
    if not handles:
        return
    fig = ax.figure
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.04), ncol=min(len(handles), 5),
               frameon=False)
    fig._rtb_legend = True


def headroom(ax, factor):
    """Room above the tallest bar for its value label (linear axes); a bar below zero keeps its room."""
    lo, hi = ax.get_ylim()
    ax.set_ylim(min(lo, 0) * factor, hi * factor)


def error_bars(s):
    """yerr entry for a (median, min, max) triple."""
    if not s:
        return [0], [0]
    return [s[0] - s[1]], [s[2] - s[0]]


def label_bar(ax, x, y, text, log=False, lift=6):
    if not math.isfinite(y):
        return
    ax.annotate(text, (x, y), xytext=(0, lift), textcoords="offset points", ha="center", va="bottom",
                fontsize=15, rotation=0)


def set_point_labels(ax, points):
    """Point names such as "c10000-browser" are wider than their group of bars: clients over the rest, on two
    lines; slanted only when there are many groups."""
    few = len(points) <= 6
    labels = [p.replace("-", "\n", 1) if few else p for p in points]
    ax.set_xticklabels(labels, rotation=0 if few else 30, ha="center" if few else "right")


def fmt(v, unit=""):
    """One rule for every label: whole numbers as such ("1", "474", "6,845"), others with 3 significant
    digits ("82", "18.4", "0.98"), never trailing zeros ("10.00", "1.00")."""
    if not math.isfinite(v):
        return "-"
    if abs(v) >= 100 or (abs(v) >= 1 and abs(v - round(v)) < 0.005):
        return f"{v:,.0f}{unit}"
    return f"{v:.3g}{unit}"


def grouped_bars(res, points, fn, title, ylabel, name, made, scale=1.0, log=False, model=None,
                 model_label="model"):
    """One group of bars per point, one bar per transport; median with min-max error bars and a value label.

    model(point, transport) -> value draws a short black line over the bar where theory predicts a value."""
    # Only transports with a value here take a slot: otherwise the groups sit off-centre over their labels.
    transports = [t for t in res.transports()
                  if any(res.case(p, t) is not None and res.case(p, t).spread(fn) for p in points)]
    if not points or not transports:
        return
    width = 0.8 / len(transports)
    fig, ax = plt.subplots()
    any_value = False
    drawn = []
    smallest = math.inf
    for i, t in enumerate(transports):
        for j, p in enumerate(points):
            c = res.case(p, t)
            s = c.spread(fn) if c else None
            if not s:
                continue
            any_value = True
            if t not in drawn:
                drawn.append(t)
            x = j + (i - (len(transports) - 1) / 2) * width
            m, lo, hi = (v * scale for v in s)
            if lo > 0:
                smallest = min(smallest, lo)
            ax.bar(x, m, width * 0.92, color=COLOURS[t])
            ax.errorbar(x, m, yerr=([m - lo], [hi - m]), fmt="none", ecolor="black", elinewidth=2, capsize=6)
            top = hi
            if model:
                mv = model(p, t)
                if mv is not None and math.isfinite(mv):
                    ax.hlines(mv * scale, x - width * 0.45, x + width * 0.45, colors="black", linestyles="--",
                              linewidth=3)
                    top = max(top, mv * scale)  # the label goes above the model line, not through it
            label_bar(ax, x, top, fmt(m))
    if not any_value:
        plt.close(fig)
        return
    handles = [Patch(color=COLOURS[t], label=LABELS[t]) for t in drawn]  # no legend entry without a bar
    if model:
        handles.append(plt.Line2D([], [], color="black", linestyle="--", linewidth=3, label=model_label))
    place_legend(ax, handles)
    ax.set_xticks(range(len(points)))
    set_point_labels(ax, points)
    ax.set_xlabel("suite point")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if log:
        # Bars on a log axis start at a round power of ten below the smallest, so heights compare honestly.
        ax.set_yscale("log")
        lo, hi = ax.get_ylim()
        if math.isfinite(smallest):
            lo = 10 ** math.floor(math.log10(smallest))
        ax.set_ylim(lo, hi * 2)
    else:
        headroom(ax, 1.12)
    save(fig, res, name, made)


# ---------------------------------------------------------------------------------------------------- figures


def read_hgrm(path):
    """[(percentile 0..1, value us)] from an .hgrm file."""
    out = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3 or line.startswith("#") or parts[0] == "Value":
                continue
            try:
                out.append((float(parts[1]), float(parts[0])))
            except ValueError:
                pass
    return out


def transit_ms(res, point):
    for t in with_delivery("streamed"):
        c = res.case(point, t)
        if c:
            v = c.median(col("p50_us"))
            if math.isfinite(v):
                return v / 1000
    return 0.0


def latency_spectra(res, made):
    points = res.points_where(lambda c: c.first("rate") > 0)[:MAX_SPECTRUM_FIGURES]
    for p in points:
        fig, ax = plt.subplots()
        drawn = False
        top = 1.0
        for t in res.transports():
            path = os.path.join(res.dir, "spectra", "merged", f"{p}-{t}.hgrm")
            if not os.path.exists(path):
                continue
            data = [(q, v) for q, v in read_hgrm(path) if q < 1.0]
            if not data:
                continue
            xs = [1 / (1 - q) for q, _ in data]
            ys = [v / 1000 for _, v in data]
            top = max(top, max(xs))
            ax.plot(xs, ys, color=COLOURS[t], label=LABELS[t])
            drawn = True
        if not drawn:
            plt.close(fig)
            continue
        poll = next((res.case(p, t) for t in with_delivery("polled") if res.case(p, t)), None)
        if poll:
            # An event waits for the next poll, uniform over one interval: percentile q waits q x interval.
            interval = poll.first("poll_interval_ms")
            transit = transit_ms(res, p)
            xs = [1.0]
            while xs[-1] < top:
                xs.append(xs[-1] * 1.2)
            ax.plot(xs, [(1 - 1 / x) * interval + transit for x in xs], color="black", linestyle="--", linewidth=3,
                    label=f"model: short poll\nq × {interval:.0f} ms + transit")
            # The interval the clients actually kept, when their timers did not keep the one asked for.
            kept = poll.median(col("effective_poll_interval_ms")) if "effective_poll_interval_ms" in poll.rows[0] else math.nan
            if math.isfinite(kept) and abs(kept - interval) > 0.05 * interval:
                ax.plot(xs, [(1 - 1 / x) * kept + transit for x in xs], color="black", linestyle=":", linewidth=3,
                        label=f"same, with the {kept:.0f} ms\nthe clients kept")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ticks = [t for t in (1, 2, 10, 100, 1000, 10000, 100000) if t <= top * 1.01]
        ax.set_xticks(ticks)
        ax.set_xticklabels([{1: "0%", 2: "50%", 10: "90%", 100: "99%", 1000: "99.9%", 10000: "99.99%",
                             100000: "99.999%"}[t] for t in ticks])
        ax.set_xlabel("percentile (log scale of 1/(1-p))")
        ax.set_ylabel("latency publish → receive (ms, log)")
        ax.set_title(f"Latency percentile spectrum: {p}")
        place_legend(ax)
        name = "latency_spectrum" if len(res.points) == 1 else f"latency_spectrum_{p}"
        save(fig, res, name, made, error_bars_drawn=False)


def bytes_per_event(res, made):
    points = res.points_where(lambda c: c.first("rate") > 0)
    transports = res.transports()
    if not points:
        return
    parts = [("header_bytes_per_event", "HTTP headers", None, 1.0),
             ("framing_bytes_per_event", "framing", "//", 0.65),
             ("payload_bytes_per_event", "payload", "..", 0.35)]
    width = 0.8 / len(transports)
    fig, ax = plt.subplots()
    for i, t in enumerate(transports):
        for j, p in enumerate(points):
            c = res.case(p, t)
            if not c:
                continue
            x = j + (i - (len(transports) - 1) / 2) * width
            bottom = 0.0
            for column, _, hatch, alpha in parts:
                v = c.median(col(column))
                if not math.isfinite(v):
                    continue
                ax.bar(x, v, width * 0.92, bottom=bottom, color=COLOURS[t], alpha=alpha, hatch=hatch,
                       edgecolor="white")
                bottom += v
            total = c.spread(app_bytes_per_event)
            if total:
                ax.errorbar(x, total[0], yerr=error_bars(total), fmt="none", ecolor="black", elinewidth=2, capsize=6)
            wire = c.median(wire_bytes_per_event)
            if math.isfinite(wire):
                ax.plot([x], [wire], marker="D", color="black", markersize=12, linestyle="none")
                label_bar(ax, x, max(wire, total[2] if total else 0), f"{fmt(bottom)}\n({fmt(wire)})")
    handles = [Patch(color=COLOURS[t], label=LABELS[t]) for t in transports]
    handles += [Patch(facecolor="#888888", alpha=a, hatch=h, edgecolor="white", label=l) for _, l, h, a in parts]
    handles.append(plt.Line2D([], [], marker="D", color="black", linestyle="none", markersize=12,
                              label="wire: + 52 B per TCP segment"))
    place_legend(ax, handles)
    ax.set_xticks(range(len(points)))
    set_point_labels(ax, points)
    ax.set_ylabel("bytes per delivered event (up + down)")
    ax.set_xlabel("suite point   (label: application bytes, (wire bytes))")
    ax.set_title("Bytes per delivered event: headers, framing, payload")
    headroom(ax, 1.15)
    save(fig, res, "bytes_per_event", made)


def requests_per_event(res, made):
    points = res.points_where(lambda c: c.first("rate") > 0)

    def model(p, t):
        c = res.case(p, t)
        if DELIVERY.get(t) == "polled" and c:
            return 1000 / (c.first("poll_interval_ms") * c.first("rate"))
        return None

    grouped_bars(res, points, col("requests_per_event"), "HTTP requests per delivered event",
                 "requests per event (subscribers)", "requests_per_event", made, model=model,
                 model_label="model: 1000 / (interval × rate)")


def latency_bars(res, made):
    points = res.points_where(lambda c: c.first("rate") > 0)

    def model(p, t):
        c = res.case(p, t)
        if DELIVERY.get(t) == "polled" and c:
            return c.first("poll_interval_ms") / 2 + transit_ms(res, p)
        return None

    grouped_bars(res, points, lambda r: number(r["p50_us"]) / 1000, "Median latency publish → receive",
                 "p50 latency (ms, log)", "latency_p50", made, log=True, model=model,
                 model_label="model: poll interval / 2 + transit")
    grouped_bars(res, points, lambda r: number(r["p99_us"]) / 1000, "99th percentile latency publish → receive",
                 "p99 latency (ms, log)", "latency_p99", made, log=True)


def memory_per_connection(res, made):
    # Below ~100 connections the RSS delta is page-granular noise.
    points = res.points_where(lambda c: c.first("clients") >= 100)
    transports = res.transports()
    if not points:
        return
    width = 0.8 / len(transports)
    fig, ax = plt.subplots()
    drawn = False
    for i, t in enumerate(transports):
        for j, p in enumerate(points):
            c = res.case(p, t)
            if not c:
                continue
            x = j + (i - (len(transports) - 1) / 2) * width
            user = c.spread(col("server_bytes_per_idle_conn"))
            kernel = c.median(col("kernel_socket_bytes_per_conn"))
            if not user:
                continue
            drawn = True
            u = max(user[0], 0) / 1024
            k = max(kernel if math.isfinite(kernel) else 0, 0) / 1024
            ax.bar(x, u, width * 0.92, color=COLOURS[t])
            ax.bar(x, k, width * 0.92, bottom=u, color=COLOURS[t], alpha=0.4, hatch="//", edgecolor="white")
            ax.errorbar(x, u, yerr=([u - user[1] / 1024], [user[2] / 1024 - u]), fmt="none", ecolor="black",
                        elinewidth=2, capsize=6)
            label_bar(ax, x, max(u + k, user[2] / 1024), fmt(u + k))
    if not drawn:
        plt.close(fig)
        return
    handles = [Patch(color=COLOURS[t], label=LABELS[t]) for t in transports]
    handles += [Patch(facecolor="#888888", label="server user memory (RSS delta)"),
                Patch(facecolor="#888888", alpha=0.4, hatch="//", edgecolor="white",
                      label="kernel socket structures (slabinfo, per socket)")]
    place_legend(ax, handles)
    ax.set_xticks(range(len(points)))
    set_point_labels(ax, points)
    ax.set_ylabel("KiB per idle connection")
    ax.set_xlabel("suite point")
    ax.set_title("Memory per connection: user and kernel")
    headroom(ax, 1.12)
    save(fig, res, "memory_per_connection", made)


def scale(res, made):
    """The scale suite: per transport against clients, connect rate, memory per connection and the time one
    broadcast took to reach the last client. Drawn when the results hold one-broadcast runs at 2+ client counts."""
    def one_broadcast(c):
        r = c.rows[0]
        return number(r["connected"]) > 0 and number(r["expected"]) == number(r["connected"])
    series = {}
    for (p, t), c in res.cases.items():
        if c.rows and one_broadcast(c):
            series.setdefault(t, []).append((c.first("clients"), c))
    if len({n for s in series.values() for n, _ in s}) < 2:
        return
    panels = [
        ("Connect rate", "clients/s", lambda c: c.median(col("connects_per_s"))),
        ("Server user memory / connection", "bytes", lambda c: c.median(col("server_bytes_per_idle_conn"))),
        ("Kernel memory / socket", "bytes", lambda c: c.median(col("kernel_socket_bytes_per_conn"))),
        ("Broadcast: until the last client", "seconds", lambda c: c.median(col("max_us")) / 1e6),
    ]
    fig, axes = plt.subplots(2, 2)
    for ax, (title, ylabel, fn) in zip(axes.flat, panels):
        ax.set_title(title)
        for t in res.transports():
            points = sorted(series.get(t, []), key=lambda x: x[0])
            xs = [n for n, c in points if math.isfinite(fn(c))]
            ys = [fn(c) for n, c in points if math.isfinite(fn(c))]
            if xs:
                ax.plot(xs, ys, color=COLOURS[t], label=LABELS[t], marker="o")
        ax.set_xscale("log")
        ax.set_xlabel("concurrent clients (log)")
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
    axes.flat[0].legend()
    fig.suptitle("Scale: idle connections and one broadcast to all, both ends on one 2-core machine")
    save(fig, res, "scale", made, error_bars_drawn=False)


def server_cpu(res, made):
    points = res.points_where(lambda c: c.first("rate") > 0)
    grouped_bars(res, points, lambda r: number(r["server_cpu_s_per_1k_events"]) * 1000,
                 "Server CPU per 1,000 delivered events", "server CPU ms per 1,000 events", "server_cpu_per_1k_events",
                 made)


def server_cpu_per_request(res, made):
    """Where polling spends its server CPU; a connection per request shows here (nginx: 12-15 us keep-alive,
    31-40 us with Connection: close)."""
    points = res.points_where(lambda c: c.first("requests") > 0)

    def per_request(r):
        return number(r["server_cpu_s"]) * 1e6 / number(r["requests"])

    grouped_bars(res, points, per_request, "Server CPU per HTTP request (polling)", "server CPU µs per request",
                 "server_cpu_per_request", made)


def sweep_family(res, x_column, keep=lambda c: True):
    """The points that differ only in x_column, the largest such family with >= 2 x values."""
    identity = ["rate", "payload_bytes", "header_profile", "poll_interval_ms", "connection_per_request", "clients"]
    if x_column in identity:
        identity.remove(x_column)
    families = OrderedDict()
    for p in res.points:
        cases = [c for (q, _), c in res.cases.items() if q == p and c.rows and keep(c)]
        if not cases:
            continue
        key = tuple(cases[0].rows[0].get(k) for k in identity)
        families.setdefault(key, []).append((cases[0].first(x_column), p))
    best = []
    for members in families.values():
        if len({x for x, _ in members}) >= 2 and len(members) > len(best):
            best = sorted(members)
    return best


def line_sweep(res, x_column, fn, title, xlabel, ylabel, name, made, keep=lambda c: True, logx=True, logy=True,
               model=None, model_label=None):
    family = sweep_family(res, x_column, keep)
    if not family:
        return
    fig, ax = plt.subplots()
    for t in res.transports():
        xs, ms, lo, hi = [], [], [], []
        for x, p in family:
            c = res.case(p, t)
            s = c.spread(fn) if c else None
            if s:
                xs.append(x)
                ms.append(s[0])
                lo.append(s[0] - s[1])
                hi.append(s[2] - s[0])
        if xs:
            ax.errorbar(xs, ms, yerr=(lo, hi), color=COLOURS[t], label=LABELS[t], marker="o", capsize=6)
    if model:
        xs = [x for x, _ in family]
        ax.plot(xs, [model(x, p) for x, p in family], color="black", linestyle="--", linewidth=3, label=model_label)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    place_legend(ax)
    save(fig, res, name, made)


def sweeps(res, made):
    line_sweep(res, "clients", col("events_per_s"), "Delivered events per second vs clients", "clients (log)",
               "delivered events/s (log)", "events_per_s_vs_clients", made, keep=lambda c: c.first("rate") > 0)
    line_sweep(res, "clients", app_bytes_per_event, "Bytes per delivered event vs clients", "clients (log)",
               "application bytes per event (log)", "bytes_per_event_vs_clients", made,
               keep=lambda c: c.first("rate") > 0)
    line_sweep(res, "rate", lambda r: number(r["server_cpu_s_per_1k_events"]) * 1000,
               "Server CPU per 1,000 events vs event rate", "events/s published (log)",
               "server CPU ms per 1,000 events (log)", "server_cpu_vs_rate", made)
    line_sweep(res, "payload_bytes", app_bytes_per_event, "Bytes per delivered event vs payload size",
               "payload bytes (log)", "application bytes per event (log)", "bytes_per_event_vs_payload", made)

    def poll_model(x, p):
        return x / 2 + transit_ms(res, p)

    line_sweep(res, "poll_interval_ms", lambda r: number(r["p50_us"]) / 1000,
               "Short-poll latency vs poll interval", "poll interval (ms, log)", "p50 latency (ms, log)",
               "latency_vs_poll_interval", made, keep=lambda c: DELIVERY.get(c.transport) == "polled" and c.first("rate") > 0,
               model=poll_model, model_label="model: interval / 2 + transit")


def idle_cost(res, made):
    points = res.points_where(lambda c: c.first("rate") <= 0)
    if not points:
        return
    grouped_bars(res, points, per_client("requests_per_s"), "Idle cost: requests per second per client",
                 "requests/s per idle client", "idle_requests_per_client", made)
    grouped_bars(res, points, app_bytes_per_s_per_client, "Idle cost: bytes per second per client",
                 "application bytes/s per idle client", "idle_bytes_per_client", made)
    grouped_bars(res, points, lambda r: number(r["server_cpu_s"]) / number(r["duration_s"]) * 100,
                 "Idle cost: server CPU", "server CPU, % of one core", "idle_server_cpu", made)


def kaazing(res, made):
    """The 2010 figures beside ours, per header profile, at one event per second."""
    polling, websocket = kaazing_side("polling"), kaazing_side("websocket")
    if polling is None or websocket is None:
        return
    points = [p for p in res.points
              if res.case(p, polling) and res.case(p, websocket) and res.case(p, polling).first("rate") == 1]
    if not points:
        return
    fig, ax = plt.subplots()
    labels = ["2010 table"] + points
    width = 0.2
    ax.bar(-width / 2 - 0.01, 871, width, color=COLOURS[polling])
    ax.bar(width / 2 + 0.01, 2, width, color=COLOURS[websocket])
    label_bar(ax, -width / 2, 871, "871")
    label_bar(ax, width / 2, 2, "2")
    for j, p in enumerate(points, start=1):
        for k, t in enumerate((polling, websocket)):
            c = res.case(p, t)
            app = c.median(app_bytes_per_event)
            wire = c.median(wire_bytes_per_event)
            x = j + (k - 0.5) * (width * 2 + 0.04)
            ax.bar(x - width / 2, app, width, color=COLOURS[t])
            ax.bar(x + width / 2, wire, width, color=COLOURS[t], alpha=0.45, hatch="//", edgecolor="white")
            # Application and wire bars stand side by side: their labels go one above the other.
            label_bar(ax, x - width / 2, app, fmt(app))
            label_bar(ax, x + width / 2, wire, fmt(wire), lift=30)
    ax.set_yscale("log")
    ax.set_xticks(range(len(labels)))
    # "c10000-browser" is wider than its group of bars: clients over header profile, on two lines.
    ax.set_xticklabels([label.replace("-", "\n", 1) for label in labels])
    ax.set_ylabel("bytes per event (log)")
    ax.set_title("Polling vs WebSocket: the 2010 table and what it left out")
    handles = [Patch(color=COLOURS[polling], label=LABELS[polling]),
               Patch(color=COLOURS[websocket], label=LABELS[websocket]),
               Patch(facecolor="#888888", label="application bytes (2010: headers only)"),
               Patch(facecolor="#888888", alpha=0.45, hatch="//", edgecolor="white",
                     label="wire: + 52 B per TCP segment")]
    place_legend(ax, handles)
    lo, hi = ax.get_ylim()
    ax.set_ylim(1, hi * 2)
    save(fig, res, "kaazing_bytes_per_event", made, error_bars_drawn=False)


# ---------------------------------------------------------------------------------------------------- intermediaries


def proxy_points(res):
    """{tag: baseline tag} of the points that put a proxy in front of the same load as their baseline."""
    return OrderedDict((p["tag"], p["baseline"]) for p in res.meta.get("points", [])
                       if p.get("intermediary") and p.get("baseline") and p["tag"] in res.points)


def added_over_baseline(res, bases, column, scale):
    """A row's figure minus its baseline's median on the same transport (NaN without a baseline run)."""
    def fn(r):
        base = res.case(bases[r["point"]], r["transport"])
        return (number(r[column]) - (base.median(col(column)) if base else math.nan)) * scale
    return fn


def proxy_costs(res, made):
    bases = proxy_points(res)
    if not bases:
        return
    points = list(bases)
    # A short poll's latency is its poll phase (interval / 2 on average), far above a proxy's hop: the
    # difference would show that phase's noise, so polled transports are left out of these two.
    for q, name in (("p50", "50th"), ("p99", "99th")):
        added = added_over_baseline(res, bases, f"{q}_us", 1e-3)
        grouped_bars(res, points, lambda r: math.nan if DELIVERY.get(r["transport"]) == "polled" else added(r),
                     f"Latency a proxy adds ({name} percentile, vs straight to the server)",
                     f"added {q} latency (ms)", f"proxy_added_latency_{q}", made)
    grouped_bars(res, points, col("proxy_cpu_us_per_op"), "The proxy's CPU per delivered event",
                 "proxy CPU µs per event (user + system)", "proxy_cpu_per_event", made)
    grouped_bars(res, points, lambda r: number(r["proxy_bytes_per_idle_conn"]) / 1024,
                 "The proxy's memory per connection", "proxy KiB per connection (RSS growth)",
                 "proxy_memory_per_connection", made)


# What the clients of a failure-table case saw, reduced to a word and a colour for a slide.
WORKS, SURVIVES, FAILS = "#2e7d32", "#f9a825", "#c62828"


def run_failures(res):
    """{(point, transport): [the generator's reason]} of the runs that produced no result."""
    out = {}
    for r in res.meta.get("runs", []):
        if not r.get("has_result", True):
            out.setdefault((r["point"], r["transport"]), []).append(r.get("error", ""))
    return out


def failure_word(reason):
    """A failed run's reason in a word or two for a table cell: the status the proxy answered, if any."""
    if "refused CONNECT" in reason:  # "the proxy refused CONNECT 127.0.0.1:8080: 403 Forbidden"
        status = re.search(r"refused CONNECT \S+: (\d{3})", reason)
        return f"CONNECT {status.group(1)}" if status else "CONNECT refused"
    status = re.search(r"HTTP (\d{3})", reason)
    return f"HTTP {status.group(1)}" if status else "no result"


def case_status(res, failures, point, transport):
    """(colour, word, detail) for one case over its repetitions, the worst repetition deciding."""
    reasons = failures.get((point, transport), [])
    if reasons:
        return FAILS, "fails", failure_word(reasons[0])
    c = res.case(point, transport)
    if not c or not c.rows:
        return None, "not run", ""
    lost = max(number(r["lost"]) for r in c.rows)
    delivered = min(number(r["delivered"]) for r in c.rows)
    expected = max(number(r["expected"]) for r in c.rows)
    errors = max(number(r["errors_total"]) for r in c.rows)
    again = max(number(r.get("connects")) for r in c.rows)
    if lost > 0:
        return FAILS, f"{lost:,.0f} lost", f"{delivered:,.0f} of {expected:,.0f}"
    if errors > 0 or again > 0:
        return SURVIVES, "0 lost", f"{again:,.0f} reconnects" if again > 0 else f"{errors:,.0f} errors"
    # p99, not p50: a hold that catches some events (a proxy's coalescing) shows in the tail first.
    return WORKS, "works", f"p99 {fmt(c.median(col('p99_us')) / 1000)} ms"


def failure_table(res, made):
    rows = res.meta.get("failure_rows") or []
    if not rows:
        return
    transports = [t for t in TRANSPORTS if any(t in r["transports"] for r in rows)]
    failures = run_failures(res)
    fig, ax = plt.subplots()
    ax.set_axis_off()
    ax.grid(False)
    n, m = len(rows), len(transports)
    label_w = 0.3  # of the axes width, for the setups
    cell_w = (1 - label_w) / m
    cell_h = 1 / (n + 0.6)
    top = 1 - 0.6 * cell_h
    for j, t in enumerate(transports):
        ax.text(label_w + (j + 0.5) * cell_w, 1 - 0.3 * cell_h, LABELS[t], ha="center", va="center",
                fontsize=20, weight="bold", color=COLOURS[t], transform=ax.transAxes)
    for i, row in enumerate(rows):
        y = top - (i + 0.5) * cell_h
        # Two rows may share a setup and differ in the fix: the fix's first words go under the setup.
        setup = textwrap.wrap(textwrap.shorten(row["setup"].replace("`", ""), 96, placeholder="..."), 50)[:2]
        fix = textwrap.shorten(row["fix"].replace("`", ""), 46, placeholder="...") if row["fixed"] else ""
        ax.text(0, y, "\n".join(setup), ha="left", va="bottom", fontsize=12, transform=ax.transAxes)
        if fix:
            ax.text(0, y, f"fix: {fix}", ha="left", va="top", fontsize=11, color="#555555", style="italic",
                    transform=ax.transAxes)
        halves = [row["broken"]] + ([row["fixed"]] if row["fixed"] else [])
        w = cell_w / len(halves)
        for j, t in enumerate(transports):
            if t not in row["transports"]:
                continue
            for k, point in enumerate(halves):
                colour, word, detail = case_status(res, failures, point, t)
                x0 = label_w + j * cell_w + k * w
                ax.add_patch(plt.Rectangle((x0 + 0.002, y - cell_h / 2 + 0.004), w - 0.004, cell_h - 0.008,
                                           color=colour or "#bbbbbb", transform=ax.transAxes))
                ax.text(x0 + w / 2, y, f"{word}\n{detail}" if detail else word, ha="center", va="center",
                        fontsize=10.5, color="white", weight="bold", transform=ax.transAxes)
    ax.set_title("What breaks where: as set up │ with the fix")
    place_legend(ax, [Patch(color=WORKS, label="every event, no error"),
                      Patch(color=SURVIVES, label="errors or reconnects, 0 lost"),
                      Patch(color=FAILS, label="fails or loses events")])
    save(fig, res, "failure_table", made, error_bars_drawn=False)


def main(argv):
    if len(argv) == 2 and argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    if not os.path.isfile(os.path.join(argv[1], "results.csv")):
        print(f"plot.py: {argv[1]}/results.csv not found: give the folder `rtbench run` wrote", file=sys.stderr)
        return 2
    res = Results(argv[1])
    if not res.rows:
        print(f"plot.py: {argv[1]}/results.csv has no rows", file=sys.stderr)
        return 1
    made, failed = [], []
    for figure in (latency_spectra, latency_bars, bytes_per_event, requests_per_event, memory_per_connection,
                   server_cpu, server_cpu_per_request, sweeps, idle_cost, kaazing, proxy_costs, failure_table,
                   scale):
        try:
            figure(res, made)
        except Exception as e:  # one broken figure must not cost the others
            print(f"plot.py: {figure.__name__} failed: {e!r}", file=sys.stderr)
            failed.append(figure.__name__)
            plt.close("all")
    print(f"plot.py: {len(made)} figures in {os.path.join(argv[1], 'plots')}: {', '.join(made)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
