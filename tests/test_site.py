"""The site's configuration, checked statically (Quarto is not installed here), and the
fallback renderer on a small report folder."""

import json
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import ROOT
from helpers.render.fallback_renderer import build_fallback_site
from helpers.render.site_config import navigation, notebook_title, pages, read_config

CONFIG = read_config(ROOT / "report")
MAKEFILE = (ROOT / "Makefile").read_text()


def makefile_pages():
    """The pages the build executes (helpers.pipeline.pages): the contract's table."""
    from helpers.pipeline.parameters import PAGE_NOTEBOOKS

    return PAGE_NOTEBOOKS


def test_every_page_quarto_renders_is_produced_by_the_build():
    from helpers.pipeline.parameters import COUNTRY_PAGE, page_parameters, check_settings

    produced = {f"{page}.ipynb" for page in makefile_pages()}
    outputs = page_parameters(check_settings({"QUARTO": ""}))
    for entry in CONFIG["project"]["render"]:
        if entry == "countries/*.ipynb":
            assert outputs[COUNTRY_PAGE]["output"] == "report/countries/{country}.ipynb"
        elif entry == "article.ipynb":  # assembled from the executed pages by the site's render, not executed
            assert "write_article(" in (ROOT / "src/helpers/pipeline/site.py").read_text()
        else:
            assert entry in produced, f"{entry} is rendered by Quarto but the build does not write it"


def test_every_makefile_page_is_rendered_and_its_notebook_exists():
    rendered = set(CONFIG["project"]["render"])
    for page, notebook in makefile_pages().items():
        assert f"{page}.ipynb" in rendered
        assert (ROOT / "notebooks" / f"{notebook}.ipynb").exists()


def test_navigation_points_at_rendered_pages_and_the_pdf():
    rendered = set(CONFIG["project"]["render"])
    for item in CONFIG["website"]["navbar"]["left"]:
        assert item["href"] in rendered
    # every page links the PDF article, which Quarto renders from article.ipynb
    assert [item["href"] for item in CONFIG["website"]["navbar"]["right"]] == ["article.pdf"]
    assert "article.ipynb" in rendered
    assert [text for text, _ in navigation(CONFIG)][:2] == ["Overview", "Youth civic use"]


def test_quarto_uses_stored_outputs_hides_code_and_shows_the_banner():
    assert CONFIG["execute"] == {"enabled": False, "echo": False}
    html = CONFIG["format"]["html"]
    assert html["lang"] == "en"
    assert html["include-before-body"] == "banner.html"
    assert (ROOT / "report" / html["css"]).exists()
    assert '"$$PYTHON" -m helpers.pipeline.site render --report-dir "$$REPORT_DIR"' in MAKEFILE  # Quarto from $QUARTO


def test_environment_installs_quarto_for_users():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    from helpers.base.quarto_install import QUARTO_VERSION

    assert f"quarto={QUARTO_VERSION}" in environment["dependencies"]


PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYGAAAAAEAAH2FzhVAAAAAElFTkSuQmCC"  # 1x1


def tiny_notebook(title, *outputs):
    """A notebook as the runner writes it: a Markdown cell, then a code cell with the given outputs
    (and the Quarto options its outputs ask for)."""
    from helpers.render.cell_options import write_cell_options

    cells = [{"cell_type": "markdown", "id": "t", "metadata": {}, "source": [f"# {title}\n", "Some words."]}]
    for n, output in enumerate(outputs):
        cells.append(
            {
                "cell_type": "code",
                "id": f"cell-{n}",
                "metadata": {},
                "execution_count": 1,
                "source": ["secret_code = 1"],
                "outputs": [output],
            }
        )
    return write_cell_options(
        {
            "cells": cells,
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        }
    )


def figure_output(caption="A chart. [Download the data (CSV)](data/x.csv)", alt="Bar chart of two countries"):
    return {
        "output_type": "display_data",
        "data": {"image/png": PNG, "text/plain": ["alt"]},
        "metadata": {"image/png": {"report": {"kind": "figure", "caption": caption, "alt": alt}}},
    }


def table_output(markdown="| a | b |\n|:---|---:|\n| x | 1.0 |\n", caption="A table."):
    return {
        "output_type": "display_data",
        "data": {"text/markdown": [markdown], "text/plain": ["t"]},
        "metadata": {"text/markdown": {"report": {"kind": "table", "caption": caption}}},
    }


