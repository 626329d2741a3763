"""What a notebook cell shows, in forms every format carries: a chart is an image output, a table
a Markdown table, a finding or the synthetic-data warning Markdown (a callout).

Two readers see these outputs. In a build (a kernel the runner started: `for_renderers`), the
Markdown is the renderers' own: the warning a Quarto callout (``::: {.callout-warning ...}``), a
verdict a Pandoc span with its class, which Quarto and the fallback renderer turn into a coloured
box and coloured words. Anywhere else (a notebook run by hand in JupyterLab), the same outputs are
Markdown a notebook front end renders: the warning in the alert box JupyterLab styles, a verdict in
words. One bundle cannot carry both (Quarto takes ``text/html`` before ``text/markdown`` in HTML
pages), so each output is made for the reader of the kernel it runs in.

Each chart and table carries its caption (and a chart its alt text) in the output's metadata
(``report``); the runner then gives the cell its Quarto options (``#| label: fig-<cell id>``,
``fig-cap``, ``fig-alt``, or ``tbl-cap``), so that Quarto numbers, captions and cross-references
it in HTML and PDF, and the fallback renderer reads the same options. The table behind every chart
and table (CSV) is written under ``<output_dir>/data/``; a caption ends with the link to it. PNGs
carry no timestamp, so a re-run changes no byte.
"""

from __future__ import annotations

import html
import math
import os
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from helpers.catalogue import load_catalogue
from helpers.publish import BUILD_VARIABLE, REPORT_KEY
from helpers.publish.charts import (
    dumbbell,
    png_bytes,
    ranked_bars,
    scorecard_dots,
    small_multiples,
    trend_lines,
)
from helpers.publish.provenance import SYNTHETIC_NOTICE, is_synthetic
from helpers.publish.text import markdown_text



class Shown:
    """A Markdown output, with optional metadata (a table's caption, the verdicts a page states).

    Its plain-text form is fixed text, never an object address, so outputs stay the same from
    run to run."""

    def __init__(self, markdown: str, text: str = "", metadata: dict | None = None):
        self.markdown = markdown
        self.text = text or markdown
        self.metadata = metadata or {}

    def _repr_markdown_(self):
        return (self.markdown, self.metadata) if self.metadata else self.markdown

    def __repr__(self) -> str:
        return self.text


class Chart:
    """An image output (PNG) with its caption and alt text in the metadata."""

    def __init__(self, png: bytes, *, caption: str, alt: str):
        self.png, self.caption, self.alt = png, caption, alt

    def _repr_png_(self):
        # no width or height: the image fills the text column (or its natural size, when smaller)
        return self.png, {REPORT_KEY: {"kind": "figure", "caption": self.caption, "alt": self.alt}}

    def __repr__(self) -> str:
        return self.alt


class Markup:
    """Markdown the caller built (a link, a verdict span): put in a table cell as it is."""

    def __init__(self, markdown: str):
        self.markdown = markdown

    def __str__(self) -> str:
        return self.markdown


def _csv_link(name: str, what: str = "the data") -> str:
    return f"[Download {what} (CSV)](data/{name}.csv)"


def publish(fig: plt.Figure, data: pd.DataFrame, *, name: str, alt: str, caption: str, output_dir: str | Path) -> Chart:
    """Show the chart (an image output of the cell) and write its table (CSV) under ``output_dir/data``."""
    write_csv(data, name=name, output_dir=output_dir)
    return Chart(png_bytes(fig), caption=f"{markdown_text(caption)} {_csv_link(name, 'the data behind this chart')}",
                 alt=alt)


def for_renderers() -> bool:
    """Whether this kernel's outputs are for the build's renderers (True: the runner started it with
    BUILD_VARIABLE=1) or for a person in a notebook front end such as JupyterLab (False: a kernel
    started by hand has no such variable, so nobody has to do anything to get that form)."""
    return os.environ.get(BUILD_VARIABLE) == "1"


# Quarto's callout kinds and the alert boxes of the classic notebook, which JupyterLab still styles
ALERT_CLASSES = {"warning": "alert-warning", "note": "alert-info"}


def callout(kind: str, css: str, body: str, *, title: str = "") -> str:
    """A box around Markdown: a Quarto callout (``::: {.callout-<kind> .<css>}``) for the renderers,
    a ``<div class="alert ...">`` around the same Markdown for a notebook front end."""
    if for_renderers():
        return f"::: {{.callout-{kind} .{css}}}\n" + (f"## {title}\n\n" if title else "") + f"{body}\n:::\n"
    heading = f"**{title}**\n\n" if title else ""
    return f'<div class="alert {ALERT_CLASSES[kind]} {css}">\n\n{heading}{body}\n\n</div>\n'


