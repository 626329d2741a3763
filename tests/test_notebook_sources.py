"""Source notebooks are committed clean: no outputs, no execution counts, stable ids, the kernel."""

import json

import pytest

from conftest import ROOT
from helpers.pipeline.notebook_runner import KERNEL_NAME

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_clean(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert notebook["metadata"]["kernelspec"]["name"] == KERNEL_NAME
    assert set(notebook["metadata"]) <= {"kernelspec", "language_info"}, "volatile notebook metadata"
    ids = [cell["id"] for cell in notebook["cells"]]
    assert len(ids) == len(set(ids)) and all(ids)
    for cell in notebook["cells"]:
        assert set(cell["metadata"]) <= {"tags"}, f"cell {cell['id']} carries metadata"
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"cell {cell['id']} has outputs"
            assert cell["execution_count"] is None, f"cell {cell['id']} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_one_parameters_cell(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    tagged = [c for c in notebook["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1