def markdown_output(markdown):
    return {"output_type": "display_data", "data": {"text/markdown": [markdown], "text/plain": ["m"]}, "metadata": {}}


SVG = (
    '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n'
    '  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    '<svg xmlns="http://www.w3.org/2000/svg" width="100pt" height="50pt" viewBox="0 0 100 50">\n'
    ' <g id="{name}-mark1">\n   <title>Spain, 2013: 45%</title>\n  <path d="M 0 0 L 45 0 L 45 10 z"/>\n </g>\n</svg>\n'
)


def svg_output(name, caption="A chart.", alt="Bar chart of Spain", group=None):
    report = {"kind": "figure", "caption": caption, "alt": alt, **({"group": group} if group else {})}
    return {
        "output_type": "display_data",
        "data": {"image/svg+xml": SVG.format(name=name), "text/plain": ["alt"]},
        "metadata": {"image/svg+xml": {"report": report}},
    }


def test_the_fallback_renderer_puts_svg_charts_in_the_page_and_small_multiples_in_a_grid(tmp_path):
    """#37: an SVG chart is part of the page (its marks' titles show), named by its alt text; several
    charts of one group (small multiples) go in a grid that wraps on a phone."""
    from helpers.render.fallback_renderer import body_html

    group = {"caption": "Spain and the EU-27.", "columns": 3}
    notebook = tiny_notebook(
        "Spain",
        svg_output("one"),
        {**svg_output("two", caption="Youth", group=group)},
        svg_output("three", group=group),
    )
    cell = notebook["cells"][2]
    cell["outputs"].append(notebook["cells"].pop(3)["outputs"][0])  # one cell, two charts of one group
    from helpers.render.cell_options import write_cell_options

    body = body_html(write_cell_options(notebook), figures_dir=tmp_path / "files", figures_href="files")
    assert not (tmp_path / "files").exists()  # no file: the SVG is in the page
    assert body.count('<svg class="report-chart" role="graphics-document" aria-label="Bar chart of Spain"') == 3
    assert "<?xml" not in body and "DOCTYPE" not in body
    assert '<g id="one-mark1">\n   <title>Spain, 2013: 45%</title>' in body
    grid = re.search(r'<div class="report-panels">(.*?)</div>', body, re.S)
    assert grid and grid.group(1).count("<svg") == 2 and "(a) Youth" in grid.group(1)
    assert "Figure&nbsp;2: Spain and the EU-27." in body


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
            (report / name).write_text(json.dumps(tiny_notebook(name, figure_output())))
    provenance = tmp_path / "provenance.json"
    provenance.write_text(json.dumps({"synthetic": True}))
    written = build_fallback_site(report, provenance_path=provenance)
    assert len(written) == len(pages(report))
    page = (report / "_site" / "countries" / "ES.html").read_text()
    assert '<html lang="en">' in page
    assert "secret_code" not in page and "#|" not in page
    assert "SYNTHETIC DATA" in page
    assert 'href="../index.html"' in page and 'href="../styles.css"' in page
    assert "Built by the fallback renderer" in page
    assert 'name="citation_title"' in page
    assert (report / "_site" / "data" / "x.csv").exists()
    # the chart is a file beside the page, with its alt text
    assert '<img src="ES_files/fig-cell-0-1.png" alt="Bar chart of two countries"' in page
    assert (report / "_site" / "countries" / "ES_files" / "fig-cell-0-1.png").read_bytes()[:4] == b"\x89PNG"
    # without the synthetic mark, no banner
    provenance.write_text(json.dumps({"synthetic": False}))
    build_fallback_site(report, provenance_path=provenance, only=["index.ipynb"])
    assert "SYNTHETIC DATA" not in (report / "_site" / "index.html").read_text()
    assert "SYNTHETIC DATA" in (report / "_site" / "cite.html").read_text()  # --only left the others be