def banner(provenance: dict) -> Shown:
    """The synthetic-data warning (a callout), at the top of every notebook built from a synthetic mirror."""
    if not is_synthetic(provenance):
        return Shown("", text="")
    return Shown(callout("warning", "synthetic-data", f"**{markdown_text(SYNTHETIC_NOTICE)}**", title="Synthetic data"),
                 text=SYNTHETIC_NOTICE)


def write_csv(data: pd.DataFrame, *, name: str, output_dir: str | Path) -> str:
    """Write a table as CSV under ``output_dir/data``; return its name (for `show`'s link)."""
    folder = Path(output_dir) / "data"
    folder.mkdir(parents=True, exist_ok=True)
    data.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n", float_format="%.2f")
    return name


# A table's line in the PDF (8.5 pt in a 16.6 cm text column) holds about 125 characters of an
# average width (measured: 3.76 pt each; 120 kept); each cell's margins (2 x 4 pt) take about two;
# a word is given a tenth more than its characters, a capital half a character more (capitals
# are about one and a half times as wide as the average); a column wants 8 to 40 characters
LINE_CHARACTERS = 120
CELL_PADDING = 2
WORD_ALLOWANCE = 1.1
MIN_COLUMN, MAX_COLUMN = 8, 40
NO_DATA = "no data"


def word_room(word: str) -> int:
    """The characters of average width a word needs on a line (it never breaks)."""
    return math.ceil(WORD_ALLOWANCE * (len(word) + 0.5 * sum(c.isupper() for c in word)))


def markdown_table(data: pd.DataFrame) -> str:
    """A pipe table (every format reads it): text escaped for Markdown, except what the caller
    built on purpose (`Markup`: a link, a verdict span)."""
    def cell(value) -> str:
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            return NO_DATA
        if isinstance(value, float):
            return f"{value:.1f}"
        text = value.markdown if isinstance(value, Markup) else markdown_text(value)
        return text.replace("|", "\\|").replace("\n", " ")

    header = [markdown_text(c) for c in data.columns]
    rows = [[cell(v) for v in row] for row in data.itertuples(index=False)]
    # Pandoc sizes the columns of a wide table by the length of their dashes, in proportion, and the
    # PDF scales them to the text's width. Each column gets at least its longest word (a word never
    # breaks: nothing is printed over the next column), then a share of the rest of the line's
    # room as wide as its longest entry asks for (up to 40 characters), so that a column of
    # sentences gets the room and a number keeps enough for itself
    def seen(text: str) -> str:  # what a reader sees: no span attributes, no link targets
        return re.sub(r"\{[^}]*\}|\]\([^)]*\)|\\|\*", "", text)

    columns = [[seen(h), *(seen(r[i]) for r in rows)] for i, h in enumerate(header)]
    # "no data" is read as one word: a number's column keeps it on one line
    floors = [max(word_room(word) for entry in column for word in ([entry] if entry == NO_DATA else entry.split() or [""]))
              for column in columns]
    # a header wraps at its spaces: the entries below it say how much room a column wants
    wanted = [min(MAX_COLUMN, max(MIN_COLUMN, *(len(entry) for entry in column[1:] or column))) for column in columns]
    room = LINE_CHARACTERS - CELL_PADDING * len(header)  # what a line of the table holds, in characters
    extra = [max(0, want - floor) for want, floor in zip(wanted, floors)]
    share = min(1.0, max(0, room - sum(floors)) / sum(extra)) if sum(extra) else 0
    widths = [max(1, floor + round(e * share)) for floor, e in zip(floors, extra)]
    numeric = [pd.api.types.is_numeric_dtype(data[c]) for c in data.columns]
    rule = [("-" * w + ":") if n else (":" + "-" * w) for n, w in zip(numeric, widths)]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(rule) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def show(data: pd.DataFrame, caption: str, *, csv: str | None = None, metadata: dict | None = None) -> Shown:
    """A table for the page, with its caption (numbered by the renderer): headers in words, no index
    column, missing values written out ("no data"), one decimal. `csv` (from `write_csv`) adds the
    download link to the caption; the CSV keeps the codes."""
    data = data.rename(columns=readable_header)
    caption_md = markdown_text(caption) + (f" {_csv_link(csv)}" if csv else "")
    meta = {REPORT_KEY: {"kind": "table", "caption": caption_md}, **(metadata or {})}
    return Shown(markdown_table(data), text=caption + "\n" + data.to_string(index=False), metadata=meta)


