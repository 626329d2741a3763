"""End to end, the way the README says: `make ...` in a clean clone of the repository.

The clone reuses this checkout's environment (PYTHON=...) instead of building its own, and
PYTHONPATH makes the kernel import the clone's package. CI itself starts from a clean clone
and builds the environment with `make test`, which covers the set-up step.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path
import re

import pandas as pd
import pytest

from helpers.catalogue import load_catalogue
from pipeline import clean_clone, run_make, snapshot

pytestmark = pytest.mark.e2e


def mirror_cell(mirror, dataset, key, year):
    """Look a cell up in the mirror file by plain text, independently of the project's parser."""
    lines = gzip.decompress((mirror / f"{dataset}.tsv.gz").read_bytes()).decode().split("\r\n")
    header = lines[0].split("\t")
    years = [h.strip() for h in header[1:]]
    for line in lines[1:]:
        cells = line.split("\t")
        if cells[0] == key:
            return cells[1 + years.index(str(year))].strip()
    raise KeyError(key)


def test_make_data_builds_the_store_from_the_mirror(built_report, synthetic_mirror_path):
    built_clone = built_report
    table = pd.read_parquet(built_clone / "data/processed/ict_usage.parquet")
    catalogue = load_catalogue()
    # row count: every mirror series passing the catalogue's filters, times its 15 years
    expected = 0
    for spec in catalogue.datasets_from("eurostat"):
        lines = gzip.decompress((synthetic_mirror_path / f"{spec.code}.tsv.gz").read_bytes()).decode().split("\r\n")
        dims = [d.lower() for d in lines[0].split("\t")[0].split("\\")[0].split(",")]
        n_years = len(lines[0].split("\t")) - 1
        for line in lines[1:]:
            if not line:
                continue
            key = dict(zip(dims, line.split("\t")[0].split(",")))
            if all(key[d] in codes for d, codes in spec.filters.items()) and key["geo"] in catalogue.labels["geo"]:
                expected += n_years
    # the OECD's rows: every row of the mirror's OECD file that passes the catalogue's filters
    from helpers.acquire.oecd_csv import parse_oecd_csv

    oecd = catalogue.dataset("DSD_ICT_HH_IND@DF_IND")
    answer = parse_oecd_csv(
        (synthetic_mirror_path / "DSD_ICT_HH_IND@DF_IND.csv").read_bytes(),
        dataset=oecd.code,
        dimensions=oecd.key_order,
        source="mirror",
    )
    expected += int(pd.concat([answer[d].isin(c) for d, c in oecd.filters.items()], axis=1).all(axis=1).sum())
    assert len(table) == expected

    def stored(dataset, indic, unit, group, geo, year):
        row = table[
            (table.dataset == dataset)
            & (table.indic_is == indic)
            & (table.unit == unit)
            & (table.ind_type == group)
            & (table.geo == geo)
            & (table.year == year)
        ]
        return row.value.iloc[0], row.flag.iloc[0]

    for dataset, key, year, (indic, unit, group, geo) in [
        ("isoc_ci_ac_i", "A,I_IUSNET,PC_IND,I5_8,NL", 2013, ("I_IUSNET", "PC_IND", "I5_8", "NL")),
        ("isoc_ci_ac_i", "A,I_IUPOL2,PC_IND,Y16_24,AT", 2013, ("I_IUPOL2", "PC_IND", "Y16_24", "AT")),
        ("isoc_ci_ifp_iu", "A,Y65_74,I_IU3,PC_IND,SE", 2021, ("I_IU3", "PC_IND", "Y65_74", "SE")),
        ("isoc_ciegi_ac", "A,PC_IND,IND_TOTAL,I_IUGOV12,EU28", 2013, ("I_IUGOV12", "PC_IND", "IND_TOTAL", "EU28")),
    ]:
        number, _, flag = mirror_cell(synthetic_mirror_path, dataset, key, year).partition(" ")
        value, stored_flag = stored(dataset, indic, unit, group, geo, year)
        assert stored_flag == flag.strip()
        if number == ":":
            assert value != value  # NaN
        else:
            assert value == float(number)


def test_the_report_has_every_page_each_marked_synthetic(built_report):
    site = built_report / "report" / "_site"
    countries = (built_report / "data/processed/countries.txt").read_text().split()
    assert len(countries) >= 30
    expected = [
        "index",
        "youth-civic",
        "education-gaps",
        "senior-uptake",
        "other-figures",
        "countries",
        "data-and-methods",
        "cite",
    ] + [f"countries/{c}" for c in countries]
    for page in expected:
        text = (site / f"{page}.html").read_text()
        assert "SYNTHETIC DATA" in text and "NOT Eurostat" in text, page
        assert "Built by the fallback renderer" in text, page


