"""The site's configuration, checked statically (Quarto is not installed here), and the
fallback renderer on a small report folder."""

import json
import re
import shutil

import yaml

from conftest import ROOT
from helpers.publish.fallback_renderer import build_fallback_site
from helpers.publish.site_config import navigation, notebook_title, pages, read_config

CONFIG = read_config(ROOT / "report")
MAKEFILE = (ROOT / "Makefile").read_text()


def makefile_pages():
    """The pages make builds: the contract's table, which the Makefile takes (NOTEBOOK_<page>)."""
    from helpers.build.parameters import PAGE_NOTEBOOKS

    assert "PAGES := $(patsubst NOTEBOOK_%,%,$(filter NOTEBOOK_%,$(SETTING_NAMES)))" in MAKEFILE
    return PAGE_NOTEBOOKS


def test_every_page_quarto_renders_is_produced_by_the_makefile():
    produced = {f"{page}.ipynb" for page in makefile_pages()}
    for entry in CONFIG["project"]["render"]:
        if entry == "countries/*.ipynb":
            assert "COUNTRY_NOTEBOOKS := $(foreach c,$(COUNTRIES),$(REPORT_DIR)/countries/$(c).ipynb)" in MAKEFILE
        else:
            assert entry in produced, f"{entry} is rendered by Quarto but no Makefile rule writes it"


def test_every_makefile_page_is_rendered_and_its_notebook_exists():
    rendered = set(CONFIG["project"]["render"])
    for page, notebook in makefile_pages().items():
        assert f"{page}.ipynb" in rendered
        assert (ROOT / "notebooks" / f"{notebook}.ipynb").exists()


def test_navigation_points_at_rendered_pages():
    rendered = set(CONFIG["project"]["render"])
    for item in CONFIG["website"]["navbar"]["left"]:
        assert item["href"] in rendered
    assert [text for text, _ in navigation(CONFIG)][:2] == ["Overview", "Youth civic use"]


def test_quarto_uses_stored_outputs_hides_code_and_shows_the_banner():
    assert CONFIG["execute"] == {"enabled": False, "echo": False}
    html = CONFIG["format"]["html"]
    assert html["lang"] == "en"
    assert html["include-before-body"] == "banner.html"
    assert (ROOT / "report" / html["css"]).exists()
    assert '"$$PYTHON" -m helpers.build.site render --report-dir "$$REPORT_DIR"' in MAKEFILE  # Quarto from $QUARTO


def test_environment_installs_quarto_for_users():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "quarto" in environment["dependencies"]