def test_a_site_is_built_by_one_renderer_and_a_failed_build_leaves_it(tmp_path, capsys):
    """After a Quarto build, the fallback renders every page (never a mix), from an empty site: no
    PDF of the older build is left, nor linked. A build that fails leaves the site as it was."""
    from helpers.pipeline.site import main as site_main

    report = tmp_path / "report"
    report.mkdir()
    for name in ("_quarto.yml", "styles.css"):
        shutil.copy(ROOT / "report" / name, report)
    shutil.copy(ROOT / "CITATION.cff", tmp_path)
    for entry in CONFIG["project"]["render"]:
        for name in (["countries/ES.ipynb"] if "*" in entry else [entry]):
            (report / name).parent.mkdir(parents=True, exist_ok=True)
            (report / name).write_text(json.dumps(tiny_notebook(name, figure_output())))
    site = report / "_site"
    site.mkdir()
    (site / "article.pdf").write_bytes(b"%PDF- an older build's")
    (site / "index.html").write_text("Quarto's page")
    (site / ".rendered.json").write_text('{"renderer": "quarto", "code": "", "pages": {}}')
    arguments = ["render", "--report-dir", str(report), "--data-dir", str(tmp_path / "none"), "--quarto", ""]
    assert site_main([*arguments, "--only", "countries/ES.ipynb"]) == 0
    assert capsys.readouterr().out.startswith(
        f"Quarto not found: {site} was built with Quarto, so every page is rendered again"
    )
    assert "Quarto's page" not in (site / "index.html").read_text()
    assert not (site / "article.pdf").exists() and "article.pdf" not in (site / "index.html").read_text()
    assert json.loads((site / ".rendered.json").read_text())["renderer"] == "fallback"
    (report / "cite.ipynb").unlink()  # a page's notebook missing: the build stops, the site stays
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert site_main(arguments) == 1
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert not (report / "_site.new").exists()


def test_a_site_built_by_the_other_renderer_is_rendered_again_and_said_in_one_line(tmp_path):
    from helpers.pipeline.site import renderer_change, renderer_in_use

    assert (renderer_in_use("/opt/quarto/bin/quarto"), renderer_in_use(""), renderer_in_use(None)) == (
        "quarto",
        "fallback",
        "fallback",
    )
    site = tmp_path / "_site"
    assert renderer_change(tmp_path, "quarto") == ""  # no site yet: nothing to say, everything is rendered
    site.mkdir()
    assert "unrecorded renderer" in renderer_change(tmp_path, "fallback")
    (site / ".rendered.json").write_text('{"renderer": "fallback"}')
    assert renderer_change(tmp_path, "fallback") == ""
    said = renderer_change(tmp_path, "quarto")
    assert said.startswith("Quarto found:") and "every page is rendered again with Quarto" in said and "\n" not in said
    (site / ".rendered.json").write_text('{"renderer": "quarto"}')
    assert renderer_change(tmp_path, "quarto") == ""
    assert renderer_change(tmp_path, "fallback").startswith("Quarto not found:")


@pytest.mark.parametrize("quarto, stamp", [("", ".built-fallback"), (sys.executable, ".built-quarto")])
@pytest.mark.e2e  # runs make
def test_makes_site_stamp_names_the_renderer_in_use(quarto, stamp):
    """The same word as renderer_in_use: a site built by the other renderer has no stamp of this one,
    so make renders it again (whole: its new stamp is older than nothing)."""
    from helpers.pipeline.site import renderer_in_use

    result = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-n",
            "-p",
            "help",
            f"QUARTO={quarto}",
            f"PYTHON={sys.executable}",
            "ENV_STAMP=",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    site = next(line for line in result.stdout.splitlines() if line.startswith("SITE := "))
    assert site.endswith(f"/_site/{stamp}") and stamp == f".built-{renderer_in_use(quarto)}"


def test_the_fallback_numbers_captions_and_cross_references_as_quarto_does(tmp_path):
    from helpers.render.fallback_renderer import body_html

    notebook = tiny_notebook(
        "Page",
        figure_output(),
        table_output(),
        figure_output(caption="Another *chart*."),
        markdown_output("See @fig-cell-2 and @tbl-cell-1; @fig-missing stays as written."),
    )
    body = body_html(notebook, figures_dir=tmp_path, figures_href="p_files")
    assert re.search(
        r'<figure class="report-figure" id="fig-cell-0">.*<figcaption>Figure&nbsp;1: A chart\. '
        r'<a href="data/x.csv">Download the data \(CSV\)</a></figcaption></figure>',
        body,
    )
    assert re.search(
        r'<figure class="report-table" id="tbl-cell-1"><figcaption>Table&nbsp;1: A table\.</figcaption>'
        r"<table>.*<td[^>]*>x</td>",
        body,
        re.S,
    )
    assert "<figcaption>Figure&nbsp;2: Another <em>chart</em>.</figcaption>" in body
    assert (
        '<a href="#fig-cell-2" class="cross-ref">Figure&nbsp;2</a> and <a href="#tbl-cell-1" class="cross-ref">'
        "Table&nbsp;1</a>" in body
    )
    assert "@fig-missing" in body  # an unknown reference stays visible, as in Quarto


