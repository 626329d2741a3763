"""Charts in one style: colour-blind-safe, titled with the finding, sourced, flags marked.

Drawing only (matplotlib); `helpers.publish.figures` turns a chart into a cell's output. A chart is
an SVG with its text as text; every data mark (a bar, a dot, a point of a line) carries its words -
country, year, value and flag - as an SVG ``<title>`` (`title_mark`, then `svg_text`), which a
browser shows on hover and a screen reader reads, with no script. The SVG has no date and ids
derived from the chart's name, so a re-run changes no byte and two charts on one page share no id.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, cast
from xml.sax.saxutils import escape

import matplotlib
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from helpers.catalogue import load_catalogue  # noqa: E402

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType  # rcParams' names

matplotlib.use("Agg")


PALETTE = sns.color_palette("colorblind")


BASE, HIGHLIGHT, SECOND, MUTED = PALETTE[0], PALETTE[1], PALETTE[2], "#9a9a9a"


FLAG_HATCH = "///"


DISPLAY_DPI = 110  # the size a chart is shown at on screen (pixels per inch of figure)
# what makes the SVG's bytes the same on every run, and its text text (not outlines)
SVG_RC: dict[RcKeyType, Any] = {"svg.hashsalt": "oecd-social-media", "svg.fonttype": "none"}
# the marker sizes of a dot (points): a scatter's s=40 and s=55 (areas), drawn as one marker each
DOT, BIG_DOT = 40**0.5, 55**0.5
# the rows of a table whose index is 0..n-1 (reset_index): each row's label is its position on the y axis
Rows = Iterator[tuple[int, pd.Series]]


def apply_style() -> None:
    """The shared look; also fixes what would make output bytes vary between runs.

    It starts from matplotlib's defaults, so that a chart looks the same whichever notebooks
    the kernel ran before (the build reuses one kernel for many notebooks)."""
    matplotlib.rcdefaults()
    sns.set_theme(style="whitegrid", palette="colorblind", context="notebook")
    plt.rcParams.update(
        {
            "figure.dpi": DISPLAY_DPI,
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "font.family": "DejaVu Sans",
            **SVG_RC,
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


def number(value: float) -> str:
    """A value as the chart's words give it: as in the data (Eurostat's two decimals at most), without
    trailing zeros (45, 45.3, 31.23)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def value_words(value: float, flag: str = "", unit: str = "%") -> str:
    """'45%', or '45% (flag u: low reliability)' for a flagged value; 'no data' for none."""
    if value is None or pd.isna(value):
        return "no data"
    words = f"{number(value)}{unit}"
    if isinstance(flag, str) and flag:
        labels = load_catalogue().labels["flag"]
        meanings = ", ".join(f"{letter}: {labels.get(letter, 'unknown flag')}" for letter in flag)
        words += f" (flag {meanings})"
    return words


def title_mark(artist, words: str | list[str]):
    """Give a data mark (an artist already on a figure) its words, which `svg_text` writes as the
    ``<title>`` of the mark's SVG group; a list of words for a line of markers: one for each marker it
    draws, in order, written as the ``<title>`` of each marker's ``<use>``. Returns the artist."""
    marks = artist.figure.__dict__.setdefault("mark_titles", {})
    gid = f"mark{len(marks) + 1}"
    artist.set_gid(gid)
    marks[gid] = words
    return artist


def mark_titles(fig: plt.Figure) -> dict[str, str | list[str]]:
    """The words `title_mark` gave the figure's marks, by group id."""
    return fig.__dict__.get("mark_titles", {})


ID = re.compile(r'\bid="([^"]+)"')
USE = re.compile(r"<use [^>]*/>")


REFERENCE = re.compile(r'(?:url\(#|href="#)([^")]+)')
GROUP = re.compile(r"<g>|<g\s[^>]*>|</g>")