def test_charts_and_tables_are_outputs_quarto_numbers_and_captions(built_report):
    """#21: a chart is an image output of a cell labelled fig-..., with its caption and alt text; a
    table a Markdown output of a cell labelled tbl-...; no HTML output anywhere; every caption's
    CSV exists."""
    import json

    report = built_report / "report"
    figures, panels = 0, {}
    pages = [p for p in sorted(report.glob("*.ipynb")) if p.name != "article.ipynb"]  # the article: its own test
    for path in pages + sorted((report / "countries").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                assert "text/html" not in data, f"{path.name}, cell {cell['id']}: an HTML output"
                assert "image/png" not in data, f"{path.name}, cell {cell['id']}: a PNG chart (#37: SVG)"
                if "image/svg+xml" in data:
                    figures += 1
                    if cell["id"] == "country-trend":
                        panels[path.stem] = panels.get(path.stem, 0) + 1
                    described = output["metadata"]["image/svg+xml"]["report"]
                    assert described["alt"].strip() and described["caption"].strip()
                    source = "".join(cell["source"])
                    assert source.startswith(f"#| label: fig-{cell['id']}\n#| fig-cap: "), (path.name, source[:200])
                    assert "#| fig-alt: " in source
                    for csv in re.findall(r"\]\((data/[^)]+\.csv)\)", described["caption"]):
                        assert (path.parent / csv).exists(), (path.name, csv)
                report_meta = output.get("metadata", {}).get("text/markdown", {}).get("report")
                if report_meta:
                    assert "".join(cell["source"]).startswith(f"#| label: tbl-{cell['id']}\n#| tbl-cap: ")
                    assert "".join(data["text/markdown"]).lstrip().startswith("| ")
    # a Eurostat country page: nine small multiples, one chart per comparison (#37)
    assert len(panels) >= 35 and set(panels.values()) == {9}, panels
    assert figures >= 15 + 9 * len(panels)  # and the topic pages' charts


def test_the_sites_charts_are_svg_in_the_page_whose_marks_say_their_values(built_report):
    """#37: for one chart of each kind, a known country's mark carries its value and flag as the CSV says."""
    from site_charts import check_chart_titles

    check_chart_titles(built_report / "report" / "_site")


def test_nothing_changed_means_no_work(built_report, synthetic_mirror_path):
    before = snapshot(built_report / "report")
    result = run_make(built_report, "report", f"EUROSTAT_MIRROR={synthetic_mirror_path}")
    assert "executed" not in result.stdout and "built" not in result.stdout
    assert snapshot(built_report / "report") == before


def stale_after_changing(clone: Path, source: str) -> tuple[set[str], bool]:
    """The notebooks whose pages would run again, and whether the site's code changed, once `source` has a
    line more (put back after): `python -m helpers.pipeline.pages stale`, as make's pages step decides."""
    import subprocess
    import sys

    path = clone / source
    before = path.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(clone / "src")}
    site_code = "from helpers.pipeline.prerequisites import prerequisites; print(prerequisites()['site'])"
    site = subprocess.run([sys.executable, "-c", site_code], cwd=clone, env=env, capture_output=True, text=True)
    path.write_bytes(before + b"\n# a line more\n")
    try:
        out = subprocess.run(
            [sys.executable, "-m", "helpers.pipeline.pages", "stale"],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        path.write_bytes(before)
    return {line.split()[0] for line in out.splitlines()}, source in site.stdout


def test_a_page_reruns_only_for_the_code_its_notebook_imports(own_built_clone):
    for source in (
        "src/helpers/render/quarto_renderer.py",
        "src/helpers/render/fallback_renderer.py",
        "src/helpers/pipeline/build_lock.py",
    ):
        stale, site = stale_after_changing(own_built_clone, source)
        assert not stale, (source, stale)
        assert site == ("render" in source), source  # the site is rendered again for its renderers only
    stale, _ = stale_after_changing(own_built_clone, "src/helpers/analysis/claims.py")
    from helpers.pipeline.prerequisites import prerequisites

    # exactly the pages whose notebooks import the claims module, directly or through others
    users = {name for name, files in prerequisites().items() if "src/helpers/analysis/claims.py" in files}
    if not any((own_built_clone / "report" / "countries").glob("KOR.ipynb")):
        users.discard("32_oecd_country")  # no page of the OECD's countries in this build
    assert stale == users - {"site", "article", "brief", "00_fetch", "01_tidy"}
    assert "50_cite" not in stale


def test_a_changed_parameter_reruns_only_what_depends_on_it(own_built_clone):
    before = snapshot(own_built_clone / "report")
    result = run_make(own_built_clone, "report", "YOUTH_HIGHLIGHT=NL,DE")
    assert re.findall(r"executed (\S+)", result.stdout) == ["10_youth_civic"]
    after = snapshot(own_built_clone / "report")
    changed = {path for path in after if after[path] != before.get(path)}
    assert "youth-civic.ipynb" in changed and "_site/youth-civic.html" in changed
    assert not any(p.startswith("countries/") or p.startswith("_site/countries/") for p in changed)
    diff = run_make(own_built_clone, "diff").stdout  # nbdime, against the previous build
    assert "== ./youth-civic.ipynb" in diff and "== ./education-gaps.ipynb" not in diff


def test_make_country_updates_one_page(own_built_clone):
    before = snapshot(own_built_clone / "report")
    result = run_make(own_built_clone, "country", "COUNTRY=pt")
    assert "executed 30_country_profile -> report/countries/PT.ipynb" in result.stdout
    after = snapshot(own_built_clone / "report")
    changed_pages = {p for p in after if p.startswith("_site/") and p.endswith(".html") and after[p] != before.get(p)}
    assert changed_pages <= {"_site/countries/PT.html"}  # the index is current: not rendered again
    assert (own_built_clone / "report/_site/countries/PT.html").stat().st_mtime > (
        own_built_clone / "report/_site/countries/ES.html"
    ).stat().st_mtime


def test_make_country_with_an_unknown_code_lists_the_valid_ones(built_report):
    result = run_make(built_report, "country", "COUNTRY=XX", check=False)
    assert result.returncode != 0
    assert "COUNTRY='XX' is not accepted: COUNTRY takes a country code (Greece is EL" in result.stderr
    assert "JPN, KOR" in result.stderr and "UK, USA, XK" in result.stderr and "Traceback" not in result.stderr


def test_make_data_again_does_nothing(built_report, synthetic_mirror_path):
    result = run_make(built_report, "data", f"EUROSTAT_MIRROR={synthetic_mirror_path}")
    assert "executed" not in result.stdout and "helpers.pipeline.notebook_runner" not in result.stdout


def test_make_data_without_network_or_mirror_names_both_ways_forward(tmp_path):
    clone = clean_clone(tmp_path / "clone")
    result = run_make(clone, "data", check=False, EUROSTAT_API_BASE="http://127.0.0.1:9/unreachable/")
    assert result.returncode != 0
    assert "EUROSTAT_MIRROR" in result.stderr and "make demo" in result.stderr
    assert "Traceback" not in result.stderr


def test_make_demo_from_a_clean_clone_without_network_or_shared(tmp_path):
    clone = clean_clone(tmp_path / "clone")
    assert not (clone.parent / "shared").exists()
    result = run_make(clone, "demo", EUROSTAT_API_BASE="http://127.0.0.1:9/unreachable/")
    assert "SYNTHETIC" in result.stdout
    site = clone / "demo" / "report" / "_site"
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 40
    for page in pages:
        text = page.read_text()
        assert "SYNTHETIC DATA" in text and "NOT Eurostat" in text, page
    assert not (clone / "data" / "processed" / "ict_usage.parquet").exists()  # never mixed with a real build
    assert not (clone / "report" / "_site").exists()


def stated_verdicts(report: Path) -> dict[str, dict[str, set[str]]]:
    """claim -> page -> the verdicts (paper's year) each page states: the Overview's table, each topic
    page's statement, each country page's table of the claims that name it. Each output that states
    verdicts lists them in its metadata ("verdicts"); each listed verdict is checked to be in the
    output's text, as the reader sees it."""
    import json

    found: dict[str, dict[str, set[str]]] = {}
    for page in [
        "index",
        "youth-civic",
        "education-gaps",
        "senior-uptake",
        "other-figures",
        *(f"countries/{p.stem}" for p in sorted((report / "countries").glob("*.ipynb"))),
    ]:
        for cell in json.loads((report / f"{page}.ipynb").read_text())["cells"]:
            for output in cell.get("outputs", []):
                stated = output.get("metadata", {}).get("text/markdown", {}).get("verdicts", {})
                markdown = "".join(output.get("data", {}).get("text/markdown", ""))
                for claim, (then, _latest) in stated.items():
                    said = (
                        f"**Verdict:** **{then}**",
                        f"**Verdict: {then}.**",
                        f"[{then}]{{.verdict",
                        f"[{then} (",
                        f"**Verdict, {claim}:** **{then}**",
                    )  # the part tested on the OECD's data
                    assert claim in markdown and any(form in markdown for form in said), (page, claim, then)
                    found.setdefault(claim, {}).setdefault(page, set()).add(then)
    return found


def test_every_page_states_the_same_verdicts_for_another_paper_year(tmp_path, synthetic_mirror_path):
    """PAPER_YEAR=2012 reaches every page: the youth series has no 2012 value (a gap, not a failed
    page), and the Overview, the topic pages and the country pages agree on every claim."""
    clone = clean_clone(tmp_path / "clone")
    result = run_make(clone, "report", f"EUROSTAT_MIRROR={synthetic_mirror_path}", "PAPER_YEAR=2012")
    assert "failed" not in result.stdout + result.stderr
    report = clone / "report"
    youth = (report / "youth-civic.ipynb").read_text()
    assert "No data for 16-24 year olds" in youth and "in 2012; the nearest year with data is 2013" in youth
    verdicts = stated_verdicts(report)
    assert {"Y-1", "E-1", "S-1"} <= set(verdicts)
    for claim, pages in verdicts.items():
        assert "index" in pages, claim
        assert len(set().union(*pages.values())) == 1, (claim, pages)
    for claim, page, country in (("Y-1", "youth-civic", "countries/NL"), ("S-1", "senior-uptake", "countries/IS")):
        assert {"index", page, country} <= set(verdicts[claim]), verdicts[claim]  # each kind of page states it
    index = (report / "index.ipynb").read_text()
    assert '"paper_year": 2012' in index


def test_the_article_is_assembled_from_the_pages_without_code(built_report):
    """#21: the article holds the pages' own cells in a paper's order, no line of code, the references
    (the paper's DOI, each dataset with its code and retrieval date), and the synthetic warning."""
    import json

    from helpers.render.cell_options import OPTION_PREFIX

    article = json.loads((built_report / "report" / "article.ipynb").read_text())
    front = "".join(article["cells"][0]["source"])
    assert (
        article["cells"][0]["cell_type"] == "raw"
        and "title: Social Media Use by Governments, checked against Eurostat" in front
    )
    assert "pdf-standard: ua-1" in front and "SYNTHETIC DATA" in front  # tagged PDF; every page's header
    for cell in article["cells"]:
        if cell["cell_type"] == "code":
            assert all(line.startswith(OPTION_PREFIX) for line in "".join(cell["source"]).splitlines()), cell["id"]
            assert "#| echo: false" in "".join(cell["source"])
    headings = [
        line
        for cell in article["cells"]
        if cell["cell_type"] == "markdown"
        for line in "".join(cell["source"]).splitlines()
        if line.startswith("## ")
    ]
    assert headings[:3] == ["## Key messages", "## The scorecard", "## Youth civic use"]
    # the main text ends with the references; the appendices follow (#32)
    assert headings[-4:] == ["## Data and methods", "## References", "## Tables by country", "## Countries"]
    text = json.dumps(article)
    assert "https://doi.org/10.1787/5jxrcmghmk0s-en" in text
    for dataset in ("isoc_ci_ac_i", "isoc_ci_ifp_iu", "isoc_ci_in_h", "isoc_ciegi_ac"):
        assert re.search(
            rf"online data code: {dataset}\), retrieved \d+ \w+ \d{{4}}", text.replace("\\\\_", "_")
        ), dataset
    assert text.count(".synthetic-data") == 1  # the warning once, on the first page
    # each figure's caption, on the web, links to the page of the notebook that made it
    assert "Made by the executed notebook [youth-civic.ipynb](youth-civic.html#fig-youth-then)" in text
    site = (built_report / "report" / "_site" / "article.html").read_text()
    assert '<h1 class="title">Social Media Use by Governments, checked against Eurostat</h1>' in site
    assert 'href="youth-civic.html#fig-youth-then"' in site
    assert "article.pdf" not in site  # no PDF without Quarto, and no link to one


def test_make_clean_leaves_only_the_readmes_and_the_oecd_ledger(built_report, tmp_path):
    """#29: every fetched and processed file of both sources goes, staging folders too; the OECD's
    download ledger stays (it counts the requests the OECD still remembers)."""
    import shutil
    import subprocess

    clone = tmp_path / "clone"
    shutil.copytree(built_report, clone, symlinks=True)
    raw = clone / "data" / "raw"
    assert (raw / "DSD_ICT_HH_IND@DF_IND.csv").exists() and (
        clone / "data" / "processed" / "oecd_countries.txt"
    ).exists()
    (raw / ".staging-cut-short").mkdir()  # a fetch killed before it cleaned up
    (raw / ".staging-cut-short" / "isoc_ci_ac_i.tsv.gz").write_bytes(b"half")
    (raw / ".oecd-downloads.json").write_text('{"downloads": []}\n')
    run_make(clone, "clean")
    left = subprocess.run(
        ["git", "-C", str(clone), "ls-files", "--others", "--ignored", "--exclude-standard", "data", "report"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert left == ["data/raw/.oecd-downloads.json"]
    assert sorted(p.name for p in raw.iterdir()) == [".oecd-downloads.json", "README.md"]
    assert sorted(p.name for p in (clone / "data" / "processed").iterdir()) == ["README.md"]
