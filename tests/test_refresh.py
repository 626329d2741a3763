"""The fetch replaces data/raw only with data that makes a valid store (helpers.store.refresh).

The parser already refuses most bad answers; these tests hold the last gate on its own: data
that the store's validation rejects (whatever the rule) never replaces the data in use.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.acquire.oecd_api import OecdSettings, data_url
from helpers.acquire.received import provenance_path
from helpers.acquire.settings import FetchSettings
from helpers.base.errors import FetchError, ValidationError
from helpers.catalogue import load_catalogue
from helpers.store import refresh, tidy
from helpers.store.refresh import fetch_all, resolve_source, say_fetch_notes, unread_mirror_note
from pipeline import snapshot


def reject(table, catalogue):
    raise ValidationError("the tidy table is not valid, nothing was written:\n- a rule the parser does not know")


def test_a_refresh_whose_data_would_not_make_a_valid_store_keeps_the_data_in_use(
    tmp_path, synthetic_mirror, monkeypatch
):
    raw = tmp_path / "raw"
    fetch_all(raw, source="mirror", mirror=synthetic_mirror)
    before, entries = snapshot(raw), sorted(raw.rglob("*"))
    monkeypatch.setattr(tidy, "validate", reject)
    with pytest.raises(
        FetchError, match="would not make a valid store, so the previous data was kept: (?s:.*)a rule the parser"
    ):
        fetch_all(raw, source="mirror", mirror=synthetic_mirror, refresh=True)
    assert snapshot(raw) == before and sorted(raw.rglob("*")) == entries  # no file replaced, no staging folder left


def test_a_first_fetch_whose_data_would_not_make_a_valid_store_leaves_no_data(tmp_path, synthetic_mirror, monkeypatch):
    raw = tmp_path / "raw"
    monkeypatch.setattr(tidy, "validate", reject)
    with pytest.raises(FetchError, match="would not make a valid store"):
        fetch_all(raw, source="mirror", mirror=synthetic_mirror)
    assert sorted(p.name for p in raw.iterdir()) == []  # nothing half-written: `make data` fetches again


# What the fetch says on the terminal, and what stands in for an OECD fetch that failed: called directly on
# files in tmp_path (no make, no network).

OECD = load_catalogue().datasets_from("oecd")[0]


def write_record(raw, code, **record):
    raw.mkdir(parents=True, exist_ok=True)
    provenance_path(raw, code).write_text(json.dumps({"dataset": code, **record}), encoding="utf-8")


def test_the_fetch_notes_are_said_once_stripped_then_gone(tmp_path):
    assert say_fetch_notes(tmp_path) == ""  # no fetch said anything
    refresh._write_notes(tmp_path, ["note: one", "note: two"])
    assert (tmp_path / refresh.FETCH_NOTES).read_text(encoding="utf-8") == "note: one\nnote: two\n"
    assert say_fetch_notes(str(tmp_path)) == "note: one\nnote: two"
    assert not (tmp_path / refresh.FETCH_NOTES).exists() and say_fetch_notes(tmp_path) == ""


def test_a_fetch_with_nothing_to_say_removes_the_previous_fetchs_notes(tmp_path):
    refresh._write_notes(tmp_path, [])
    assert not (tmp_path / refresh.FETCH_NOTES).exists()
    refresh._write_notes(tmp_path, ["note: old"])
    refresh._write_notes(tmp_path, [])
    assert not (tmp_path / refresh.FETCH_NOTES).exists()  # make would otherwise say an old fetch's note


def test_the_command_line_says_the_fetch_notes_once_and_nothing_when_there_are_none(tmp_path, capsys):
    refresh._write_notes(tmp_path, ["note: the OECD's data could not be fetched"])
    assert refresh.main(["say-fetch-notes", "--raw-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "note: the OECD's data could not be fetched\n"
    assert refresh.main(["say-fetch-notes", "--raw-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out == ""  # not even an empty line
    with pytest.raises(SystemExit) as exit_:
        refresh.main([])  # a command is required
    assert exit_.value.code == 2 and "required" in capsys.readouterr().err


def test_the_command_line_says_the_mirror_was_not_read_naming_it(tmp_path, capsys, monkeypatch):
    mirror = tmp_path / "my mirror"
    mirror.mkdir()
    raw = tmp_path / "raw"
    for spec in load_catalogue().datasets:
        write_record(
            raw, spec.code, source="mirror", location=str(mirror / f"{spec.code}.tsv"), retrieved_at="2026-01-02"
        )
    monkeypatch.setenv("EUROSTAT_MIRROR", str(mirror))
    assert refresh.main(["note-unread-mirror", "--raw-dir", str(raw)]) == 0
    assert capsys.readouterr().out == (
        f"note: {raw} already holds the data (from that mirror, retrieved 2026-01-02); EUROSTAT_MIRROR was not "
        f"read. To fetch again from it: make refresh EUROSTAT_MIRROR='{mirror}'\n"
    )


def test_the_unread_mirror_note_names_where_the_data_came_from_and_the_latest_retrieval(tmp_path):
    raw, mirror, other = tmp_path / "raw", tmp_path / "mirror", tmp_path / "other"
    codes = [s.code for s in load_catalogue().datasets]
    write_record(raw, codes[0], source="mirror", location=str(other / "a.tsv"), retrieved_at="2026-01-02T00:00:00Z")
    write_record(raw, codes[1], source="live", location="https://api.example/x", retrieved_at="2026-03-04T00:00:00Z")
    write_record(raw, codes[2], source="live", retrieved_at="2025-12-31T00:00:00Z")
    note = unread_mirror_note(str(raw), str(mirror))
    # another mirror than the one set, and Eurostat's API: each named, sorted; the newest retrieval
    assert note == (
        f"note: {raw} already holds the data (from {other}, Eurostat's API (https://api.example/x), Eurostat's API "
        "(live), retrieved 2026-03-04T00:00:00Z); EUROSTAT_MIRROR was not read. To fetch again from it: "
        f"make refresh EUROSTAT_MIRROR={mirror}"
    )
    # the mirror set, but not alone: named as a folder, not as "that mirror"
    write_record(raw, codes[0], source="mirror", location=str(mirror / "a.tsv"), retrieved_at="2026-01-02T00:00:00Z")
    assert f"(from {mirror}, Eurostat's API (https://api.example/x), Eurostat's API (live), " in unread_mirror_note(
        raw, str(mirror)
    )


def test_the_unread_mirror_note_with_no_record_names_no_source_and_no_date(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    assert unread_mirror_note(raw, "/m") == (
        f"note: {raw} already holds the data (from , retrieved ); EUROSTAT_MIRROR was not read. "
        "To fetch again from it: make refresh EUROSTAT_MIRROR=/m"
    )


def test_an_oecd_fetch_failing_with_no_previous_data_is_recorded_unavailable_with_why_and_where(tmp_path):
    fetched = []
    settings = OecdSettings(api_base="https://oecd.example/")
    note = refresh._stand_in_for(tmp_path, OECD, "the API said 503", settings, fetched)
    assert note == (
        "note: the OECD's data could not be fetched: the API said 503; the report is built without it (the claims' "
        "OECD parts are not checked, and every page that shows them says so). `make refresh` tries the OECD again"
    )
    [record] = fetched
    assert record.code == OECD.code and record.payload is None
    assert record.provenance["unavailable"] == "the API said 503"
    assert record.provenance["location"] == data_url(OECD, settings)


@pytest.mark.parametrize(
    "previous, held",
    [
        (
            {"source": "live", "rows": 0, "retrieved_at": "2026-03-04T05:06:07Z"},
            "its previous data (retrieved 2026-03-04) was kept",
        ),
        ({"source": "mirror", "rows": 12, "synthetic": False}, "its previous data (retrieved earlier) was kept"),
        (
            {"unavailable": "429", "attempted_at": "2026-02-03T04:05:06Z"},
            "it is still recorded as unavailable (since 2026-02-03)",
        ),
    ],
)
def test_an_oecd_fetch_failing_keeps_the_oecds_own_previous_answer(tmp_path, previous, held):
    write_record(tmp_path, OECD.code, **previous)
    fetched = []
    note = refresh._stand_in_for(tmp_path, OECD, "down", OecdSettings(), fetched)
    assert fetched == []  # nothing staged: the previous record and file stay as they are
    assert note == (
        f"note: the OECD's data could not be fetched: down; {held}. Eurostat's data was fetched; "
        "`make refresh` tries the OECD again"
    )


@pytest.mark.parametrize(
    "previous",
    [
        {"source": "mirror", "rows": 12, "synthetic": True},  # invented data would mark a real report synthetic
        {"source": "mirror", "rows": 0, "synthetic": False},  # a mirror without the OECD's file
        {"source": "mirror", "synthetic": False},
    ],
)
def test_an_oecd_fetch_failing_never_keeps_invented_data_or_a_mirrors_nothing(tmp_path, previous):
    write_record(tmp_path, OECD.code, **previous)
    fetched = []
    note = refresh._stand_in_for(tmp_path, OECD, "down", OecdSettings(), fetched)
    assert [f.provenance["unavailable"] for f in fetched] == ["down"] and "built without it" in note


@pytest.mark.parametrize(
    "source, mirror, reachable, expected",
    [
        ("mirror", "/m", False, ("mirror", Path("/m"))),
        ("live", "/m", False, ("live", None)),  # live is asked for: no test of Eurostat first
        ("auto", "/m", True, ("live", None)),
        ("auto", Path("/m"), False, ("mirror", Path("/m"))),
    ],
)
def test_the_source_is_the_one_asked_for_or_live_when_eurostat_answers(
    monkeypatch, source, mirror, reachable, expected
):
    asked = []
    monkeypatch.setattr(refresh, "eurostat_is_reachable", lambda settings: asked.append(settings) or reachable)
    settings = FetchSettings(api_base="https://eurostat.example/")
    assert resolve_source(source, mirror, settings) == expected
    assert asked == ([settings] if source == "auto" else [])


@pytest.mark.parametrize(
    "source, mirror, message",
    [
        ("ftp", "/m", "source must be one of auto, live, mirror, not 'ftp'"),
        ("mirror", None, "source 'mirror' needs a mirror folder: set EUROSTAT_MIRROR=/path/to/mirror"),
        ("mirror", "", "source 'mirror' needs a mirror folder: set EUROSTAT_MIRROR=/path/to/mirror"),
        (
            "auto",
            "",
            "Eurostat cannot be reached (https://eurostat.example/) and no mirror is set. Either set EUROSTAT_MIRROR "
            "to a folder of Eurostat TSV files (make report EUROSTAT_MIRROR=/path), or run `make demo` to try the "
            "project on invented data",
        ),
    ],
)
def test_a_source_that_cannot_be_used_is_refused_saying_what_to_set(monkeypatch, source, mirror, message):
    monkeypatch.setattr(refresh, "eurostat_is_reachable", lambda settings: False)
    with pytest.raises(FetchError) as caught:
        resolve_source(source, mirror, FetchSettings(api_base="https://eurostat.example/"))
    assert str(caught.value) == message