def _unique_ids(svg: str, prefix: str) -> str:
    """The ids a reference needs (clip paths, markers, hatches) prefixed with `prefix`, and the
    references with them, so that two charts inlined in one page share no id; the other ids (one per
    group: figure_1, text_5) dropped, and then the groups that hold nothing of their own (a mark's
    group, which holds its title, stays)."""
    referenced = set(REFERENCE.findall(svg))
    svg = re.sub(r'\sid="([^"]+)"', lambda m: m.group(0) if m.group(1) in referenced else "", svg)
    ids = set(ID.findall(svg))
    svg = ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    # a bare <g> (no attributes) whose first child is not a <title>: its tags go, its content stays
    stack, dropped = [], []
    for match in GROUP.finditer(svg):
        if match.group(0) != "</g>":
            bare = match.group(0) == "<g>" and not svg.startswith("<title>", match.end() + 1)
            stack.append(match.span() if bare else None)
        else:
            opening = stack.pop()
            if opening:
                dropped += [opening, match.span()]
    for start, end in sorted(dropped, reverse=True):
        svg = svg[:start] + svg[end:].removeprefix("\n")

    def reference(match: re.Match) -> str:
        target = match.group(2)
        return f"{match.group(1)}{prefix}-{target}" if target in ids else match.group(0)

    return re.sub(r'(url\(#|href="#)([^")]+)', reference, svg)


LONG_NUMBER = re.compile(r"(?<![\w#.-])-?\d+\.\d{3,}")
TAG = re.compile(r"<[^>]+>")


def _compact(svg: str) -> str:
    """The SVG in fewer bytes, drawn the same: coordinates to 0.01 pt (matplotlib writes six
    decimals), no indentation, no metadata, no null rotation of each text, no blanks in styles. Only
    tags are touched, never the text a reader reads."""

    def tag(match: re.Match) -> str:
        text = LONG_NUMBER.sub(lambda m: f"{float(m.group(0)):.2f}".rstrip("0").rstrip("."), match.group(0))
        text = re.sub(r' transform="rotate\(-0 [^"]*\)"', "", text)
        return re.sub(r'style="[^"]*"', lambda m: re.sub(r"([:;,]) ", r"\1", m.group(0)), text)

    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)
    return TAG.sub(tag, re.sub(r"\n\s+", "\n", svg))


