"""Charts in one style: colour-blind-safe, titled with the finding, sourced, flags marked.

Drawing only (matplotlib); `helpers.publish.outputs` turns a chart into a cell's output. PNGs
carry no timestamp, so a re-run changes no byte.
"""

from __future__ import annotations

import io

import matplotlib
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from helpers.catalogue import load_catalogue  # noqa: E402

matplotlib.use("Agg")


PALETTE = sns.color_palette("colorblind")


BASE, HIGHLIGHT, SECOND, MUTED = PALETTE[0], PALETTE[1], PALETTE[2], "#9a9a9a"


FLAG_HATCH = "///"


DISPLAY_DPI = 110  # the size a chart is shown at on screen (pixels per inch of figure)
PRINT_DPI = 200  # the PNG's resolution: sharp in print and on dense screens


def apply_style() -> None:
    """The shared look; also fixes what would make output bytes vary between runs.

    It starts from matplotlib's defaults, so that a chart looks the same whichever notebooks
    the kernel ran before (the build reuses one kernel for many notebooks)."""
    matplotlib.rcdefaults()
    sns.set_theme(style="whitegrid", palette="colorblind", context="notebook")
    plt.rcParams.update(
        {
            "figure.dpi": DISPLAY_DPI,
            "savefig.dpi": PRINT_DPI,
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "svg.hashsalt": "oecd-social-media",
            "font.family": "DejaVu Sans",
        }
    )


def flags_present(flags) -> list[str]:
    letters = sorted({letter for flag in flags if isinstance(flag, str) for letter in flag})
    return letters


def flag_note(flags) -> str:
    """'Flags: u = low reliability; b = ...' for the letters present, or ''."""
    labels = load_catalogue().labels["flag"]
    letters = flags_present(flags)
    if not letters:
        return ""
    return "Hatched bars carry a flag. " + "; ".join(
        f"{letter} = {labels.get(letter, 'unknown flag')}" for letter in letters
    )


def _footer(fig, source_line: str, note: str = "") -> None:
    text = source_line + (f"\n{note}" if note else "")
    fig.text(0.01, 0.005, text, ha="left", va="bottom", fontsize=9, color="#444444", wrap=True)


SHORT_EU = {"EU28": "EU-28", "EU27_2020": "EU-27", "EU27_2007": "EU-27 (2007)"}


def two_line_title(fig: plt.Figure, title: str, height: float) -> float:
    """'<finding> - <what>' across the top of the figure (not the axes, which the country names
    push right): the finding in bold, then a smaller line saying what is measured. Returns the
    top of the room left for the axes (for tight_layout)."""
    import textwrap

    finding, _, what = title.partition(" - ")
    fig.text(0.01, 1 - 0.12 / height, finding, ha="left", va="top", fontsize=12, fontweight="bold")
    lines = textwrap.wrap(what, 100)[:2] if what else []
    if lines:
        fig.text(0.01, 1 - 0.42 / height, "\n".join(lines), ha="left", va="top", fontsize=9.5, color="#333333")
    return 1 - (0.55 + 0.18 * len(lines)) / height


def axis_top(*values) -> float:
    """The end of a percentage axis sized to the data: a little above the largest value, on a
    multiple of 10, never beyond 100 (the axis always starts at zero)."""
    finite = np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in values])
    finite = finite[np.isfinite(finite)]
    if not len(finite):
        return 100.0
    return float(min(100.0, max(10.0, np.ceil(finite.max() * 1.12 / 10) * 10)))


