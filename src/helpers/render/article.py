"""The PDF article (typst) and its web version: one notebook assembled from the executed pages' own cells (their
Markdown and stored outputs, never their code; nothing computed here), in the order of a paper: the Overview, the
four topics as chapters, Data and methods, the references (CITATION.cff and the data's provenance), then the
appendices (the topics' tables by country, the overview of every country). What it holds and why: docs/building.md,
"The PDF article"."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any, Callable

import yaml

from helpers.base.atomic_files import write_text_atomic
from helpers.publish.citation import author_names, doi_url, read_citation, report_doi
from helpers.publish.provenance import SYNTHETIC_NOTICE, is_synthetic, readable_time
from helpers.publish.text import markdown_link, markdown_text
from helpers.render.cell_options import OPTION_PREFIX, SKIPPED_TAGS, read_options

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
# in the PDF the appendices start on a new page (weak: none blank) and are lettered (A, A.1, B); the web numbers nothing
APPENDIX_NUMBERING = '#pagebreak(weak: true)\n#counter(heading).update(0)\n#set heading(numbering: "A.1")\n'
# the PDF's typography (docs/building.md, "Typography")
TABLE_TEXT = "#show table: set par(justify: false)\n#show table: set text(hyphenate: false, size: 8.5pt)\n"
TYPOGRAPHY = (
    "#set table(inset: (x: 4pt, y: 3pt))\n"
    + TABLE_TEXT
    + """#show figure.where(kind: "quarto-float-fig"): set image(width: 61%)
#show figure: set block(breakable: false)
#show figure.where(kind: "quarto-float-tbl"): set block(breakable: true)
#show figure.where(kind: "quarto-float-tbl"): it => {
  show figure.caption: caption => block(sticky: true, caption)
  it
}
"""
)
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
SYNTHETIC_CALLOUT = f"::: {{.callout-warning .synthetic-data}}\n**{SYNTHETIC_NOTICE}**\n:::\n"


def typst_header(synthetic: bool) -> str:
    """For synthetic data, the warning in every page's header (the article's and the briefs'); else ''."""
    if not synthetic:
        return ""
    notice = '"' + SYNTHETIC_NOTICE.replace("\\", "\\\\").replace('"', '\\"') + '"'  # a typst string
    return f'#set page(header: align(center, text(size: 8pt, weight: "bold", fill: rgb("#b00020"), {notice})))\n'


def yaml_block(meta: dict) -> str:
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=10_000) + "---\n"


def new_cell(cell_type: str, ident: str, source: str | list[str]) -> dict:
    return {"cell_type": cell_type, "id": ident, "metadata": {}, "source": source}


def as_notebook(cells: list[dict], executed: dict) -> dict:
    """The cells as a notebook (nbformat 4) with the executed page's kernel, their sources as Jupyter writes
    them: lists of lines (Quarto reads a markdown cell's string whole)."""
    for each in cells:
        if isinstance(each["source"], str):
            each["source"] = each["source"].splitlines(keepends=True)
    metadata = {k: v for k, v in executed.get("metadata", {}).items() if k in ("kernelspec", "language_info")}
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def read_sources(root: Path, provenance_path: Path) -> tuple[dict, dict]:
    """CITATION.cff and the data's provenance (empty when there is none yet)."""
    provenance = json.loads(provenance_path.read_text(encoding="utf-8")) if provenance_path.exists() else {}
    return read_citation(root / "CITATION.cff"), provenance


