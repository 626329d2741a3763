"""The runner's progress lines: no time estimate until every worker has paid its kernel's start."""

import time

import pytest
from pathlib import Path

from helpers.pipeline import notebook_runner


def fake_run(job):
    name, parameters, output = job
    time.sleep(0.3 if parameters["first"] else 0.02)  # the first notebook of a worker starts its kernel
    return output, None


def test_progress_estimates_time_left_only_once_the_workers_are_warm(monkeypatch, capsys):
    monkeypatch.setattr(notebook_runner, "_execute_one", fake_run)  # the workers are forked: they see it
    work = [("30_country_profile", {"first": i == 0}, Path(f"/tmp/{i}.ipynb")) for i in range(5)]
    assert notebook_runner.execute_jobs(work, jobs=1) == []
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5 and all(line.startswith(f"[{i + 1}/5] executed") for i, line in enumerate(lines))
    assert "left" not in lines[0] and "left" not in lines[-1]
    estimates = [int(line.split("(about ")[1].split(" s")[0]) for line in lines[1:-1]]
    assert estimates and max(estimates) <= 1  # from the warm rate (0.02 s a notebook), not the first 0.3 s


@pytest.mark.e2e  # starts a kernel
def test_a_notebook_in_a_reused_kernel_starts_from_an_empty_namespace(tmp_path, monkeypatch):
    """The pool's kernels run one notebook after another: what one notebook defined is gone for the next (its
    output never depends on what ran before), while the modules stay loaded."""
    import json

    def notebook(source: str) -> dict:
        cell = {"cell_type": "code", "id": "c", "metadata": {}, "execution_count": None, "outputs": []}
        return {"cells": [{**cell, "source": source}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}

    (tmp_path / "first.ipynb").write_text(json.dumps(notebook("import json\nleft_over = 1")))
    (tmp_path / "second.ipynb").write_text(
        json.dumps(
            notebook(
                "print(sorted(n for n in ('left_over', 'json') if n in globals()), 'json' in __import__('sys').modules)"
            )
        )
    )
    monkeypatch.setattr(notebook_runner, "NOTEBOOK_DIR", tmp_path)
    work = [(name, {}, tmp_path / "out" / f"{name}.ipynb") for name in ("first", "second")]
    # two notebooks: one worker process (forked, it sees the folder above), its kernel ending with it
    assert notebook_runner.execute_jobs(work, jobs=1) == []
    second = json.loads((tmp_path / "out" / "second.ipynb").read_text())
    assert "".join(second["cells"][0]["outputs"][0]["text"]) == "[] True\n"
