"""A brief per country (#32.4): assembled from the country's executed notebook (helpers.render.brief),
rendered by Quarto where it is there, linked from the country's page only where it exists."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from helpers.publish.provenance import SYNTHETIC_NOTICE
from helpers.render.brief import (
    NEEDS_QUARTO,
    assemble,
    current_brief,
    fit_table_columns,
    publish_briefs,
    with_brief_link,
)
from pipeline import run_make

CFF = {
    "title": "Social Media Use by Governments, checked against Eurostat: a reproducible report",
    "version": "0.1.0",
    "date-released": "2026-11-23",
    "authors": [{"name": "The oecd-social-media report contributors"}],
    "references": [
        {
            "type": "report",
            "title": "Social Media Use by Governments",
            "year": 2014,
            "authors": [{"family-names": "Mickoleit", "given-names": "Arthur"}],
            "collection-title": "OECD Working Papers on Public Governance",
            "number": "26",
            "publisher": {"name": "OECD Publishing"},
            "doi": "10.1787/5jxrcmghmk0s-en",
        }
    ],
}
EUROSTAT = {"isoc_ci_ac_i": "Individuals - internet activities"}


def provenance(synthetic: bool) -> dict:
    record = {
        "dataset": "isoc_ci_ac_i",
        "source": "live",
        "retrieved_at": "2026-06-16T23:00:00+0200",
        "last_update": "2026-06-01T11:00:00+0200",
        **({"synthetic": True} if synthetic else {}),
    }
    other = {"dataset": "DSD_ICT_HH_IND@DF_IND", "source": "live", "retrieved_at": "2026-06-16T23:00:00+0200"}
    return {"synthetic": synthetic, "datasets": [record, other]}


def built_notebook(built_report, code="ES") -> dict:
    return json.loads((built_report / "report" / "countries" / f"{code}.ipynb").read_text(encoding="utf-8"))


def text_of(brief: dict) -> str:
    return "\n".join(
        "".join(cell["source"])
        + "".join("".join(o.get("data", {}).get("text/markdown", "")) for o in cell.get("outputs", []))
        for cell in brief["cells"]
    )


# ----------------------------------------------------------------------------- the assembly


def test_the_brief_holds_the_pages_comparisons_gap_chart_claims_sources_and_citation_and_no_code(built_report):
    brief = assemble(
        built_notebook(built_report), cff=CFF, provenance=provenance(True), datasets=EUROSTAT, page="countries/ES.html"
    )
    cells = brief["cells"]
    assert cells[0]["cell_type"] == "raw" and "title: Spain (ES)" in "".join(cells[0]["source"])
    labels = [line for cell in cells if cell["cell_type"] == "code" for line in cell["source"] if "label:" in line]
    assert [re.search(r'"(.*)"', label).group(1) for label in labels] == [
        "tbl-country-profile",
        "tbl-country-gap",
        "fig-country-trend",
        "tbl-country-claims",
    ]
    # no code: a code cell carries only its Quarto options and its stored outputs
    for cell in cells:
        if cell["cell_type"] == "code":
            assert all(line.startswith("#| ") for line in cell["source"]), cell["source"]
    text = text_of(brief)
    for code in ("import ", "display(", "load_store(", "claims_naming("):
        assert code not in text
    assert "| comparison | group | 2013 | EU 2013 | rank 2013 |" in text  # then and now beside the EU, ranked
    assert any("image/svg+xml" in o.get("data", {}) for cell in cells for o in cell.get("outputs", []))
    assert "| claim | the paper says | verdict (whole claim) |" in text
    assert "flag | values | meaning" not in text  # the flag counts stay on the website
    assert (
        "Individuals - internet activities*, code isoc\\_ci\\_ac\\_i: retrieved from Eurostat's API on 16 June 2026"
        in text
    )
    assert "DSD_ICT_HH_IND" not in text  # only the data the page was computed from
    assert "version 0.1.0" in text and "https://doi.org/10.1787/5jxrcmghmk0s-en" in text
    assert "](data/" not in text  # no link the PDF cannot follow (the CSVs beside the page)


def test_synthetic_data_are_said_on_page_one_and_in_every_pages_header(built_report):
    brief = assemble(
        built_notebook(built_report), cff=CFF, provenance=provenance(True), datasets=EUROSTAT, page="countries/ES.html"
    )
    front, first = "".join(brief["cells"][0]["source"]), "".join(brief["cells"][1]["source"])
    assert ".synthetic-data" in first and SYNTHETIC_NOTICE in first  # the first thing after the title
    header = yaml.safe_load(front.split("---\n")[1])["format"]["typst"]["include-in-header"][0]["text"]
    assert "#set page(header:" in header and SYNTHETIC_NOTICE in header
    real = assemble(
        built_notebook(built_report), cff=CFF, provenance=provenance(False), datasets=EUROSTAT, page="countries/ES.html"
    )
    assert "SYNTHETIC" not in text_of(real)


def test_the_citation_gives_the_doi_once_there_is_one(built_report):
    brief = assemble(
        built_notebook(built_report),
        cff={**CFF, "doi": "10.5281/zenodo.1234"},
        provenance=provenance(False),
        datasets=EUROSTAT,
        page="countries/ES.html",
    )
    assert "version 0.1.0, DOI [https://doi.org/10.5281/zenodo.1234](https://doi.org/10.5281/zenodo.1234)" in text_of(
        brief
    )


def test_a_wide_tables_short_cells_get_room_for_their_line_and_a_table_of_short_cells_is_not_wide():
    wide = (
        "| comparison | EU 2013 | rank 2013 |\n|:---------------------------------------|:--------|:--------|\n"
        "| Social networks, high education, as the paper counts them | 16.3 (EU-28) | 24 of 24 |\n"
    )
    rule = fit_table_columns(wide).split("\n")[1]
    shares = [len(part.strip(":")) for part in rule.strip("|").split("|")]
    assert shares[1] >= round(1.2 * len("16.3 (EU-28)")) and shares[2] >= round(1.2 * len("24 of 24"))
    assert shares[0] == 24  # a column of sentences: a fixed share, it wraps
    # short cells under a long rule: the rule shortened, the table no longer wide (pandoc sizes it by its content)
    short = (
        "| year | high | low | gap | rank | flag (high) | flag (low) |\n|"
        + "|".join(["--------:"] * 5)
        + "|:-----------|"
        ":----------|\n| 2013 | 73.6 | 35.2 | 38.4 | 5 |  |  |\n"
    )
    assert max(len(line) for line in short.split("\n")) > 72
    assert max(len(line) for line in fit_table_columns(short).split("\n")) <= 72
    assert fit_table_columns(short).split("\n")[1].startswith("|---:|---:|")  # the alignment kept


# ----------------------------------------------------------------------------- the link and the site's copy


def _report_with_country(tmp_path: Path, built_report) -> Path:
    report = tmp_path / "report"
    (report / "countries").mkdir(parents=True)
    shutil.copyfile(built_report / "report" / "countries" / "ES.ipynb", report / "countries" / "ES.ipynb")
    return report


def test_the_page_links_its_brief_only_while_the_brief_is_current(tmp_path, built_report):
    report = _report_with_country(tmp_path, built_report)
    page = Path("countries/ES.ipynb")
    notebook = json.loads((report / page).read_text(encoding="utf-8"))
    assert with_brief_link(notebook, page, report) is notebook  # no brief: no link
    # make country renders the page beside its brief: the brief under way is linked, and only while it is
    from helpers.render.brief import BRIEFS_UNDER_WAY

    under_way = BRIEFS_UNDER_WAY.set(frozenset({"ES"}))
    try:
        assert "](../briefs/ES.pdf)" in "".join(with_brief_link(notebook, page, report)["cells"][1]["source"])
    finally:
        BRIEFS_UNDER_WAY.reset(under_way)
    assert with_brief_link(notebook, page, report) is notebook
    (report / "briefs").mkdir()
    pdf = report / "briefs" / "ES.pdf"
    pdf.write_bytes(b"%PDF-1.7 a brief")
    linked = with_brief_link(notebook, page, report)
    assert [c["id"] for c in linked["cells"][:2]] == [notebook["cells"][0]["id"], "brief-link"]
    assert "](../briefs/ES.pdf)" in "".join(linked["cells"][1]["source"])
    assert with_brief_link(notebook, Path("youth-civic.ipynb"), report) is notebook
    # the page's notebook ran again after the brief: the brief is stale, not linked, not published
    later = time.time() + 5
    os.utime(report / page, (later, later))
    assert current_brief(report, "ES") is None and with_brief_link(notebook, page, report) is notebook
    site = report / "_site"
    (site / "briefs").mkdir(parents=True)
    (site / "briefs" / "ES.pdf").write_bytes(b"old")
    assert publish_briefs(report, site) == [] and not (site / "briefs" / "ES.pdf").exists()
    os.utime(pdf, (later + 1, later + 1))
    assert publish_briefs(report, site) == [site / "briefs" / "ES.pdf"]
    assert (site / "briefs" / "ES.pdf").read_bytes() == pdf.read_bytes()


# ----------------------------------------------------------------------------- make


def test_without_quarto_one_line_says_the_brief_needs_quarto_and_nothing_fails(built_report, tmp_path):
    clone = tmp_path / "clone"
    shutil.copytree(built_report, clone, symlinks=True)
    result = run_make(clone, "country", "COUNTRY=ES")
    assert result.stdout.count(NEEDS_QUARTO) == 1, result.stdout
    assert not (clone / "report" / "briefs" / "ES.pdf").exists()
    assert "briefs/ES.pdf" not in (clone / "report" / "_site" / "countries" / "ES.html").read_text(encoding="utf-8")
    result = run_make(clone, "briefs")
    assert result.stdout.count(NEEDS_QUARTO) == 1, result.stdout
    assert not (clone / "report" / "briefs").exists()


def test_make_briefs_makes_every_countrys_and_make_report_none_it_was_not_asked_for(built_report):
    """Read from make's plan (-n), not run: every Eurostat and OECD country has a brief rule under
    `make briefs`; `make report` plans none, so it costs nothing until a brief is asked for."""
    report = built_report / "report"
    countries = (built_report / "data" / "processed" / "countries.txt").read_text().split()
    oecd = (built_report / "data" / "processed" / "oecd_countries.txt").read_text().split()
    quarto = f"QUARTO={shutil.which('quarto') or shutil.which('true')}"  # the plan only needs a program's name
    plan = run_make(built_report, "-n", "briefs", quarto).stdout
    assert re.search(r"helpers\.pipeline\.site brief --report-dir", plan)
    assert not re.search(r"site brief ", run_make(built_report, "-n", "report", quarto).stdout)
    from helpers.pipeline.site import brief_codes

    planned = brief_codes(report, [])  # the command without codes: every country with a page
    assert sorted(planned) == sorted(countries + oecd) and {"KOR", "JPN", "USA"} <= set(planned)
    assert not (report / "briefs").exists()


# ----------------------------------------------------------------------------- with Quarto


def pdf_pages(pdf: Path) -> list[str]:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext not found (apt-get install poppler-utils): the brief's text is not read here")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


@pytest.fixture(scope="module")
def briefed(quarto_report, tmp_path_factory):
    """A copy of the Quarto-built clone in which `make country COUNTRY=ES` ran (with Quarto)."""
    clone = tmp_path_factory.mktemp("briefs") / "clone"
    shutil.copytree(quarto_report, clone, symlinks=True)
    result = run_make(clone, "country", "COUNTRY=ES", quarto=True)
    return clone, result


def test_make_country_with_quarto_writes_a_short_tagged_brief_that_names_the_country_and_warns(briefed):
    clone, result = briefed
    pdf = clone / "report" / "briefs" / "ES.pdf"
    assert "wrote the brief of ES" in result.stdout, result.stdout
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert (clone / "report" / "_site" / "briefs" / "ES.pdf").read_bytes() == pdf.read_bytes()
    pages = pdf_pages(pdf)
    assert 1 <= len(pages) <= 4, len(pages)
    assert "Spain (ES)" in pages[0]
    assert "SYNTHETIC DATA" in pages[0] and "NOT Eurostat" in pages[0]
    assert all("SYNTHETIC DATA" in page for page in pages), "a page of the brief without the warning in its header"
    text = "".join(pages)
    assert re.search(r"Table 1: +Spain in every comparison", text) and re.search(r"Figure 1: +Spain", text)
    assert "How to cite" in text and "version 0.1.0" in text and "isoc_ci_ac_i" in text
    for code in ("import ", "display(", "#|"):
        assert code not in text
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        assert "Tagged:          yes" in info and int(re.search(r"Pages: +(\d+)", info).group(1)) <= 4
    page = (clone / "report" / "_site" / "countries" / "ES.html").read_text(encoding="utf-8")
    assert 'href="../briefs/ES.pdf"' in page
    assert "briefs/PT.pdf" not in (clone / "report" / "_site" / "countries" / "PT.html").read_text(encoding="utf-8")


def test_the_brief_is_the_same_bytes_when_made_again_and_survives_a_whole_render(briefed):
    clone, _ = briefed
    pdf = clone / "report" / "briefs" / "ES.pdf"
    before = pdf.read_bytes()
    run_make(clone, "country", "COUNTRY=ES", quarto=True)  # the notebook runs again, the brief is made again
    assert pdf.read_bytes() == before
    # a render of the whole site (another renderer's site is rendered whole) keeps the brief and its link
    result = run_make(clone, "report")  # the fallback renderer: every page again
    assert "every page is rendered again" in result.stdout, result.stdout
    assert (clone / "report" / "_site" / "briefs" / "ES.pdf").read_bytes() == before
    assert 'href="../briefs/ES.pdf"' in (clone / "report" / "_site" / "countries" / "ES.html").read_text(
        encoding="utf-8"
    )
