"""Each code cell's Quarto options (``#|`` lines), written from its outputs and read by both renderers.

A chart (an image output described as a ``figure``) makes its cell a figure (``label: fig-<cell id>``, ``fig-cap``,
``fig-alt``; with ``fig-subcap`` and the group's layout when it draws several); a captioned table, a table (``label:
tbl-<cell id>``, ``tbl-cap``); any other cell is labelled by its id. Cell ids are stable
(tests/test_notebook_sources.py), so labels are too. A cell's own layout (``column: page``) stays."""

from __future__ import annotations

import html
import json
from itertools import takewhile

from helpers.publish import REPORT_KEY

OPTION_PREFIX = "#| "
FIGURES_CAPTION = "The paper's year and the latest year, one chart each."
NOTEBOOK_OPTIONS = ("column",)  # the options a notebook's cell gives itself (the layout), kept as written
SKIPPED_TAGS = {"parameters", "injected-parameters"}


def described_outputs(cell: dict) -> tuple[list[dict], list[dict]]:
    """The figures and the tables a cell's outputs describe (their ``report`` metadata), in order."""
    metadata = [meta for output in cell.get("outputs", []) for meta in output.get("metadata", {}).values()]
    reports = [meta[REPORT_KEY] for meta in metadata if isinstance(meta, dict) and meta.get(REPORT_KEY)]
    return [r for r in reports if r["kind"] == "figure"], [r for r in reports if r["kind"] != "figure"]


def _yaml(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def table_caption_option(caption: str) -> str:
    """A table's caption (Markdown) as the ``tbl-cap`` option carries it. Quarto 1.11 reads a
    ``tbl-cap`` as Markdown twice (``fig-cap`` and ``fig-subcap`` once): an escaped ``&lt;script&gt;``
    from a label would come out as a real <script> tag. One more level of escaping (``&`` as
    ``&amp;``) makes the second reading give back the caption (tests/test_failures_end_to_end.py,
    hostile text, with Quarto); `caption_from_option` undoes it for the fallback renderer."""
    return caption.replace("&", "&amp;")


def caption_from_option(options: dict, key: str) -> str:
    """The caption (Markdown) an option carries, as `options_for` wrote it."""
    text = str(options.get(key, ""))
    return html.unescape(text) if key == "tbl-cap" else text


def options_for(cell: dict) -> list[str]:
    """The options (``key: value``) the cell's outputs ask for."""
    figures, tables = described_outputs(cell)
    ident = cell["id"]
    if len(figures) == 1:
        options = [
            f"label: fig-{ident}",
            f"fig-cap: {_yaml(figures[0]['caption'])}",
            f"fig-alt: {_yaml(figures[0]['alt'])}",
        ]
    elif figures:
        # several charts: one figure of the paper's year and the latest, or a group's (small multiples)
        group = figures[0].get("group") or {}
        options = [
            f"label: fig-{ident}",
            f"fig-cap: {_yaml(group.get('caption', FIGURES_CAPTION))}",
            f"fig-subcap: {_yaml([f['caption'] for f in figures])}",
            f"fig-alt: {_yaml([f['alt'] for f in figures])}",
            f"layout-ncol: {int(group.get('columns', 1))}",
        ]
    elif len(tables) == 1:
        options = [f"label: tbl-{ident}", f"tbl-cap: {_yaml(table_caption_option(tables[0]['caption']))}"]
    else:
        options = [f"label: {ident}"]
    own = read_options(cell)
    return options + [f"{key}: {own[key]}" for key in NOTEBOOK_OPTIONS if key in own]


def write_cell_options(notebook: dict) -> dict:
    """Put each code cell's options at the top of its source (replacing any there); the source itself
    is never shown (``echo: false``)."""
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code" or SKIPPED_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        source = "".join(cell["source"]).split("\n")
        body = "\n".join(line for line in source if not line.startswith(OPTION_PREFIX))
        cell["source"] = "".join(f"{OPTION_PREFIX}{option}\n" for option in options_for(cell)) + body
    return notebook


def read_options(cell: dict) -> dict:
    """The cell's options, as Quarto reads them (YAML in the leading ``#|`` lines)."""
    import yaml

    source = "".join(cell.get("source", "")).split("\n")
    leading = takewhile(lambda line: line.startswith(OPTION_PREFIX.rstrip()), source)
    return yaml.safe_load("\n".join(line[len(OPTION_PREFIX) :] for line in leading)) or {}
