"""The Quarto path, rendered for real where `quarto` is on the PATH (skipped with a message elsewhere)."""

from __future__ import annotations

import json
import re

import shutil
import subprocess

import pytest

from pipeline import run_make, snapshot

pytestmark = pytest.mark.e2e


def site_pages(clone):
    return sorted((clone / "report" / "_site").rglob("*.html"))


def test_a_fallback_site_is_rendered_again_once_quarto_is_found(quarto_report):
    """#29: the renderer is an input of the site. The fixture's clone had a fallback site and no changed
    notebook; `make report` with Quarto on the PATH rendered it whole with Quarto, said so, wrote the PDF."""
    from conftest import QUARTO_SWITCH_OUTPUT

    said = (quarto_report.parent / QUARTO_SWITCH_OUTPUT).read_text(encoding="utf-8")
    assert len([line for line in said.splitlines() if line.startswith("Quarto found:")]) == 1, said
    site = quarto_report / "report" / "_site"
    assert (site / "article.pdf").read_bytes().startswith(b"%PDF")
    assert json.loads((site / ".rendered.json").read_text())["renderer"] == "quarto"
    assert (site / ".built-quarto").exists() and not (site / ".built-fallback").exists()
    assert "the PDF article: " in said


def test_every_quarto_page_is_marked_self_contained_and_titled(quarto_report):
    pages = [p for p in site_pages(quarto_report) if "site_libs" not in p.parts]
    assert len(pages) >= 46
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert 'class="synthetic-banner page-banner"' in text, page
        assert "cdn.jsdelivr.net" not in text and "fonts.googleapis" not in text, page
        title = re.search(r"<title>(.*?)</title>", text, re.S).group(1)
        assert not re.match(r"[a-z]{2} –", title), f"{page}: titled by its file name: {title}"
        assert len(re.findall(r"<h1[ >]", text)) == 1, page
        assert '<meta name="citation_title"' in text, page
    youth = (quarto_report / "report" / "_site" / "youth-civic.html").read_text(encoding="utf-8")
    # numbered, captioned figures and tables, referred to from the text
    assert re.search(
        r'<div id="fig-youth-then" class="quarto-float.*?<figure.*?<svg class="report-chart" role="graphics-document"'
        r".*?<figcaption[^>]*>\s*Figure&nbsp;1: 16-24 year olds",
        youth,
        re.S,
    )
    assert re.search(r"<figcaption[^>]*>\s*Table&nbsp;1: ", youth)
    assert '<a href="#tbl-youth-change" class="quarto-xref">Table&nbsp;1</a>' in youth
    assert "?@" not in youth  # Quarto's mark for a reference to nothing
    assert (
        not (quarto_report / "report" / ".gitignore").exists()
        or "report/.gitignore" in (quarto_report / ".gitignore").read_text()
    )


def test_a_page_rendered_in_a_part_is_what_quarto_renders_in_the_sites_own_project(quarto_report, tmp_path):
    """The site is rendered in parts, one Quarto process each (helpers.render.quarto_renderer):
    a page comes out byte for byte as Quarto renders it on its own in report/ (navbar, title,
    search, citation), and the merged search index holds every page."""
    import json
    import os

    project = tmp_path / "report"
    shutil.copytree(quarto_report / "report", project, ignore=shutil.ignore_patterns("_site", ".quarto"))
    environment = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    from helpers.render.inline_svg import inline_page_charts

    for page in ("countries/PT.ipynb", "index.ipynb"):
        subprocess.run([shutil.which("quarto"), "render", page, "--quiet"], cwd=project, check=True, env=environment)
        output = page.replace(".ipynb", ".html")
        inline_page_charts(project / "_site" / output)  # as the renderer does after each part's render
        assert (project / "_site" / output).read_bytes() == (
            quarto_report / "report" / "_site" / output
        ).read_bytes(), output
    index = json.loads((quarto_report / "report" / "_site" / "search.json").read_text(encoding="utf-8"))
    assert {entry["href"].split("#")[0] for entry in index} == {
        p.relative_to(quarto_report / "report" / "_site").as_posix()
        for p in site_pages(quarto_report)
        if "site_libs" not in p.parts
    }


def test_make_country_with_quarto_renders_only_that_page(own_quarto_clone):
    before = snapshot(own_quarto_clone / "report" / "_site")
    result = run_make(own_quarto_clone, "country", "COUNTRY=PT", quarto=True)
    assert "rendered 1 page(s)" in result.stdout  # the index is current: not rendered again
    after = snapshot(own_quarto_clone / "report" / "_site")
    changed = {p for p in after if p.endswith(".html") and after[p] != before.get(p)}
    assert changed <= {"countries/PT.html"}, changed
    assert "SYNTHETIC DATA" in (own_quarto_clone / "report" / "_site" / "countries" / "PT.html").read_text()


