"""The OECD source: the real rows of ../shared/oecd-api-samples through the parser value by value, the
live client against a stand-in of the OECD's API (429, 404, a truncated body, the hourly limit), the
mirror and the live path giving one store, and the claims' OECD parts."""

import csv
import io
import json
import math
import re
import shutil

import pandas as pd
import pytest

from conftest import OECD_FILE, REAL_OECD_ROWS
from oecd_standin import OecdStandIn
from helpers.acquire.oecd_api import DownloadLedger, OecdSettings, data_key, fetch_oecd_live
from helpers.acquire.oecd_csv import parse_oecd_csv
from helpers.base.errors import FetchError, MalformedFile, TransientError
from helpers.catalogue import load_catalogue
from helpers.store.refresh import fetch_all
from helpers.store.tidy import build_store

SPEC = load_catalogue().dataset("DSD_ICT_HH_IND@DF_IND")


@pytest.fixture
def real_rows() -> bytes:
    if not REAL_OECD_ROWS.exists():
        pytest.skip(f"../shared is absent ({REAL_OECD_ROWS} not found): the real OECD rows cannot be read")
    return REAL_OECD_ROWS.read_bytes()


def parse(payload: bytes):
    return parse_oecd_csv(payload, dataset=SPEC.code, dimensions=SPEC.key_order, source="test")


def test_the_real_rows_pass_through_the_parser_value_by_value(real_rows):
    table = parse(real_rows)
    records = list(csv.DictReader(io.StringIO(real_rows.decode("utf-8"))))
    assert len(table) == len(records) == 158
    for row, record in zip(table.itertuples(index=False), records):
        assert row.ref_area == record["REF_AREA"] and row.age == record["AGE"]
        assert row.education_level == record["EDUCATION_LEVEL"] and row.year == int(record["TIME_PERIOD"])
        assert row.value == float(record["OBS_VALUE"])  # every digit the OECD sent (43.08907776611829)
        assert row.flag == ("" if record["OBS_STATUS"] == "A" else record["OBS_STATUS"])
    korea = table[(table.ref_area == "KOR") & (table.age == "Y55T74") & (table.education_level == "_T")].set_index(
        "year"
    )
    assert round(korea.value[2013], 1) == 7.4 and korea.flag[2013] == "D"
    assert round(korea.value[2024], 1) == 43.1 and korea.flag[2024] == ""
    assert load_catalogue().label("flag", "D") == "definition differs (OECD)"


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda b: b[: len(b) // 2], "ends in the middle of a line"),
        (lambda b: b"<!DOCTYPE html><html>down</html>\n", "HTML page"),
        # a lone carriage return inside a line: Python's csv raised its own error (found by a property)
        (lambda b: b.replace(b",Korea,", b",Ko\rrea,", 1), "not CSV as the OECD writes it"),
        (lambda b: b.replace(b"OBS_VALUE", b"VALUE", 1), "header lacks OBS_VALUE"),
        (lambda b: b.replace(b",37.92,", b",n/a,", 1), "is not a number"),
        (lambda b: b.replace(b",,D,Definition differs", b",,Z,Definition differs", 1), "unknown observation status"),
        (
            lambda b: b.replace(b"DSD_ICT_HH_IND@DF_IND(1.1)", b"DSD_ICT_HH_IND@DF_HH(1.1)", 1),
            "not of DSD_ICT_HH_IND@DF_IND",
        ),
        (
            lambda b: b.split(b"\n")[0] + b"\n" + b.split(b"\n")[1].rsplit(b",", 3)[0] + b"\n",
            "fields where the header has",
        ),
    ],
)
def test_a_malformed_answer_is_refused_in_one_line(real_rows, damage, message):
    with pytest.raises(MalformedFile, match=message):
        parse(damage(real_rows))


def test_the_request_is_one_key_in_the_dataflows_order():
    assert data_key(SPEC) == "KOR+JPN+USA.A.D1B_I+C5B_I.PT_POP._Z.Y16T74+Y16T24+Y55T74+Y_GE75._T._T._T._T"


@pytest.fixture
def oecd(real_rows, tmp_path):
    with OecdStandIn(REAL_OECD_ROWS) as api:
        api.settings = OecdSettings(api_base=api.base_url, timeout=2, attempts=3, backoff=0.01)
        api.ledger = DownloadLedger(tmp_path / "ledger.json", 60)
        yield api