def tiny_notebook(title, html_output):
    return {
        "cells": [
            {"cell_type": "markdown", "id": "t", "metadata": {}, "source": [f"# {title}\n", "Some words."]},
            {"cell_type": "code", "id": "c", "metadata": {}, "execution_count": 1, "source": ["secret_code = 1"],
             "outputs": [{"output_type": "display_data", "metadata": {}, "data": {"text/html": [html_output]}}]},
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }


def test_fallback_renderer_builds_every_page_without_code(tmp_path):
    report = tmp_path / "report"
    report.mkdir()
    shutil.copy(ROOT / "report" / "_quarto.yml", report)
    shutil.copy(ROOT / "report" / "styles.css", report)
    shutil.copy(ROOT / "CITATION.cff", tmp_path)
    (report / "data").mkdir()
    (report / "data" / "x.csv").write_text("a\n1\n")
    for entry in CONFIG["project"]["render"]:
        names = ["countries/ES.ipynb", "countries/PT.ipynb"] if "*" in entry else [entry]
        for name in names:
            (report / name).parent.mkdir(parents=True, exist_ok=True)
            (report / name).write_text(json.dumps(tiny_notebook(name, '<img src="data:," alt="a chart">')))
    provenance = tmp_path / "provenance.json"
    provenance.write_text(json.dumps({"synthetic": True}))
    written = build_fallback_site(report, provenance_path=provenance)
    assert len(written) == len(pages(report))
    page = (report / "_site" / "countries" / "ES.html").read_text()
    assert '<html lang="en">' in page
    assert "secret_code" not in page
    assert "SYNTHETIC DATA" in page
    assert 'href="../index.html"' in page and 'href="../styles.css"' in page
    assert "Built by the fallback renderer (nbconvert" in page
    assert 'name="citation_title"' in page
    assert (report / "_site" / "data" / "x.csv").exists()
    # without the synthetic mark, no banner
    provenance.write_text(json.dumps({"synthetic": False}))
    build_fallback_site(report, provenance_path=provenance, only=["index.ipynb"])
    assert "SYNTHETIC DATA" not in (report / "_site" / "index.html").read_text()
    assert "SYNTHETIC DATA" in (report / "_site" / "cite.html").read_text()  # --only left the others be


def test_title_comes_from_a_markdown_output_when_the_notebook_computes_it():
    notebook = {"cells": [{"cell_type": "code", "source": [], "outputs": [{"data": {"text/markdown": "# Spain (ES)"}}]}]}
    assert notebook_title(notebook, "x") == "Spain (ES)"


def test_quarto_citation_metadata_agrees_with_citation_cff():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert CONFIG["google-scholar"] is True
    assert CONFIG["citation"]["title"] == cff["title"]
    assert str(CONFIG["citation"]["version"]) == str(cff["version"])
    assert str(CONFIG["date"]) == str(cff["date-released"])
    assert [a["name"] for a in CONFIG["author"]] == [a["name"] for a in cff["authors"]]


def test_quarto_theme_fetches_no_web_fonts():
    # cosmo and most Bootswatch themes @import Google Fonts; Bootstrap's default uses system fonts
    assert CONFIG["format"]["html"]["theme"] == "default"


QUARTO_WIDGET_HEAD = (  # what quarto-cli 1.11 adds to a page with text/html outputs (src/core/jupyter/widgets.ts)
    '<script src="https://cdn.jsdelivr.net/npm/requirejs@2.3.6/require.min.js" integrity="sha384-c9c" crossorigin="anonymous"></script>\n'
    '<script src="https://cdn.jsdelivr.net/npm/jquery@3.5.1/dist/jquery.min.js" integrity="sha384-Zv" crossorigin="anonymous" data-relocate-top="true"></script>\n'
    "<script type=\"application/javascript\">define('jquery', [],function() {return window.jQuery;})</script>\n"
)


def test_the_cdn_widget_runtime_is_recognised_and_nothing_else():
    from helpers.publish.quarto_renderer import WIDGET_RUNTIME

    page = f"<head>\n{QUARTO_WIDGET_HEAD}<script src=\"site_libs/quarto-nav/quarto-nav.js\"></script>\n</head>"
    assert WIDGET_RUNTIME.sub("", page) == '<head>\n<script src="site_libs/quarto-nav/quarto-nav.js"></script>\n</head>'


def test_a_computed_title_becomes_the_first_heading():
    from helpers.build.runner import hoist_computed_title

    notebook = tiny_notebook("unused", "<p>x</p>")
    notebook["cells"][0]["source"] = ["**Country profile.** Some words."]
    notebook["cells"][1]["outputs"].append(
        {"output_type": "execute_result", "metadata": {}, "execution_count": 1, "data": {"text/markdown": "# Portugal (PT)"}})
    hoisted = hoist_computed_title(notebook)
    assert hoisted["cells"][0]["source"] == ["# Portugal (PT)"]
    assert notebook_title(hoisted, "PT") == "Portugal (PT)"
    assert not any("text/markdown" in o.get("data", {}) for c in hoisted["cells"] for o in c.get("outputs", []))


def test_every_page_credits_the_report_as_citation_cff_does():
    from helpers.publish.site_config import KOSOVO_NOTE, credit_line

    credit = credit_line(ROOT)
    assert "version 0.1.0" in credit or "version" in credit
    footer = CONFIG["website"]["page-footer"]["center"]
    assert credit in footer and KOSOVO_NOTE in footer
