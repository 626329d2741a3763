"""Each page's prerequisites are read from the code: the modules its notebook imports, directly or through
others (imports inside functions too), and the catalogue files they read."""

from __future__ import annotations

import json

from helpers.pipeline.prerequisites import make_include, prerequisites

CLAIMS = "src/helpers/analysis/claims.py"
NOT_A_PAGE_INPUT = [
    "src/helpers/pipeline/worker.py",
    "src/helpers/render/quarto_renderer.py",
    "src/helpers/render/fallback_renderer.py",
    "src/helpers/pipeline/build_lock.py",
    "src/helpers/pipeline/parameters.py",
]


def test_no_notebook_depends_on_the_worker_the_renderers_or_the_build_lock():
    found = prerequisites()
    for notebook in found.keys() - {"site", "article", "brief"}:
        assert not set(NOT_A_PAGE_INPUT) & set(found[notebook]), notebook


def test_the_pages_that_use_the_claims_depend_on_the_claims_module_and_registry():
    found = prerequisites()
    for notebook in (
        "10_youth_civic",
        "11_education_gap",
        "12_senior_uptake",
        "13_other_figures",
        "20_claims",
        "30_country_profile",
        "32_oecd_country",
    ):
        assert {CLAIMS, "src/helpers/catalogue/claims.toml"} <= set(found[notebook]), notebook
    assert CLAIMS not in found["50_cite"] and CLAIMS not in found["01_tidy"]


def test_every_page_depends_on_the_runner_that_executes_it():
    found = prerequisites()
    assert all(
        "src/helpers/pipeline/notebook_runner.py" in found[n] for n in found.keys() - {"site", "article", "brief"}
    )


def test_the_site_depends_on_its_renderers_and_not_on_the_lock_or_the_contract():
    site = set(prerequisites()["site"])
    assert {
        "src/helpers/render/quarto_renderer.py",
        "src/helpers/render/fallback_renderer.py",
        "src/helpers/pipeline/site.py",
    } <= site
    assert not site & {
        "src/helpers/pipeline/build_lock.py",
        "src/helpers/pipeline/parameters.py",
        "src/helpers/pipeline/worker.py",
    }


def _package(root):
    """A small package: helpers.a imports helpers.b inside a function; helpers.b reads data.toml;
    helpers.c is imported by nobody."""
    package = root / "src" / "helpers"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "a.py").write_text("def f():\n    from helpers.sub import b\n    return b\n")
    (package / "sub" / "b.py").write_text("NAME = 'sub/data.toml'\n")
    (package / "sub" / "c.py").write_text("import helpers.sub.a\n")
    (package / "sub" / "data.toml").write_text("x = 1\n")
    notebooks = root / "notebooks"
    notebooks.mkdir()
    cell = {"cell_type": "code", "source": ["from helpers.sub.a import f\n"], "metadata": {}, "outputs": []}
    (notebooks / "n.ipynb").write_text(json.dumps({"cells": [cell]}))
    return package, notebooks


def test_imports_inside_functions_and_data_files_count(tmp_path, monkeypatch):
    from helpers.pipeline import prerequisites as module

    package, notebooks = _package(tmp_path)
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "RUNNER", "helpers.sub")
    monkeypatch.setattr(module, "SITE_COMMANDS", "helpers.sub.c")
    monkeypatch.setattr(module, "ARTICLE", "helpers.sub.b")
    monkeypatch.setattr(module, "BRIEF", "helpers.sub.b")
    found = module.prerequisites(notebooks, package)
    assert found["n"] == [
        "src/helpers/__init__.py",
        "src/helpers/sub/__init__.py",
        "src/helpers/sub/a.py",
        "src/helpers/sub/b.py",
        "src/helpers/sub/data.toml",
    ]
    assert "CODE_n := src/helpers/__init__.py" in make_include(found)


def test_a_brief_depends_on_its_assembly_and_not_on_the_site_renderers():
    brief = set(prerequisites()["brief"])
    assert "src/helpers/render/brief.py" in brief
    assert not brief & {
        "src/helpers/render/quarto_renderer.py",
        "src/helpers/render/fallback_renderer.py",
        "src/helpers/pipeline/worker.py",
        "src/helpers/pipeline/notebook_runner.py",
    }


def test_the_file_make_includes_is_never_older_than_a_source_dated_in_the_future(tmp_path, monkeypatch):
    """Else make writes it again and reads itself again until the clock reaches that source's time."""
    import os
    import shutil
    import time

    from helpers.pipeline import prerequisites as module

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy2(module.NOTEBOOKS / "50_cite.ipynb", notebooks / "50_cite.ipynb")
    future = time.time() + 3600
    os.utime(notebooks / "50_cite.ipynb", (future, future))
    monkeypatch.setattr(module, "NOTEBOOKS", notebooks)
    output = tmp_path / "prerequisites.mk"
    assert module.main(["--output", str(output)]) == 0
    assert output.stat().st_mtime >= future
    assert "CODE_50_cite := " in output.read_text()
