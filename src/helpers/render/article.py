"""The PDF article: one document assembled from the executed notebooks, which Quarto renders to PDF
(typst) and to a web page.

Nothing is computed here: the article is the pages' own cells (their Markdown and their stored
outputs: figures, tables, verdicts), in the order of a paper, with a title block from
CITATION.cff and a list of references from CITATION.cff and the data's provenance. Code never
enters it (a code cell keeps only its outputs and its Quarto options). The Overview gives the key
messages and the scorecard, the four topic pages are the chapters, then Data and methods and the
references: the main text. The appendices follow: the topics' tables by country (a page's cell
tagged ``by-country``; in its chapter the same table keeps only the countries the paper names, the
page's ``highlight`` parameter, and refers to the whole one) and the one-table overview of every
country (the country pages stay on the site).

A PDF is read on its own: a link relative to the site (a CSV, a country's page) becomes absolute
under the site's address (CITATION.cff's ``url``), or, without one, plain text (a download link,
which has nothing to point to, is left out).

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
PARTS = [
    "index.ipynb",
    "youth-civic.ipynb",
    "education-gaps.ipynb",
    "senior-uptake.ipynb",
    "other-figures.ipynb",
    "data-and-methods.ipynb",
    "countries.ipynb",
]
REFERENCES_BEFORE = "countries.ipynb"
# a page's cell with this tag holds a table by country: in the article, an appendix
BY_COUNTRY_TAG = "by-country"
TABLES_APPENDIX = "Tables by country"
# the appendices are lettered in the PDF (A, A.1, B); the web version numbers nothing
APPENDIX_NUMBERING = '#counter(heading).update(0)\n#set heading(numbering: "A.1")\n'
# the PDF's typography: table text set ragged right, never justified or hyphenated (columns are
# as wide as their longest word: helpers.publish.tables.markdown_table), in a smaller size with
# narrow cell margins; a table may continue on the next page, its caption (above it) never left
# alone at a page's foot; a chart, three fifths of the text's width (two to a page), keeps its
# caption (a figure never breaks, except one of several charts, named below)
TYPOGRAPHY = """#set table(inset: (x: 4pt, y: 3pt))
#show table: set par(justify: false)
#show table: set text(hyphenate: false, size: 8.5pt)
#show figure.where(kind: "quarto-float-fig"): set image(width: 61%)
#show figure: set block(breakable: false)
#show figure.where(kind: "quarto-float-tbl"): set block(breakable: true)
#show figure.where(kind: "quarto-float-tbl"): it => {
  show figure.caption: caption => block(sticky: true, caption)
  it
}
"""
# a figure of several charts (two abreast, each filling its half) may break between its rows
SEVERAL_CHARTS = """#show <{label}>: it => {{
  show figure: set image(width: 100%)
  set block(breakable: true)
  it
}}
"""
LEFT_OUT = {"index.ipynb": {"title", "details-heading", "evidence", "candidates"}}
COLLAPSED = re.compile(r'<details class="report-details">\n<summary>(?P<title>[^\n]+)</summary>\n')
DATABROWSER = "https://ec.europa.eu/eurostat/databrowser/view/{code}/default/table"


def _typst_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def authors(cff: dict) -> list[dict]:
    """CITATION.cff's authors as Quarto's front matter names them (a person or an entity's name)."""
    return [
        {"name": a.get("name") or f"{a.get('given-names', '')} {a.get('family-names', '')}".strip()}
        for a in cff.get("authors", [])
    ]


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
        "fig-format": "svg",  # the charts are SVG (vector in the PDF: typst draws them)
    }
    # a long table continues on the next page (a figure, which holds a table, does not break by default)
    header = "#show figure: set block(breakable: true)\n"
    if synthetic:  # every page's header says it
        header += (
            f'#set page(header: align(center, text(size: 8pt, weight: "bold", fill: rgb("#b00020"), '
            f"{_typst_string(SYNTHETIC_NOTICE)})))\n"
        )
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
        "author": authors(cff),
        "date": str(cff["date-released"]),
        "abstract": abstract,
        "lang": "en",
        # the web version's "Other formats" link names the PDF in words ("Typst" would say nothing to a
        # reader); a format name in the list (here "pdf", which is not rendered, so it adds nothing)
        # stops Quarto from adding its own "Typst" entry beside it
        "format": {
            "html": {"toc": True, "toc-depth": 2, "format-links": [{"format": "typst", "text": "PDF article"}, "pdf"]},
            "typst": typst,
        },
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
        lines.append(
            f"- {m(names)} ({m(reference['year'])}), \"{m(reference['title'])}\", "
            f"*{m(reference['collection-title'])}*, No. {m(reference['number'])}, "
            f"{m(reference['publisher']['name'])}, Paris. {markdown_link('https://doi.org/' + reference['doi'])}"
        )
    titles = {spec.code: spec.title for spec in load_catalogue().datasets}
    for record in provenance.get("datasets", []):
        code = record["dataset"]
        retrieved = readable_time(record.get("retrieved_at"))
        line = (
            f"- Eurostat, *{m(titles.get(code, code))}* (online data code: {m(code)}), retrieved {m(retrieved)}"
            + (
                f"; last updated by Eurostat {m(readable_time(record['last_update']))}"
                if record.get("last_update")
                else ""
            )
            + f". {markdown_link(DATABROWSER.format(code=code))}"
        )
        if record.get("synthetic"):
            line += " **Here: synthetic values in Eurostat's layout, not Eurostat's data.**"
        lines.append(line)
    return "\n".join(lines) + "\n"