def test_one_request_with_accept_any_gives_the_selected_rows(oecd):
    fetched = fetch_oecd_live(SPEC, oecd.settings, oecd.ledger)
    assert oecd.data_requests == 1 and oecd.accept == ["*/*"]
    assert fetched.filename == OECD_FILE and fetched.provenance["publisher"] == "OECD"
    assert fetched.provenance["absent_codes"] == {"measure": ["C5B_I"]}  # internet use by age: not in the real answers
    assert set(parse(fetched.payload).education_level) == {"_T"}


def test_429_waits_for_retry_after_then_succeeds(oecd):
    oecd.faults, oecd.retry_after, waits = ["429"], "7", []
    fetched = fetch_oecd_live(SPEC, oecd.settings, oecd.ledger, sleep=waits.append)
    assert waits == [7.0] and fetched.provenance["requests"] == 2 and oecd.data_requests == 2


def test_a_retry_after_beyond_the_bound_stops_in_one_line(oecd):
    oecd.faults, oecd.retry_after = ["429*"], "3600"
    with pytest.raises(TransientError, match="429 .*asks to wait 3600 s"):
        fetch_oecd_live(SPEC, oecd.settings, oecd.ledger, sleep=lambda s: pytest.fail("waited an hour"))
    assert oecd.data_requests == 1


def test_404_is_no_data_not_a_failure(oecd):
    import dataclasses

    internet_by_age = dataclasses.replace(
        SPEC, filters={**SPEC.filters, "measure": ("C5B_I",), "ref_area": ("JPN", "USA")}
    )
    fetched = fetch_oecd_live(internet_by_age, oecd.settings, oecd.ledger)
    assert fetched.payload is None and fetched.filename == ""
    assert "404" in fetched.provenance["no_data"] and fetched.provenance["rows"] == 0


def test_a_truncated_body_is_retried_and_then_named(oecd):
    oecd.faults = ["truncate"]
    assert fetch_oecd_live(SPEC, oecd.settings, oecd.ledger, sleep=lambda s: None).provenance["rows"] == 98
    oecd.faults = ["truncate*"]
    with pytest.raises(TransientError, match="cut off .* gave up after 3 tries"):
        fetch_oecd_live(SPEC, oecd.settings, oecd.ledger, sleep=lambda s: None)


def test_the_hourly_limit_is_never_exceeded(oecd, tmp_path):
    ledger = DownloadLedger(tmp_path / "full.json", 2)
    fetch_oecd_live(SPEC, oecd.settings, ledger)
    oecd.faults = ["429"]
    with pytest.raises(FetchError, match="allows 2 data downloads an hour and 2 were made"):
        fetch_oecd_live(SPEC, oecd.settings, ledger, sleep=lambda s: None)
    assert oecd.data_requests == 2  # the third was never asked
    assert len(json.loads((tmp_path / "full.json").read_text())["data_requests"]) == 2


# ----------------------------------------------------------------------------- each source all or nothing (#29)
# Eurostat answers (its stand-in serves the synthetic mirror); the OECD fails in each of the ways it can.
# Without ../shared the stand-ins serve the project's own generated mirror: these tests need nothing else.


def files(raw):
    return {p.name: p.read_bytes() for p in raw.iterdir() if p.is_file() and not p.name.startswith(".")}


@pytest.fixture
def both_live(synthetic_mirror, tmp_path):
    """Eurostat's and the OECD's stand-ins; `fetch(raw, refresh)` fetches live from both."""
    from eurostat_standin import StandIn
    from helpers.acquire.settings import FetchSettings

    with StandIn(synthetic_mirror) as eurostat, OecdStandIn(synthetic_mirror / OECD_FILE) as api:
        api.settings = OecdSettings(api_base=api.base_url, timeout=2, attempts=2, backoff=0.01)
        eurostat_settings = FetchSettings(api_base=eurostat.base_url, timeout=2, attempts=1, backoff=0.01)
        api.fetch = lambda raw, refresh=False, oecd_settings=None: fetch_all(
            raw,
            source="live",
            refresh=refresh,
            sleep=lambda s: None,
            settings=eurostat_settings,
            oecd_settings=oecd_settings or api.settings,
        )
        api.eurostat = eurostat
        yield api


def spent_ledger(raw, limit=2):
    """The hour's allowance spent (the ledger in data/raw full)."""
    import time

    raw.mkdir(parents=True, exist_ok=True)
    (raw / ".oecd-downloads.json").write_text(json.dumps({"data_requests": [time.time() - 60] * limit}))


