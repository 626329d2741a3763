"""The PDF article: one document assembled from the executed notebooks, which Quarto renders to PDF
(typst) and to a web page.

Nothing is computed here: the article is the pages' own cells (their Markdown and their stored
outputs: figures, tables, verdicts), in the order of a paper, with a title block from
CITATION.cff and a list of references from CITATION.cff and the data's provenance. Code never
enters it (a code cell keeps only its outputs and its Quarto options). The Overview gives the key
messages and the scorecard, the four topic pages are the chapters, then Data and methods, the
references, and last the one-table overview of every country (the country pages stay on the site).

The source is Markdown for the web (the pages' level-one headings become level two, under the
article's title); the PDF shifts the headings back up one level, so its chapters are numbered 1,
2, ... Where the data are synthetic, the first page says so in a callout and every page's header
says it again. A figure's caption in the web version links to the page of the executed notebook
that made it.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import yaml

from helpers.render.cell_options import OPTION_PREFIX, SKIPPED_TAGS, read_options
from helpers.publish.provenance import SYNTHETIC_NOTICE, is_synthetic, readable_time
from helpers.publish.citation import doi_url, report_doi
from helpers.publish.text import markdown_link, markdown_text

ARTICLE = "article.ipynb"
TITLE = "Social Media Use by Governments, checked against Eurostat"
# the pages the article holds, in its order; the cells it leaves out (the Overview's title, which
# is the article's, and its Details: the evidence the chapters give in full)
PARTS = ["index.ipynb", "youth-civic.ipynb", "education-gaps.ipynb", "senior-uptake.ipynb", "other-figures.ipynb",
         "data-and-methods.ipynb", "countries.ipynb"]
REFERENCES_BEFORE = "countries.ipynb"
LEFT_OUT = {"index.ipynb": {"title", "details-heading", "evidence", "candidates"}}
COLLAPSED = re.compile(r'<details class="report-details">\n<summary>(?P<title>[^\n]+)</summary>\n')
DATABROWSER = "https://ec.europa.eu/eurostat/databrowser/view/{code}/default/table"


def _typst_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def front_matter(cff: dict, *, abstract: str, synthetic: bool) -> str:
    """The article's YAML: title, authors, date, version and (once there is one) DOI from CITATION.cff;
    the PDF's settings."""
    typst = {
        "toc": True,
        "toc-depth": 1,
        "section-numbering": "1.1",
        "shift-heading-level-by": -1,
        "papersize": "a4",
        "margin": {"x": "2.2cm", "y": "2.4cm"},
        "fontsize": "10pt",
        "pdf-standard": "ua-1",  # tagged PDF (PDF/UA-1): typst refuses a figure without alt text
        "fig-format": "png",
    }
    # a long table continues on the next page (a figure, which holds a table, does not break by default)
    header = "#show figure: set block(breakable: true)\n"
    if synthetic:  # every page's header says it
        header += (f"#set page(header: align(center, text(size: 8pt, weight: \"bold\", fill: rgb(\"#b00020\"), "
                   f"{_typst_string(SYNTHETIC_NOTICE)})))\n")
    typst["include-in-header"] = [{"text": header}]
    subtitle = f"A reproducible check of the OECD working paper by Mickoleit (2014), version {cff['version']}"
    doi = report_doi(cff)
    if doi:
        # the web version shows `doi` as a link in its title block; typst's title block has no DOI
        # field, so the PDF's subtitle carries it, as a link
        typst["subtitle"] = f"{markdown_text(subtitle)}, DOI {markdown_link(doi_url(doi))}"
    meta = {
        "title": TITLE,
        "subtitle": subtitle,
        **({"doi": doi} if doi else {}),
        "author": [{"name": a.get("name") or f"{a.get('given-names', '')} {a.get('family-names', '')}".strip()}
                   for a in cff.get("authors", [])],
        "date": str(cff["date-released"]),
        "abstract": abstract,
        "lang": "en",
        # the web version's "Other formats" link names the PDF in words ("Typst" would say nothing to a
        # reader); a format name in the list (here "pdf", which is not rendered, so it adds nothing)
        # stops Quarto from adding its own "Typst" entry beside it
        "format": {"html": {"toc": True, "toc-depth": 2,
                            "format-links": [{"format": "typst", "text": "PDF article"}, "pdf"]},
                   "typst": typst},
    }
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=10_000) + "---\n"


def references(cff: dict, provenance: dict) -> str:
    """The paper (CITATION.cff) and each Eurostat dataset with its code and retrieval date."""
    from helpers.catalogue import load_catalogue
    from helpers.publish.text import markdown_link

    m = markdown_text

    lines = ["## References", ""]
    for reference in cff.get("references", []):
        if reference.get("type") != "report":
            continue
        names = "; ".join(a.get("name") or f"{a['family-names']}, {a['given-names']}" for a in reference["authors"])
        lines.append(f"- {m(names)} ({m(reference['year'])}), \"{m(reference['title'])}\", "
                     f"*{m(reference['collection-title'])}*, No. {m(reference['number'])}, "
                     f"{m(reference['publisher']['name'])}, Paris. {markdown_link('https://doi.org/' + reference['doi'])}")
    titles = {spec.code: spec.title for spec in load_catalogue().datasets}
    for record in provenance.get("datasets", []):
        code = record["dataset"]
        retrieved = readable_time(record.get("retrieved_at"))
        line = (f"- Eurostat, *{m(titles.get(code, code))}* (online data code: {m(code)}), retrieved {m(retrieved)}"
                + (f"; last updated by Eurostat {m(readable_time(record['last_update']))}" if record.get("last_update") else "")
                + f". {markdown_link(DATABROWSER.format(code=code))}")
        if record.get("synthetic"):
            line += " **Here: synthetic values in Eurostat's layout, not Eurostat's data.**"
        lines.append(line)
    return "\n".join(lines) + "\n"


