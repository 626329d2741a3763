"""Outputs for two readers: the build's renderers get Quarto's Markdown, JupyterLab gets Markdown it renders.

A kernel the runner starts has BUILD_VARIABLE=1 in its environment, and the outputs are then
the Markdown Quarto and the fallback renderer read (a callout fence, a verdict span with its
class); a kernel started by hand (JupyterLab) has no such variable, and the same outputs are a
warning box JupyterLab styles and verdicts in words. The end-to-end test runs a notebook the way
JupyterLab does (nbclient, the project's kernel, cwd notebooks/, the committed parameters).
"""

from __future__ import annotations

import os
import re
import shutil

import pandas as pd
import pytest

from helpers.publish import BUILD_VARIABLE
from helpers.publish.outputs import banner, collapsed, for_renderers, verdict_span
from helpers.publish.tables import markdown_table, no_data

# what only Quarto (Pandoc) reads: a fenced div, a span or heading with attributes, a cross-reference
QUARTO_ONLY = re.compile(r"^:::|\]\{[.#]|\{\.[A-Za-z]|@fig-|@tbl-", re.M)

SYNTHETIC = {"synthetic": True}


@pytest.fixture
def interactive(monkeypatch):
    """A kernel as JupyterLab starts it: no BUILD_VARIABLE."""
    monkeypatch.delenv(BUILD_VARIABLE, raising=False)


@pytest.fixture
def build(monkeypatch):
    """A kernel as the runner starts it."""
    monkeypatch.setenv(BUILD_VARIABLE, "1")


def gap_table() -> pd.DataFrame:
    table = pd.DataFrame({"geo": ["NL"], "value": [float("nan")]})
    table.attrs["years_with_data"] = [2011, 2015]
    return table


def test_the_form_is_the_renderers_only_where_the_runner_said_so(monkeypatch):
    monkeypatch.delenv(BUILD_VARIABLE, raising=False)
    assert for_renderers() is False
    for value, expected in (("1", True), ("", False), ("0", False), ("yes", False)):
        monkeypatch.setenv(BUILD_VARIABLE, value)
        assert for_renderers() is expected, value


def test_jupyterlab_gets_a_warning_box_without_quarto_markup(interactive):
    warning = banner(SYNTHETIC).markdown
    assert warning.startswith(
        '<div class="alert alert-warning synthetic-data">\n\n**Synthetic data**\n\n**SYNTHETIC DATA'
    )
    assert warning.endswith("\n\n</div>\n")
    assert not QUARTO_ONLY.search(warning), warning
    assert banner({"synthetic": False}).markdown == ""


def test_jupyterlab_gets_verdicts_as_words(interactive):
    assert str(verdict_span("not reproduced")) == "**not reproduced**"
    assert str(verdict_span("partly (2 untested)")) == "**partly (2 untested)**"
    table = markdown_table(pd.DataFrame({"claim": ["Y-1"], "verdict": [verdict_span("not reproduced")]}))
    assert "| Y-1 | **not reproduced** |" in table
    assert not QUARTO_ONLY.search(table), table


def test_jupyterlab_gets_a_gap_as_a_note_box(interactive, tmp_path):
    note = no_data(gap_table(), year=2013, what="social-network use", name="gap", output_dir=tmp_path).markdown
    assert note.startswith('<div class="alert alert-info no-data">\n\n**') and "2011" in note and "2015" in note
    assert not QUARTO_ONLY.search(note), note


def test_a_collapsed_section_is_quarto_free_in_jupyterlab(interactive):
    table = markdown_table(pd.DataFrame({"claim": ["Y-1"], "verdict": [verdict_span("partly")]}))
    assert not QUARTO_ONLY.search(collapsed("The evidence", table).markdown)


def test_the_build_keeps_the_exact_quarto_markdown(build, tmp_path):
    # byte for byte what the renderers have always read (the executed notebooks must not change)
    assert banner(SYNTHETIC).markdown == (
        "::: {.callout-warning .synthetic-data}\n## Synthetic data\n\n**SYNTHETIC DATA - these numbers were invented for "
        "testing and are NOT Eurostat's or the OECD's. Do not quote or publish them.**\n:::\n"
    )
    assert str(verdict_span("not reproduced")) == "[not reproduced]{.verdict .verdict-not-reproduced}"
    assert str(verdict_span("partly (2 untested)")) == "[partly (2 untested)]{.verdict .verdict-partly}"
    note = no_data(gap_table(), year=2013, what="social-network use", name="gap", output_dir=tmp_path).markdown
    assert note.startswith("::: {.callout-note .no-data}\n**") and note.endswith("**\n:::\n")


