"""The data lock belongs to the data it describes: DATA_DIR's own lock, no warning about data a user never
had, one note saying how to record a lock, a release's lock adopted by a build rebuilt from it."""

from __future__ import annotations

import io
import json
import subprocess

from conftest import ROOT
from helpers.store import data_lock


def record(dataset: str, sha: str = "a" * 64, **extra) -> dict:
    return {
        "dataset": dataset,
        "source": "live",
        "synthetic": False,
        "filters": {"freq": ["A"]},
        "last_update": "2026-06-01",
        "rows": 10,
        "series": 2,
        "sha256": sha,
        "retrieved_at": "2026-06-16T21:00:00Z",
        **extra,
    }


def data_folder(tmp_path, *records: dict, name: str = "data"):
    raw = tmp_path / name / "raw"
    raw.mkdir(parents=True)
    for r in records:
        (raw / f"{r['dataset']}.provenance.json").write_text(json.dumps(r))
    return tmp_path / name


def check(data_dir) -> tuple[list[str], str]:
    out = io.StringIO()
    return data_lock.check(data_dir, out=out), out.getvalue()


def test_make_lock_writes_the_lock_of_the_data_folder_in_use(tmp_path):
    demo = data_folder(tmp_path, record("isoc_ci_ac_i"), name="demo-data")
    assert data_lock.main(["write", "--data-dir", str(demo)]) == 0
    written = json.loads((demo / "eurostat.lock").read_text())
    assert written["datasets"]["isoc_ci_ac_i"]["sha256"] == "a" * 64
    assert not (tmp_path / "data").exists()  # nothing written anywhere else


def test_a_first_build_without_a_lock_gets_one_note_once_and_no_warning(tmp_path):
    data = data_folder(tmp_path, record("isoc_ci_ac_i"))
    found, said = check(data)
    assert found == [] and "WARNING" not in said
    assert said.count("\n") == 1 and "`make lock" in said and "no lock yet" in said
    assert check(data) == ([], "")  # said once for the same data
    (data / "raw" / "isoc_ci_ac_i.provenance.json").write_text(json.dumps(record("isoc_ci_ac_i", sha="b" * 64)))
    assert "no lock yet" in check(data)[1]  # other data: said again
    assert not (data / "eurostat.lock").exists()  # a note, never a lock written behind the user's back


def test_the_note_names_the_data_folder_when_it_is_not_the_default(tmp_path):
    data = data_folder(tmp_path, record("isoc_ci_ac_i"), name="elsewhere")
    assert f"`make lock DATA_DIR={data}`" in check(data)[1]


def test_the_lock_warns_naming_the_dataset_that_differs(tmp_path):
    data = data_folder(tmp_path, record("isoc_ci_ac_i"), record("isoc_ciegi_ac"))
    data_lock.write_lock(data / "raw", data / "eurostat.lock")
    assert check(data) == ([], "")
    (data / "raw" / "isoc_ciegi_ac.provenance.json").write_text(
        json.dumps(record("isoc_ciegi_ac", sha="0" * 64, rows=1))
    )
    found, said = check(data)
    assert found == ["isoc_ciegi_ac: differs from the lock in rows, sha256 (rows 10 -> 1)"]
    assert said.startswith(
        f"WARNING: the data this report was built from differs from the lock ({data / 'eurostat.lock'})"
    )


def test_a_build_rebuilt_from_a_release_takes_the_release_lock_and_checks_against_it(tmp_path):
    release = tmp_path / "release" / "data"
    release.mkdir(parents=True)
    rebuilt = {"release": "0.2.0", "commit": "c" * 40, "folder": str(release)}
    data = data_folder(
        tmp_path, record("isoc_ci_ac_i", rebuilt_from=rebuilt), record("isoc_ciegi_ac", rebuilt_from=rebuilt)
    )
    data_lock.write_lock(data / "raw", release / "eurostat.lock")
    found, said = check(data)
    assert (
        found == []
        and said == f"note: the data were rebuilt from release 0.2.0; its data lock is now {data / 'eurostat.lock'}\n"
    )
    assert (data / "eurostat.lock").read_bytes() == (release / "eurostat.lock").read_bytes()
    # a release whose lock does not describe its data is noticed
    (data / "eurostat.lock").unlink()
    locked = json.loads((release / "eurostat.lock").read_text())
    locked["datasets"]["isoc_ci_ac_i"]["last_update"] = "2025-01-01"
    (release / "eurostat.lock").write_text(json.dumps(locked))
    found, said = check(data)
    assert (
        found == ["isoc_ci_ac_i: differs from the lock in last_update (last_update '2025-01-01' -> '2026-06-01')"]
        and "WARNING" in said
    )


def test_a_lock_of_the_user_is_never_replaced_by_a_release_lock(tmp_path):
    release = tmp_path / "release"
    release.mkdir()
    (release / "eurostat.lock").write_text('{"datasets": {}}')
    data = data_folder(tmp_path, record("isoc_ci_ac_i", rebuilt_from={"release": "0.2.0", "folder": str(release)}))
    data_lock.write_lock(data / "raw", data / "eurostat.lock")
    own = (data / "eurostat.lock").read_bytes()
    assert check(data) == ([], "")
    assert (data / "eurostat.lock").read_bytes() == own


def test_no_data_no_word(tmp_path):
    assert check(tmp_path) == ([], "")


def test_the_repository_commits_no_lock_of_synthetic_data():
    """A committed lock is what a user's first build is checked against: never the test mirror's."""
    tracked = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "--", "data/eurostat.lock"], capture_output=True, text=True
    ).stdout
    if not tracked.strip():
        return  # no committed lock: every first build gets the note, never a warning
    datasets = json.loads((ROOT / "data" / "eurostat.lock").read_text())["datasets"]
    assert not [
        name for name, entry in datasets.items() if entry.get("synthetic")
    ], "the committed lock records synthetic data"