FAILURES = {  # how the OECD fails -> (set-up, the words of the reason)
    "down (503)": (lambda api, raw: api.faults.append("503*"), "HTTP 503 .* gave up after 2 tries"),
    "429 beyond the bound": (
        lambda api, raw: (api.faults.append("429*"), setattr(api, "retry_after", "3600")),
        "429 .*asks to wait 3600 s",
    ),
    "refused connection": (
        lambda api, raw: setattr(
            api,
            "settings",
            OecdSettings(api_base="http://127.0.0.1:9/public/rest/", timeout=2, attempts=2, backoff=0.01),
        ),
        "connection failed",
    ),
    "malformed answer": (lambda api, raw: api.faults.append("html*"), "HTML page"),
    "hourly limit": (
        lambda api, raw: (
            spent_ledger(raw),
            setattr(
                api,
                "settings",
                OecdSettings(api_base=api.base_url, timeout=2, attempts=2, backoff=0.01, downloads_per_hour=2),
            ),
        ),
        "allows 2 data downloads an hour",
    ),
}


@pytest.mark.parametrize("failure", list(FAILURES))
@pytest.mark.integration
def test_the_oecd_failing_on_a_first_build_records_its_part_as_unavailable_and_eurostat_goes_on(
    both_live, tmp_path, failure
):
    from helpers.analysis.claims import NOT_CHECKED, evaluate_all
    from helpers.store.refresh import say_fetch_notes

    raw = tmp_path / "raw"
    set_up, reason = FAILURES[failure]
    set_up(both_live, raw)
    records = {r["dataset"]: r for r in both_live.fetch(raw)}
    record = records[SPEC.code]
    assert re.search(reason, record["unavailable"]), record["unavailable"]
    assert record["attempted_at"].startswith("20") and record["file"] == "" and record["retrieved_at"] == ""
    assert not record["no_data"]  # not "no data": nothing was received
    assert not (raw / OECD_FILE).exists()
    assert all(
        records[s.code]["source"] == "live" and records[s.code]["file"]
        for s in load_catalogue().datasets_from("eurostat")
    )
    store, provenance = build_store(raw)
    assert store.attrs["unavailable"][SPEC.code]["reason"] == record["unavailable"]
    parts = {r.claim["id"]: r.oecd for r in evaluate_all(store) if r.oecd}
    assert parts["S-1"].verdict == parts["S-2"].verdict == parts["S-1"].latest_verdict == NOT_CHECKED
    assert "the OECD's data could not be fetched" in say_fetch_notes(raw) and not say_fetch_notes(raw)  # said once


@pytest.mark.integration
def test_an_oecd_answer_that_would_not_make_a_valid_store_is_a_failed_fetch(both_live, synthetic_mirror, tmp_path):
    """Whole and parsed, but a row twice (a duplicate key): the OECD's part fails alone, Eurostat's goes on."""
    lines = (synthetic_mirror / OECD_FILE).read_bytes().splitlines(keepends=True)
    doubled = tmp_path / "doubled.csv"
    doubled.write_bytes(b"".join([*lines, lines[1]]))
    with OecdStandIn(doubled) as api:
        records = {
            r["dataset"]: r
            for r in both_live.fetch(
                tmp_path / "raw", oecd_settings=OecdSettings(api_base=api.base_url, timeout=2, attempts=1)
            )
        }
    assert "would not make a valid store" in records[SPEC.code]["unavailable"]
    assert "duplicate key" in records[SPEC.code]["unavailable"]
    assert records["isoc_ci_ac_i"]["source"] == "live"


@pytest.mark.integration
def test_a_failed_oecd_fetch_keeps_the_oecds_previous_data_and_commits_eurostats(both_live, tmp_path):
    raw = tmp_path / "raw"
    both_live.fetch(raw)  # the OECD's own answer, first
    before = files(raw)
    both_live.faults.append("503*")
    records = {r["dataset"]: r for r in both_live.fetch(raw, refresh=True)}
    after = files(raw)
    kept = [OECD_FILE, f"{SPEC.code}.provenance.json"]
    assert {k: after[k] for k in kept} == {k: before[k] for k in kept}  # the OECD's, byte for byte
    assert records[SPEC.code]["source"] == "live" and not records[SPEC.code].get("unavailable")
    assert records["isoc_ci_ac_i"]["source"] == "live"  # Eurostat's whole, valid answer is committed
    assert "previous data (retrieved" in (raw / ".fetch-notes.txt").read_text()
    assert "unavailable" not in build_store(raw)[0].attrs


