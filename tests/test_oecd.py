"""The OECD source: the real rows of ../shared/oecd-api-samples through the parser value by value, the
live client against a stand-in of the OECD's API (429, 404, a truncated body, the hourly limit), the
mirror and the live path giving one store, and the claims' OECD parts."""

import csv
import io
import json
import math
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
    korea = table[(table.ref_area == "KOR") & (table.age == "Y55T74") & (table.education_level == "_T")].set_index("year")
    assert round(korea.value[2013], 1) == 7.4 and korea.flag[2013] == "D"
    assert round(korea.value[2024], 1) == 43.1 and korea.flag[2024] == ""
    assert load_catalogue().label("flag", "D") == "definition differs (OECD)"


@pytest.mark.parametrize("damage, message", [
    (lambda b: b[: len(b) // 2], "ends in the middle of a line"),
    (lambda b: b"<!DOCTYPE html><html>down</html>\n", "HTML page"),
    (lambda b: b.replace(b"OBS_VALUE", b"VALUE", 1), "header lacks OBS_VALUE"),
    (lambda b: b.replace(b",37.92,", b",n/a,", 1), "is not a number"),
    (lambda b: b.replace(b",,D,Definition differs", b",,Z,Definition differs", 1), "unknown observation status"),
    (lambda b: b.replace(b"DSD_ICT_HH_IND@DF_IND(1.1)", b"DSD_ICT_HH_IND@DF_HH(1.1)", 1), "not of DSD_ICT_HH_IND@DF_IND"),
    (lambda b: b.split(b"\n")[0] + b"\n" + b.split(b"\n")[1].rsplit(b",", 3)[0] + b"\n", "fields where the header has"),
])
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

    internet_by_age = dataclasses.replace(SPEC, filters={**SPEC.filters, "measure": ("C5B_I",), "ref_area": ("JPN", "USA")})
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


def test_a_failed_oecd_fetch_keeps_the_previous_data(synthetic_mirror, tmp_path, oecd):
    raw = tmp_path / "raw"
    fetch_all(raw, source="mirror", mirror=synthetic_mirror)
    before = {p.name: p.read_bytes() for p in raw.iterdir() if p.is_file() and not p.name.startswith(".")}
    oecd.faults = ["500*"]
    from eurostat_standin import StandIn
    from helpers.acquire.settings import FetchSettings

    with StandIn(synthetic_mirror) as eurostat, pytest.raises(TransientError, match="DSD_ICT_HH_IND@DF_IND .*kept"):
        fetch_all(raw, source="live", refresh=True, sleep=lambda s: None, oecd_settings=oecd.settings,
                  settings=FetchSettings(api_base=eurostat.base_url, timeout=2, attempts=1, backoff=0.01))
    assert {p.name: p.read_bytes() for p in raw.iterdir() if p.is_file() and not p.name.startswith(".")} == before


def test_live_and_a_mirror_holding_both_give_identical_stores(synthetic_mirror, tmp_path, oecd):
    """The stand-ins (Eurostat's and the OECD's) and a mirror with both files: one store, byte for byte."""
    from eurostat_standin import StandIn
    from helpers.acquire.settings import FetchSettings

    with StandIn(synthetic_mirror) as eurostat:
        fetch_all(tmp_path / "live", source="live", oecd_settings=oecd.settings,
                  settings=FetchSettings(api_base=eurostat.base_url, timeout=2, attempts=2, backoff=0.01))
    fetch_all(tmp_path / "mirror", source="mirror", mirror=synthetic_mirror)
    live, mirror = build_store(tmp_path / "live")[0], build_store(tmp_path / "mirror")[0]
    pd.testing.assert_frame_equal(live, mirror)
    assert oecd.data_requests == 1
    assert len(live[live.dataset == SPEC.code]) == 98


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
    from helpers.publish.statements import key_messages, page_statement, verdict_table

    fetch_all(tmp_path / "raw", source="mirror", mirror=synthetic_mirror)
    results = evaluate_all(build_store(tmp_path / "raw")[0])
    by_id = {r.claim["id"]: r for r in results}
    korea = by_id["S-1"].oecd
    assert (korea.best.year, korea.verdict, korea.latest.year, korea.latest_verdict) == (2013, "not reproduced", 2024, "reproduced")
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
