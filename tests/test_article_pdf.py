"""The PDF article as an editor reads it (#32): a main text whose references start by page 20, the
tables by country in an appendix, no word drawn over another, no link that needs the website's
folder beside it. Unit tests of the assembly (helpers.render.article) and of the checks run
everywhere; the PDF itself is read where Quarto renders it (the `quarto_report` fixture) with
poppler's pdftotext and pdftohtml."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pytest

from helpers.publish.tables import CELL_PADDING, LINE_CHARACTERS, markdown_table, word_room
from helpers.render.article import (
    BY_COUNTRY_TAG,
    PARTS,
    TABLES_APPENDIX,
    assemble,
    page_parameters,
    paper_rows,
    readable_alone,
)

MAIN_TEXT_PAGES = 20
# two words whose boxes overlap by more than this (in points) on one line are drawn over each other
# (glyph boxes of neighbours in one word may touch by a fraction of a point: kerning)
OVERLAP_TOLERANCE = 0.5


# --- the checks, and proof that they catch what they look for --------------------------------


def word_boxes(bbox_xhtml: str) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's words with their boxes (xMin, yMin, xMax, yMax, word), from `pdftotext -bbox`."""
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    root = ElementTree.fromstring(bbox_xhtml)
    return [
        [
            (float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")), float(w.get("yMax")), w.text or "")
            for w in page.iter("{http://www.w3.org/1999/xhtml}word")
        ]
        for page in root.iterfind(".//x:page", ns)
    ]


def overlapping_words(pages) -> list[str]:
    """Pairs of words on one line (their boxes share most of their height) whose boxes overlap
    horizontally by more than the tolerance: text printed over text."""
    found = []
    for number, words in enumerate(pages, start=1):
        for i, (x0, y0, x1, y1, word) in enumerate(words):
            for u0, v0, u1, v1, other in words[i + 1 :]:
                shared_height = min(y1, v1) - max(y0, v0)
                if shared_height <= 0.5 * min(y1 - y0, v1 - v0):
                    continue
                if min(x1, u1) - max(x0, u0) > OVERLAP_TOLERANCE:
                    found.append(f"page {number}: {word!r} over {other!r}")
    return found


def captions_left_alone(pages) -> list[str]:
    """Table captions ("Table 3: ...", set above their table) with no line of a table (smaller
    type) below them on their page: the caption ends a page, its table starts the next one."""
    found = []
    for number, words in enumerate(pages, start=1):
        for i, (x0, y0, x1, y1, word) in enumerate(words[:-1]):
            if word != "Table" or not re.fullmatch(r"[A-Z]?\.?\d+:", words[i + 1][4]):
                continue
            if not any(v0 > y1 and (v1 - v0) < 0.9 * (y1 - y0) for u0, v0, u1, v1, _ in words):
                found.append(f"page {number}: Table {words[i + 1][4]}")
    return found


def relative_links(hrefs: list[str], internal: str) -> list[str]:
    """Links that are neither absolute URLs nor links inside the PDF (which pdftohtml writes as
    `<internal>#<page>`)."""
    return [
        h
        for h in hrefs
        if not re.match(r"[a-z][a-z0-9+.-]*://", h, re.I)
        and not re.fullmatch(re.escape(internal) + r"#\d+", h)
        and not h.startswith("mailto:")
    ]


def _page(words: str) -> str:
    return (
        '<html xmlns="http://www.w3.org/1999/xhtml"><body><doc><page width="595" height="842">'
        + words
        + "</page></doc></body></html>"
    )


def test_the_overlap_check_finds_words_drawn_over_each_other():
    """The verdict table of #32: 'S-1 (OECD)' ran into the topic column ('(OECDSenior')."""
    drawn_over = _page(
        '<word xMin="82.9" yMin="450.2" xMax="114.7" yMax="461.6">(OECD)</word>'
        '<word xMin="110.1" yMin="450.2" xMax="135.0" yMax="461.6">Senior</word>'
    )
    assert overlapping_words(word_boxes(drawn_over)) == ["page 1: '(OECD)' over 'Senior'"]
    side_by_side = _page(
        '<word xMin="82.9" yMin="450.2" xMax="114.7" yMax="461.6">(OECD)</word>'
        '<word xMin="120.0" yMin="450.2" xMax="145.0" yMax="461.6">Senior</word>'
        '<word xMin="82.9" yMin="462.0" xMax="114.7" yMax="473.4">below</word>'
    )
    assert overlapping_words(word_boxes(side_by_side)) == []


def test_the_caption_check_finds_a_caption_at_a_pages_foot():
    caption = (
        '<word xMin="60" yMin="700" xMax="85" yMax="711.4">Table</word>'
        '<word xMin="87" yMin="700" xMax="97" yMax="711.4">7:</word>'
        '<word xMin="99" yMin="700" xMax="140" yMax="711.4">Health</word>'
    )
    alone = _page(caption + '<word xMin="290" yMin="800" xMax="300" yMax="811.4">21</word>')
    assert captions_left_alone(word_boxes(alone)) == ["page 1: Table 7:"]
    with_its_table = _page(caption + '<word xMin="60" yMin="715" xMax="80" yMax="724.7">code</word>')
    assert captions_left_alone(word_boxes(with_its_table)) == []


def test_the_link_check_finds_relative_links():
    hrefs = [
        "https://doi.org/10.1787/x",
        "article.html#12",
        "data/youth_civic_change.csv",
        "countries/AT.html",
        "mailto:a@b.c",
    ]
    assert relative_links(hrefs, "article.html") == ["data/youth_civic_change.csv", "countries/AT.html"]


# --- the assembly ----------------------------------------------------------------------------


def test_a_link_relative_to_the_site_is_made_absolute_or_plain_text():
    text = (
        "See [Austria](countries/AT.html), [Figure 1](#fig-x) and [the paper](https://doi.org/10.1787/x). "
        "Caption. [Download the data (CSV)](data/x.csv)"
    )
    assert readable_alone(text, "https://example.org/report/") == (
        "See [Austria](https://example.org/report/countries/AT.html), [Figure 1](#fig-x) and "
        "[the paper](https://doi.org/10.1787/x). Caption. [Download the data (CSV)](https://example.org/report/data/x.csv)"
    )
    assert readable_alone(text, None) == (
        "See Austria, [Figure 1](#fig-x) and [the paper](https://doi.org/10.1787/x). " "Caption."
    )
    assert readable_alone("*Set aside. [Download the data (CSV)](data/x.csv)*", None) == "*Set aside.*"


def test_the_rows_of_the_papers_countries_are_taken_from_a_table_by_country():
    table = markdown_table(
        pd.DataFrame(
            {"code": ["NL", "AT", "ES"], "country": ["Netherlands", "Austria", "Spain"], "then": [11.6, 25.6, 9.0]}
        )
    )
    short = paper_rows(table, {"NL", "Netherlands", "AT", "Austria"})
    assert short.splitlines() == table.splitlines()[:4]
    assert paper_rows(table, {"Iceland"}) is None


def test_a_pages_parameters_are_its_defaults_with_the_builds_in_their_place():
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {"tags": ["parameters"]},
                "source": 'paper_year = 2013\nhighlight = "NL,AT"  # the paper\'s\n',
            }
        ],
        "metadata": {"papermill": {"parameters": {"paper_year": 2014}}},
    }
    assert page_parameters(notebook) == {"paper_year": 2014, "highlight": "NL,AT"}