@pytest.mark.integration
def test_invented_oecd_data_never_stands_in_for_the_oecds_answer(both_live, synthetic_mirror, tmp_path):
    """A build from the synthetic mirror, then a live refresh with the OECD down: the synthetic OECD rows
    are not kept beside Eurostat's real data (they would mark the report synthetic); the part is unavailable."""
    raw = tmp_path / "raw"
    fetch_all(raw, source="mirror", mirror=synthetic_mirror)
    assert json.loads((raw / f"{SPEC.code}.provenance.json").read_text())["synthetic"]
    both_live.faults.append("503*")
    records = {r["dataset"]: r for r in both_live.fetch(raw, refresh=True)}
    assert records[SPEC.code]["unavailable"] and not records[SPEC.code]["synthetic"]
    assert not (raw / OECD_FILE).exists()  # no earlier file left behind the record
    assert not any(r["synthetic"] for r in records.values())


@pytest.mark.integration
def test_the_oecd_down_on_a_first_build_then_on_a_refresh_then_back(both_live, tmp_path):
    from helpers.analysis.claims import NOT_CHECKED, evaluate_all

    raw = tmp_path / "raw"
    both_live.faults.append("503*")
    both_live.fetch(raw)
    first = json.loads((raw / f"{SPEC.code}.provenance.json").read_text())
    assert first["unavailable"]
    both_live.fetch(raw, refresh=True)  # still down: whatever is there is kept
    assert json.loads((raw / f"{SPEC.code}.provenance.json").read_text()) == first
    assert "still recorded as unavailable" in (raw / ".fetch-notes.txt").read_text()
    both_live.faults.clear()
    records = {r["dataset"]: r for r in both_live.fetch(raw, refresh=True)}  # back: `make refresh` brings it in
    assert records[SPEC.code]["rows"] > 0 and not records[SPEC.code].get("unavailable") and (raw / OECD_FILE).exists()
    assert not (raw / ".fetch-notes.txt").exists()
    store = build_store(raw)[0]
    assert "unavailable" not in store.attrs
    korea = {r.claim["id"]: r.oecd for r in evaluate_all(store) if r.oecd}["S-1"]
    assert (
        korea.verdict != NOT_CHECKED
        and korea.best.checks[0].geo == "KOR"
        and not math.isnan(korea.best.checks[0].value)
    )


@pytest.mark.integration
def test_eurostat_failing_stops_the_fetch_and_replaces_nothing_even_when_the_oecd_answers(
    both_live, synthetic_mirror, tmp_path
):
    raw = tmp_path / "raw"
    fetch_all(raw, source="mirror", mirror=synthetic_mirror)
    before = files(raw)
    both_live.eurostat.faults = {"data": ["500*"]}
    with pytest.raises(TransientError, match="previous data was kept"):
        both_live.fetch(raw, refresh=True)
    assert files(raw) == before


@pytest.mark.integration
def test_the_store_carries_what_could_not_be_fetched_through_its_files(both_live, tmp_path):
    from helpers.store.tidy import load_store, write_store

    both_live.faults.append("503*")
    both_live.fetch(tmp_path / "raw")
    table, provenance = build_store(tmp_path / "raw")
    write_store(table, provenance, tmp_path / "processed")
    assert load_store(tmp_path / "processed").attrs["unavailable"] == table.attrs["unavailable"]
    # the OECD's countries get their pages all the same, each saying why it has no figures
    assert (tmp_path / "processed" / "oecd_countries.txt").read_text().split() == list(load_catalogue().oecd_countries)


@pytest.mark.integration
def test_live_and_a_mirror_holding_both_give_identical_stores(synthetic_mirror, tmp_path, oecd):
    """The stand-ins (Eurostat's and the OECD's) and a mirror with both files: one store, byte for byte."""
    from eurostat_standin import StandIn
    from helpers.acquire.settings import FetchSettings

    with StandIn(synthetic_mirror) as eurostat:
        fetch_all(
            tmp_path / "live",
            source="live",
            oecd_settings=oecd.settings,
            settings=FetchSettings(api_base=eurostat.base_url, timeout=2, attempts=2, backoff=0.01),
        )
    fetch_all(tmp_path / "mirror", source="mirror", mirror=synthetic_mirror)
    live, mirror = build_store(tmp_path / "live")[0], build_store(tmp_path / "mirror")[0]
    pd.testing.assert_frame_equal(live, mirror)
    assert oecd.data_requests == 1
    assert len(live[live.dataset == SPEC.code]) == 98