def ranked_bars(
    table: pd.DataFrame,
    *,
    value: str,
    label: str,
    title: str,
    xlabel: str,
    source_line: str,
    highlight: list[str] = (),
    reference: tuple[str, float] | None = None,
) -> plt.Figure:
    """Horizontal bars, highest first; highlighted countries coloured; flagged bars hatched.

    Countries without a value are listed with 'no data' instead of a zero-length bar.
    """
    data = table.reset_index(drop=True)
    height = max(3.0, 0.24 * len(data) + 1.6)
    fig, ax = plt.subplots(figsize=(7.5, height))
    y = np.arange(len(data))
    values = data[value].to_numpy(dtype=float)
    colours = [HIGHLIGHT if geo in highlight else BASE for geo in data["geo"]]
    bars = ax.barh(y, np.nan_to_num(values), color=colours)
    for bar, flag, v in zip(bars, data.get("flag", [""] * len(data)), values):
        if isinstance(flag, str) and flag:
            bar.set_hatch(FLAG_HATCH)
            bar.set_edgecolor("white")
        if np.isnan(v):
            bar.set_visible(False)
            ax.text(0.5, bar.get_y() + bar.get_height() / 2, "no data", va="center", fontsize=8, color=MUTED)
        else:
            ax.text(
                v + 0.5,
                bar.get_y() + bar.get_height() / 2,
                f"{v:.0f}" + (f" {flag}" if flag else ""),
                va="center",
                fontsize=8,
            )
    ax.set_yticks(y, data[label])
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    if reference is not None and not np.isnan(reference[1]):
        ax.axvline(reference[1], color=SECOND, linestyle="--", linewidth=1.2)
        ax.text(
            reference[1],
            -0.9,
            f" {SHORT_EU.get(reference[0], reference[0])} {reference[1]:.0f}%",
            color=SECOND,
            fontsize=9,
            va="bottom",
        )
    ax.set_xlim(0, axis_top(values, reference[1] if reference else np.nan))
    top = two_line_title(fig, title, height)
    _footer(fig, source_line, flag_note(data.get("flag", [])))
    fig.tight_layout(rect=(0, 0.06, 1, top))
    return fig