def verdict_span(verdict: str) -> Markup:
    """A verdict, spelled out everywhere: in a build, a Pandoc span with its class (coloured on the web);
    in a notebook front end, the words in bold (a span's braces would show as they are)."""
    if not for_renderers():
        return Markup(f"**{markdown_text(verdict)}**")
    css = "verdict-" + verdict.split(" (")[0].replace(" ", "-")
    return Markup(f"[{markdown_text(verdict)}]{{.verdict .{css}}}")


def collapsed(title: str, body: str | Shown) -> Shown:
    """A section a reader opens with one click on the web: HTML's own <details> around Markdown
    (Pandoc and mistune read the Markdown inside; a browser makes it a keyboard-operable
    disclosure). Quarto's collapsed callout is not used: its toggle is a div with aria-expanded,
    which axe-core reports as a critical violation. A table inside keeps its caption, above it
    (tables in a collapsed section are not numbered)."""
    if isinstance(body, Shown):
        caption = body.metadata.get(REPORT_KEY, {}).get("caption", "")
        body = (f"*{caption}*\n\n" if caption else "") + body.markdown
    return Shown(f'<details class="report-details">\n<summary>{html.escape(title)}</summary>\n\n{body}\n\n</details>\n',
                 text=title)


def no_data(table: pd.DataFrame, *, year: int, what: str, name: str, output_dir: str | Path, value: str = "value") -> Shown | None:
    """A gap in the series: when `table` has no value in `year`, its CSV and one sentence naming
    the nearest years with data take the chart's place (None when there are values)."""
    from helpers.analysis.comparisons import gap_note

    if table[value].notna().any():
        return None
    write_csv(table, name=name, output_dir=output_dir)
    note = gap_note(what, year, table.attrs.get("years_with_data", []))
    return Shown(callout("note", "no-data", f"**{markdown_text(note)}**"), text=note)


def comparison_sentence(comparison: str) -> str:
    """' Countries compared: the OECD members covered by Eurostat's survey ...' for a caption."""
    if not comparison:
        return ""
    return f" Countries compared: {load_catalogue().comparison_names.get(comparison, comparison)}."



def publish_ranking(table: pd.DataFrame, *, year: int, what: str, xlabel: str, provenance: dict, dataset: str,
                    name: str, output_dir: str | Path, highlight: list[str] = (), reference: dict | None = None,
                    comparison: str = "") -> Chart | Shown:
    """A ranked bar chart of a cross-section, with its title, alt text, caption and CSV."""
    gap = no_data(table, year=year, what=what, name=name, output_dir=output_dir)
    if gap is not None:
        return gap
    from helpers.publish.findings import highlight_sentence, ranked_alt, ranked_title
    from helpers.publish.provenance import source_line

    ref = (reference["geo"], reference["value"]) if reference else None
    fig = ranked_bars(table, value="value", label="country", title=ranked_title(table, year, what), xlabel=xlabel,
                      source_line=source_line(provenance, [dataset]), highlight=highlight, reference=ref)
    caption = f"{what[0].upper() + what[1:]}, {year}."
    if highlight:
        caption += " " + highlight_sentence(table, highlight) + "."
    if reference and not pd.isna(reference["value"]):
        caption += f" Dashed line: {reference['label']} ({reference['value']:.0f}%)."
    caption += comparison_sentence(comparison)
    return publish(fig, table, name=name, alt=ranked_alt(table, year, what, highlight), caption=caption, output_dir=output_dir)


def publish_gap(table: pd.DataFrame, *, year: int, what: str, aggregate: dict, provenance: dict, dataset: str,
                name: str, output_dir: str | Path, highlight: list[str] = (), comparison: str = "") -> Chart | Shown:
    """A dumbbell chart of the education gap, with its words and CSV."""
    gap = no_data(table, year=year, what=what, name=name, output_dir=output_dir, value="gap")
    if gap is not None:
        return gap
    from helpers.publish.findings import gap_alt, gap_title
    from helpers.publish.provenance import source_line

    labels = load_catalogue().labels["ind_type"]
    fig = dumbbell(table, title=gap_title(table, year, what), xlabel="% of individuals",
                   source_line=source_line(provenance, [dataset]), high_label=labels["I5_8"],
                   low_label=labels["I0_2"], highlight=highlight)
    caption = (f"{what[0].upper() + what[1:]} by formal education, {year}; the gap is high minus no-or-low, "
               f"in percentage points. {aggregate['label']}: gap {aggregate['gap']:.0f} points.")
    if highlight:
        caption += " Countries in bold are those the paper names."
    caption += comparison_sentence(comparison)
    return publish(fig, table, name=name, alt=gap_alt(table, year, what, aggregate), caption=caption, output_dir=output_dir)


