"""Quarto's render split into parts, one Quarto process each (helpers.render.quarto_renderer).

These tests run everywhere: a small program stands in for `quarto render` (it writes a page and a
search entry for each page of its project's render list, as Quarto does, and fails on request).
tests/test_quarto.py checks the real Quarto: a page rendered in a part is the same bytes as
Quarto's own render of it in the site's project.
"""

from __future__ import annotations

import json
import shutil
import stat
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from helpers.render.quarto_renderer import (
    PARTS_DIR,
    merged_search_index,
    part_config,
    render_with_quarto,
    split_pages,
    weight,
)
from helpers.render.site_config import Page, pages, read_config

# A stand-in for `quarto render --quiet`, run in a part's folder: one HTML file per page of the
# render list (naming the part's folder, so a test can tell which process wrote it), a search
# index, and the navbar's links as the page would carry them. FAIL_ON names a page that fails.
STANDIN = textwrap.dedent("""\
    #!{python}
    import json, os, pathlib, sys, yaml
    here = pathlib.Path.cwd()
    config = yaml.safe_load((here / "_quarto.yml").read_text())
    site = here / config["project"]["output-dir"]
    index = []
    for source in config["project"]["render"]:
        if os.environ.get("FAIL_ON") == source:
            print(f"ERROR: cannot render {{source}}", file=sys.stderr)
            sys.exit(1)
        assert (here / source).exists(), source
        output = pathlib.PurePosixPath(source).with_suffix(".html")
        links = " ".join(item["href"] for item in config["website"]["navbar"]["left"])
        (site / output).parent.mkdir(parents=True, exist_ok=True)
        (site / output).write_text(f"{{source}} rendered in part {{here.name}}; navbar: {{links}}")
        index += [{{"objectID": str(output), "href": str(output), "title": source, "section": "", "text": ""}},
                  {{"objectID": f"{{output}}#a", "href": f"{{output}}#a", "title": source, "section": "a", "text": ""}}]
    if "index.ipynb" not in config["project"]["render"]:  # as Quarto: a site without its home page gets one
        (site / "index.html").write_text("a redirect to the first page")
    for pattern in config["project"].get("resources", []):
        for resource in here.glob(pattern):
            (site / resource.relative_to(here)).parent.mkdir(parents=True, exist_ok=True)
            (site / resource.relative_to(here)).write_bytes(resource.read_bytes())
    (site / "search.json").write_text(json.dumps(index))
""")


