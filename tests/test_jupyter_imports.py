"""The runner and the renderer import Jupyter's libraries without rfc3987_syntax's IRI grammar
(about 2 s per process), and notebooks are still validated."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, sys
import {module}
import nbformat, papermill, nbconvert
notebook = nbformat.read({notebook!r}, as_version=4)
nbformat.validate(notebook)
broken = json.loads(json.dumps(notebook))
broken["cells"][0]["cell_type"] = "not a cell type"
try:
    nbformat.validate(nbformat.from_dict(broken))
    invalid_caught = False
except nbformat.ValidationError:
    invalid_caught = True
print(json.dumps({{"grammar_loaded": sys.modules.get("rfc3987_syntax") is not None,
                  "jsonschema_loaded": "jsonschema" in sys.modules, "invalid_caught": invalid_caught}}))
"""


def probe(module):
    code = PROBE.format(module=module, notebook=str(ROOT / "notebooks" / "20_claims.ipynb"))
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_runner_skips_the_grammar_and_still_validates_notebooks():
    seen = probe("helpers.pipeline.notebook_runner")
    assert seen == {"grammar_loaded": False, "jsonschema_loaded": True, "invalid_caught": True}


def test_the_renderers_import_no_jupyter_library():
    """The fallback renderer reads the notebooks as JSON and Markdown with mistune; the site command
    imports the runner (and its Jupyter libraries) only for `make country`."""
    code = (
        "import sys, helpers.pipeline.site, helpers.render.fallback_renderer, helpers.render.article\n"
        "print(sorted(m for m in ('nbformat', 'nbconvert', 'papermill', 'jsonschema') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.integration
def test_the_skip_says_when_it_comes_too_late():
    code = (
        "import jsonschema, sys\nfrom helpers.base.jupyter_imports import skip_unused_iri_grammar\n"
        "print(skip_unused_iri_grammar(), 'rfc3987_syntax' in sys.modules and sys.modules['rfc3987_syntax'] is None)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert result.stdout.split() == ["False", "False"]