def svg_text(fig: plt.Figure, *, name: str, close: bool = True) -> str:
    """The figure as an SVG document (text as text, no date, the same bytes on every run) whose
    marks carry their titles and whose ids start with a prefix made from `name` (unique on a page:
    the chart's CSV name); closes the figure (unless not `close`).

    A mark given words that the SVG does not draw exactly once is an error, never a silent loss."""
    if not name.strip():
        raise ValueError("a chart needs a name (its ids are made from it)")
    # short: the ids are repeated in every reference (clip paths, markers)
    prefix = "c" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    buffer = io.StringIO()
    with plt.rc_context(SVG_RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    if close:
        plt.close(fig)
    svg = buffer.getvalue()
    for gid, words in mark_titles(fig).items():
        opening = f'<g id="{gid}">'
        if svg.count(opening) != 1:
            raise RuntimeError(
                f"chart {name}: the mark {words!r} is drawn {svg.count(opening)} times in the SVG, not once"
            )
        if isinstance(words, str):
            svg = svg.replace(opening, f"{opening}\n<title>{escape(words)}</title>", 1)
            continue
        start = svg.index(opening)
        end = svg.index("</g>", start)  # a line's markers: its <defs>, then one <use/> per marker in a group
        markers = USE.findall(svg, start, end)
        if len(markers) != len(words):
            raise RuntimeError(f"chart {name}: {len(words)} titles for the {len(markers)} markers of a line")
        titled = iter(f"{use[:-2]}><title>{escape(text)}</title></use>" for use, text in zip(markers, words))
        svg = svg[:start] + USE.sub(lambda _: next(titled), svg[start:end]) + svg[end:]
    return _compact(_unique_ids(svg, prefix))


def ranked_bars(
    table: pd.DataFrame,
    *,
    value: str,
    label: str,
    title: str,
    xlabel: str,
    source_line: str,
    highlight: Sequence[str] = (),
    reference: tuple[str, float] | None = None,
    year: int | None = None,
) -> plt.Figure:
    """Horizontal bars, highest first; highlighted countries coloured; flagged bars hatched; each
    bar titled with its country, year, value and flag.

    Countries without a value are listed with 'no data' instead of a zero-length bar.
    """
    data = table.reset_index(drop=True)
    height = max(3.0, 0.24 * len(data) + 1.6)
    fig, ax = plt.subplots(figsize=(7.5, height))
    y = np.arange(len(data))
    values = data[value].to_numpy(dtype=float)
    colours = [HIGHLIGHT if geo in highlight else BASE for geo in data["geo"]]
    bars = ax.barh(y, np.nan_to_num(values), color=colours)
    when = f", {year}" if year is not None else ""
    for bar, flag, v, name in zip(bars, data.get("flag", [""] * len(data)), values, data[label]):
        if isinstance(flag, str) and flag:
            bar.set_hatch(FLAG_HATCH)
            bar.set_edgecolor("white")
        if np.isnan(v):
            bar.set_visible(False)
            text = ax.text(0.5, bar.get_y() + bar.get_height() / 2, "no data", va="center", fontsize=8, color=MUTED)
            title_mark(text, f"{name}{when}: no data")
        else:
            title_mark(bar, f"{name}{when}: {value_words(v, flag)}")
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
        line = ax.axvline(reference[1], color=SECOND, linestyle="--", linewidth=1.2)
        short = SHORT_EU.get(reference[0], reference[0])
        title_mark(line, f"{short}{when}: {value_words(reference[1])}")
        ax.text(reference[1], -0.9, f" {short} {reference[1]:.0f}%", color=SECOND, fontsize=9, va="bottom")
    ax.set_xlim(0, axis_top(values, reference[1] if reference else np.nan))
    top = two_line_title(fig, title, height)
    _footer(fig, source_line, flag_note(data.get("flag", [])))
    fig.tight_layout(rect=(0, 0.06, 1, top))
    return fig


def _dot(ax, x: float, y: float, words: str, *, size: float = DOT, **style):
    """One dot (a marker of its own, so that it carries its own title); not clipped (a dot is inside
    its axes: a clip would only add bytes)."""
    marker = style.pop("marker", "o")
    (dot,) = ax.plot([x], [y], linestyle="none", marker=marker, markersize=size, clip_on=False, **style)
    return title_mark(dot, words)


def dumbbell(
    table: pd.DataFrame,
    *,
    title: str,
    xlabel: str,
    source_line: str,
    high_label: str,
    low_label: str,
    highlight: Sequence[str] = (),
    year: int | None = None,
) -> plt.Figure:
    """One row per country: a dot for each education group, joined by a line (the gap); each dot
    and each gap titled with its country, year, value and flag."""
    data = table.reset_index(drop=True)
    height = max(3.0, 0.24 * len(data) + 1.8)
    fig, ax = plt.subplots(figsize=(7.5, height))
    y = np.arange(len(data))
    when = f", {year}" if year is not None else ""
    ax.hlines(y, data["low"], data["high"], color=MUTED, linewidth=2)
    flagged_low = data["flag_low"].astype(str).str.len() > 0
    flagged_high = data["flag_high"].astype(str).str.len() > 0
    ax.plot([], [], linestyle="none", marker="o", markersize=DOT, color=BASE, label=low_label)
    ax.plot([], [], linestyle="none", marker="o", markersize=DOT, color=HIGHLIGHT, label=high_label)
    for i, row in cast(Rows, data.iterrows()):
        for column, colour, group in (("low", BASE, low_label), ("high", HIGHLIGHT, high_label)):
            if not pd.isna(row[column]):
                words = f"{row['country']}{when}, {group}: {value_words(row[column], row[f'flag_{column}'])}"
                _dot(ax, row[column], i, words, color=colour, zorder=3)
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
    for i, row in cast(Rows, data.iterrows()):
        text: str = "no data" if pd.isna(row["gap"]) else f"{row['gap']:+.0f} pts"
        mark = ax.text(top + 1, i, text, va="center", fontsize=8, color=MUTED if pd.isna(row["gap"]) else "black")
        gap: str = (
            "no data"
            if pd.isna(row["gap"])
            else f"{'+' if row['gap'] > 0 else ''}{number(row['gap'])} percentage points"
        )
        title_mark(mark, f"{row['country']}{when}: gap {gap}")
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


MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "h"]


