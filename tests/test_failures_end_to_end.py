"""Failures keep good data, in a built clone: bad mirrors, a second build, a dry run, hostile text.

Reads the built clone (`built_report`); a test that changes a clone (a file, a kill, a failing page)
works on its own copy (`own_built_clone`), so that no failure here reaches another test.
"""

from __future__ import annotations

import fcntl
import json
import gzip
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from pipeline import render_one_country, clean_clone, run_make, snapshot

pytestmark = pytest.mark.e2e


def mirror_copy(source, destination, dataset=None, edit=None):
    """A copy of the synthetic mirror, with `edit(lines)` applied to one dataset's file."""
    shutil.copytree(source, destination)
    if dataset:
        path = destination / f"{dataset}.tsv.gz"
        lines = gzip.decompress(path.read_bytes()).decode("utf-8").split("\r\n") if path.exists() else None
        if lines is None:
            path = destination / f"{dataset}.tsv"
            lines = path.read_text(encoding="utf-8").split("\r\n")
        edit(lines)
        text = "\r\n".join(lines).encode("utf-8")
        path.write_bytes(gzip.compress(text, mtime=0) if path.suffix == ".gz" else text)
    return destination


def duplicate_a_row(lines):
    """A series the report uses, twice (a row the catalogue filters out would never reach the store)."""
    used = next(i for i, line in enumerate(lines) if line.startswith("A,I_IUSNET,PC_IND,I5_8,NL\t"))
    lines.insert(used + 1, lines[used])


def duplicate_an_unselected_row(lines):
    """A series the catalogue does not select, twice: the raw file is what was received, so it is refused too."""
    freq, _indicator, rest = lines[1].split(",", 2)
    unselected = f"{freq},I_NOT_IN_THE_CATALOGUE,{rest}"
    lines[2:2] = [unselected, unselected]


def unreadable_cell(lines):
    cells = lines[1].split("\t")
    cells[3] = "abc"
    lines[1] = "\t".join(cells)


@pytest.mark.parametrize(
    "edit, message",
    [
        (duplicate_a_row, "duplicate key"),
        (duplicate_an_unselected_row, "duplicate key"),
        (unreadable_cell, "cannot read cell 'abc'"),
    ],
    ids=["duplicate-row", "duplicate-unselected-row", "abc-cell"],
)
def test_a_refresh_from_a_bad_mirror_keeps_the_data_in_use(
    built_report, synthetic_mirror_path, tmp_path, edit, message
):
    bad = mirror_copy(synthetic_mirror_path, tmp_path / "bad mirror", "isoc_ci_ac_i", edit)
    data_before = snapshot(built_report / "data")
    result = run_make(built_report, "refresh", f"EUROSTAT_MIRROR={bad}", check=False)
    assert result.returncode != 0
    assert message in result.stderr and "previous data" in result.stderr
    assert "Traceback" not in result.stderr
    if edit is not unreadable_cell:  # one line naming the dataset and the key
        assert "isoc_ci_ac_i" in result.stderr and "duplicate key 'A," in result.stderr
    if edit is unreadable_cell:
        assert "dataset isoc_ci_ac_i" in result.stderr and "series A," in result.stderr and "year " in result.stderr
    assert snapshot(built_report / "data") == data_before
    later = run_make(built_report, "report")  # later builds still work, with nothing to do
    assert "executed" not in later.stdout


def test_make_data_with_another_mirror_says_the_data_is_already_there(built_report, synthetic_mirror_path, tmp_path):
    other = mirror_copy(synthetic_mirror_path, tmp_path / "other")
    result = run_make(built_report, "data", f"EUROSTAT_MIRROR={other}")
    assert "already holds the data" in result.stdout
    assert f"make refresh EUROSTAT_MIRROR={other}" in result.stdout


def test_a_mirror_path_with_spaces_works(synthetic_mirror_path, tmp_path):
    spaced = mirror_copy(synthetic_mirror_path, tmp_path / "a mirror with spaces")
    clone = clean_clone(tmp_path / "clone")
    run_make(clone, "data", f"EUROSTAT_MIRROR={spaced}")
    record = json.loads((clone / "data" / "raw" / "isoc_ci_ac_i.provenance.json").read_text())
    assert record["location"].startswith(str(spaced))