@pytest.mark.integration
def test_a_mirror_without_the_oecd_file_says_no_data(tmp_path, synthetic_mirror):
    eurostat_only = shutil.copytree(synthetic_mirror, tmp_path / "eurostat-only")
    (eurostat_only / OECD_FILE).unlink()
    records = fetch_all(tmp_path / "raw", source="mirror", mirror=eurostat_only)
    oecd = next(r for r in records if r["dataset"] == SPEC.code)
    assert oecd["no_data"].startswith("the mirror holds no OECD file")
    store = build_store(tmp_path / "raw")[0]
    assert not (store.dataset == SPEC.code).any()
    from helpers.analysis.claims import evaluate_all

    parts = {r.claim["id"]: r.oecd for r in evaluate_all(store) if r.oecd}
    assert parts["S-1"].verdict == parts["S-2"].verdict == "no data"


def test_the_claims_oecd_parts_on_the_real_rows(synthetic_mirror, tmp_path, real_rows):
    """S-1's Korea part: 7.4% of 55-74 year olds in 2013 (flag D), 43.1% in 2024; S-2: no internet use by
    age for Japan or the United States in the real answers, so "no data", naming the series."""
    from helpers.analysis.claims import evaluate_all
    from helpers.publish.statements import key_messages, page_statement
    from helpers.publish.scorecard import verdict_table

    fetch_all(tmp_path / "raw", source="mirror", mirror=synthetic_mirror)
    results = evaluate_all(build_store(tmp_path / "raw")[0])
    by_id = {r.claim["id"]: r for r in results}
    korea = by_id["S-1"].oecd
    assert (korea.best.year, korea.verdict, korea.latest.year, korea.latest_verdict) == (
        2013,
        "not reproduced",
        2024,
        "reproduced",
    )
    assert korea.best.checks[0].flag == "D" and math.isclose(korea.latest.checks[0].value, 43.089, abs_tol=0.001)
    assert by_id["S-1"].best.spec["indic_is"] == "I_IUSNET"  # Eurostat still decides its own countries
    assert by_id["S-2"].oecd.verdict == "no data" and by_id["S-2"].oecd.latest is None
    said = page_statement(results, "senior_uptake").markdown
    assert "55-74 year olds, the OECD's nearest band to the paper's over-65s" in said
    assert "Korea 7.4 D (flag D: definition differs (OECD))" in said
    assert "no value of C5B\\_I" in said
    table = verdict_table(results)
    assert "| S-1 (OECD) |" in table.markdown and "| OECD |" in table.markdown
    assert table.metadata["verdicts"]["S-1 (OECD)"] == ["not reproduced", "reproduced"]
    assert "Korea 43.1% in 2024: **reproduced**" in key_messages(results)
    assert len(key_messages(results).splitlines()) <= 5
    assert "**Verdict, S-2 (OECD):** **no data**" in said


# ----------------------------------------------------------------------------- "not checked", in words (#29)

WHEN = "2026-12-02T06:50:00Z"
WHY = "the OECD answered HTTP 503 for DSD_ICT_HH_IND@DF_IND (server busy or down) - gave up after 3 tries"
SAID = f"the OECD's data could not be fetched on 2 December 2026: {WHY}; S-1 (OECD) and S-2 (OECD) were not checked"


def not_fetched_provenance() -> dict:
    return {
        "datasets": [
            {
                "dataset": SPEC.code,
                "publisher": "OECD",
                "source": "live",
                "unavailable": WHY,
                "attempted_at": WHEN,
                "retrieved_at": "",
                "file": "",
                "location": "https://oecd.example/",
            }
        ]
    }


def eurostat_only_store(unavailable: bool):
    """Eurostat's seniors (S-1's Eurostat part holds), no OECD row: the OECD not fetched, or answered without data."""
    from tables import tidy
    from helpers.store.tidy import mark_unavailable

    store = tidy([("I_IUSNET", "PC_IND", "Y65_74", geo, 2013, v) for geo, v in {"IS": 30, "NO": 25, "UK": 21}.items()])
    return mark_unavailable(store, not_fetched_provenance() if unavailable else {})