def _titled_line(
    ax, line: pd.DataFrame, name: str, *, markersize: float, linewidth: float = 1.5, legend: bool = True, **style
) -> None:
    """A line over the years without markers, then each year's value as a marker, titled
    '<name>, <year>: <value> (flag ...)'; with `legend`, a legend entry with line and marker."""
    marker = style.pop("marker")
    ax.plot(line["year"], line["value"], linewidth=linewidth, **style)
    points = line.dropna(subset=["value"])
    columns = (points[column].tolist() for column in ("year", "value", "flag"))
    words = [f"{name}, {int(year)}: {value_words(value, flag)}" for year, value, flag in zip(*columns)]
    # the markers as one line of its own (each titled in the SVG): far cheaper to draw than a line per point
    (dots,) = ax.plot(
        points["year"],
        points["value"],
        linestyle="none",
        marker=marker,
        markersize=markersize,
        clip_on=False,
        color=style["color"],
    )
    title_mark(dots, words)
    if legend:
        ax.plot([], [], marker=marker, markersize=markersize, linewidth=linewidth, label=name, **style)


def trend_lines(table: pd.DataFrame, *, title: str, ylabel: str, source_line: str, hue: str = "country") -> plt.Figure:
    """Lines over the years; flagged points ringed; gaps where Eurostat has no value; each point
    titled with its line, year, value and flag."""
    fig, ax = plt.subplots(figsize=(8.5, 4.4))
    for i, (name, group) in enumerate(table.groupby(hue, sort=True)):
        group = group.sort_values("year")
        # colour and marker both differ, so that nine lines stay apart (also in grey print)
        _titled_line(
            ax, group, cast(str, name), markersize=4, color=PALETTE[i % len(PALETTE)], marker=MARKERS[i % len(MARKERS)]
        )
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


STATUS_COLOUR = {"pass": PALETTE[2], "fail": PALETTE[3]}
STATUS_WORDS = {"pass": "the check holds", "fail": "the check does not hold"}


def scorecard_dots(rows: pd.DataFrame, *, title: str, source_line: str) -> plt.Figure:
    """One row per check: the paper's figure (grey range) and the data's value (a dot coloured by
    whether the check holds); 'no data' where the country has none. Each range and dot is titled."""
    height = max(3.0, 0.3 * len(rows) + 1.8)
    fig, ax = plt.subplots(figsize=(8.5, height))
    y = np.arange(len(rows))
    for i, row in cast(Rows, rows.reset_index(drop=True).iterrows()):
        if row["target_low"] == row["target_low"]:  # not NaN: the paper gives a figure
            (paper,) = ax.plot(
                [row["target_low"], row["target_high"]],
                [i, i],
                color=MUTED,
                linewidth=6,
                alpha=0.55,
                solid_capstyle="butt",
                label="the paper's figure" if i == 0 else None,
            )
            low, high = number(row["target_low"]), number(row["target_high"])
            title_mark(paper, f"{row['label']}: the paper's figure {low if low == high else f'{low} to {high}'}")
            ax.plot([row["target_low"], row["target_high"]], [i, i], "|", color="#555555", markersize=9)
        if row["status"] == "untested":
            text = ax.text(0.01, i, "no data", transform=ax.get_yaxis_transform(), va="center", fontsize=9, color=MUTED)
            title_mark(text, f"{row['label']}: no data, not tested")
        else:
            words = f"{row['label']}: the data {number(row['value'])}; {STATUS_WORDS[row['status']]}"
            _dot(ax, row["value"], i, words, size=BIG_DOT, color=STATUS_COLOUR[row["status"]], zorder=3)
            ax.text(row["value"], i - 0.38, f"{row['value']:.0f}", ha="center", fontsize=8.5)
    ax.scatter([], [], color=STATUS_COLOUR["pass"], s=55, label="the data: the check holds")
    ax.scatter([], [], color=STATUS_COLOUR["fail"], s=55, label="the data: it does not")
    ax.set_yticks(y, rows["label"], fontsize=9)
    ax.invert_yaxis()
    values = pd.concat([rows["value"], rows["target_low"], rows["target_high"]]).dropna()
    left = min(0.0, float(values.min()) - 5) if len(values) else 0.0
    right = float(values.max()) + 8 if len(values) else 100.0
    ax.set_xlim(left, min(max(right, 10.0), 105.0))
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_xlabel("% (gaps in percentage points)")
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3, fontsize=9, frameon=False, borderaxespad=0.2)
    ax.set_title(title, pad=24)
    _footer(fig, source_line)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


