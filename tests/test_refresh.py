"""The fetch replaces data/raw only with data that makes a valid store (helpers.store.refresh).

The parser already refuses most bad answers; these tests hold the last gate on its own: data
that the store's validation rejects (whatever the rule) never replaces the data in use.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
from pathlib import Path

import pytest

from helpers.acquire.oecd_api import OecdSettings, data_url
from helpers.acquire.received import Fetched, provenance_path
from helpers.acquire.settings import FetchSettings
from helpers.base.errors import FetchError, TransientError, ValidationError
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


def test_the_fetch_notes_keep_the_oecds_own_words_in_utf_8_whatever_the_locale(tmp_path, ascii_locale):
    note = "note: the OECD's data could not be fetched: «Dienst nicht verfügbar»"
    refresh._write_notes(tmp_path, [note])
    assert (tmp_path / refresh.FETCH_NOTES).read_bytes() == f"{note}\n".encode("utf-8")
    assert say_fetch_notes(tmp_path) == note


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


def test_the_command_line_names_the_oecds_api_as_the_oecds_and_an_unset_mirror_as_empty(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("EUROSTAT_MIRROR", raising=False)
    write_record(
        tmp_path,
        OECD.code,
        publisher="OECD",
        source="live",
        location="https://oecd.example/x",
        retrieved_at="2026-01-02",
    )
    assert refresh.main(["note-unread-mirror", "--raw-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out == (
        f"note: {tmp_path} already holds the data (from OECD's API (https://oecd.example/x), retrieved 2026-01-02); "
        "EUROSTAT_MIRROR was not read. To fetch again from it: make refresh EUROSTAT_MIRROR=''\n"
    )


def test_the_unread_mirror_note_names_where_the_data_came_from_and_the_latest_retrieval(tmp_path):
    raw, mirror, other = tmp_path / "raw", tmp_path / "mirror", tmp_path / "other"
    codes = [s.code for s in load_catalogue().datasets]
    write_record(raw, codes[0], source="mirror", location=str(other / "a.tsv"), retrieved_at="2026-01-02T00:00:00Z")
    write_record(raw, codes[1], source="live", location="https://api.example/x", retrieved_at="2026-03-04T00:00:00Z")
    write_record(raw, codes[2], source="live", retrieved_at="2025-12-31T00:00:00Z")
    write_record(raw, codes[3], source="live", location="https://api.example/x")  # no time: not the latest
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


def test_a_failed_oecd_request_with_no_previous_data_is_recorded_unavailable_with_why_and_where(tmp_path):
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
        ({"source": "mirror", "rows": 1, "synthetic": False}, "its previous data (retrieved earlier) was kept"),
        ({"unavailable": "429"}, "it is still recorded as unavailable (since an earlier fetch)"),
        (
            {"unavailable": "429", "attempted_at": "2026-02-03T04:05:06Z"},
            "it is still recorded as unavailable (since 2026-02-03)",
        ),
    ],
)
def test_a_failed_oecd_request_keeps_the_oecds_own_previous_answer(tmp_path, previous, held):
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
def test_a_failed_oecd_request_never_keeps_invented_data_or_a_mirrors_nothing(tmp_path, previous):
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


# fetch_all on its own (no network, no mirror): the fetchers replaced by stand-ins returning what they would.
# (No test name here holds a word of pyproject.toml's [tool.mutmut] -k expression, which leaves out
# test_oecd's slow flows: "oecd_fetch", "eurostat_failing", "a_failed_fetch"... would leave these out too.)

EUROSTAT = load_catalogue().dataset("isoc_ci_ac_i")
TWO = dataclasses.replace(load_catalogue(), datasets=(EUROSTAT, OECD))
ROW_TSV = "freq,indic_is,unit,ind_type,geo\\TIME_PERIOD\t2013\nA,I_IUSNET,PC_IND,Y16_24,NL\t{}\n"
OECD_HEADER = [
    "STRUCTURE",
    "STRUCTURE_ID",
    "TIME_PERIOD",
    "OBS_VALUE",
    "OBS_STATUS",
    *(d.upper() for d in OECD.key_order),
]


def eurostat_answer(value="53.0 "):
    payload = gzip.compress(ROW_TSV.format(value).encode(), mtime=0)
    return Fetched(EUROSTAT.code, payload, {"dataset": EUROSTAT.code, "source": "live", "retrieved_at": "T1"})


def oecd_answer(value="7.4", times=1):
    codes = {d: OECD.filters.get(d, ("_T",))[0] for d in OECD.key_order} | {"ref_area": "KOR", "age": "Y55T74"}
    row = ["DATAFLOW", f"OECD:{OECD.code}(1.1)", "2013", value, "A", *codes.values()]
    payload = (",".join(OECD_HEADER) + "\n" + (",".join(row) + "\n") * times).encode()
    record = {"dataset": OECD.code, "publisher": "OECD", "source": "live", "retrieved_at": "T2", "rows": 1}
    return Fetched(OECD.code, payload, record, extension="csv")


@pytest.fixture
def fetchers(monkeypatch):
    """What the stand-in fetchers answer (an answer, or an error to raise), and what they were asked."""
    answers = {"eurostat": [eurostat_answer()], "oecd": [oecd_answer()], "asked": []}

    def answer(kind, spec, settings, ledger=None, **kwargs):
        answers["asked"].append((kind, kwargs.get("sleep")))
        answers.setdefault("datasets", []).append(spec.code)
        if ledger is not None:
            answers.setdefault("ledgers", []).append(ledger)
        answers.setdefault("settings", {})[kind] = settings
        reply = answers[kind].pop(0) if len(answers[kind]) > 1 else answers[kind][0]
        if isinstance(reply, Exception):
            raise reply
        return reply

    monkeypatch.setattr(refresh, "fetch_live", lambda spec, settings, **kw: answer("eurostat", spec, settings, **kw))
    monkeypatch.setattr(
        refresh, "fetch_oecd_live", lambda spec, settings, ledger, **kw: answer("oecd", spec, settings, ledger, **kw)
    )
    return answers


def fetch(raw, **kwargs):
    settings = FetchSettings(api_base="https://eurostat.example/", attempts=2, backoff=0)
    return fetch_all(raw, source="live", settings=settings, catalogue=TWO, sleep=lambda s: None, **kwargs)


def test_a_live_fetch_commits_both_sources_with_their_records_and_says_nothing(tmp_path, fetchers):
    raw = tmp_path / "raw"
    records = fetch(raw, oecd_settings=OecdSettings(api_base="https://oecd.example/"))
    assert [(r["dataset"], r["file"], r["retrieved_at"]) for r in records] == [
        (EUROSTAT.code, f"{EUROSTAT.code}.tsv.gz", "T1"),
        (OECD.code, f"{OECD.code}.csv", "T2"),
    ]
    assert sorted(p.name for p in raw.iterdir()) == sorted(
        [
            f"{EUROSTAT.code}.tsv.gz",
            f"{OECD.code}.csv",
            *(provenance_path(raw, c).name for c in (EUROSTAT.code, OECD.code)),
        ]
    )
    assert (raw / f"{OECD.code}.csv").read_bytes() == oecd_answer().payload
    assert say_fetch_notes(raw) == ""
    # complete: not fetched again unless asked
    fetchers["eurostat"] = [FetchError("must not be asked")]
    assert fetch(raw) == records
    fetchers["eurostat"] = [eurostat_answer("54.0 ")]
    assert fetch(raw, refresh=True)[0]["file"] == f"{EUROSTAT.code}.tsv.gz"
    assert gzip.decompress((raw / f"{EUROSTAT.code}.tsv.gz").read_bytes()).endswith(b"54.0 \n")


def test_a_transient_eurostat_failure_is_tried_again(tmp_path, fetchers):
    fetchers["eurostat"] = [TransientError("503"), eurostat_answer()]
    fetch(tmp_path / "raw")
    assert [kind for kind, _ in fetchers["asked"]].count("eurostat") == 2


def test_a_eurostat_error_replaces_nothing_and_says_which_dataset(tmp_path, fetchers):
    raw = tmp_path / "raw"
    fetch(raw)
    before = {p.name: p.read_bytes() for p in raw.iterdir()}
    fetchers["eurostat"] = [FetchError("HTTP 404 for isoc_ci_ac_i")]
    fetchers["oecd"] = [oecd_answer(value="8.0")]
    with pytest.raises(FetchError) as caught:
        fetch(raw, refresh=True)
    assert str(caught.value) == "fetching isoc_ci_ac_i failed, the previous data was kept: HTTP 404 for isoc_ci_ac_i"
    assert {p.name: p.read_bytes() for p in raw.iterdir()} == before


def test_the_oecd_failing_on_a_first_fetch_is_recorded_unavailable_and_eurostat_is_committed(tmp_path, fetchers):
    raw = tmp_path / "raw"
    fetchers["oecd"] = [FetchError("HTTP 503")]
    eurostat, oecd = fetch(raw)
    assert eurostat["file"] == f"{EUROSTAT.code}.tsv.gz" and (raw / eurostat["file"]).exists()
    assert oecd["unavailable"] == "HTTP 503" and oecd["file"] == "" and not (raw / f"{OECD.code}.csv").exists()
    assert say_fetch_notes(raw).startswith("note: the OECD's data could not be fetched: HTTP 503; the report is built")


def test_the_oecd_failing_later_keeps_its_previous_answer_byte_for_byte(tmp_path, fetchers):
    raw = tmp_path / "raw"
    fetch(raw)
    kept = (raw / f"{OECD.code}.csv").read_bytes(), provenance_path(raw, OECD.code).read_bytes()
    fetchers["oecd"] = [FetchError("HTTP 503")]
    fetchers["eurostat"] = [eurostat_answer("54.0 ")]
    fetch(raw, refresh=True)
    assert ((raw / f"{OECD.code}.csv").read_bytes(), provenance_path(raw, OECD.code).read_bytes()) == kept
    assert gzip.decompress((raw / f"{EUROSTAT.code}.tsv.gz").read_bytes()).endswith(b"54.0 \n")
    assert "its previous data (retrieved T2) was kept" in say_fetch_notes(raw)
    fetchers["oecd"] = [oecd_answer()]
    fetch(raw, refresh=True)
    assert not (raw / refresh.FETCH_NOTES).exists()  # a fetch with nothing to say removes the last one's notes


def test_an_oecd_answer_that_would_not_make_a_valid_store_counts_as_the_oecd_failing_alone(tmp_path, fetchers):
    raw = tmp_path / "raw"
    fetchers["oecd"] = [oecd_answer(times=2)]  # the same row twice: a duplicate key
    eurostat, oecd = fetch(raw)
    assert eurostat["file"] and oecd["unavailable"].startswith("the OECD's answer would not make a valid store: ")
    assert "duplicate key" in oecd["unavailable"] and not (raw / f"{OECD.code}.csv").exists()
    assert not list(raw.glob(".staging*"))


def test_an_unavailable_oecd_part_then_fetched_leaves_no_record_of_it_behind(tmp_path, fetchers):
    raw = tmp_path / "raw"
    fetchers["oecd"] = [FetchError("HTTP 503")]
    fetch(raw)
    fetchers["oecd"] = [oecd_answer()]
    _, oecd = fetch(raw, refresh=True)
    assert "unavailable" not in oecd and (raw / f"{OECD.code}.csv").exists()
    fetchers["oecd"] = [
        Fetched(OECD.code, gzip.compress(oecd_answer().payload, mtime=0), oecd_answer().provenance, "csv")
    ]
    fetch(raw, refresh=True)
    assert (raw / f"{OECD.code}.csv.gz").exists() and not (raw / f"{OECD.code}.csv").exists()  # no stale file


def test_a_fetch_without_a_source_takes_live_when_eurostat_answers_with_the_settings_given(
    tmp_path, fetchers, monkeypatch
):
    asked = []
    monkeypatch.setattr(refresh, "eurostat_is_reachable", lambda settings: asked.append(settings) or True)
    monkeypatch.setenv("OECD_API_BASE", "https://oecd.example/")
    settings = FetchSettings(api_base="https://eurostat.example/", attempts=2, backoff=0)
    fetch_all(tmp_path / "new" / "raw", settings=settings, catalogue=TWO, sleep=lambda s: None)  # folders made
    assert asked == [settings] and fetchers["settings"]["eurostat"] is settings
    assert fetchers["settings"]["oecd"].api_base == "https://oecd.example/"  # live: the OECD's from the environment


def test_eurostat_is_tried_as_many_times_as_the_settings_say_then_given_up(tmp_path, fetchers):
    fetchers["eurostat"] = [TransientError("503"), TransientError("503"), eurostat_answer()]
    with pytest.raises(TransientError, match="gave up after 2 tries"):
        fetch(tmp_path / "raw")  # attempts=2


def test_the_command_line_says_what_each_command_does_and_needs_the_raw_folder(capsys):
    with pytest.raises(SystemExit):
        refresh.main(["--help"])
    said = f" {' '.join(capsys.readouterr().out.split())} "  # argparse wraps the lines; each text whole, in spaces
    assert " Helpers of the fetch step for make. " in said
    assert " say that data/raw is there and EUROSTAT_MIRROR was not read " in said
    assert " say what the last fetch has to say (the OECD's data not fetched) " in said
    for command in ("say-fetch-notes", "note-unread-mirror"):
        with pytest.raises(SystemExit) as exit_:
            refresh.main([command])
        assert exit_.value.code == 2 and "--raw-dir" in capsys.readouterr().err


def test_each_fetcher_is_given_the_sleep_and_the_oecd_its_ledger_in_the_raw_folder(tmp_path, fetchers):
    raw, pauses = tmp_path / "raw", []
    fetchers["eurostat"] = [TransientError("503"), eurostat_answer()]
    settings = FetchSettings(api_base="https://eurostat.example/", attempts=2, backoff=1.5)
    oecd_settings = OecdSettings(api_base="https://oecd.example/", downloads_per_hour=7)
    fetch_all(raw, source="live", settings=settings, catalogue=TWO, sleep=pauses.append, oecd_settings=oecd_settings)
    assert pauses == [1.5]  # the pause after the first try: the settings' backoff, slept by the sleep given
    assert fetchers["asked"] == [("eurostat", pauses.append), ("eurostat", pauses.append), ("oecd", pauses.append)]
    assert fetchers["datasets"] == [EUROSTAT.code, EUROSTAT.code, OECD.code]  # each asked for its own dataset
    [ledger] = fetchers["ledgers"]
    assert (ledger.path, ledger.limit) == (raw / ".oecd-downloads.json", 7)


def test_only_a_live_oecd_answer_with_data_is_tried_as_a_store_of_its_own(tmp_path):
    failed: dict[str, str] = {}
    invalid = oecd_answer(times=2)  # the same row twice: a duplicate key
    for item in (
        Fetched(EUROSTAT.code, b"not a TSV", eurostat_answer().provenance),  # Eurostat's: refused whole by _commit
        Fetched(OECD.code, invalid.payload, {**invalid.provenance, "source": "mirror"}),  # a mirror's: the same
        Fetched(OECD.code, None, {**invalid.provenance, "unavailable": "down"}),  # no data to try
        oecd_answer(),
    ):
        assert refresh._invalid_oecd_answer(item, TWO, failed) is False
    assert failed == {}
    assert refresh._invalid_oecd_answer(invalid, TWO, failed) is True
    assert failed[OECD.code].startswith("the OECD's answer would not make a valid store: ")


def test_a_provenance_record_is_written_sorted_one_key_a_line_naming_its_file(tmp_path):
    refresh._stage(
        tmp_path, [eurostat_answer(), Fetched(OECD.code, None, {"unavailable": "down", "dataset": OECD.code})]
    )
    assert provenance_path(tmp_path, EUROSTAT.code).read_text(encoding="utf-8") == (
        '{\n  "dataset": "isoc_ci_ac_i",\n  "file": "isoc_ci_ac_i.tsv.gz",\n  "retrieved_at": "T1",\n'
        '  "source": "live"\n}\n'
    )
    assert json.loads(provenance_path(tmp_path, OECD.code).read_text(encoding="utf-8"))["file"] == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [
            f"{EUROSTAT.code}.tsv.gz",
            provenance_path(tmp_path, EUROSTAT.code).name,
            provenance_path(tmp_path, OECD.code).name,
        ]
    )


def test_the_new_data_is_staged_in_a_hidden_folder_of_the_raw_folder_and_removed(tmp_path, fetchers, monkeypatch):
    staged = []
    build_store = tidy.build_store
    monkeypatch.setattr(
        tidy, "build_store", lambda folder, catalogue: staged.append(Path(folder)) or build_store(folder, catalogue)
    )
    raw = tmp_path / "raw"
    fetch(raw)
    committed = staged[-1]  # the last: the whole staging (the OECD's answer is first tried alone, elsewhere)
    assert committed.parent == raw and committed.name.startswith(".staging-") and not committed.exists()
    assert not list(raw.glob(".staging*"))


def test_a_compressed_answer_replaced_by_a_plain_one_leaves_no_stale_file(tmp_path, fetchers):
    raw = tmp_path / "raw"
    fetchers["oecd"] = [
        Fetched(OECD.code, gzip.compress(oecd_answer().payload, mtime=0), oecd_answer().provenance, "csv")
    ]
    fetch(raw)
    assert (raw / f"{OECD.code}.csv.gz").exists()
    fetchers["oecd"] = [oecd_answer()]
    fetch(raw, refresh=True)
    assert (raw / f"{OECD.code}.csv").exists() and not (raw / f"{OECD.code}.csv.gz").exists()


def test_invented_oecd_data_then_a_failed_request_leaves_a_record_without_a_file(tmp_path, fetchers):
    raw = tmp_path / "raw"
    invented = oecd_answer()
    fetchers["oecd"] = [
        Fetched(OECD.code, invented.payload, {**invented.provenance, "source": "mirror", "synthetic": True}, "csv")
    ]
    fetch(raw)
    assert (raw / f"{OECD.code}.csv").exists()
    fetchers["oecd"] = [FetchError("HTTP 503")]
    _, oecd = fetch(raw, refresh=True)
    assert oecd["unavailable"] == "HTTP 503" and not (raw / f"{OECD.code}.csv").exists()  # not kept beside it


def test_a_file_is_replaced_in_one_move_never_removed_first(tmp_path, fetchers, monkeypatch):
    raw = tmp_path / "raw"
    fetch(raw)
    kept = (raw / f"{OECD.code}.csv").read_bytes()
    replace = os.replace

    def no_room_for_the_oecds_file(source, target):
        if Path(target).name == f"{OECD.code}.csv":
            raise OSError("No space left on device")
        return replace(source, target)

    monkeypatch.setattr(refresh.os, "replace", no_room_for_the_oecds_file)
    fetchers["oecd"] = [oecd_answer(value="8.0")]
    with pytest.raises(OSError, match="No space left"):
        fetch(raw, refresh=True)
    assert (raw / f"{OECD.code}.csv").read_bytes() == kept and not list(raw.glob(".staging*"))


def test_a_mirror_fetch_reads_no_oecd_setting_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("OECD_TIMEOUT", "not a number")  # read, it would stop the fetch
    answers = {EUROSTAT.code: eurostat_answer(), OECD.code: oecd_answer()}
    monkeypatch.setattr(refresh, "fetch_from_mirror", lambda spec, folder: answers[spec.code])
    records = fetch_all(tmp_path / "raw", source="mirror", mirror=tmp_path, catalogue=TWO)
    assert [r["dataset"] for r in records] == [EUROSTAT.code, OECD.code]