def write_notebook(target: Path, notebook: dict) -> Path:
    return write_text_atomic(target, json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def authors(cff: dict) -> list[dict]:
    """CITATION.cff's authors as Quarto's front matter names them (a person or an entity's name)."""
    return [
        {"name": a.get("name") or f"{a.get('given-names', '')} {a.get('family-names', '')}".strip()}
        for a in cff.get("authors", [])
    ]


def paper(reference: dict) -> str:
    """The paper (a CITATION.cff reference of type report), as Markdown, up to its publisher."""
    m = markdown_text
    return (
        f"{m(author_names(reference['authors']))} ({m(reference['year'])}), \"{m(reference['title'])}\", "
        f"*{m(reference['collection-title'])}*, No. {m(reference['number'])}, {m(reference['publisher']['name'])}"
    )


def front_matter(cff: dict, *, abstract: str, synthetic: bool) -> str:
    """The article's YAML: its title block from CITATION.cff, the PDF's settings."""
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
    typst["include-in-header"] = [{"text": "#show figure: set block(breakable: true)\n" + typst_header(synthetic)}]
    subtitle = f"A reproducible check of the OECD working paper by Mickoleit (2014), version {cff['version']}"
    doi = report_doi(cff)
    if doi:  # typst's title block has no DOI field (the web version's has): the PDF's subtitle carries it
        typst["subtitle"] = f"{markdown_text(subtitle)}, DOI {markdown_link(doi_url(doi))}"
    # the web version's "Other formats" link names the PDF in words ("Typst" would say nothing to a reader); a
    # format name in the list (here "pdf", which is not rendered) stops Quarto from adding its own "Typst" entry
    html_format = {"toc": True, "toc-depth": 2, "format-links": [{"format": "typst", "text": "PDF article"}, "pdf"]}
    return yaml_block(
        {
            "title": TITLE,
            "subtitle": subtitle,
            **({"doi": doi} if doi else {}),
            "author": authors(cff),
            "date": str(cff["date-released"]),
            "abstract": abstract,
            "lang": "en",
            "format": {"html": html_format, "typst": typst},
        }
    )


def references(cff: dict, provenance: dict) -> str:
    """The paper (CITATION.cff) and each Eurostat dataset with its code and retrieval date."""
    from helpers.catalogue import load_catalogue

    m = markdown_text
    lines = ["## References", ""]
    for reference in cff.get("references", []):
        if reference.get("type") == "report":
            lines.append(f"- {paper(reference)}, Paris. {markdown_link(doi_url(reference['doi']))}")
    titles = {spec.code: spec.title for spec in load_catalogue().datasets}
    for record in provenance.get("datasets", []):
        code = record["dataset"]
        line = f"- Eurostat, *{m(titles.get(code, code))}* (online data code: {m(code)}), retrieved "
        line += m(readable_time(record.get("retrieved_at")))
        if record.get("last_update"):
            line += f"; last updated by Eurostat {m(readable_time(record['last_update']))}"
        line += f". {markdown_link(DATABROWSER.format(code=code))}"
        if record.get("synthetic"):
            line += " **Here: synthetic values in Eurostat's layout, not Eurostat's data.**"
        lines.append(line)
    return "\n".join(lines) + "\n"


def option_lines(options: dict) -> str:
    return "".join(f"{OPTION_PREFIX}{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in options.items())


def paper_options(cell: dict, caption: Callable[[str], str]) -> dict:
    """A code cell's options on paper: labels only where numbered; no page-wide column (the text block is the
    page's width, and a column option would turn on Quarto's margin layout); no code, said again per cell (a
    cell without code would still print an empty block); its captions as `caption` makes them."""
    options = read_options(cell)
    kept = {k: v for k, v in options.items() if k != "column" and (k != "label" or str(v).startswith(("fig-", "tbl-")))}
    captions = {key: caption(str(kept[key])) for key in ("fig-cap", "tbl-cap") if key in kept}
    return {**kept, **captions, "echo": False}


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


def paper_rows(markdown: str, names: set[str]) -> str | None:
    """The rows of a pipe table that name one of `names` (a country's code or name) in a cell, under
    the same header; None when no row does."""
    lines = [line for line in markdown.split("\n") if line.startswith("|")]
    kept = [row for row in lines[2:] if names & {cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]}]
    return "\n".join(lines[:2] + kept) + "\n" if kept else None


def page_parameters(notebook: dict) -> dict:
    """The parameters an executed page ran with: its parameters cell's values (literals), with those
    the build passed (papermill records them in the notebook's metadata) in their place."""
    import ast

    values: dict[str, Any] = {}
    for cell in notebook.get("cells", []):
        if cell["cell_type"] == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            for statement in ast.parse("".join(cell["source"])).body:
                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant):
                    names = [target.id for target in statement.targets if isinstance(target, ast.Name)]
                    values.update(dict.fromkeys(names, statement.value.value))
    return {**values, **notebook.get("metadata", {}).get("papermill", {}).get("parameters", {})}


