"""Tables as a page shows them: a Markdown pipe table every format reads (headers in words, missing
values written out, one decimal, columns as wide as their longest word), its caption and the link to the
CSV behind it, written under ``<output_dir>/data/``; the note a gap in the data gets.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from helpers.publish import REPORT_KEY
from helpers.publish.outputs import Markup, Shown, callout
from helpers.publish.text import markdown_text


def csv_link(name: str, what: str = "the data") -> str:
    """The link a caption ends with, to the CSV `write_csv` wrote."""
    return f"[Download {what} (CSV)](data/{name}.csv)"


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
    floors = [
        max(word_room(word) for entry in column for word in ([entry] if entry == NO_DATA else entry.split() or [""]))
        for column in columns
    ]
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
    caption_md = markdown_text(caption) + (f" {csv_link(csv)}" if csv else "")
    meta = {REPORT_KEY: {"kind": "table", "caption": caption_md}, **(metadata or {})}
    return Shown(markdown_table(data), text=caption + "\n" + data.to_string(index=False), metadata=meta)


def no_data(
    table: pd.DataFrame, *, year: int, what: str, name: str, output_dir: str | Path, value: str = "value"
) -> Shown | None:
    """A gap in the series: when `table` has no value in `year`, its CSV and one sentence naming
    the nearest years with data take the chart's place (None when there are values)."""
    from helpers.analysis.comparisons import gap_note

    if table[value].notna().any():
        return None
    write_csv(table, name=name, output_dir=output_dir)
    note = gap_note(what, year, table.attrs.get("years_with_data", []))
    return Shown(callout("note", "no-data", f"**{markdown_text(note)}**"), text=note)


READABLE_HEADERS = {"geo": "code", "indic_is": "indicator", "ind_type": "group", "unit": "unit"}


def readable_header(column: str) -> str:
    """A table header in words: 'flag_then' -> 'flag (then)', 'rank_now' -> 'rank (now)'."""
    if column in READABLE_HEADERS:
        return READABLE_HEADERS[column]
    for prefix in ("flag_", "rank_"):
        if column.startswith(prefix):
            return f"{prefix[:-1]} ({column[len(prefix):].replace('_', ' ')})"
    return column.replace("_", " ")