def _shift_headings(markdown: str, by: int) -> str:
    return re.sub(r"^(#{1,5}) ", lambda h: "#" * (len(h.group(1)) + by) + " ", markdown, flags=re.M)


def _option_lines(options: dict) -> str:
    return "".join(f"{OPTION_PREFIX}{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in options.items())


LINK = re.compile(r"(?P<space> *)(?<!!)\[(?P<text>(?:[^\[\]]|\[[^\[\]]*\])*)\]\((?P<target>[^)\s]+)\)")


def readable_alone(markdown: str, site_url: str | None) -> str:
    """Markdown whose links work in a PDF read on its own: a link relative to the site made absolute
    under `site_url`; without one, its text (a download link, which would point nowhere, left out).
    Links inside the document (#...) and absolute ones stay as they are."""

    def rewrite(match: re.Match) -> str:
        space, text, target = match.group("space"), match.group("text"), match.group("target")
        if target.startswith("#") or re.match(r"[a-z][a-z0-9+.-]*:", target, re.I):
            return match.group(0)
        if site_url:
            return f"{space}[{text}]({site_url.rstrip('/')}/{target.removeprefix('./')})"
        return "" if text.startswith("Download ") else space + text

    return LINK.sub(rewrite, markdown)


def _table_rows(markdown: str) -> tuple[list[str], list[str]]:
    lines = [line for line in markdown.split("\n") if line.startswith("|")]
    return lines[:2], lines[2:]


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]]


def paper_rows(markdown: str, names: set[str]) -> str | None:
    """The rows of a pipe table that name one of `names` (a country's code or name) in a cell, under
    the same header; None when no row does."""
    header, rows = _table_rows(markdown)
    kept = [row for row in rows if names & set(_cells(row))]
    return "\n".join(header + kept) + "\n" if kept else None


def page_parameters(notebook: dict) -> dict:
    """The parameters an executed page ran with: its parameters cell's values (literals), with those
    the build passed (papermill records them in the notebook's metadata) in their place."""
    import ast

    values = {}
    for cell in notebook.get("cells", []):
        if cell["cell_type"] == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            for statement in ast.parse("".join(cell["source"])).body:
                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant):
                    values.update(
                        {
                            target.id: statement.value.value
                            for target in statement.targets
                            if isinstance(target, ast.Name)
                        }
                    )
    return {**values, **notebook.get("metadata", {}).get("papermill", {}).get("parameters", {})}