def short_table(cell: dict, notebook: dict) -> dict:
    """In a chapter, in place of a table by country: the rows of the countries the paper names (the codes
    and names, as tables show them, of the page's ``highlight`` parameter) and a reference to the whole
    table (an appendix); or, when none is in it, the reference alone."""
    from helpers.catalogue import load_catalogue

    codes = [c for c in str(page_parameters(notebook).get("highlight", "")).split(",") if c]
    labels = load_catalogue().labels.get("geo", {})
    countries = {markdown_text(c) for c in codes} | {markdown_text(labels[c]) for c in codes if c in labels}
    options = read_options(cell)
    label, output = options["label"], cell["outputs"][0]
    rows = paper_rows("".join(output["data"]["text/markdown"]), countries)
    if rows is None:
        return new_cell("markdown", cell["id"], f"Every country: @{label} (appendix).\n")
    caption, note = options.get("tbl-cap", ""), f" The countries the paper names; every country in @{label}."
    link = re.search(r" \[Download [^\]]*\]\([^)]*\)$", caption)
    caption = caption[: link.start()] + note + link.group(0) if link else caption + note
    short = {k: v for k, v in options.items() if k not in ("label", "tbl-cap", "column")}
    short = {"label": f"{label}-paper", "tbl-cap": caption, **short}
    return {
        **cell,
        "source": option_lines(short),
        "outputs": [{**output, "data": {"text/markdown": [rows], "text/plain": [rows]}}],
    }


def _article_cell(cell: dict, page: str, *, first_warning: list[bool], site_url: str | None = None) -> dict | None:
    """The cell as the article holds it, or None when it has nothing to show there."""
    if cell["cell_type"] == "markdown":
        shift = 0 if page == "index.ipynb" else 1  # the Overview's sections are chapters already
        shifted = re.sub(
            r"^(#{1,5}) ", lambda h: "#" * (len(h.group(1)) + shift) + " ", "".join(cell["source"]), flags=re.M
        )
        return {**cell, "source": readable_alone(shifted, site_url)}
    if cell["cell_type"] != "code" or SKIPPED_TAGS & set(cell.get("metadata", {}).get("tags", [])):
        return None
    outputs, html_page = [], Path(page).with_suffix(".html")
    for output in cell.get("outputs", []):
        markdown = "".join(output.get("data", {}).get("text/markdown", ""))
        if markdown.startswith("# ") or (".synthetic-data" in markdown and not first_warning[0]):
            continue
        if ".synthetic-data" in markdown:  # the warning: once, on the first page (the header repeats it)
            first_warning[0] = False
        folded = COLLAPSED.match(markdown)
        if folded:  # a long list a web reader opens: on paper, one line linking the page where it is
            title = markdown_text(html.unescape(folded.group("title")))
            markdown = f"*{title}: on the report's website ([{html_page}]({html_page})).*\n"
            output = {**output, "data": {"text/markdown": [markdown], "text/plain": [folded.group("title")]}}
            output["metadata"] = {}
        if markdown:
            output = {**output, "data": {**output["data"], "text/markdown": [readable_alone(markdown, site_url)]}}
        outputs.append(output)
    if not outputs:
        return None
    options = paper_options(cell, lambda text: readable_alone(text, site_url))
    if isinstance(options.get("fig-subcap"), list):
        options["fig-subcap"] = [readable_alone(str(c), site_url) for c in options["fig-subcap"]]
        options["layout-ncol"] = 2  # several charts: two abreast, so that a page holds four
    if str(options.get("label", "")).startswith("fig-") and "fig-cap" in options:
        # the web version links each figure to the page of the executed notebook that made it
        made_by = f"[Made by the executed notebook [{page}]({html_page}#{options['label']}).]"
        options["fig-cap"] += f' {made_by}{{.content-visible when-format="html"}}'
    return {**cell, "source": option_lines(options), "outputs": outputs}