def _shift_headings(markdown: str, by: int) -> str:
    return re.sub(r"^(#{1,5}) ", lambda h: "#" * (len(h.group(1)) + by) + " ", markdown, flags=re.M)


def _option_lines(options: dict) -> str:
    return "".join(f"{OPTION_PREFIX}{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in options.items())


def _article_cell(cell: dict, page: str, *, first_warning: list[bool]) -> dict | None:
    """The cell as the article holds it, or None when it has nothing to show there."""
    if cell["cell_type"] == "markdown":
        shift = 0 if page == "index.ipynb" else 1  # the Overview's sections are chapters already
        return {**cell, "source": _shift_headings("".join(cell["source"]), shift)}
    if cell["cell_type"] != "code" or SKIPPED_TAGS & set(cell.get("metadata", {}).get("tags", [])):
        return None
    outputs = []
    for output in cell.get("outputs", []):
        markdown = "".join(output.get("data", {}).get("text/markdown", ""))
        if ".synthetic-data" in markdown:  # the warning: once, on the first page (the header repeats it)
            if not first_warning[0]:
                continue
            first_warning[0] = False
        if markdown.startswith("# "):
            continue
        folded = COLLAPSED.match(markdown)
        if folded:  # a long list a web reader opens: on paper, one line saying where it is
            page_name = Path(page).with_suffix(".html")
            title = markdown_text(html.unescape(folded.group("title")))
            markdown = f"*{title}: on the report's website ({page_name}).*\n"
            output = {**output, "data": {"text/markdown": [markdown], "text/plain": [folded.group("title")]},
                      "metadata": {}}
        outputs.append(output)
    if not outputs:
        return None
    # labels only where numbered; no page-wide column (on paper the text block is the page's width,
    # and a column option would turn on Quarto's margin layout, narrowing the text)
    options = {k: v for k, v in read_options(cell).items()
               if not (k == "label" and not str(v).startswith(("fig-", "tbl-"))) and k != "column"}
    options["echo"] = False  # said again per cell: a cell without code would still print an empty block
    if str(options.get("label", "")).startswith("fig-") and "fig-cap" in options:
        # the web version links each figure to the page of the executed notebook that made it
        target = f"{Path(page).with_suffix('.html')}#{options['label']}"
        options["fig-cap"] += (f" [Made by the executed notebook [{page}]({target}).]"
                               '{.content-visible when-format="html"}')
    return {**cell, "source": _option_lines(options), "outputs": outputs}


def assemble(report_dir: Path, *, cff: dict, provenance: dict) -> dict:
    """The article as a notebook (nbformat 4), from the executed pages in `report_dir`."""
    notebooks = {page: json.loads((report_dir / page).read_text(encoding="utf-8")) for page in PARTS}
    intro = "".join(notebooks["index.ipynb"]["cells"][0]["source"])
    abstract = " ".join(re.sub(r"^# .*\n+", "", intro).split())  # one paragraph
    synthetic = is_synthetic(provenance)
    cells = [{"cell_type": "raw", "id": "front-matter", "metadata": {},
              "source": front_matter(cff, abstract=abstract, synthetic=synthetic)}]
    first_warning = [True]
    for page in PARTS:
        if page == REFERENCES_BEFORE:
            cells.append({"cell_type": "markdown", "id": "references", "metadata": {}, "source": references(cff, provenance)})
        for cell in notebooks[page]["cells"]:
            if cell.get("id") in LEFT_OUT.get(page, set()):
                continue
            kept = _article_cell(cell, page, first_warning=first_warning)
            if kept is not None:
                kept["id"] = f"{Path(page).stem}-{cell['id']}"[:64]  # unique across the pages
                cells.append(kept)
    if synthetic and first_warning[0]:  # no page carried it: say it on the first page all the same
        cells.insert(1, {"cell_type": "markdown", "id": "synthetic", "metadata": {},
                         "source": f"::: {{.callout-warning .synthetic-data}}\n**{SYNTHETIC_NOTICE}**\n:::\n"})
    for cell in cells:  # as Jupyter writes it: a list of lines (Quarto reads a markdown cell's string whole)
        if isinstance(cell["source"], str):
            cell["source"] = cell["source"].splitlines(keepends=True)
    metadata = {k: v for k, v in notebooks["index.ipynb"]["metadata"].items() if k in ("kernelspec", "language_info")}
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def write_article(report_dir: Path, *, root: Path, provenance_path: Path) -> Path:
    """Write ``<report_dir>/article.ipynb`` (atomically) from the executed pages; return its path."""
    from helpers.base.atomic_files import write_text_atomic

    missing = [page for page in PARTS if not (report_dir / page).exists()]
    if missing:
        raise FileNotFoundError(f"the article needs the executed pages {', '.join(missing)}; run `make notebooks`")
    cff = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    provenance = json.loads(provenance_path.read_text(encoding="utf-8")) if provenance_path.exists() else {}
    article = assemble(report_dir, cff=cff, provenance=provenance)
    target = report_dir / ARTICLE
    write_text_atomic(target, json.dumps(article, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    return target


def source_date_epoch(root: Path) -> str:
    """The article's date (CITATION.cff's date-released) as seconds since 1970: the PDF's creation
    date, so that two builds on the same data give the same PDF, byte for byte."""
    from datetime import date, datetime, timezone

    released = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))["date-released"]
    day = released if isinstance(released, date) else date.fromisoformat(str(released))
    return str(int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp()))
