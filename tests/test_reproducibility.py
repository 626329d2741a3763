"""Reviewers: byte-identical re-runs, the data lock and the change report."""

from __future__ import annotations

import json

import pytest

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


def test_make_report_warns_when_the_data_differs_from_the_lock(own_built_clone):
    clone = own_built_clone
    lock = clone / "data" / "eurostat.lock"  # a clone commits none: the test records its own
    run_make(clone, "lock")  # the lock of what this clone was built from (../shared's mirror or the generated one)
    assert "WARNING" not in run_make(clone, "report").stderr
    record = json.loads(lock.read_text())
    record["datasets"]["isoc_ci_ac_i"]["sha256"] = "0" * 64
    lock.write_text(json.dumps(record))
    out = run_make(clone, "report").stderr
    assert "WARNING: the data this report was built from differs from the lock" in out
    assert "isoc_ci_ac_i: differs from the lock in sha256" in out