def test_the_columns_of_a_table_are_never_narrower_than_their_longest_word():
    """The PDF scales the dashes to the text's width: each column's share of the line holds its
    longest word (with its allowance), however long the sentences beside it."""
    data = pd.DataFrame(
        {
            "claim": ["S-1 (OECD)", "Y-1"],
            "topic": ["Senior uptake", "Youth civic use"],
            "what the paper said": [
                "at least one in five seniors use social media in Iceland, Norway and " "the United Kingdom (and Korea)"
            ]
            * 2,
            "decided by": ["OECD", "Eurostat"],
            "verdict, paper's year": ["not reproduced"] * 2,
            "verdict, latest year": ["reproduced"] * 2,
            "years": ["2013 / 2024"] * 2,
        }
    )
    rule = markdown_table(data).splitlines()[1]
    dashes = [len(d.strip(":")) for d in rule.strip("|").split("|")]
    room = LINE_CHARACTERS - CELL_PADDING * len(dashes)
    longest = {
        "claim": "(OECD)",
        "topic": "uptake",
        "what the paper said": "Kingdom",
        "decided by": "Eurostat",
        "verdict, paper's year": "reproduced",
        "verdict, latest year": "reproduced",
        "years": "2024",
    }
    for width, column in zip(dashes, data.columns):
        assert width / max(sum(dashes), room) * room >= word_room(longest[column]) - 0.5, (column, dashes)
    assert dashes[2] == max(dashes)  # the sentences get the room