@pytest.fixture
def report(tmp_path):
    """A report folder with the site's configuration, four chapters and five country pages."""
    folder = tmp_path / "report"
    (folder / "countries" / "data").mkdir(parents=True)
    config = read_config(ROOT / "report")
    chapters = ["index.ipynb", "youth-civic.ipynb", "countries.ipynb", "cite.ipynb"]
    config["project"]["render"] = [*chapters, "countries/*.ipynb"]
    (folder / "_quarto.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    (folder / "styles.css").write_text("body {}")
    shutil.copy(ROOT / "CITATION.cff", tmp_path)  # the PDF's date
    for name in chapters + [f"countries/{code}.ipynb" for code in ("AT", "BE", "DE", "ES", "PT")]:
        cells = [{"cell_type": "markdown", "metadata": {}, "source": [f"# {name}\n", "text " * 200]}]
        (folder / name).write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    (folder / "countries" / "data" / "country_PT_trend.csv").write_text("year,value\n2013,1\n")
    program = tmp_path / "quarto"
    program.write_text(STANDIN.format(python=sys.executable))
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    return folder


def render(report, **kwargs):
    return render_with_quarto(
        report, quarto=str(report.parent / "quarto"), provenance_path=report / "none.json", **kwargs
    )


def test_the_pages_are_split_into_parts_of_about_equal_work_in_the_sites_order():
    site_pages = [Page(Path(name)) for name in ("a.ipynb", "b.ipynb", "c.ipynb", "d.ipynb", "e.ipynb")]
    weights = dict(zip(site_pages, (8.0, 1.0, 3.0, 4.0, 1.0)))
    parts = split_pages(site_pages, 2, weights)
    assert [[p.source.name for p in part] for part in parts] == [
        ["a.ipynb", "e.ipynb"],
        ["b.ipynb", "c.ipynb", "d.ipynb"],
    ]
    assert [sum(weights[p] for p in part) for part in parts] == [9.0, 8.0]
    assert split_pages(site_pages[:1], 4, weights) == [[site_pages[0]]]  # never an empty part
    assert split_pages(site_pages, 1, weights) == [site_pages]


def test_the_article_weighs_as_its_two_formats_do(report):
    notebook = json.loads((report / "cite.ipynb").read_text())
    notebook["cells"].insert(
        0, {"cell_type": "raw", "metadata": {}, "source": ["---\n", "format:\n  html: {}\n  typst: {}\n", "---\n"]}
    )
    (report / "article.ipynb").write_text(json.dumps(notebook))
    assert weight(report, Page(Path("article.ipynb"))) > 4 * weight(report, Page(Path("cite.ipynb")))


def test_a_parts_configuration_renders_its_pages_and_links_the_navbar_to_outputs(report):
    config = read_config(report)
    part = pages(report, config)[:2]
    made = part_config(config, part)
    assert made["project"]["render"] == ["index.ipynb", "youth-civic.ipynb"]
    assert [item["href"] for item in made["website"]["navbar"]["left"]][:2] == ["index.html", "youth-civic.html"]
    assert made["website"]["navbar"]["right"][0]["href"] == "article.pdf"
    assert (
        config["project"]["render"][0] == "index.ipynb"
        and config["website"]["navbar"]["left"][0]["href"] == "index.ipynb"
    )


@pytest.mark.e2e  # runs Quarto
def test_the_whole_site_is_rendered_in_parallel_parts_and_merged(report):
    (report / "_site").mkdir()
    (report / "_site" / "stale.html").write_text("a page of an older build")
    rendered = render(report, jobs=2)
    site = report / "_site"
    assert len(rendered) == 9
    written = {p.relative_to(site).as_posix(): p.read_text() for p in site.rglob("*.html")}
    assert set(written) == {page.output.as_posix() for page in pages(report)}  # the old site replaced whole
    assert {text.split("rendered in part ")[1][0] for text in written.values()} == {"1", "2"}
    assert all("navbar: index.html youth-civic.html" in text for text in written.values())
    assert "rendered in part" in written["index.html"]  # never a part's redirect
    assert (site / "countries" / "data" / "country_PT_trend.csv").exists()
    hrefs = [entry["href"] for entry in json.loads((site / "search.json").read_text())]
    assert hrefs == [href for page in pages(report) for href in (page.output.as_posix(), f"{page.output.as_posix()}#a")]
    assert not (report / PARTS_DIR).exists() and not (report / "_site.new").exists()


@pytest.mark.e2e  # runs Quarto
def test_some_pages_replace_only_their_files_and_their_search_entries(report):
    render(report, jobs=2)
    site = report / "_site"
    before = {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("*.html")}
    index_before = json.loads((site / "search.json").read_text())
    assert render(report, only=["countries/PT.ipynb", "countries.ipynb"], jobs=2) == [
        "countries.ipynb",
        "countries/PT.ipynb",
    ]
    after = {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("*.html")}
    assert {page for page in after if after[page] != before[page]} == {"countries.html", "countries/PT.html"}
    assert "rendered in part" in (site / "index.html").read_text()
    assert json.loads((site / "search.json").read_text()) == index_before  # same entries, same order


@pytest.mark.e2e  # runs Quarto
def test_a_failed_render_leaves_the_previous_site_as_it_was(report, monkeypatch):
    render(report, jobs=2)
    site = report / "_site"
    before = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    monkeypatch.setenv("FAIL_ON", "countries/ES.ipynb")
    for only in (None, ["countries/ES.ipynb", "countries.ipynb"]):
        with pytest.raises(RuntimeError, match="cannot render countries/ES.ipynb"):
            render(report, jobs=2, only=only)
        assert {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()} == before


def test_a_page_that_is_not_in_the_site_is_refused(report):
    with pytest.raises(RuntimeError, match="not pages of the site"):
        render(report, only=["countries/XX.ipynb"])


def test_the_merged_search_index_follows_the_sites_order():
    site_pages = [Page(Path(name)) for name in ("index.ipynb", "a.ipynb", "b.ipynb")]
    entry = lambda href: {"href": href, "objectID": href}  # noqa: E731
    merged = merged_search_index(
        [
            [entry("b.html"), entry("b.html#x")],
            [entry("index.html")],
            [entry("a.html"), entry("b.html"), entry("gone.html")],
        ],
        [site_pages[2], site_pages[0]],
        site_pages,
    )
    assert [e["href"] for e in merged] == ["index.html", "a.html", "b.html", "b.html#x", "gone.html"]
