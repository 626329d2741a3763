"""Reviewers: byte-identical re-runs, the data lock and the change report."""

from __future__ import annotations

import gzip
import json
import shutil

import pytest

from helpers.publish import data_diff as change_report
from helpers.store.data_lock import differences, write_lock
from pipeline import clean_clone, run_make, snapshot

pytestmark = pytest.mark.e2e


def comparable(folder):
    """Every output file, leaving out the previous build's copies kept for `make diff`."""
    return {path: digest for path, digest in snapshot(folder).items() if not path.startswith(".previous/")}


def test_two_clean_runs_give_identical_outputs(built_report, synthetic_mirror_path, tmp_path):
    other = clean_clone(tmp_path / "second-clone")
    run_make(other, "report", f"EUROSTAT_MIRROR={synthetic_mirror_path}")
    for folder in ("report", "data/processed", "data/raw"):
        first, second = comparable(built_report / folder), comparable(other / folder)
        assert first.keys() == second.keys(), folder
        differing = sorted(path for path in first if first[path] != second[path])
        assert not differing, f"{folder}: {differing[:10]}"
    assert len(comparable(built_report / "report")) > 100


def modified_mirror(source, target, changes):
    """Copy a mirror, replacing some cells: changes = {(dataset, series key, year): new cell}."""
    shutil.copytree(source, target)
    for dataset in {d for d, _, _ in changes}:
        path = target / f"{dataset}.tsv.gz"
        lines = gzip.decompress(path.read_bytes()).decode().split("\r\n")
        years = [h.strip() for h in lines[0].split("\t")[1:]]
        for i, line in enumerate(lines[1:], start=1):
            cells = line.split("\t")
            for (d, key, year), cell in changes.items():
                if d == dataset and cells[0] == key:
                    cells[1 + years.index(str(year))] = cell
            lines[i] = "\t".join(cells)
        path.write_bytes(gzip.compress("\r\n".join(lines).encode(), mtime=0))
    manifest = json.loads((target / "MIRROR.json").read_text())
    (target / "MIRROR.json").write_text(json.dumps(manifest))
    return target


def test_change_report_names_exactly_the_changed_series_and_the_flipped_verdicts(built_report, synthetic_mirror_path, tmp_path):
    # E-1 says EU high 53, low 31, gap 22: make the 2013 EU28 values say exactly that
    mirror = modified_mirror(synthetic_mirror_path, tmp_path / "revised", {
        ("isoc_ci_ac_i", "A,I_IUSNET,PC_IND,I5_8,EU28", 2013): "53.0 ",
        ("isoc_ci_ac_i", "A,I_IUSNET,PC_IND,I0_2,EU28", 2013): "31.0 ",
    })
    output = tmp_path / "data-diff.md"
    assert change_report.main(["--raw-dir", str(built_report / "data/raw"), "--mirror", str(mirror), "--output", str(output)]) == 0
    text = output.read_text()
    assert "**2 cell(s) changed in 2 series; 1 verdict(s) flip; 0 country ranking(s) move.**" in text
    series_section = text.split("## Series that changed")[1].split("## Largest revisions")[0]
    assert "| isoc_ci_ac_i | I_IUSNET | PC_IND | I0_2 |" in series_section
    assert "| isoc_ci_ac_i | I_IUSNET | PC_IND | I5_8 |" in series_section
    assert series_section.count("| isoc_ci_ac_i |") == 2
    flips = text.split("## Claim verdicts that flip")[1].split("## Rankings")[0]
    assert "| E-1 | paper year | partly | reproduced |" in flips


def test_change_report_with_a_country_revision_moves_rankings(built_report, synthetic_mirror_path, tmp_path):
    mirror = modified_mirror(synthetic_mirror_path, tmp_path / "revised", {
        ("isoc_ci_ac_i", "A,I_IUPOL2,PC_IND,Y16_24,NL", 2013): "40.0 u",
    })
    output = tmp_path / "data-diff.md"
    change_report.main(["--raw-dir", str(built_report / "data/raw"), "--mirror", str(mirror), "--output", str(output)])
    text = output.read_text()
    assert "1 cell(s) changed in 1 series" in text
    assert "| Youth civic use | 2013 | NL |" in text


def test_the_lock_notices_other_data(built_report, tmp_path):
    lock = tmp_path / "eurostat.lock"
    write_lock(built_report / "data/raw", lock)
    assert differences(built_report / "data/raw", lock) == []
    record = json.loads(lock.read_text())
    record["datasets"]["isoc_ciegi_ac"]["sha256"] = "0" * 64
    record["datasets"]["isoc_ciegi_ac"]["rows"] = 1
    lock.write_text(json.dumps(record))
    found = differences(built_report / "data/raw", lock)
    assert len(found) == 1 and found[0].startswith("isoc_ciegi_ac: differs from the lock in rows, sha256")


def test_make_report_warns_when_the_data_differs_from_the_lock(built_report):
    lock = built_report / "data" / "eurostat.lock"  # a clone commits none: the test records its own
    run_make(built_report, "lock")  # the lock of what this clone was built from (../shared's mirror or the generated one)
    assert "WARNING" not in run_make(built_report, "report").stderr
    saved = lock.read_text()
    record = json.loads(saved)
    record["datasets"]["isoc_ci_ac_i"]["sha256"] = "0" * 64
    lock.write_text(json.dumps(record))
    try:
        out = run_make(built_report, "report").stderr
        assert "WARNING: the data this report was built from differs from the lock" in out
        assert "isoc_ci_ac_i: differs from the lock in sha256" in out
    finally:
        lock.unlink()
