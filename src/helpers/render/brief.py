"""A country's brief: a few pages of PDF to hand on, assembled as the article is (helpers.render.article) from the
country's executed notebook, with the sources of its data and how to cite the report, and rendered by Quarto in a
scratch project of its own. The brief's source is ``<report>/briefs/<code>.ipynb``, its PDF
``<report>/briefs/<code>.pdf``, published in ``_site/briefs/`` and linked from the country's page while it is current
(docs/building.md, "The country briefs")."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from contextvars import ContextVar
from itertools import takewhile
from pathlib import Path

from helpers.publish.citation import author_names, doi_url, report_doi
from helpers.publish.provenance import how_received, is_synthetic, readable_time
from helpers.publish.text import markdown_link, markdown_text
from helpers.render.article import (
    SYNTHETIC_CALLOUT,
    TABLE_TEXT,
    as_notebook,
    authors,
    new_cell,
    option_lines,
    paper,
    paper_options,
    read_sources,
    source_date_epoch,
    typst_header,
    write_notebook,
    yaml_block,
)

BRIEFS_DIR = "briefs"  # in the report folder (sources and PDFs) and in the site (the PDFs)
MAX_PAGES = 4
NEEDS_QUARTO = "the country briefs (PDF) need Quarto: none was built (docs/building.md)"
# the cells of a country's executed notebook the brief holds, in its order (by the notebooks' stable
# cell ids): the Eurostat country's (30_country_profile) and the OECD's (32_oecd_country). The page's
# flag counts stay on the website.
BRIEF_CELLS = (
    "profile-heading",
    "profile-note",
    "country-profile",
    "oecd-profile",
    "oecd-without",
    "gap-heading",
    "country-gap",
    "trend-heading",
    "country-trend",
    "oecd-trend",
    "claims-heading",
    "country-claims",
)
WARNING_CELL = "setup"  # the cell whose output is the synthetic-data warning (helpers.publish.outputs.banner)
# a link the PDF cannot follow (the CSV beside the page): left out of a caption
RELATIVE_DOWNLOAD = re.compile(r"\s*\[Download[^\]]*\]\((?![a-z]+:)[^)]*\)")


def _heading_at(notebook: dict) -> int | None:
    """Where the page's heading is: the first cell, which the runner makes of the heading output."""
    for n, cell in enumerate(notebook.get("cells", [])):
        if cell["cell_type"] == "markdown" and "".join(cell["source"]).startswith("# "):
            return n
    return None


def country_heading(notebook: dict) -> str:
    """The page's heading without its '# ' (Markdown: 'Spain (ES)')."""
    at = _heading_at(notebook)
    if at is None:
        raise ValueError("the country's executed notebook has no heading ('# Spain (ES)'): run `make country` again")
    return "".join(notebook["cells"][at]["source"]).splitlines()[0][2:].strip()


def front_matter(cff: dict, *, heading: str, synthetic: bool) -> str:
    """The brief's YAML: title, subtitle (the report and its version), authors, date; typst's settings: tables
    set ragged and unhyphenated (a narrow column of justified text is gaps and broken words) in a smaller size,
    and for synthetic data the warning in every page's header."""
    typst = {
        "papersize": "a4",
        "margin": {"x": "1.8cm", "y": "1.8cm"},
        "fontsize": "9.5pt",
        "pdf-standard": "ua-1",  # tagged PDF (PDF/UA-1): typst refuses a figure without alt text
        "fig-format": "svg",  # the charts are SVG (vector in the PDF: typst draws them)
        "shift-heading-level-by": -1,  # the page's "##" sections are the brief's sections
        "include-in-header": [{"text": TABLE_TEXT + typst_header(synthetic)}],
    }
    return yaml_block(
        {
            "title": heading,
            "subtitle": f"Country brief from *{markdown_text(cff['title'])}*, version {markdown_text(cff['version'])}",
            "author": authors(cff),
            "date": str(cff["date-released"]),
            "lang": "en",
            "execute": {"enabled": False, "echo": False},
            "format": {"typst": typst},
        }
    )