def _paper_countries(notebook: dict) -> set[str]:
    """The codes and names (as tables show them) of the countries the page's charts highlight: its
    ``highlight`` parameter."""
    from helpers.catalogue import load_catalogue

    codes = [c for c in str(page_parameters(notebook).get("highlight", "")).split(",") if c]
    labels = load_catalogue().labels.get("geo", {})
    return {markdown_text(c) for c in codes} | {markdown_text(labels[c]) for c in codes if c in labels}


def short_table(cell: dict, countries: set[str]) -> dict:
    """In a chapter, in place of a table by country: the rows of the countries the paper names, and
    a reference to the whole table (an appendix); or, when none is in it, the reference alone."""
    options = read_options(cell)
    label = options["label"]
    output = cell["outputs"][0]
    rows = paper_rows("".join(output["data"]["text/markdown"]), countries)
    if rows is None:
        return {"cell_type": "markdown", "metadata": {}, "source": f"Every country: @{label} (appendix).\n"}
    caption = options.get("tbl-cap", "")
    note = f" The countries the paper names; every country in @{label}."
    link = re.search(r" \[Download [^\]]*\]\([^)]*\)$", caption)
    caption = caption[: link.start()] + note + link.group(0) if link else caption + note
    short = {k: v for k, v in options.items() if k not in ("label", "tbl-cap", "column")}
    short = {"label": f"{label}-paper", "tbl-cap": caption, **short}
    return {
        **cell,
        "source": _option_lines(short),
        "outputs": [{**output, "data": {"text/markdown": [rows], "text/plain": [rows]}}],
    }


def _article_cell(cell: dict, page: str, *, first_warning: list[bool], site_url: str | None = None) -> dict | None:
    """The cell as the article holds it, or None when it has nothing to show there."""
    if cell["cell_type"] == "markdown":
        shift = 0 if page == "index.ipynb" else 1  # the Overview's sections are chapters already
        return {**cell, "source": readable_alone(_shift_headings("".join(cell["source"]), shift), site_url)}
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
            # a link to the page (absolute under the site's address; without one, the page's name)
            markdown = f"*{title}: on the report's website ([{page_name}]({page_name})).*\n"
            output = {
                **output,
                "data": {"text/markdown": [markdown], "text/plain": [folded.group("title")]},
                "metadata": {},
            }
        if markdown:
            output = {**output, "data": {**output["data"], "text/markdown": [readable_alone(markdown, site_url)]}}
        outputs.append(output)
    if not outputs:
        return None
    # labels only where numbered; no page-wide column (on paper the text block is the page's width,
    # and a column option would turn on Quarto's margin layout, narrowing the text)
    options = {
        k: v
        for k, v in read_options(cell).items()
        if not (k == "label" and not str(v).startswith(("fig-", "tbl-"))) and k != "column"
    }
    options["echo"] = False  # said again per cell: a cell without code would still print an empty block
    for key in ("fig-cap", "tbl-cap"):
        if key in options:
            options[key] = readable_alone(str(options[key]), site_url)
    if isinstance(options.get("fig-subcap"), list):
        options["fig-subcap"] = [readable_alone(str(c), site_url) for c in options["fig-subcap"]]
        options["layout-ncol"] = 2  # several charts: two abreast, so that a page holds four
    if str(options.get("label", "")).startswith("fig-") and "fig-cap" in options:
        # the web version links each figure to the page of the executed notebook that made it
        target = f"{Path(page).with_suffix('.html')}#{options['label']}"
        options["fig-cap"] += (
            f" [Made by the executed notebook [{page}]({target}).]" '{.content-visible when-format="html"}'
        )
    return {**cell, "source": _option_lines(options), "outputs": outputs}


def _typst(code: str, ident: str) -> dict:
    """A raw cell of typst for the PDF: Quarto passes it to Pandoc as Markdown (a raw typst block,
    which the web version leaves out); the fallback renderer shows no raw cell."""
    return {"cell_type": "raw", "id": ident, "metadata": {}, "source": f"```{{=typst}}\n{code}```\n"}