def typst_cell(code: str, ident: str) -> dict:
    """A raw cell of typst for the PDF (a raw block, which the web version and the fallback renderer leave out)."""
    return new_cell("raw", ident, f"```{{=typst}}\n{code}```\n")


def assemble(report_dir: Path, *, cff: dict, provenance: dict) -> dict:
    """The article as a notebook (nbformat 4), from the executed pages in `report_dir`."""
    notebooks = {page: json.loads((report_dir / page).read_text(encoding="utf-8")) for page in PARTS}
    intro = "".join(notebooks["index.ipynb"]["cells"][0]["source"])
    abstract = " ".join(re.sub(r"^# .*\n+", "", intro).split())  # one paragraph
    synthetic = is_synthetic(provenance)
    cells = [new_cell("raw", "front-matter", front_matter(cff, abstract=abstract, synthetic=synthetic))]
    first_warning = [True]
    by_country: dict[str, list[dict]] = {}
    for page in PARTS:
        if page == REFERENCES_BEFORE:
            cells.append(new_cell("markdown", "references", references(cff, provenance)))
            cells += _tables_appendix(notebooks, by_country)
        for cell in notebooks[page]["cells"]:
            if cell.get("id") in LEFT_OUT.get(page, set()):
                continue
            kept = _article_cell(cell, page, first_warning=first_warning, site_url=cff.get("url"))
            if kept is None:
                continue
            kept["id"] = f"{Path(page).stem}-{cell['id']}"[:64]  # unique across the pages
            if BY_COUNTRY_TAG in cell.get("metadata", {}).get("tags", []) and kept["cell_type"] == "code":
                by_country.setdefault(page, []).append(kept)
                kept = {**short_table(kept, notebooks[page]), "id": f"{kept['id']}-paper"[:64]}
            cells.append(kept)
    if synthetic and first_warning[0]:  # no page carried it: say it on the first page all the same
        cells.insert(1, new_cell("markdown", "synthetic", SYNTHETIC_CALLOUT))
    options = [read_options(c) for c in cells if c["cell_type"] == "code"]
    several = "".join(SEVERAL_CHARTS.format(label=o["label"]) for o in options if isinstance(o.get("fig-subcap"), list))
    cells.insert(1, typst_cell(TYPOGRAPHY + several, "typography"))
    return as_notebook(cells, notebooks["index.ipynb"])


def _tables_appendix(notebooks: dict[str, dict], by_country: dict[str, list[dict]]) -> list[dict]:
    """The first appendix (the lettering starts here): each topic's tables by country, under its title."""
    if not by_country:
        return []
    cells = [
        typst_cell(APPENDIX_NUMBERING, "appendix-numbering"),
        new_cell("markdown", "tables-by-country", f"## {TABLES_APPENDIX}\n"),
    ]
    for page, tables in by_country.items():
        heading = re.match(r"# (.+)", "".join(notebooks[page]["cells"][0]["source"]))
        if heading is None:
            raise ValueError(f"{page} does not open with its title ('# ...')")
        title = heading.group(1).strip()
        cells += [new_cell("markdown", f"tables-{Path(page).stem}", f"### {title}\n"), *tables]
    return cells


def write_article(report_dir: Path, *, root: Path, provenance_path: Path) -> Path:
    """Write ``<report_dir>/article.ipynb`` (atomically) from the executed pages; return its path."""
    missing = [page for page in PARTS if not (report_dir / page).exists()]
    if missing:
        raise FileNotFoundError(f"the article needs the executed pages {', '.join(missing)}; run `make notebooks`")
    cff, provenance = read_sources(root, provenance_path)
    return write_notebook(report_dir / ARTICLE, assemble(report_dir, cff=cff, provenance=provenance))


def source_date_epoch(root: Path) -> str:
    """CITATION.cff's date-released in seconds since 1970: the PDFs' creation date (docs/building.md)."""
    from datetime import datetime, timezone

    released = str(read_citation(root / "CITATION.cff")["date-released"])  # a day: midnight UTC
    return str(int(datetime.fromisoformat(released).replace(tzinfo=timezone.utc).timestamp()))