def test_the_oecds_parts_are_not_checked_when_its_data_could_not_be_fetched_and_no_data_when_it_answered_without():
    from helpers.analysis.claims import NOT_CHECKED, evaluate_all

    for unavailable, expected in ((True, NOT_CHECKED), (False, "no data")):
        results = {r.claim["id"]: r for r in evaluate_all(eurostat_only_store(unavailable))}
        for claim in ("S-1", "S-2"):
            assert results[claim].oecd.verdict == results[claim].oecd.latest_verdict == expected, (claim, unavailable)
        assert results["S-1"].verdict == "reproduced"  # Eurostat's part is checked all the same


def test_every_statement_of_the_oecds_part_says_it_was_not_checked_and_why(monkeypatch):
    from helpers.analysis.claims import evaluate_all
    from helpers.publish import BUILD_VARIABLE

    monkeypatch.setenv(
        BUILD_VARIABLE, "1"
    )  # the build's Markdown (its verdict spans), as the runner's kernels write it
    from helpers.publish.statements import claims_naming, key_messages, page_statement
    from helpers.publish.scorecard import verdict_table

    store = eurostat_only_store(True)
    results = evaluate_all(store)
    escaped = SAID.replace("_", "\\_").replace("@", "\\@")  # as Markdown carries it
    senior = page_statement(results, "senior_uptake")
    assert escaped in senior.markdown and "**Verdict, S-1 (OECD):** **not checked**" in senior.markdown
    assert senior.metadata["verdicts"]["S-2 (OECD)"] == ["not checked", "not checked"]
    assert escaped in key_messages(results)
    table = verdict_table(results)
    assert "| S-1 (OECD) |" in table.markdown and "[not checked]{.verdict .verdict-not-checked}" in table.markdown
    assert "[no data]" not in table.markdown.split("| S-1 (OECD) |")[1].split("\n")[0]
    assert table.metadata["verdicts"]["S-1 (OECD)"] == ["not checked", "not checked"]
    korea = claims_naming(results, "KOR")
    assert "S-1 (OECD)" in korea.markdown and escaped in korea.markdown and "[not checked]" in korea.markdown
    assert korea.metadata["verdicts"] == {"S-1 (OECD)": ["not checked", "not checked"]}
    # nothing decided the claim: its evidence is in the paper's year, the registry's or the page's
    assert f"| 2013: {escaped} |" in korea.markdown
    assert f"| 2012: {escaped} |" in claims_naming(results, "KOR", paper_year=2012).markdown


def test_the_notice_the_tables_and_the_provenance_say_not_fetched_never_no_data():
    from helpers.analysis.comparisons import oecd_then_and_now
    from helpers.publish.country_index import country_index
    from helpers.publish.provenance import provenance_table
    from helpers.publish.not_fetched import not_fetched_notice, not_fetched_table, or_not_fetched

    provenance = not_fetched_provenance()
    notice = not_fetched_notice(provenance)
    assert notice.text == SAID and "The OECD's data could not be fetched on 2 December 2026" in notice.markdown
    assert not_fetched_notice({"datasets": []}).markdown == ""
    assert (
        or_not_fetched(provenance, "The OECD's answer holds no value").text
        == "No figures here: the OECD's data could not be fetched on 2 December 2026."
    )
    assert or_not_fetched(provenance, "The OECD's answer holds no value", instead="").markdown == ""
    assert (
        or_not_fetched({"datasets": []}, "The OECD's answer holds no value").markdown
        == "The OECD's answer holds no value"
    )
    table = not_fetched_table(oecd_then_and_now(eurostat_only_store(True), 2013), provenance)
    assert set(table["2013"]) == set(table["latest"]) == {"not fetched"} and set(table.code) == {"KOR", "JPN", "USA"}
    kept = oecd_then_and_now(eurostat_only_store(False), 2013)
    assert not_fetched_table(kept, {"datasets": []}) is kept
    row = provenance_table(provenance["datasets"]).iloc[0]
    assert f"NOT FETCHED: {WHY}" in row["from"] and row["retrieved"].startswith("not retrieved (tried 2 December 2026")
    index = country_index(eurostat_only_store(True))
    assert {"KOR", "JPN", "USA"} <= set(index.code) and "could not be fetched" in " ".join(index["data from"])
    assert not {"KOR", "JPN", "USA"} & set(country_index(eurostat_only_store(False)).code)