def _page_notebook(title: str, cells: list[dict], highlight: str = "") -> dict:
    source = [{"cell_type": "markdown", "id": "title", "metadata": {}, "source": [f"# {title}\n\nIntro.\n"]}]
    parameters = (
        [
            {
                "cell_type": "code",
                "id": "parameters",
                "metadata": {"tags": ["parameters"]},
                "outputs": [],
                "source": [f'highlight = "{highlight}"\n'],
            }
        ]
        if highlight
        else []
    )
    return {
        "cells": source + parameters + cells,
        "metadata": {"kernelspec": {"name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _table_cell(ident: str, table: str, caption: str, tags=()) -> dict:
    return {
        "cell_type": "code",
        "id": ident,
        "metadata": {"tags": list(tags)},
        "execution_count": 1,
        "source": [f'#| label: tbl-{ident}\n#| tbl-cap: "{caption}"\nshow(...)'],
        "outputs": [
            {"output_type": "display_data", "metadata": {}, "data": {"text/markdown": [table], "text/plain": ["table"]}}
        ],
    }


def test_the_tables_by_country_go_to_an_appendix_and_the_chapter_keeps_the_papers_countries(tmp_path):
    table = markdown_table(
        pd.DataFrame(
            {"code": ["NL", "AT", "ES"], "country": ["Netherlands", "Austria", "Spain"], "then": [11.6, 25.6, 9.0]}
        )
    )
    pages = {page: _page_notebook(page.split(".")[0].title(), []) for page in PARTS}
    pages["youth-civic.ipynb"] = _page_notebook(
        "Youth civic use",
        [
            {
                "cell_type": "markdown",
                "id": "change-md",
                "metadata": {},
                "source": ["## Then and now (@tbl-youth-change)\n"],
            },
            _table_cell(
                "youth-change", table, "By country. [Download the data (CSV)](data/youth.csv)", [BY_COUNTRY_TAG]
            ),
        ],
        highlight="NL,AT",
    )
    pages["countries.ipynb"] = _page_notebook(
        "Countries",
        [_table_cell("country-index", "| country |\n|:--|\n| [Austria](countries/AT.html) |\n", "Every country.")],
    )
    for page, notebook in pages.items():
        (tmp_path / page).write_text(json.dumps(notebook), encoding="utf-8")
    cff = {"version": "1", "date-released": "2026-11-23", "authors": [{"name": "A"}], "references": []}
    article = assemble(tmp_path, cff=cff, provenance={})
    order = [cell["id"] for cell in article["cells"]]
    short, whole = order.index("youth-civic-youth-change-paper"), order.index("youth-civic-youth-change")
    assert short < order.index("references") < order.index("tables-by-country") < whole < order.index("countries-title")
    # the appendices begin on a new page in the PDF, after the references, whatever page those end on
    numbering = "".join(article["cells"][order.index("tables-by-country") - 1]["source"])
    assert numbering.startswith("```{=typst}\n#pagebreak(weak: true)\n#counter(heading).update(0)")
    short_cell = article["cells"][short]
    assert "Spain" not in json.dumps(short_cell) and "Netherlands" in json.dumps(short_cell)
    assert '#| label: "tbl-youth-change-paper"' in "".join(short_cell["source"])
    assert "every country in @tbl-youth-change" in "".join(short_cell["source"])
    headings = ["".join(c["source"]) for c in article["cells"] if c["cell_type"] == "markdown"]
    assert f"## {TABLES_APPENDIX}\n" in headings and "### Youth civic use\n" in headings
    # read alone: no link relative to the site (no site-url in this CITATION.cff)
    text = json.dumps(article)
    assert "countries/AT.html" not in text and "data/youth.csv" not in text and "Austria" in text
    with_url = json.dumps(assemble(tmp_path, cff={**cff, "url": "https://example.org/r"}, provenance={}))
    assert "https://example.org/r/countries/AT.html" in with_url and "https://example.org/r/data/youth.csv" in with_url


# --- the PDF, where Quarto renders it ----------------------------------------------------------


def _tool(name: str) -> str:
    if not shutil.which(name):
        pytest.skip(f"{name} not found (apt-get install poppler-utils): the PDF is not read here")
    return name


@pytest.fixture(scope="module")
def article_pdf(quarto_report) -> Path:
    return quarto_report / "report" / "_site" / "article.pdf"


def test_no_word_of_the_article_is_drawn_over_another(article_pdf, tmp_path):
    out = tmp_path / "words.html"
    subprocess.run([_tool("pdftotext"), "-bbox", str(article_pdf), str(out)], check=True)
    pages = word_boxes(out.read_text(encoding="utf-8"))
    assert len(pages) >= 10
    assert overlapping_words(pages) == []
    assert captions_left_alone(pages) == []  # and each table's caption is on its table's page


def test_the_main_text_ends_by_page_20_and_the_appendices_follow(article_pdf):
    text = subprocess.run(
        [_tool("pdftotext"), "-layout", str(article_pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")[:-1]

    def first_page(heading: str) -> int:  # a chapter's first page (not the table of contents' line)
        return next(n for n, page in enumerate(pages, start=1) if re.search(rf"^\s*{heading}\s*$", page, re.M))

    references = first_page(r"\d+\s+References")
    assert references <= MAIN_TEXT_PAGES, f"the references start on page {references}"
    assert first_page(rf"A\s+{TABLES_APPENDIX}") > references
    assert first_page(r"B\s+Countries") > first_page(rf"A\s+{TABLES_APPENDIX}")
    main = "\n".join(pages[:references])
    assert re.search(r"every country in Table \d+", main)  # the chapters refer to the appendix's tables
    assert "?@" not in text  # Quarto's mark for a reference to nothing


def test_the_article_has_no_relative_link(article_pdf, tmp_path):
    out = tmp_path / "links"
    subprocess.run([_tool("pdftohtml"), "-xml", "-i", "-q", str(article_pdf), str(out)], check=True)
    hrefs = re.findall(r'href="([^"]*)"', (tmp_path / "links.xml").read_text(encoding="utf-8"))
    assert any(h.startswith("https://doi.org/") for h in hrefs)  # links are read at all
    assert relative_links(hrefs, "links.html") == []