def dumbbell(
    table: pd.DataFrame,
    *,
    title: str,
    xlabel: str,
    source_line: str,
    high_label: str,
    low_label: str,
    highlight: list[str] = (),
) -> plt.Figure:
    """One row per country: a dot for each education group, joined by a line (the gap)."""
    data = table.reset_index(drop=True)
    height = max(3.0, 0.24 * len(data) + 1.8)
    fig, ax = plt.subplots(figsize=(7.5, height))
    y = np.arange(len(data))
    ax.hlines(y, data["low"], data["high"], color=MUTED, linewidth=2)
    flagged_low = data["flag_low"].astype(str).str.len() > 0
    flagged_high = data["flag_high"].astype(str).str.len() > 0
    ax.scatter(data["low"], y, color=BASE, s=40, label=low_label, zorder=3)
    ax.scatter(data["high"], y, color=HIGHLIGHT, s=40, label=high_label, zorder=3)
    ax.scatter(
        data.loc[flagged_low, "low"], y[flagged_low.to_numpy()], facecolors="none", edgecolors="black", s=90, zorder=4
    )
    ax.scatter(
        data.loc[flagged_high, "high"],
        y[flagged_high.to_numpy()],
        facecolors="none",
        edgecolors="black",
        s=90,
        zorder=4,
        label="flagged value (ringed)" if (flagged_low.any() or flagged_high.any()) else None,
    )
    top = axis_top(data["high"], data["low"])
    for i, row in data.iterrows():
        text = "no data" if pd.isna(row["gap"]) else f"{row['gap']:+.0f} pts"
        ax.text(top + 1, i, text, va="center", fontsize=8, color=MUTED if pd.isna(row["gap"]) else "black")
    ax.set_yticks(y, data["country"])
    for tick, geo in zip(ax.get_yticklabels(), data["geo"]):
        if geo in highlight:
            tick.set_fontweight("bold")
    ax.invert_yaxis()
    ax.set_xlim(0, top + 12)
    ax.set_xlabel(xlabel)
    ax.legend(loc="lower left", fontsize=8, frameon=True)
    ax.set_title(title, wrap=True)
    note = flag_note(pd.concat([data["flag_low"], data["flag_high"]])).replace(
        "Hatched bars carry", "Ringed dots carry"
    )
    _footer(fig, source_line, note)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def trend_lines(table: pd.DataFrame, *, title: str, ylabel: str, source_line: str, hue: str = "country") -> plt.Figure:
    """Lines over the years; flagged points ringed; gaps where Eurostat has no value."""
    fig, ax = plt.subplots(figsize=(8.5, 4.4))
    markers = ["o", "s", "^", "D", "v", "P", "X", "*", "h"]
    for i, (name, group) in enumerate(table.groupby(hue, sort=True)):
        group = group.sort_values("year")
        colour = PALETTE[i % len(PALETTE)]
        # colour and marker both differ, so that nine lines stay apart (also in grey print)
        ax.plot(group["year"], group["value"], marker=markers[i % len(markers)], markersize=4, color=colour, label=name)
        flagged = group[group["flag"].astype(str).str.len() > 0]
        ax.scatter(flagged["year"], flagged["value"], facecolors="none", edgecolors="black", s=50, zorder=4)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("Year")
    ax.set_ylim(0, axis_top(table["value"]))
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    # the legend beside the lines, never over them
    ax.legend(fontsize=8.5, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title(title, wrap=True)
    _footer(fig, source_line, flag_note(table["flag"]).replace("Hatched bars carry", "Ringed points carry"))
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def png_bytes(fig: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    # no Software/date metadata: identical bytes on every run
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


STATUS_COLOUR = {"pass": PALETTE[2], "fail": PALETTE[3]}


def scorecard_dots(rows: pd.DataFrame, *, title: str, source_line: str) -> plt.Figure:
    """One row per check: the paper's figure (grey range) and the data's value (a dot coloured by
    whether the check holds); 'no data' where the country has none."""
    height = max(3.0, 0.3 * len(rows) + 1.8)
    fig, ax = plt.subplots(figsize=(8.5, height))
    y = np.arange(len(rows))
    for i, row in rows.reset_index(drop=True).iterrows():
        if row["target_low"] == row["target_low"]:  # not NaN: the paper gives a figure
            ax.plot(
                [row["target_low"], row["target_high"]],
                [i, i],
                color=MUTED,
                linewidth=6,
                alpha=0.55,
                solid_capstyle="butt",
                label="the paper's figure" if i == 0 else None,
            )
            ax.plot([row["target_low"], row["target_high"]], [i, i], "|", color="#555555", markersize=9)
        if row["status"] == "untested":
            ax.text(0.01, i, "no data", transform=ax.get_yaxis_transform(), va="center", fontsize=9, color=MUTED)
        else:
            ax.scatter([row["value"]], [i], color=STATUS_COLOUR[row["status"]], s=55, zorder=3)
            ax.text(row["value"], i - 0.38, f"{row['value']:.0f}", ha="center", fontsize=8.5)
    ax.scatter([], [], color=STATUS_COLOUR["pass"], s=55, label="the data: the check holds")
    ax.scatter([], [], color=STATUS_COLOUR["fail"], s=55, label="the data: it does not")
    ax.set_yticks(y, rows["label"], fontsize=9)
    ax.invert_yaxis()
    values = pd.concat([rows["value"], rows["target_low"], rows["target_high"]]).dropna()
    low = min(0.0, float(values.min()) - 5) if len(values) else 0.0
    high = float(values.max()) + 8 if len(values) else 100.0
    ax.set_xlim(low, min(max(high, 10.0), 105.0))
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_xlabel("% (gaps in percentage points)")
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3, fontsize=9, frameon=False, borderaxespad=0.2)
    ax.set_title(title, pad=24)
    _footer(fig, source_line)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def small_multiples(table: pd.DataFrame, *, title: str, source_line: str, lines: tuple[str, str]) -> plt.Figure:
    """One small panel per comparison, each with two lines (a country and the EU), on one scale:
    easier to read than nine lines on one axis. `table`: panel, line, year, value, flag."""
    panels = list(dict.fromkeys(table["panel"]))
    columns = 3
    rows = int(np.ceil(len(panels) / columns))
    width, height = 8.5, 2.2 * rows + 1.3
    fig, axes = plt.subplots(rows, columns, figsize=(width, height), sharex=True, sharey=True, squeeze=False)
    # fixed margins in inches (title and legend above, tick labels and the source below): the
    # panels share their axes, so the room is known, and tight_layout's measuring pass (about
    # half a second per country page) is not needed
    fig.subplots_adjust(
        left=0.5 / width, right=1 - 0.12 / width, top=1 - 0.72 / height, bottom=0.85 / height, wspace=0.08, hspace=0.3
    )
    styles = {
        lines[0]: dict(color=HIGHLIGHT, linestyle="-", marker="o"),
        lines[1]: dict(color=BASE, linestyle="--", marker="s"),
    }
    for ax, panel in zip(axes.flat, panels):
        part = table[table.panel == panel]
        for name, style in styles.items():
            line = part[part.line == name].sort_values("year")
            ax.plot(line["year"], line["value"], markersize=3, linewidth=1.4, label=name, **style)
            flagged = line[line["flag"].astype(str).str.len() > 0]
            ax.scatter(flagged["year"], flagged["value"], facecolors="none", edgecolors="black", s=36, zorder=4)
        ax.set_title(panel, fontsize=9.5, loc="left", fontweight="bold")
        ax.tick_params(labelsize=8.5)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4, integer=True))
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    axes[0][0].set_ylim(0, axis_top(table["value"]))
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper right", ncol=2, fontsize=9, frameon=False, bbox_to_anchor=(0.99, 0.995))
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    _footer(fig, source_line, flag_note(table["flag"]).replace("Hatched bars carry", "Ringed points carry"))
    return fig