def test_the_scorecard_csv_has_a_row_per_oecd_part_with_its_verdict():
    from helpers.analysis.claims import evaluate_all, load_claims, scorecard

    card = scorecard(evaluate_all(eurostat_only_store(True))).set_index("id")
    assert card.loc["S-1 (OECD)", "verdict"] == card.loc["S-2 (OECD)", "verdict latest"] == "not checked"
    reason = f"not checked: the OECD's data could not be fetched on 2026-12-02: {WHY}"  # the day of the attempt
    claim = next(c for c in load_claims()["claim"] if c["id"] == "S-2")
    assert card.loc["S-2 (OECD)"].to_dict() == {
        "topic": "Senior uptake",
        "the paper says": f"\u201c{claim['quote']}\u201d ({claim['source']})",
        "verdict": "not checked",
        "untested": "",
        "tested on": "",
        "evidence": reason,  # nothing was tested: why, in its place
        "beside (not deciding)": "",
        "why this unit": "55-74 year olds, the OECD's nearest band to the paper's over-65s",
        "candidates that fit": "",
        "latest year": "",
        "verdict latest": "not checked",
        "evidence latest": "",
        "untested latest": "",
        "real change": False,
        "note": reason,
    }
    assert scorecard(evaluate_all(eurostat_only_store(False))).set_index("id").loc["S-2 (OECD)", "verdict"] == "no data"


# The parser on small answers written here (the real rows above need ../shared, absent under mutmut's copy)

SMALL_HEADER = (
    "STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,ACTION,AGE,Age,REF_AREA,Reference area,TIME_PERIOD,Time period,"
    "OBS_VALUE,Observation value,OBS_STATUS,Observation status\n"
)


def small_answer(*rows: str) -> bytes:
    return (SMALL_HEADER + "".join(f"DATAFLOW,OECD.STI.DEP:DF_X(1.0),X,I,{row}\n" for row in rows)).encode()


def parse_small(payload: bytes) -> pd.DataFrame:
    return parse_oecd_csv(payload, dataset="DF_X", dimensions=("ref_area", "age"), source="answer.csv")


def test_a_small_answer_gives_each_observation_with_its_dimensions_in_key_order_and_its_status():
    table = parse_small(
        small_answer(
            "Y16T24,16-24,KOR,Korea,2013,Year 2013, 7.5 ,Value,A,Normal",
            "Y16T24,16-24,JPN,Japan,2014,Year 2014,1e1,Value,D,Definition differs",
            "Y25T54,25-54,USA,United States,2015,Year 2015,,Value,,",
            "Y25T54,25-54,USA,United States,2016,Year 2016,3, , M ,Missing",
        )
    )
    assert list(table.columns) == ["dataset", "ref_area", "age", "year", "value", "flag", "confidentiality"]
    assert str(table["year"].dtype) == "int64" and str(table["value"].dtype) == "float64"
    rows = [tuple(r) for r in table.astype(object).where(table.notna(), None).itertuples(index=False)]
    assert rows == [
        ("DF_X", "KOR", "Y16T24", 2013, 7.5, "", ""),  # A, a normal value: no flag
        ("DF_X", "JPN", "Y16T24", 2014, 10.0, "D", ""),  # any other status kept as the OECD writes it
        ("DF_X", "USA", "Y25T54", 2015, None, "", ""),  # no value, no status
        ("DF_X", "USA", "Y25T54", 2016, 3.0, "M", ""),
    ]


def test_a_gzip_compressed_answer_reads_as_the_plain_one():
    import gzip

    payload = small_answer("Y16T24,16-24,KOR,Korea,2013,Year 2013,7.5,Value,A,Normal")
    pd.testing.assert_frame_equal(parse_small(gzip.compress(payload)), parse_small(payload))


def test_a_header_alone_gives_no_rows_but_the_columns():
    table = parse_small(small_answer())
    assert table.empty and list(table.columns) == [
        "dataset",
        "ref_area",
        "age",
        "year",
        "value",
        "flag",
        "confidentiality",
    ]


