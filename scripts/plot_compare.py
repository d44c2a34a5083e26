#!/usr/bin/python3
"""The plot of one `rtbench compare --out DIR`: DIR/compare.png.

Usage: /usr/bin/python3 scripts/plot_compare.py DIR

Reads DIR/compare.json (written by rtbench compare) and draws one panel per figure (p50_us, p99_us, bytes per
event, ...): for every point and transport, the ratio of the result to the baseline as a dot with its 95%
bootstrap interval as error bars, on a log axis with a line at 1 (no change). Green: faster or better (the
whole interval below 1); red: slower or worse (the whole interval above 1); grey: no difference; hollow: one
repetition on a side, so no interval. Lower is better for every figure.

Exit status: 0 the plot was written; 2 compare.json is missing or unreadable; 3 this Python has no matplotlib
(nothing written: rtbench compare then says the plot was skipped). Standard library + matplotlib (Agg) only.
"""

import json
import math
import os
import sys

NO_MATPLOTLIB = 3

COLOURS = {"better": "#2ca02c", "worse": "#d62728", "no_difference": "#7f7f7f", "single": "#1f77b4"}
# Ratio ticks, each with its reciprocal, so a log axis centred on 1 reads the same both ways.
TICKS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 0.8, 0.9, 1, 1.1, 1.25, 2, 4, 5, 10, 20, 50, 100]
LEGEND = [
    ("better", "faster / better (interval below 1)"),
    ("worse", "slower / worse (interval above 1)"),
    ("no_difference", "no difference (interval spans 1)"),
    ("single", "one repetition: no interval"),
]


def rows_of(doc):
    """(label, figure, entry) for every compared figure, the label naming the candidate when there are several."""
    comparisons = doc.get("comparisons") or []
    several = len(comparisons) > 1
    out = []
    for comparison in comparisons:
        name = os.path.basename(os.path.normpath(comparison.get("candidate", ""))) or comparison.get("candidate", "")
        for f in comparison.get("figures") or []:
            label = f"{f['point']} {f['transport']}" + (f"  [{name}]" if several else "")
            out.append((label, f["figure"], f))
    return out


def ratio_text(r):
    # Three decimals near 1, so a small but real difference (1.004, red) does not read as "1.00".
    if 0.99 < r < 1.01:
        return f"{r:.3f}"
    return f"{r:.2f}" if 0.01 <= r < 100 else f"{r:.3g}"


def draw(doc, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import ticker
    from matplotlib.lines import Line2D

    rows = rows_of(doc)
    figures = list(dict.fromkeys(figure for _, figure, _ in rows))
    if not figures:
        fig, ax = plt.subplots(figsize=(10, 3))
        ax.axis("off")
        ax.text(0.5, 0.5, "No point and transport was measured in both results.", ha="center", va="center",
                fontsize=14)
        fig.savefig(path, dpi=120)
        return

    columns = 2 if len(figures) > 1 else 1
    panel_rows = math.ceil(len(figures) / columns)
    per_panel = max(sum(1 for _, figure, _ in rows if figure == f) for f in figures)
    panel_height = 1.2 + 0.38 * per_panel
    height = panel_height * panel_rows + 1.6  # inches; the title, legend and footer take fixed space
    fig, axes = plt.subplots(panel_rows, columns, figsize=(8 * columns, height), squeeze=False)
    for index, figure in enumerate(figures):
        ax = axes[index // columns][index % columns]
        entries = [(label, f) for label, name, f in rows if name == figure]
        lows, highs = [], []
        for y, (label, f) in enumerate(entries):
            ratio = f["ratio"]
            low = f["ci_low"] if f.get("ci_low") is not None else ratio
            high = f["ci_high"] if f.get("ci_high") is not None else ratio
            verdict = f.get("verdict", "single")
            colour = COLOURS.get(verdict, "#7f7f7f")
            ax.errorbar([ratio], [y], xerr=[[ratio - low], [high - ratio]], fmt="o", color=colour,
                        markerfacecolor="white" if verdict == "single" else colour, markersize=7, capsize=4,
                        linewidth=1.8)
            ax.annotate(ratio_text(ratio), (high, y), xytext=(6, 0), textcoords="offset points", va="center",
                        fontsize=9, color=colour)
            lows.append(min(low, ratio))
            highs.append(max(high, ratio))
        ax.axvline(1.0, color="black", linewidth=1, linestyle="--")
        ax.set_xscale("log")
        # Symmetric around 1 on the log axis, so "twice" and "half" sit equally far from the line.
        reach = max([1.05] + [h for h in highs if h > 0] + [1 / lo for lo in lows if lo > 0]) * 1.25
        ax.set_xlim(1 / reach, reach)
        ax.set_yticks(range(len(entries)))
        ax.set_yticklabels([label for label, _ in entries], fontsize=9)
        ax.set_ylim(len(entries) - 0.5, -0.5)
        ax.set_title(f"{figure}  (ratio to baseline, lower is better)", fontsize=11)
        ax.grid(axis="x", which="both", alpha=0.25)
        ticks = [t for t in TICKS if 1 / reach <= t <= reach and (reach < 1.6 or t not in (0.9, 1.1))]
        ax.xaxis.set_major_locator(ticker.FixedLocator(ticks))
        ax.xaxis.set_minor_locator(ticker.NullLocator())
        ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    for index in range(len(figures), panel_rows * columns):
        axes[index // columns][index % columns].axis("off")

    handles = [Line2D([0], [0], marker="o", color=COLOURS[v], markerfacecolor="white" if v == "single" else COLOURS[v],
                      linestyle="", markersize=8, label=text) for v, text in LEGEND]
    fig.legend(handles=handles, loc="center", bbox_to_anchor=(0.5, 0.55 / height), ncol=4, frameon=False,
               fontsize=10)
    fig.suptitle(f"rtbench compare: baseline {doc.get('baseline', '')}", fontsize=13)
    fig.text(0.5, 0.2 / height, "dot: median(result) / median(baseline); bars: 95% percentile-bootstrap "
             "interval (2,000 resamples)", ha="center", va="center", fontsize=9, color="#444444")
    fig.tight_layout(rect=(0, 0.9 / height, 1, 1 - 0.5 / height))
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv):
    if len(argv) == 2 and argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    folder = argv[1]
    try:
        with open(os.path.join(folder, "compare.json"), encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        print(f"plot_compare.py: cannot read {folder}/compare.json: {e}", file=sys.stderr)
        return 2
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print(f"plot_compare.py: {sys.executable} has no matplotlib (apt-get install python3-matplotlib)",
              file=sys.stderr)
        return NO_MATPLOTLIB
    draw(doc, os.path.join(folder, "compare.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