def _page_title(notebook: dict) -> str:
    first = "".join(notebook["cells"][0]["source"])
    title = re.match(r"# (.+)", first)
    if title is None:
        raise ValueError(f"a page of the article does not open with its title ('# ...'): {first[:60]!r}")
    return title.group(1).strip()


def assemble(report_dir: Path, *, cff: dict, provenance: dict) -> dict:
    """The article as a notebook (nbformat 4), from the executed pages in `report_dir`."""
    notebooks = {page: json.loads((report_dir / page).read_text(encoding="utf-8")) for page in PARTS}
    intro = "".join(notebooks["index.ipynb"]["cells"][0]["source"])
    abstract = " ".join(re.sub(r"^# .*\n+", "", intro).split())  # one paragraph
    synthetic = is_synthetic(provenance)
    site_url = cff.get("url")
    cells = [
        {
            "cell_type": "raw",
            "id": "front-matter",
            "metadata": {},
            "source": front_matter(cff, abstract=abstract, synthetic=synthetic),
        }
    ]
    first_warning = [True]
    by_country: dict[str, list[dict]] = {}
    for page in PARTS:
        if page == REFERENCES_BEFORE:
            cells.append(
                {"cell_type": "markdown", "id": "references", "metadata": {}, "source": references(cff, provenance)}
            )
            cells += _tables_appendix(notebooks, by_country)
        for cell in notebooks[page]["cells"]:
            if cell.get("id") in LEFT_OUT.get(page, set()):
                continue
            kept = _article_cell(cell, page, first_warning=first_warning, site_url=site_url)
            if kept is None:
                continue
            kept["id"] = f"{Path(page).stem}-{cell['id']}"[:64]  # unique across the pages
            if BY_COUNTRY_TAG in cell.get("metadata", {}).get("tags", []) and kept["cell_type"] == "code":
                by_country.setdefault(page, []).append(kept)
                kept = {**short_table(kept, _paper_countries(notebooks[page])), "id": f"{kept['id']}-paper"[:64]}
            cells.append(kept)
    if synthetic and first_warning[0]:  # no page carried it: say it on the first page all the same
        cells.insert(
            1,
            {
                "cell_type": "markdown",
                "id": "synthetic",
                "metadata": {},
                "source": f"::: {{.callout-warning .synthetic-data}}\n**{SYNTHETIC_NOTICE}**\n:::\n",
            },
        )
    # the typography, and the figures of several charts
    several = [
        read_options(c)["label"]
        for c in cells
        if c["cell_type"] == "code" and isinstance(read_options(c).get("fig-subcap"), list)
    ]
    cells.insert(1, _typst(TYPOGRAPHY + "".join(SEVERAL_CHARTS.format(label=label) for label in several), "typography"))
    for cell in cells:  # as Jupyter writes it: a list of lines (Quarto reads a markdown cell's string whole)
        if isinstance(cell["source"], str):
            cell["source"] = cell["source"].splitlines(keepends=True)
    metadata = {k: v for k, v in notebooks["index.ipynb"]["metadata"].items() if k in ("kernelspec", "language_info")}
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def _tables_appendix(notebooks: dict[str, dict], by_country: dict[str, list[dict]]) -> list[dict]:
    """The first appendix: each topic's tables by country, under the topic's title; the lettering
    of the appendices starts here (the country index, the page after it, is the next)."""
    if not by_country:
        return []
    cells = [
        _typst(APPENDIX_NUMBERING, "appendix-numbering"),
        {"cell_type": "markdown", "id": "tables-by-country", "metadata": {}, "source": f"## {TABLES_APPENDIX}\n"},
    ]
    for page, tables in by_country.items():
        cells.append(
            {
                "cell_type": "markdown",
                "id": f"tables-{Path(page).stem}",
                "metadata": {},
                "source": f"### {_page_title(notebooks[page])}\n",
            }
        )
        cells += tables
    return cells


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