# inches: three abreast in a page's text column (about 235 px each) and alone on a phone (about 300 px),
# the tick labels at about 10 px either way
PANEL_SIZE = (2.9, 2.1)


def small_multiples(
    panels: list[pd.DataFrame], *, lines: tuple[str, str], top: float, years: tuple[int, int], names: list[str]
) -> list[str]:
    """A country's small multiples as SVG documents (`svg_text`, one per panel, named by `names`): two lines
    over the years (the country and the EU), each year's value titled; a panel's name is its caption (HTML
    text, which wraps on a phone). All panels share `top` (the value axis) and `years`, so that they read on
    one scale, and so one figure: its axes, ticks and legend are made once, each panel's lines drawn on it in
    turn. Each of `panels`: line, year, value, flag."""
    width, height = PANEL_SIZE
    fig, ax = plt.subplots(figsize=(width, height))
    # fixed margins in inches (the legend above, tick labels below): tight_layout's measuring pass
    # is not needed
    fig.subplots_adjust(left=0.36 / width, right=1 - 0.1 / width, top=1 - 0.36 / height, bottom=0.3 / height)
    styles = {
        lines[0]: dict(color=HIGHLIGHT, linestyle="-", marker="o"),
        lines[1]: dict(color=BASE, linestyle="--", marker="s"),
    }
    for name, style in styles.items():  # the legend's entries: a line with its marker
        ax.plot([], [], markersize=3.5, linewidth=1.4, label=name, **style)
    ax.set_ylim(0, top)
    ax.set_xlim(years[0] - 0.5, years[1] + 0.5)
    ax.tick_params(labelsize=8.5, pad=2)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4, integer=True))
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4, integer=True))
    ax.legend(
        loc="lower left",
        bbox_to_anchor=(-0.1, 1.0),
        ncol=2,
        fontsize=8.5,
        frameon=False,
        borderaxespad=0.2,
        handlelength=1.8,
        columnspacing=1.0,
    )
    svgs = []
    for part, chart in zip(panels, names):
        before = len(ax.lines), len(ax.collections)
        fig.__dict__.pop("mark_titles", None)  # this panel's marks only
        for name, style in styles.items():
            line = part[part.line == name].sort_values("year")
            _titled_line(ax, line, name, markersize=3.5, linewidth=1.4, legend=False, **style)
            flagged = line[line["flag"].astype(str).str.len() > 0]
            ax.scatter(flagged["year"], flagged["value"], facecolors="none", edgecolors="black", s=36, zorder=4)
        svgs.append(svg_text(fig, name=chart, close=False))
        for artist in ax.lines[before[0] :] + ax.collections[before[1] :]:
            artist.remove()
    plt.close(fig)
    return svgs