def test_a_second_build_at_once_is_refused(built_report):
    from pipeline import lock_is_taken

    deadline = time.monotonic() + 10  # the previous test's build lets go of the lock within a moment of its end
    while lock_is_taken(built_report / ".build.lock") and time.monotonic() < deadline:
        time.sleep(0.02)
    with open(built_report / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a build is running
        before = snapshot(built_report / "report")
        result = run_make(built_report, "report", "YOUTH_HIGHLIGHT=NL,DE", check=False)
        assert result.returncode != 0
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "another build is running in this clone" in lines[0], lines
        assert snapshot(built_report / "report") == before


def test_make_n_changes_nothing(built_report):
    before = snapshot(built_report / "report")
    result = run_make(built_report, "-n", "report", "YOUTH_HIGHLIGHT=NL,DE")
    assert "helpers.pipeline.pages run" in result.stdout  # it says what would run...
    assert snapshot(built_report / "report") == before  # ...and does none of it
    assert "youth-civic" not in run_make(built_report, "-n", "report").stdout


def test_a_killed_notebook_leaves_nothing_that_becomes_a_page(own_built_clone):
    countries = own_built_clone / "report" / "countries"
    pages_before = sorted(p.name for p in (own_built_clone / "report" / "_site" / "countries").glob("*.html"))
    # what a kill left behind with earlier versions: a scratch copy beside the pages
    shutil.copy(countries / "EL.ipynb", countries / ".EL.x7d3_k.ipynb")
    process = subprocess.Popen(
        [
            "make",
            "--no-print-directory",
            "-C",
            str(own_built_clone),
            "country",
            "COUNTRY=EL",
            f"PYTHON={sys.executable}",
            "ENV_STAMP=",
        ],
        env={**os.environ, "PYTHONPATH": str(own_built_clone / "src"), "QUARTO": ""},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        process.wait(timeout=4)  # killed mid-run
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait()
    run_make(own_built_clone, "country", "COUNTRY=EL")
    for notebook in countries.glob("*.ipynb"):
        notebook.touch()  # the site is rendered again from every country notebook
    run_make(own_built_clone, "report")
    pages_after = sorted(p.name for p in (own_built_clone / "report" / "_site" / "countries").glob("*.html"))
    assert pages_after == pages_before
    assert not list(countries.glob(".*.ipynb"))


def test_hostile_text_in_a_label_and_the_citation_is_shown_as_text(own_built_clone):
    clone = own_built_clone
    catalogue = clone / "src" / "helpers" / "catalogue" / "series.toml"
    cff = clone / "CITATION.cff"
    cff.write_text(cff.read_text().replace("title:", "title: '<script>alert(2)</script> A report'\nold-title:", 1))
    result = run_make(clone, "report")  # a changed CITATION.cff re-runs the Cite page
    assert "50_cite" in result.stdout
    catalogue.write_text(
        catalogue.read_text().replace('LU = "Luxembourg"', 'LU = "<script>alert(1)</script>Luxembourg"')
    )
    render_one_country(clone, "LU")
    lu = (clone / "report" / "_site" / "countries" / "LU.html").read_text()
    cite = (clone / "report" / "_site" / "cite.html").read_text()
    assert "<script>alert(1)" not in lu and "&lt;script&gt;alert(1)" in lu
    assert "<script>alert(2)" not in cite and "alert(2)" in cite


def test_make_country_refuses_to_mix_parameters_on_one_site(built_report):
    before = snapshot(built_report / "report")
    result = run_make(built_report, "country", "COUNTRY=PT", "PAPER_YEAR=2015", check=False)
    assert result.returncode != 0 and "leave a mixed site" in result.stderr and "make report" in result.stderr
    assert snapshot(built_report / "report") == before


def test_a_page_that_fails_stays_out_of_date_and_only_it_runs_again(own_built_clone):
    # the pages run in one pool: a failure must not pass for a built page, nor make the next build run the
    # other pages again
    before = snapshot(own_built_clone / "report")
    # a bad value never gets this far (the settings are checked at the door): the notebook itself fails
    source = own_built_clone / "notebooks" / "10_youth_civic.ipynb"
    original = source.read_bytes()
    source.write_text(
        source.read_text().replace('check_countries(highlight.split(\\",\\"))', 'check_countries([\\"ZZ\\"])')
    )
    assert source.read_bytes() != original
    for attempt in range(2):
        result = run_make(own_built_clone, "report", check=False)
        assert result.returncode != 0, attempt
        assert "failed report/youth-civic.ipynb" in result.stderr and "ZZ" in result.stderr, attempt
        assert re.findall(r"executed (\S+)", result.stdout) == [], attempt  # only the failing page ran
    after = snapshot(own_built_clone / "report")
    assert after["youth-civic.ipynb"] == before["youth-civic.ipynb"]  # the previous page kept
    assert after["_site/youth-civic.html"] == before["_site/youth-civic.html"]
    source.write_bytes(original)
    # the notebook mended as it was: the page kept was made from exactly these inputs, so nothing runs
    result = run_make(own_built_clone, "report")
    assert re.findall(r"executed (\S+)", result.stdout) == []
    source.write_bytes(original.replace(b"highlighted = check_countries", b"highlighted  = check_countries"))
    result = run_make(own_built_clone, "report")  # mended otherwise: the page runs again, alone
    assert re.findall(r"executed (\S+)", result.stdout) == ["10_youth_civic"]
    assert snapshot(own_built_clone / "report")["youth-civic.ipynb"] != before["youth-civic.ipynb"]  # its source