@pytest.mark.parametrize(
    "payload, message",
    [
        (b"", "answer.csv: empty, not the OECD's SDMX-CSV (no header)"),
        (b"  <html><body>down</body></html>\n", "answer.csv: an HTML page, not the OECD's SDMX-CSV"),
        (b"  <!DOCTYPE HTML>\n", "answer.csv: an HTML page"),
        (
            small_answer("Y16T24,16-24,KOR,Korea,2013,Year 2013,7.5,Value,A,Normal")[:-1],
            "answer.csv: the answer ends in the middle of a line (truncated)",
        ),
        (
            SMALL_HEADER.replace("REF_AREA", "AREA").replace("OBS_STATUS", "STATUS").encode(),
            "answer.csv: not the OECD's SDMX-CSV for DF_X: the header lacks OBS_STATUS, REF_AREA "
            "(it starts 'STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,ACTION,AGE,Age')",
        ),
        (
            small_answer("Y16T24,16-24,KOR,Korea,2013,Year 2013,7.5,Value,A,Normal", "Y16T24,16-24,KOR,Korea,2014"),
            "answer.csv: line 3 has 9 fields where the header has 14 (a truncated or damaged answer)",
        ),
        (
            small_answer("Y16T24,16-24,KOR,Korea,2013,Year 2013,7.5,Value,A,Normal").replace(b"DF_X", b"DF_Y"),
            "answer.csv: line 2 is of 'OECD.STI.DEP:DF_Y(1.0)', not of DF_X",
        ),
        (
            small_answer("Y16T24,16-24,KOR,Korea,2013-Q1,Q1,7.5,Value,A,Normal"),
            "answer.csv: line 2: the time period '2013-Q1' is not a year (annual data expected)",
        ),
        (
            small_answer("Y16T24,16-24,KOR,Korea,20134,Y,7.5,Value,A,Normal"),
            "answer.csv: line 2: the time period '20134' is not a year",
        ),
        (
            small_answer("Y16T24,16-24,KOR,Korea,2013,Year 2013,7.5,Value,X,?"),
            "answer.csv: line 2: unknown observation status 'X' (SDMX's are A, B, D, E, F, G, I, K, L, M, N, O, P, "
            "Q, S, U, V, W)",
        ),
        (
            small_answer("Y16T24,16-24,KOR,Korea,2013,Year 2013,7.5,Value,AB,?"),
            "answer.csv: line 2: unknown observation status 'AB'",
        ),
        (
            small_answer(
                "Y16T24,16-24,KOR,Korea,2013,Year 2013,7.5,Value,A,Normal",
                "Y16T24,16-24,KOR,Korea,2014,Year 2014,7.5%,V,A,N",
            ),
            "answer.csv: line 3: the value '7.5%' is not a number",
        ),
        (b"\xff\xfe", "answer.csv: not UTF-8 text"),
        (b"\x1f\x8bxxxx", "answer.csv: the gzip data is truncated or corrupt ("),
    ],
)
def test_each_malformed_small_answer_is_refused_naming_the_source_the_line_and_what_is_wrong(payload, message):
    with pytest.raises(MalformedFile) as error:
        parse_small(payload)
    assert str(error.value).startswith(message)


def test_the_oecds_part_not_checked_is_said_in_four_lines_naming_the_countries_and_why():
    from helpers.analysis.claims import evaluate_all
    from helpers.publish.statements import oecd_statement

    results = {r.claim["id"]: r for r in evaluate_all(eurostat_only_store(True))}
    escaped = SAID.replace("_", "\\_").replace("@", "\\@")
    assert oecd_statement(results["S-2"]) == [
        "",
        f"**What the OECD's data show** (Japan and the United States): nothing here, {escaped}.",
        "",
        "**Verdict, S-2 (OECD):** **not checked** (no verdict: the data could not be fetched; `make refresh` brings "
        "them in once the OECD answers).",
    ]


def test_an_oecd_part_without_a_band_in_the_registry_is_said_in_the_catalogues_words_for_its_group():
    import dataclasses

    from tables import tidy
    from helpers.analysis.claims import evaluate_all
    from helpers.publish.statements import oecd_statement

    s1 = next(
        r for r in evaluate_all(tidy([("D1B_I", "PT_POP", "Y55T74", "KOR", 2013, 30.0)])) if r.claim["id"] == "S-1"
    )
    part = dataclasses.replace(s1.oecd, claim={k: v for k, v in s1.oecd.claim.items() if k != "band"})
    assert oecd_statement(dataclasses.replace(s1, oecd=part))[1] == (
        "**What the OECD's data show** (Korea; 55-74 year olds; using the internet for social networking, % of the "
        "population):"
    )
