"""The Quarto path, rendered for real where `quarto` is on the PATH (skipped with a message elsewhere)."""

from __future__ import annotations

import re

from pipeline import run_make, snapshot


def site_pages(clone):
    return sorted((clone / "report" / "_site").rglob("*.html"))


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
    assert re.search(r'<div id="fig-youth-then" class="quarto-float.*?<figure.*?<img src="youth-civic_files/[^"]+\.png"'
                     r'.*?<figcaption[^>]*>\s*Figure&nbsp;1: 16-24 year olds', youth, re.S)
    assert re.search(r"<figcaption[^>]*>\s*Table&nbsp;1: ", youth)
    assert '<a href="#tbl-youth-change" class="quarto-xref">Table&nbsp;1</a>' in youth
    assert "?@" not in youth  # Quarto's mark for a reference to nothing
    assert not (quarto_report / "report" / ".gitignore").exists() or \
        "report/.gitignore" in (quarto_report / ".gitignore").read_text()


def test_make_country_with_quarto_renders_only_that_page_and_the_index(quarto_report):
    before = snapshot(quarto_report / "report" / "_site")
    result = run_make(quarto_report, "country", "COUNTRY=PT", quarto=True)
    assert "rendered 2 page(s)" in result.stdout
    after = snapshot(quarto_report / "report" / "_site")
    changed = {p for p in after if p.endswith(".html") and after[p] != before.get(p)}
    assert changed <= {"countries/PT.html", "countries.html"}, changed
    assert "SYNTHETIC DATA" in (quarto_report / "report" / "_site" / "countries" / "PT.html").read_text()
