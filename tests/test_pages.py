"""Which pages run again (helpers.pipeline.pages): a page is out of date when its executed notebook is missing
or one of its inputs' content changed since it was made; a file written again with the same bytes runs
nothing, and what each page was made from is recorded as it finishes."""

from __future__ import annotations

import json
import os
import time

from helpers.pipeline import pages as module
from helpers.pipeline.pages import Hashes, Page, made_from, stale


def page(tmp_path, name="youth-civic") -> Page:
    inputs = []
    for file in ("notebook.ipynb", "store.parquet", "claims.py"):
        path = tmp_path / name / file
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"{file} of {name}\n")
        inputs.append(path)
    output = tmp_path / name / "executed.ipynb"
    output.write_text("{}\n")
    return Page("10_youth_civic", {"paper_year": 2013}, output, tuple(inputs))


def test_a_page_made_from_todays_inputs_is_current(tmp_path):
    made = page(tmp_path)
    record = {module.shown(made.output): made_from(made, Hashes())}
    assert stale([made], record, Hashes()) == []


def test_a_changed_input_a_missing_output_or_no_record_make_a_page_stale(tmp_path):
    made, other = page(tmp_path), page(tmp_path, "senior-uptake")
    record = {module.shown(p.output): made_from(p, Hashes()) for p in (made, other)}
    made.inputs[2].write_text("claims.py, changed\n")
    assert stale([made, other], record, Hashes()) == [made]
    other.output.unlink()
    assert stale([made, other], record, Hashes()) == [made, other]
    assert stale([made], {}, Hashes()) == [made]


def test_an_input_written_again_with_the_same_bytes_runs_nothing(tmp_path):
    """Content, not times: a store rebuilt to the same bytes, a touched notebook."""
    made = page(tmp_path)
    record = {module.shown(made.output): made_from(made, Hashes())}
    future = time.time() + 3600
    for path in made.inputs:
        path.write_text(path.read_text())
        os.utime(path, (future, future))
    assert stale([made], record, Hashes()) == []


def test_each_page_is_recorded_as_it_finishes_and_a_failed_one_is_not(tmp_path, monkeypatch):
    """So a build killed half-way, or with a failing page, runs again only what did not finish."""
    report = tmp_path / "report"
    report.mkdir()
    done, failed = page(tmp_path, "done"), page(tmp_path, "failed")
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "pages", lambda *a, **k: [done, failed])
    monkeypatch.setattr(module, "keep_previous", lambda *a: None)

    def execute_jobs(work, jobs, on_done):
        on_done(0, None)
        on_done(1, "failed: a notebook stopped")
        return ["failed: a notebook stopped"]

    monkeypatch.setattr(module, "execute_jobs", execute_jobs)
    assert module.run(report.relative_to(tmp_path), tmp_path, jobs=2) == ["failed: a notebook stopped"]
    record = json.loads((report / module.RECORD).read_text())
    assert list(record) == [module.shown(done.output)]
    # as old as before the step (older than its inputs) until the whole step has succeeded: make runs it again
    assert (report / module.RECORD).stat().st_mtime == 0
    assert stale([done, failed], record, Hashes()) == [failed]
