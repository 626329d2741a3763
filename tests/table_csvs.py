"""Every table that links a CSV: the rows it shows, and whether the CSV holds each of them (#29, item 4).

A table links its CSV in its caption (`tables.show(..., csv=name)` ends the caption with
"[Download the data (CSV)](data/<name>.csv)"); a table in a collapsed section carries the caption,
with the link, just above it. A row is held when a row of the CSV has the shown row's first cell (its
key: a claim, a code, a measure) among its values, as the reader would find it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from helpers.publish import REPORT_KEY
from helpers.publish.text import plain_text

CSV_LINK = re.compile(r"\(data/(?P<name>[^)]+\.csv)\)")
LINK_OR_SPAN = re.compile(r"\[(?P<text>[^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def shown_cell(markdown: str) -> str:
    """What a reader sees of a table cell: a link's or a span's text, Markdown escapes removed."""
    return (
        plain_text(LINK_OR_SPAN.sub(lambda m: m.group("text"), markdown.replace("\\|", "\x00")))
        .replace("\x00", "|")
        .strip()
    )


def table_rows(markdown: str) -> list[list[str]]:
    """The body rows of the first pipe table in `markdown`, cell by cell, as a reader sees them."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    if len(lines) < 2:
        return []
    return [[shown_cell(cell) for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]] for line in lines[2:]]


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))[1:]


def rows_missing(shown: list[list[str]], held: list[list[str]]) -> list[str]:
    """The first cells of the shown rows no row of the CSV holds."""
    values = [set(row) for row in held]
    return [row[0] for row in shown if not any(row[0] in v for v in values)]


def linked_tables(notebook: dict) -> list[tuple[str, str]]:
    """(markdown of the table, the CSV's name) for every table output of an executed notebook that links a CSV."""
    found = []
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            markdown = "".join(output.get("data", {}).get("text/markdown", ""))
            meta = output.get("metadata", {}).get("text/markdown", {}).get(REPORT_KEY, {})
            link = (
                CSV_LINK.search(meta.get("caption", "")) if meta.get("kind") == "table" else CSV_LINK.search(markdown)
            )
            if link and "|" in markdown:
                found.append((markdown, link.group("name")))
    return found


def tables_not_held(report: Path) -> dict[str, list[str]]:
    """'<page> -> data/<csv>' -> the rows shown but not in the CSV, for every page of a built report."""
    problems = {}
    checked = 0
    for page in sorted(report.rglob("*.ipynb")):
        if "pipeline" in page.parts or page.name.startswith(".") or ".previous" in str(page):
            continue
        for markdown, name in linked_tables(json.loads(page.read_text(encoding="utf-8"))):
            data = page.parent / "data" / name
            shown = table_rows(markdown)
            missing = rows_missing(shown, csv_rows(data.read_text(encoding="utf-8"))) if data.exists() else ["(no CSV)"]
            checked += 1
            if missing:
                problems[f"{page.relative_to(report)} -> data/{name}"] = missing
    assert checked, f"no table linking a CSV found under {report}"
    return problems
