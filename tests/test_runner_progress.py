"""The runner's progress lines: no time estimate until every worker has paid its kernel's start."""

import time
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