def publish_trend(table: pd.DataFrame, *, what: str, ylabel: str, provenance: dict, dataset: str, name: str,
                  output_dir: str | Path, note: str = "") -> Chart | Shown:
    """A line chart over the years, with its words and CSV."""
    from helpers.publish.findings import trend_alt
    from helpers.publish.provenance import source_line

    years = table.dropna(subset=["value"]).year
    span = f"{years.min()}-{years.max()}" if len(years) else "no data"
    fig = trend_lines(table, title=f"{what[0].upper() + what[1:]}, {span}", ylabel=ylabel,
                      source_line=source_line(provenance, [dataset]))
    caption = f"{what[0].upper() + what[1:]}, every survey year with data ({span}). Gaps are years without data."
    if note:
        caption += f" {note}"
    return publish(fig, table, name=name, alt=trend_alt(table, what), caption=caption, output_dir=output_dir)


def publish_scorecard(rows: pd.DataFrame, *, year: int, provenance: dict, output_dir: str | Path,
                      name: str = "claims_scorecard_chart") -> Chart | Shown:
    """The visual scorecard of the Overview, with its words and CSV."""
    from helpers.publish.provenance import source_line

    datasets = [spec.code for spec in load_catalogue().datasets]
    holds = int((rows["status"] == "pass").sum())
    tested = int((rows["status"] != "untested").sum())
    fig = scorecard_dots(rows, title=f"Paper against the data: {holds} of {tested} tested checks hold",
                         source_line=source_line(provenance, datasets))
    alt = (f"Dot chart of {len(rows)} checks of the paper's claims for {year}: for each, the paper's figure as a grey "
           f"range and the data's value (Eurostat's; the OECD's for Korea, Japan and the United States) as a dot, "
           f"coloured by whether the check holds. {holds} of {tested} tested "
           f"checks hold; {len(rows) - tested} could not be tested.")
    caption = (f"Each check of each claim, for the paper's year ({year}) or the survey year that fits the claim: "
               "the paper's figure (grey) beside the data's value (a dot coloured by the verdict of the check).")
    return publish(fig, rows, name=name, alt=alt, caption=caption, output_dir=output_dir)


READABLE_HEADERS = {"geo": "code", "indic_is": "indicator", "ind_type": "group", "unit": "unit"}


def readable_header(column: str) -> str:
    """A table header in words: 'flag_then' -> 'flag (then)', 'rank_now' -> 'rank (now)'."""
    if column in READABLE_HEADERS:
        return READABLE_HEADERS[column]
    for prefix in ("flag_", "rank_"):
        if column.startswith(prefix):
            return f"{prefix[:-1]} ({column[len(prefix):].replace('_', ' ')})"
    return column.replace("_", " ")


def publish_small_multiples(table: pd.DataFrame, *, country: str, provenance: dict, datasets: list[str], name: str,
                            output_dir: str | Path, eu: str = "EU-27") -> Chart | Shown:
    """A country's comparisons over the years beside the EU, one panel each, with words and CSV."""
    from helpers.publish.provenance import source_line

    years = table.dropna(subset=["value"]).year
    span = f"{years.min()}-{years.max()}" if len(years) else "no data"
    fig = small_multiples(table, title=f"{country} and the {eu}, {span}", source_line=source_line(provenance, datasets),
                          lines=(country, eu))
    parts = []
    for panel, part in table[table.line == country].dropna(subset=["value"]).groupby("panel", sort=False):
        first, last = part.sort_values("year").iloc[0], part.sort_values("year").iloc[-1]
        parts.append(f"{panel}: {first.value:.0f}% in {first.year}, {last.value:.0f}% in {last.year}")
    alt = (f"Small multiples, one panel per comparison, {country} (solid line) against the {eu} (dashed), {span}. "
           + ("; ".join(parts) if parts else "No data.") + ".")
    caption = (f"{country} in every comparison of the report over the years, beside the {eu} (the EU aggregate of the "
               "27 countries of 2020 throughout, so that the EU line is one series). Gaps are years without data.")
    return publish(fig, table, name=name, alt=alt, caption=caption, output_dir=output_dir)