def test_the_runner_tells_its_kernels_and_only_them(monkeypatch):
    from helpers.pipeline.notebook_runner import kernel_environment

    monkeypatch.delenv(BUILD_VARIABLE, raising=False)
    monkeypatch.setenv("SOME_SETTING", "kept")
    environment = kernel_environment()
    assert environment[BUILD_VARIABLE] == "1" and environment["SOME_SETTING"] == "kept"
    assert BUILD_VARIABLE not in os.environ  # not this process: a JupyterLab started from it must not inherit it


def kernel_says(km, code: str) -> str:
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        said = []
        client.execute_interactive(
            code, timeout=60, output_hook=lambda msg: said.append(msg["content"].get("text", ""))
        )
        return "".join(said).strip()
    finally:
        client.stop_channels()


@pytest.mark.e2e  # starts a kernel
def test_a_kernel_the_runner_starts_makes_outputs_for_the_renderers(monkeypatch, tmp_path, request):
    from jupyter_client.kernelspec import NoSuchKernel

    from helpers.pipeline.notebook_runner import KERNEL_NAME, kernel_log, start_kernel

    monkeypatch.delenv(BUILD_VARIABLE, raising=False)
    monkeypatch.setenv("OECD_BUILD_LOG", str(tmp_path / "build.log"))
    kernel_log.cache_clear()  # opened again in tmp_path, and again after the test
    request.addfinalizer(kernel_log.cache_clear)
    try:
        km = start_kernel(KERNEL_NAME)
    except NoSuchKernel:
        pytest.skip(f"the Jupyter kernel {KERNEL_NAME} is not installed (make env registers it)")
    try:
        assert kernel_says(km, "from helpers.publish.outputs import for_renderers; print(for_renderers())") == "True"
    finally:
        km.shutdown_kernel(now=True)


# -------------------------------------------------------------------- a notebook run as JupyterLab runs it


def run_as_jupyterlab(clone, name: str):
    """Run notebooks/<name>.ipynb as JupyterLab's Run All does: nbclient, the project's kernel, in
    notebooks/, the parameters cell as committed, no runner, no papermill, no BUILD_VARIABLE."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(clone / "notebooks" / f"{name}.ipynb", as_version=4)
    environment = {k: v for k, v in os.environ.items() if k != BUILD_VARIABLE}
    environment["PYTHONPATH"] = str(clone / "src")  # the clone's package (as tests/pipeline.py's builds)
    NotebookClient(
        notebook,
        kernel_name=notebook.metadata.kernelspec.name,
        timeout=600,
        resources={"metadata": {"path": str(clone / "notebooks")}},
    ).execute(env=environment)
    return notebook


def shown_text(notebook) -> str:
    """Every text a front end renders from the notebook's outputs."""
    parts = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            parts += [
                value if isinstance(value, str) else "".join(value)
                for mime, value in output.get("data", {}).items()
                if mime in ("text/markdown", "text/html", "text/plain")
            ]
            parts.append(output.get("text", "") if isinstance(output.get("text", ""), str) else "".join(output["text"]))
    return "\n".join(parts)


@pytest.mark.parametrize(
    ("name", "executed"), [("20_claims", "index.ipynb"), ("30_country_profile", "countries/NL.ipynb")]
)
def test_a_notebook_run_in_jupyterlab_shows_no_quarto_markup_while_the_build_keeps_it(
    built_report, tmp_path, name, executed
):
    import nbformat

    clone = tmp_path / "clone"
    shutil.copytree(built_report, clone, symlinks=True, ignore=shutil.ignore_patterns("_site", ".quarto-parts"))
    notebook = run_as_jupyterlab(clone, name)
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    shown = shown_text(notebook)
    assert '<div class="alert alert-warning synthetic-data">' in shown  # the warning, as a box
    assert re.search(r"\*\*(reproduced|partly|not reproduced|no data)\*\*", shown)  # verdicts, as words
    assert not QUARTO_ONLY.search(shown), [m.group(0) for m in QUARTO_ONLY.finditer(shown)][:5]
    # the same notebook as the runner executed it for the build: Quarto's Markdown
    built = shown_text(nbformat.read(built_report / "report" / executed, as_version=4))
    assert "::: {.callout-warning .synthetic-data}" in built and "{.verdict .verdict-" in built
