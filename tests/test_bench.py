"""`make bench` runs to the end: every step of bench/run_bench.py on a small case (three countries), so that a
step cannot rot unnoticed (the naive loop stopped on the article once, and nobody saw it for a round).
Timings are printed, never asserted: the benchmark measures, `make bench` judges (docs/performance.md)."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import OECD_FILE, ROOT
from helpers.catalogue import load_catalogue

KEPT = {"PT", "ES", "DE"}  # PT: the bench's `make country`


def small_mirror(mirror, target):
    """The mirror's files with only three countries' rows (and the aggregates the pages compare with)."""
    keep = KEPT | set(load_catalogue().aggregates)
    target.mkdir()
    for path in sorted(mirror.glob("*.tsv.gz")):
        lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines(keepends=True)
        rows = [line for line in lines[1:] if line.split("\t", 1)[0].rsplit(",", 1)[-1] in keep]
        (target / path.name).write_bytes(gzip.compress("".join([lines[0], *rows]).encode("utf-8"), mtime=0))
    shutil.copy2(mirror / OECD_FILE, target / OECD_FILE)
    return target


@pytest.mark.e2e
def test_every_step_of_the_benchmark_runs_to_the_end(synthetic_mirror_path, tmp_path):
    if subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
    ).stdout.strip():
        pytest.skip("the benchmark clones the committed code: commit the changes first (CI's clone is clean)")
    mirror = small_mirror(synthetic_mirror_path, tmp_path / "mirror")
    results = tmp_path / "results"
    done = subprocess.run(
        [
            sys.executable,
            "bench/run_bench.py",
            "--repeat",
            "1",
            "--skip-setup",
            "--kill-at",
            "3",
            "--mirror",
            str(mirror),
            "--results",
            str(results),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (record,) = [json.loads(path.read_text()) for path in results.glob("bench-*.json")]
    measured = set(record["results"]) | set(record["ratios"])
    for measure in (
        "cold build",
        "naive build (papermill CLI per notebook, serial)",
        "no-op rebuild",
        "one country page rebuilt (make country COUNTRY=PT, cold)",
        "ratio naive/cold",
        "killed build: notebooks run again beyond the unfinished",
    ):
        assert measure in measured, measure
    assert record["results"]["killed build: notebooks run again beyond the unfinished"]["median"] == 0
    if shutil.which("quarto"):
        assert "Quarto: make country COUNTRY=PT, its brief included (cold)" in measured
    not_measured = [t for t, verdict in record["targets"].items() if verdict == "not measured"]
    assert set(not_measured) <= {"first set-up (make env, fresh clone) at most 60 s"} | (
        set() if shutil.which("quarto") else {t for t in record["targets"] if "Quarto" in t or "PDF" in t}
    ), not_measured