def test_the_fallback_shows_callouts_collapsed_sections_and_verdict_spans(tmp_path, monkeypatch):
    from helpers.publish import BUILD_VARIABLE
    from helpers.render.fallback_renderer import body_html

    monkeypatch.setenv(BUILD_VARIABLE, "1")  # the outputs a build's kernel makes (tests/test_jupyterlab.py)
    from helpers.publish.outputs import Shown, banner, collapsed, verdict_span
    from helpers.publish.tables import markdown_table

    import pandas as pd

    warning = banner({"synthetic": True}).markdown
    details = collapsed("The evidence", Shown("Some **evidence**."))
    table = markdown_table(pd.DataFrame({"claim": ["Y-1"], "verdict": [verdict_span("not reproduced")]}))
    body = body_html(
        tiny_notebook("Page", markdown_output(warning), markdown_output(details.markdown), markdown_output(table)),
        figures_dir=tmp_path,
        figures_href="p_files",
    )
    assert re.search(
        r'<div class="callout callout-warning synthetic-data" role="note"><p class="callout-title">'
        r'Synthetic data</p><div class="callout-body"><p><strong>SYNTHETIC DATA',
        body,
    )
    assert '<details class="report-details">\n<summary>The evidence</summary>' in body
    assert "<strong>evidence</strong>" in body
    assert '<span class="verdict verdict-not-reproduced">not reproduced</span>' in body
    assert ":::" not in body and "{." not in body


def test_title_comes_from_a_markdown_output_when_the_notebook_computes_it():
    notebook = {
        "cells": [{"cell_type": "code", "source": [], "outputs": [{"data": {"text/markdown": "# Spain (ES)"}}]}]
    }
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


def test_a_computed_title_becomes_the_first_heading():
    from helpers.pipeline.notebook_runner import hoist_computed_title

    notebook = tiny_notebook("unused", figure_output())
    notebook["cells"][0]["source"] = ["**Country profile.** Some words."]
    notebook["cells"][1]["outputs"].append(
        {
            "output_type": "execute_result",
            "metadata": {},
            "execution_count": 1,
            "data": {"text/markdown": "# Portugal (PT)"},
        }
    )
    hoisted = hoist_computed_title(notebook)
    assert hoisted["cells"][0]["source"] == ["# Portugal (PT)"]
    assert notebook_title(hoisted, "PT") == "Portugal (PT)"
    assert not any("text/markdown" in o.get("data", {}) for c in hoisted["cells"] for o in c.get("outputs", []))


def test_every_page_credits_the_report_as_citation_cff_does(tmp_path):
    from helpers.render.site_config import KOSOVO_NOTE, credit_line

    (tmp_path / "CITATION.cff").write_text(
        'title: "A title"\nversion: 9.8.7\ndate-released: 2030-01-02\nauthors:\n'
        '  - given-names: Ada\n    family-names: Author\n  - name: "An Office"\n'
    )
    assert credit_line(tmp_path) == "Ada Author; An Office, A title, version 9.8.7, 2030-01-02."
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    credit = credit_line(ROOT)
    assert f"{cff['title']}, version {cff['version']}, {cff['date-released']}." in credit
    footer = CONFIG["website"]["page-footer"]["center"]
    assert credit in footer and KOSOVO_NOTE in footer


def test_a_notebooks_own_layout_option_survives_the_runners_options():
    """A cell that shows a wide table says so itself (`#| column: page`); the options written from its
    outputs keep it, and replace any other option line."""
    from helpers.render.cell_options import read_options, write_cell_options

    cell = {
        "cell_type": "code",
        "id": "wide",
        "metadata": {},
        "source": "#| column: page\n#| label: stale\nshow(table)",
        "outputs": [],
    }
    (written,) = write_cell_options({"cells": [cell]})["cells"]
    assert read_options(written) == {"label": "wide", "column": "page"}
    assert written["source"].endswith("\nshow(table)")