def pdf_text(pdf, *pages) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext not found (apt-get install poppler-utils): the PDF's text is not read here")
    first_last = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    return subprocess.run(
        ["pdftotext", "-layout", *first_last, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_pdf_article_reads_as_a_paper(quarto_report):
    """#21: the PDF holds the verdicts, numbered captions, the synthetic warning on page 1 and on
    every page, no line of Python, and its figures drawn (not their alt text); #37: as vectors, with
    their words as text, and no raster image left."""
    pdf = quarto_report / "report" / "_site" / "article.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    first = pdf_text(pdf, 1)
    assert "Social Media Use by Governments, checked against Eurostat" in first
    assert "SYNTHETIC DATA" in first and "NOT Eurostat" in first
    text = pdf_text(pdf)
    pages = text.split("\f")[:-1]
    assert len(pages) >= 10
    assert all("SYNTHETIC DATA" in page for page in pages), "a page without the synthetic warning in its header"
    assert re.search(r"Verdict: (not reproduced|partly|reproduced) for 2013", text)
    assert re.search(r"Figure 1: Each check of each claim", text) and re.search(
        r"Table 1: The claims of the paper", text
    )
    assert re.search(r"Figure \d+: 65-74 year olds", text)
    for code in ("import ", "display(", "load_store(", "def ", "#|"):
        assert code not in text, f"code in the PDF: {code!r}"
    assert "https://doi.org/10.1787/5jxrcmghmk0s-en" in text.replace("\n", "")
    assert len(re.findall(r"Figure \d+:", text)) >= 10
    # the charts' own words, drawn by typst from the SVG as text: the scorecard's title and legend
    assert re.search(r"Paper against the data: \d+ of \d+ tested checks hold", text)
    assert "the data: the check holds" in text
    if shutil.which("pdfimages"):
        images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert len(images.strip().splitlines()) == 2, f"a raster image in the PDF:\n{images[:500]}"
    info = (
        subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout if shutil.which("pdfinfo") else ""
    )
    if info:
        assert "Tagged:          yes" in info  # PDF/UA-1 (typst refuses a figure without alt text)
        assert "Title:           Social Media Use by Governments, checked against Eurostat" in info


def test_the_sites_charts_are_svg_in_the_page_whose_marks_say_their_values(quarto_report):
    """#37: for one chart of each kind, a known country's mark carries its value and flag as the CSV
    says; no PNG; the site at most half of its 25 MiB of PNG charts (12.5 MiB)."""
    from site_charts import check_chart_titles

    site = quarto_report / "report" / "_site"
    check_chart_titles(site)
    size = sum(path.stat().st_size for path in site.rglob("*") if path.is_file())
    assert size <= 12.5 * 2**20, f"the site weighs {size / 2**20:.1f} MiB"


def test_the_site_links_the_pdf_from_every_page(quarto_report):
    site = quarto_report / "report" / "_site"
    for page in [p for p in site_pages(quarto_report) if "site_libs" not in p.parts]:
        depth = len(page.relative_to(site).parts) - 1
        link = f'href="{"../" * depth or "./"}article.pdf"'  # as Quarto writes it: ./article.pdf, ../article.pdf
        assert link in page.read_text(encoding="utf-8"), page


def test_the_pdf_is_the_same_byte_for_byte_when_rendered_again(own_quarto_clone):
    """Two renders on the same data, one PDF: its creation date is the article's (SOURCE_DATE_EPOCH)."""
    site = own_quarto_clone / "report" / "_site"
    before = (site / "article.pdf").read_bytes()
    import json

    record = json.loads((site / ".rendered.json").read_text())  # the article rendered as if for the first time
    record["pages"].pop("article.ipynb")
    (site / ".rendered.json").write_text(json.dumps(record))
    (own_quarto_clone / "report" / "pages.json").touch()  # make runs the site's step, which finds the article
    result = run_make(own_quarto_clone, "report", quarto=True)
    assert "with Quarto" in result.stdout, result.stdout
    assert (site / "article.pdf").stat().st_mtime_ns > (
        own_quarto_clone / "report" / "article.ipynb"
    ).stat().st_mtime_ns
    assert (site / "article.pdf").read_bytes() == before


def test_hostile_text_in_a_label_is_shown_as_text_by_quarto(own_quarto_clone):
    """A label such as <script> reaches Quarto in a table's caption (tbl-cap, which Quarto reads as
    Markdown twice) and in a table: it is shown as text, never run."""
    from pipeline import render_one_country

    clone = own_quarto_clone
    catalogue = clone / "src" / "helpers" / "catalogue" / "series.toml"
    catalogue.write_text(
        catalogue.read_text().replace('LU = "Luxembourg"', 'LU = "<script>alert(1)</script>Luxembourg"')
    )
    render_one_country(clone, "LU", quarto=shutil.which("quarto"))
    lu = (clone / "report" / "_site" / "countries" / "LU.html").read_text(encoding="utf-8")
    # inside a quoted attribute (a chart's alt text) the characters are inert text: left aside
    markup = re.sub(r'="[^"]*"', '=""', lu)
    assert "<script>alert(1)" not in markup and "&lt;script&gt;alert(1)" in markup
    assert re.search(r"Table&nbsp;1: &lt;script&gt;alert\(1\)&lt;/script&gt;Luxembourg in every comparison", lu)