def sources(provenance: dict, datasets: dict[str, str], publisher: str) -> str:
    """The report's data from the page's source (`datasets`: code -> title, all from `publisher`), each
    with its code and how and when it was received."""
    lines = ["## Sources", "", f"The report's data from {markdown_text(publisher)}, as received:", ""]
    for record in provenance.get("datasets", []):
        code = record["dataset"]
        if code not in datasets:
            continue
        line = f"- *{markdown_text(datasets[code])}*, code {markdown_text(code)}: {how_received(record)}"
        if record.get("last_update"):
            line += f"; last updated by its publisher {markdown_text(readable_time(record['last_update']))}"
        line += "."
        if record.get("synthetic"):
            line += " **Here: synthetic values in the publisher's layout, not its data.**"
        lines.append(line)
    return "\n".join(lines) + "\n"


def how_to_cite(cff: dict, *, heading: str, page: str) -> str:
    """The report at its version (and its DOI once there is one), the page the brief comes from, the paper."""
    doi, site, m = report_doi(cff), cff.get("url"), markdown_text
    lines = [
        "## How to cite",
        "",
        f"{m(author_names(cff.get('authors', [])))} ({m(str(cff['date-released'])[:4])}). *{m(cff['title'])}*, "
        f"version {m(cff['version'])}"
        + (f", DOI {markdown_link(doi_url(doi))}" if doi else "")
        + f". Country brief: {heading}, assembled from the executed notebook of the page {m(page)}"
        + (f" ({markdown_link(site.rstrip('/') + '/' + page)})" if site else "")
        + ".",
    ]
    for reference in cff.get("references", []):
        if reference.get("type") == "report":
            lines += ["", f"It checks: {paper(reference)}. {markdown_link(doi_url(reference['doi']))}"]
    return "\n".join(lines) + "\n"


SHORT_CELL = 14  # characters: a cell this short (a value with its flag, "24 of 24", "16.3 (EU-28)") stays on one line
TEXT_COLUMN = 24  # the share of a column of sentences, in the same characters
PANDOC_COLUMNS = 72  # a pipe table with a longer line (its rule too) is "wide": its columns get shares of the page
CELL = re.compile(r"(?<!\\)\|")


def _seen(text: str) -> str:
    """What a reader sees of a cell: no span attributes, no link targets, no escapes."""
    return re.sub(r"\{[^}]*\}|\]\([^)]*\)|\\", "", text).strip()


