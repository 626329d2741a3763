"""Each page's prerequisites are read from the code: the modules its notebook imports, directly or through
others (imports inside functions too), and the catalogue files they read."""

from __future__ import annotations

import json

from helpers.pipeline.prerequisites import import_graph, imported_names, prerequisites

CLAIMS = "src/helpers/analysis/claims.py"
NOT_A_PAGE_INPUT = [
    "src/helpers/render/quarto_renderer.py",
    "src/helpers/render/fallback_renderer.py",
    "src/helpers/pipeline/build_lock.py",
    "src/helpers/pipeline/parameters.py",
]


def test_no_notebook_depends_on_the_renderers_or_the_build_lock():
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
        "src/helpers/pipeline/pages.py",
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
    monkeypatch.setattr(module, "RENDERERS", ("helpers.sub.b",))
    found = module.prerequisites(notebooks, package)
    assert found["n"] == [
        "src/helpers/__init__.py",
        "src/helpers/sub/__init__.py",
        "src/helpers/sub/a.py",
        "src/helpers/sub/b.py",
        "src/helpers/sub/data.toml",
    ]


def test_imports_are_read_in_every_form_black_writes():
    source = (
        "from helpers.a import b\n"
        "from helpers.c import (\n    d,\n    e,  # why\n)\n"
        "def f():\n    import helpers.g\n    from helpers.h import i as j\n"
        "import os  # not ours\n"
    )
    assert imported_names(source) == {
        "helpers.a",
        "helpers.a.b",
        "helpers.c",
        "helpers.c.d",
        "helpers.c.e",
        "helpers.g",
        "helpers.h",
        "helpers.h.i",
    }


def test_the_graph_read_by_pattern_is_the_graph_python_parses():
    """The pattern (fast) against Python's own parser (slow) on the whole package: the same graph."""
    import ast

    from helpers.pipeline import prerequisites as module

    def parsed(source):
        found = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("helpers"):
                found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("helpers")}
        return found

    known = module.modules()
    by_parse = {name: module._known(parsed(path.read_text()), known) - {name} for name, path in known.items()}
    assert import_graph() == by_parse


def test_a_brief_depends_on_its_assembly_and_not_on_the_site_renderers():
    brief = set(prerequisites()["brief"])
    assert "src/helpers/render/brief.py" in brief
    assert not brief & {
        "src/helpers/render/quarto_renderer.py",
        "src/helpers/render/fallback_renderer.py",
        "src/helpers/pipeline/notebook_runner.py",
    }