def test_the_wide_tables_say_so_in_their_notebooks():
    wide = {}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if "".join(cell["source"]).startswith("#| column: page\n"):
                wide[cell["id"]] = path.stem
    assert {"country-profile", "scorecard", "provenance", "youth-change", "senior-distance"} <= set(wide)


@pytest.mark.parametrize("brief_fails, index_changed", [(False, True), (True, True), (False, False)])
def test_make_country_renders_its_page_beside_its_brief_and_unlinks_a_brief_that_failed(
    tmp_path, monkeypatch, brief_fails, index_changed
):
    """With Quarto, the page (and the index, when it changed since the last render) render while the brief
    renders, linking the brief under way; a brief that failed leaves a page rendered again without the link."""
    import argparse

    from helpers.pipeline import notebook_runner, pages, site
    from helpers.render.brief import BRIEFS_UNDER_WAY

    renders, published = [], []
    monkeypatch.setattr(notebook_runner, "prestart_kernel", lambda notebook: None)
    monkeypatch.setattr(pages, "run", lambda *a, **k: [])
    monkeypatch.setattr(site, "_briefs", lambda args, codes: 1 if brief_fails else 0)
    monkeypatch.setattr(
        site, "_render", lambda args, only, jobs=None: renders.append((only, BRIEFS_UNDER_WAY.get())) or 0
    )
    monkeypatch.setattr("helpers.render.brief.publish_briefs", lambda *a: published.append(a))
    monkeypatch.setattr(site, "_record", lambda args, rendered: published.append(("record", rendered)))
    monkeypatch.setattr(site, "unrendered", lambda args: ["countries.ipynb", "cite.ipynb"] if index_changed else [])
    args = argparse.Namespace(quarto="quarto", report_dir=tmp_path, data_dir=tmp_path)
    status = site._country(args, "ES")
    pages = ["countries/ES.ipynb", "countries.ipynb"] if index_changed else ["countries/ES.ipynb"]
    assert renders[0] == (pages, frozenset({"ES"}))
    if brief_fails:
        assert status == 1 and renders[1:] == [(["countries/ES.ipynb"], frozenset())] and not published
    else:
        assert status == 0 and len(renders) == 1 and published[-1] == ("record", pages)


def test_a_page_left_out_of_a_partial_render_stays_to_be_rendered(tmp_path, capsys):
    """The record of what the site was rendered from (_site/.rendered.json) names a page as rendered only when
    a render made it: a page that changed but was left out (make country renders one page) is rendered by the
    next `make site`, and a page with no change is left alone (make country renders the index only then)."""
    import argparse

    from helpers.pipeline import site

    report = tmp_path / "report"
    report.mkdir()
    for name in ("_quarto.yml", "styles.css"):
        shutil.copy(ROOT / "report" / name, report)
    for entry in CONFIG["project"]["render"]:
        for name in ["countries/ES.ipynb", "countries/PT.ipynb"] if "*" in entry else [entry]:
            (report / name).parent.mkdir(parents=True, exist_ok=True)
            (report / name).write_text(json.dumps(tiny_notebook(name, figure_output())))
    args = argparse.Namespace(quarto="", report_dir=report, data_dir=tmp_path / "none")
    args.provenance = tmp_path / "none.json"
    assert site.unrendered(args) is None  # never rendered: every page
    assert site._render(args, None) == 0
    assert site.unrendered(args) == []
    for name in ("youth-civic.ipynb", "countries/ES.ipynb"):
        (report / name).write_text(json.dumps(tiny_notebook(name + " changed", figure_output())))
    assert site.unrendered(args) == ["youth-civic.ipynb", "countries/ES.ipynb"]
    assert site._render(args, ["countries/ES.ipynb"]) == 0
    assert site.unrendered(args) == ["youth-civic.ipynb"]  # left out: still to be rendered
    capsys.readouterr()


def test_the_site_command_starts_without_pandas():
    """`make country` starts its kernel first thing: the site command's own module imports no pandas (0.5 s)
    before it (the renderers, which do, are imported while the kernel works)."""
    code = "import sys, helpers.pipeline.site, helpers.pipeline.notebook_runner; print(sorted({'pandas', 'numpy'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