def fit_table_columns(markdown: str) -> str:
    """Pipe tables with each column's share of the width (the dashes under the header, which is how
    pandoc sizes a table with a line longer than 72 characters) fitted to a page narrower than the site's:
    a short cell keeps its line, a header breaks between words, a column of sentences gets a fixed share
    and wraps. A table whose rows fit in 72 characters gets a short rule: pandoc sizes it by its content."""
    lines = markdown.split("\n")
    for n in range(1, len(lines)):
        rule = lines[n]
        if not (re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", rule) and lines[n - 1].startswith("|")):
            continue
        table = [lines[n - 1], rule, *takewhile(lambda line: line.startswith("|"), lines[n + 1 :])]
        header = [_seen(c) for c in CELL.split(lines[n - 1])[1:-1]]
        body = [[_seen(c) for c in CELL.split(line)[1:-1]] for line in table[2:]]
        widths = []
        for column, title in enumerate(header):
            cells = [row[column] for row in body if column < len(row)]
            words = [len(w) for text in [title, *cells] for w in text.split()] or [1]
            # a character of a cell is wider than a dash's share of the page, and each cell has its inset
            width = round(1.2 * max([max(words), *(len(c) for c in cells if len(c) <= SHORT_CELL)])) + 3
            if any(len(c) > SHORT_CELL for c in cells):
                width = max(width, min(TEXT_COLUMN, max(len(c) for c in cells)))
            widths.append(width)
        if all(len(line) <= PANDOC_COLUMNS for line in table[:1] + table[2:]):
            widths = [3] * len(header)  # its rows fit: a short rule, and pandoc sizes it by its content
        rules = [c.strip() for c in CELL.split(rule)[1:-1]]  # each "-", ":-", "-:" or ":-:" (its alignment)
        lines[n] = "|" + "|".join(r[0].strip("-") + "-" * w + r[-1].strip("-") for r, w in zip(rules, widths)) + "|"
    return "\n".join(lines)


def _brief_cell(cell: dict) -> dict | None:
    """The cell as the brief holds it (a code cell: its outputs and Quarto options, no code), or None."""
    if cell["cell_type"] == "markdown":
        return new_cell("markdown", cell["id"], "".join(cell["source"]))
    if cell["cell_type"] != "code" or not cell.get("outputs"):
        return None
    options = paper_options(cell, lambda caption: RELATIVE_DOWNLOAD.sub("", caption))
    outputs = []
    for output in cell["outputs"]:
        markdown = output.get("data", {}).get("text/markdown")
        if markdown is not None:
            output = {**output, "data": {**output["data"], "text/markdown": fit_table_columns("".join(markdown))}}
        outputs.append(output)
    return {**new_cell("code", cell["id"], option_lines(options)), "execution_count": None, "outputs": outputs}


def assemble(
    notebook: dict, *, cff: dict, provenance: dict, datasets: dict[str, str], page: str, publisher: str = "Eurostat"
) -> dict:
    """The brief as a notebook (nbformat 4) from a country's executed notebook: `datasets` are the
    report's datasets from the page's source (code -> title), `publisher` who publishes them, `page` the
    page's path in the site (countries/ES.html)."""
    heading, synthetic = country_heading(notebook), is_synthetic(provenance)
    by_id = {cell.get("id"): cell for cell in notebook.get("cells", [])}
    cells = [new_cell("raw", "front-matter", front_matter(cff, heading=heading, synthetic=synthetic))]
    if synthetic:  # on page 1, in the page's own words: its warning callout, else the notice itself
        warnings = [
            "".join(output["data"]["text/markdown"])
            for output in by_id.get(WARNING_CELL, {}).get("outputs", [])
            if ".synthetic-data" in "".join(output.get("data", {}).get("text/markdown", ""))
        ]
        cells.append(new_cell("markdown", "synthetic", warnings[0] if warnings else SYNTHETIC_CALLOUT))
    cells += [kept for kept in (_brief_cell(by_id[i]) for i in BRIEF_CELLS if i in by_id) if kept is not None]
    cells.append(new_cell("markdown", "sources", sources(provenance, datasets, publisher)))
    cells.append(new_cell("markdown", "cite", how_to_cite(cff, heading=heading, page=page)))
    return as_notebook(cells, notebook)


def brief_pdf(report_dir: Path, code: str) -> Path:
    return Path(report_dir) / BRIEFS_DIR / f"{code}.pdf"


def country_notebook(report_dir: Path, code: str) -> Path:
    return Path(report_dir) / "countries" / f"{code}.ipynb"


def build_brief(report_dir: Path, code: str, *, quarto: str, root: Path, provenance_path: Path) -> Path:
    """Write one country's brief, ``<report>/briefs/<code>.ipynb``, from its executed notebook, and render it
    to ``<code>.pdf`` with Quarto, in a scratch project of its own (so that no project above it, the site's
    included, takes it in), the PDF's date the report's (SOURCE_DATE_EPOCH); return the PDF."""
    from helpers.base.atomic_files import write_bytes_atomic
    from helpers.catalogue import load_catalogue

    executed = country_notebook(report_dir, code)
    if not executed.exists():
        raise FileNotFoundError(
            f"the brief of {code} needs its executed notebook {executed}: run `make country "
            f"COUNTRY={code}` or `make notebooks`"
        )
    catalogue = load_catalogue()
    specs = catalogue.datasets_from("oecd" if code in catalogue.oecd_countries else "eurostat")
    cff, provenance = read_sources(root, provenance_path)
    brief = assemble(
        json.loads(executed.read_text(encoding="utf-8")),
        cff=cff,
        provenance=provenance,
        datasets={spec.code: spec.title for spec in specs},
        page=f"countries/{code}.html",
        publisher=specs[0].publisher,
    )
    source = write_notebook(Path(report_dir) / BRIEFS_DIR / f"{code}.ipynb", brief)
    with tempfile.TemporaryDirectory(prefix="oecd-brief-") as scratch:
        folder = Path(scratch)
        (folder / "_quarto.yml").write_text("project:\n  type: default\n", encoding="utf-8")
        shutil.copyfile(source, folder / source.name)
        environment = {**os.environ, "SOURCE_DATE_EPOCH": source_date_epoch(root)}
        command = [quarto, "render", source.name, "--to", "typst", "--quiet"]
        done = subprocess.run(command, cwd=folder, env=environment, capture_output=True, text=True)
        pdf = folder / source.with_suffix(".pdf").name
        if done.returncode != 0 or not pdf.exists():
            raise RuntimeError(f"quarto render of the brief {source.name} failed:\n{done.stderr.strip()[-2000:]}")
        return write_bytes_atomic(brief_pdf(report_dir, code), pdf.read_bytes())


# The briefs being made while pages are rendered (`make country` renders its page beside its brief): the
# page links its brief under way; if the brief fails, the page is rendered again without the link.
BRIEFS_UNDER_WAY: ContextVar[frozenset[str]] = ContextVar("briefs_under_way", default=frozenset())


def current_brief(report_dir: Path, code: str) -> Path | None:
    """The country's brief when there is one made from its page's present notebook, else None."""
    pdf, executed = brief_pdf(report_dir, code), country_notebook(report_dir, code)
    if pdf.exists() and executed.exists() and pdf.stat().st_mtime_ns >= executed.stat().st_mtime_ns:
        return pdf
    return None


def publish_briefs(report_dir: Path, site_dir: Path) -> list[Path]:
    """Copy the current briefs to ``<site>/briefs/`` and remove any other there; return those published."""
    report_dir, target = Path(report_dir), Path(site_dir) / BRIEFS_DIR
    published = []
    for pdf in sorted((report_dir / BRIEFS_DIR).glob("*.pdf")):
        if current_brief(report_dir, pdf.stem) is not None:
            target.mkdir(parents=True, exist_ok=True)
            if not (target / pdf.name).exists() or (target / pdf.name).read_bytes() != pdf.read_bytes():
                shutil.copyfile(pdf, target / pdf.name)
            published.append(target / pdf.name)
    for old in sorted(target.glob("*.pdf")) if target.is_dir() else []:
        if old not in published:
            old.unlink()
    return published


def with_brief_link(notebook: dict, page: Path, report_dir: Path) -> dict:
    """The page's notebook with a line linking its brief after its heading, when `page` is a country
    page (countries/<code>.ipynb) whose brief is current; else the notebook as it is."""
    page, at = Path(page), _heading_at(notebook)
    linked = page.stem in BRIEFS_UNDER_WAY.get() or current_brief(report_dir, page.stem) is not None
    if page.parent.as_posix() != "countries" or not linked or at is None:
        return notebook
    cells = notebook["cells"]
    link = (
        f"**To hand on:** [the brief of {country_heading(notebook)}](../{BRIEFS_DIR}/{page.stem}.pdf) (PDF, at most "
        f"{MAX_PAGES} pages): this page's tables, chart and verdicts, with the sources and how to cite.\n"
    )
    return {**notebook, "cells": [*cells[: at + 1], new_cell("markdown", "brief-link", [link]), *cells[at + 1 :]]}
