"""The fetch layer: mirror, the live path through the `eurostat` package against a stand-in
for Eurostat's API on 127.0.0.1, and Eurostat's failures (each ends in success or one line)."""

import gzip
import hashlib
import json
import re
import shutil
import socket

import pandas as pd
import pytest

from eurostat_standin import StandIn
from helpers.catalogue import load_catalogue
from helpers.base.errors import FetchError, MalformedFile, TransientError
from helpers.acquire.eurostat_tsv import parse_eurostat_tsv, read_eurostat_tsv
from helpers.acquire.settings import FetchSettings
from helpers.store.refresh import fetch_all, resolve_source
from helpers.acquire.eurostat_api import fetch_live
from helpers.store.tidy import build_store

CATALOGUE = load_catalogue()


def settings_for(api, **overrides):
    values = dict(api_base=api.base_url, timeout=2.0, attempts=3, backoff=0.01)
    values.update(overrides)
    return FetchSettings(**values)


def snapshot(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def needs_real_samples(faults):
    """The stand-in answers these with real recorded bytes from ../shared/eurostat-api-samples."""
    from eurostat_standin import FAULTS, SAMPLES

    real = {f.rstrip("*") for f in faults} & (
        {k for k, (_, body) in FAULTS.items() if isinstance(body, str)} | {"queue"}
    )
    if real and not SAMPLES.exists():
        pytest.skip(
            f"../shared is absent ({SAMPLES} not found): the stand-in answers faults and the queue with real recorded bytes"
        )


@pytest.fixture
def standin(synthetic_mirror):
    with StandIn(synthetic_mirror, slow_seconds=3.0) as api:
        yield api


@pytest.fixture(scope="module")
def fetched_once(tmp_path_factory, synthetic_mirror_path):
    raw = tmp_path_factory.mktemp("fetched") / "raw"
    fetch_all(raw, source="mirror", mirror=synthetic_mirror_path)
    return raw


@pytest.fixture
def good_raw(tmp_path, fetched_once):
    """A data/raw folder holding a previous good fetch."""
    return shutil.copytree(fetched_once, tmp_path / "raw")


def test_mirror_fetch_writes_data_and_provenance(good_raw, synthetic_mirror):
    manifest = json.loads((synthetic_mirror / "MIRROR.json").read_text())
    oecd = json.loads((good_raw / "DSD_ICT_HH_IND@DF_IND.provenance.json").read_text())
    assert oecd["source"] == "mirror" and oecd["publisher"] == "OECD" and oecd["file"] == "DSD_ICT_HH_IND@DF_IND.csv"
    assert (good_raw / oecd["file"]).read_bytes() == (synthetic_mirror / oecd["file"]).read_bytes()
    for spec in CATALOGUE.datasets_from("eurostat"):
        record = json.loads((good_raw / f"{spec.code}.provenance.json").read_text())
        assert record["source"] == "mirror"
        assert record["synthetic"] is True
        assert record["sha256"] == manifest["datasets"][spec.code]["sha256"]
        assert record["series"] == manifest["datasets"][spec.code]["rows"]
        assert record["last_update"] == manifest["datasets"][spec.code]["last_update"]
        assert record["filters"]["indic_is"] == list(spec.filters["indic_is"])
        assert (good_raw / record["file"]).read_bytes() == (synthetic_mirror / record["file"]).read_bytes()
    assert not [p for p in good_raw.iterdir() if p.name.startswith(".staging")]


@pytest.mark.integration
def test_live_fetch_through_the_eurostat_package_matches_the_mirror(standin, synthetic_mirror, tmp_path):
    """Contract: the `eurostat` package against the stand-in gives the same tidy table as the mirror."""
    live_raw, mirror_raw = tmp_path / "live", tmp_path / "mirror"
    records = fetch_all(live_raw, source="live", settings=settings_for(standin))
    fetch_all(mirror_raw, source="mirror", mirror=synthetic_mirror)
    live_table, live_prov = build_store(live_raw)
    mirror_table, _ = build_store(mirror_raw)
    pd.testing.assert_frame_equal(live_table, mirror_table)
    assert len(live_table) > 0
    # one data request per dataset: the filter codes are joined with '+', not multiplied out
    assert standin.count("data") == len(CATALOGUE.datasets_from("eurostat"))
    assert all(r["requests"] <= 7 for r in records)
    assert live_prov["synthetic"] is False  # the live path never claims to be a mirror
    manifest = json.loads((synthetic_mirror / "MIRROR.json").read_text())
    assert records[0]["last_update"] == manifest["datasets"]["isoc_ci_ac_i"]["last_update"]
    # optional codes the mirror lacks (../shared's lacks I_IUCPP) are not asked for
    carried = set(read_eurostat_tsv(synthetic_mirror / "isoc_ci_ac_i.tsv.gz").indic_is)
    assert (
        set(records[0]["filters"]["indic_is"]) == set(CATALOGUE.dataset("isoc_ci_ac_i").filters["indic_is"]) & carried
    )
    assert (
        records[2]["dataset"] == "isoc_ci_in_h"
        and live_table[live_table.dataset == "isoc_ci_in_h"].ind_type.eq("TOTAL").all()
    )


def test_live_fetch_is_filtered_on_the_server(standin):
    spec = CATALOGUE.dataset("isoc_ciegi_ac")
    fetched = fetch_live(spec, settings_for(standin))
    table = parse_eurostat_tsv(fetched.payload, dataset=spec.code)
    assert set(table.indic_is) == {"I_IUGOV12"}
    assert set(table.ind_type) == set(spec.filters["ind_type"])


def test_500_once_then_success(standin, tmp_path):
    standin.faults["dataflow"] = ["500"]
    records = fetch_all(tmp_path, source="live", settings=settings_for(standin))
    assert len(records) == len(CATALOGUE.datasets)


@pytest.mark.parametrize(
    "kind, faults, message",
    [
        ("dataflow", ["503*"], r"HTTP 503 .* gave up after 3 tries"),
        ("data", ["503*"], r"HTTP 503 .* gave up after 3 tries"),
        ("data", ["truncate*"], r"not a gzip TSV|truncated"),
        ("data", ["html*"], r"HTML page .*maintenance .* gave up after 3 tries"),
        ("dataflow", ["sorry*"], r"HTML page \(http://127.0.0.1:\d+/sorry/\).*maintenance .* gave up after 3 tries"),
        ("data", ["413*"], r"HTTP 413 .* too big: narrow the filters"),
        (
            "data",
            ["fault413*"],
            r"fault 413 \(EXTRACTION_TOO_BIG: The requested extraction is too big, estimated 17348292 rows, "
            r"max authorised is 5000000, .*\) - the extraction is too big: narrow the filters",
        ),
        (
            "data",
            ["fault100*"],
            r"isoc_ci_ac_i failed.*fault 100 \(ERR_NOT_FOUND_2: DATA_SET:NO_SUCH is not available for "
            r"dissemination.\) - the dataset does not exist",
        ),
        ("dataflow", ["fault100*"], r"fault 100 \(ERR_NOT_FOUND_2"),
        (
            "data",
            ["fault140*"],
            r"fault 140 \(INVALID_QUERY_NB_FILTERS: Incorrect number of filters\) - the request names",
        ),
        (
            "data",
            ["fault150*"],
            r"fault 150 \(INVALID_QUERY_CODE: Code I_IUPOL1 is not allowed for dimension indic_is & "
            r"dataset isoc_ci_ac_i\) - a code the catalogue asks for is not allowed",
        ),
        ("data", ["slow*"], r"did not answer within 0.5 s"),
    ],
    ids=[
        "503-dataflow",
        "503-data",
        "truncated-gzip",
        "html-page",
        "maintenance-redirect",
        "413",
        "fault-413",
        "fault-100",
        "fault-100-dataflow",
        "fault-140",
        "fault-150",
        "timeout",
    ],
)
def test_failures_end_in_one_line_and_keep_previous_data(standin, good_raw, kind, faults, message):
    needs_real_samples(faults)
    before = snapshot(good_raw)
    standin.faults[kind] = list(faults)
    with pytest.raises(FetchError if "gzip" not in message else (FetchError, MalformedFile), match=message) as caught:
        # the short wait only where the stand-in is slow on purpose: elsewhere a loaded machine's slow
        # answer would pass for a timeout
        timeout = 0.5 if faults == ["slow*"] else 2.0
        fetch_all(good_raw, source="live", refresh=True, settings=settings_for(standin, timeout=timeout))
    assert "\n" not in str(caught.value)
    assert snapshot(good_raw) == before
    assert not [p for p in good_raw.iterdir() if p.name.startswith(".staging")]


def test_a_fault_is_not_retried_and_nothing_goes_to_other_agencies(standin, good_raw):
    """A fault is an answer, not a hiccup: one try, and no detour to COMEXT, COMP, EMPL or GROW."""
    standin.faults["data"] = ["fault150*"]
    with pytest.raises(FetchError):
        fetch_all(good_raw, source="live", refresh=True, settings=settings_for(standin))
    assert standin.count("data") == 1


def test_a_transient_failure_is_transient_and_bounded(standin, good_raw):
    """The package retries 4 times without pause and tries four other agencies when the ESTAT
    dataflow fails; through the guard each of the project's attempts makes one request."""
    standin.faults["dataflow"] = ["503*"]
    with pytest.raises(TransientError, match="HTTP 503"):
        fetch_all(good_raw, source="live", refresh=True, settings=settings_for(standin))
    assert standin.count("dataflow") == 3  # attempts=3, one request each
    assert len(standin.requests) == 3


@pytest.mark.integration
def test_a_queued_extraction_is_polled_with_pauses_then_fetched(standin, tmp_path, synthetic_mirror):
    needs_real_samples(["queue"])
    standin.faults["data"] = ["queue"]  # the first dataset is queued, as Eurostat does for large extractions
    standin.queue_polls = 3
    pauses = []
    records = fetch_all(tmp_path / "live", source="live", settings=settings_for(standin), sleep=pauses.append)
    fetch_all(tmp_path / "mirror", source="mirror", mirror=synthetic_mirror)
    pd.testing.assert_frame_equal(build_store(tmp_path / "live")[0], build_store(tmp_path / "mirror")[0])
    assert pauses == [0.01, 0.02, 0.04, 0.08]  # back-off between the four status polls
    assert records[0]["queued_seconds"] == pytest.approx(0.15)
    assert records[0]["requests"] <= 12 and records[1]["queued_seconds"] == 0


def test_a_queue_that_never_ends_is_a_transient_error_within_the_wait(standin, good_raw):
    needs_real_samples(["queue"])
    standin.faults["data"] = ["queue*"]
    standin.queue_polls = 10**6
    pauses = []
    settings = settings_for(standin, queue_wait=1.0, attempts=2)
    before = snapshot(good_raw)
    with pytest.raises(TransientError, match="not ready after .*EUROSTAT_QUEUE_WAIT"):
        fetch_all(good_raw, source="live", refresh=True, settings=settings, sleep=pauses.append)
    assert sum(pauses) < 2 * 1.0 + 1  # two attempts, each waiting at most queue_wait, plus the back-off between
    assert snapshot(good_raw) == before


@pytest.mark.integration
def test_the_2025_cell_forms_served_live_give_the_mirror_store_with_confidentiality(synthetic_mirror, tmp_path):
    from eurostat_standin import CONFIDENTIAL_GEOS

    with StandIn(synthetic_mirror, forms_2025=True) as api:
        fetch_all(tmp_path / "live", source="live", settings=settings_for(api))
    fetch_all(tmp_path / "mirror", source="mirror", mirror=synthetic_mirror)
    live, mirror = build_store(tmp_path / "live")[0], build_store(tmp_path / "mirror")
    mirror, provenance = mirror
    # the stand-in wrote ': ' as ': @C' and '7.0 p' as '7.0 p@C' for these countries; values over 100 that
    # the store sets aside were numbers, not ':'
    key = ["dataset", "indic_is", "unit", "ind_type", "geo", "year"]
    set_aside = pd.DataFrame(provenance["implausible_values"], columns=[*key, "value", "flag", "confidentiality"])
    was_number = (
        live[key].merge(set_aside[key].assign(was=True), how="left", on=key)["was"].fillna(False).to_numpy(bool)
    )
    confidential = live.geo.isin(CONFIDENTIAL_GEOS) & ((live.value.isna() & ~was_number) | (live.flag != ""))
    assert confidential.sum() > 0 and (live.confidentiality[confidential] == "C").all()
    assert (live.confidentiality[~confidential] == "").all()
    assert live.value[live.geo.isin(CONFIDENTIAL_GEOS) & mirror.value.isna()].isna().all()  # no value made up
    pd.testing.assert_frame_equal(live.drop(columns="confidentiality"), mirror.drop(columns="confidentiality"))


@pytest.mark.integration
def test_the_content_constraint_leaves_out_and_lists_codes_the_dataset_lacks(synthetic_mirror, tmp_path):
    # a mirror without two optional series (../shared's lacks them already: I_IUPOL, I_IUCPP)
    thin = shutil.copytree(synthetic_mirror, tmp_path / "thin")
    path = thin / "isoc_ci_ac_i.tsv.gz"
    lines = gzip.decompress(path.read_bytes()).decode().split("\r\n")
    kept = [line for line in lines if not re.match(r"A,(I_IUPOL|I_IUCPP),", line)]
    path.write_bytes(gzip.compress("\r\n".join(kept).encode(), mtime=0))
    with StandIn(thin) as api:
        records = fetch_all(tmp_path / "raw", source="live", settings=settings_for(api))
        data_request = next(r for r in api.requests if "/data/isoc_ci_ac_i/" in r)
    assert records[0]["absent_codes"] == {"indic_is": ["I_IUPOL", "I_IUCPP"]}
    assert "I_IUCPP" not in data_request and "I_IUPOL+" not in data_request


def test_a_content_constraint_whose_dimension_has_no_id_is_refused_by_name():
    # found by the type check (mypy): a KeyValue without its id ended in AttributeError on None
    from types import SimpleNamespace

    from helpers.acquire.eurostat_api import content_constraint

    common = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"
    body = f'<s xmlns:c="{common}"><c:KeyValue id="geo"><c:Value>NL</c:Value></c:KeyValue>{{}}</s>'
    guard = lambda text: SimpleNamespace(  # noqa: E731
        settings=SimpleNamespace(api_base="http://x/"), get=lambda url: SimpleNamespace(content=text.encode())
    )
    assert content_constraint(guard(body.format("")), "isoc_x") == {"geo": {"NL"}}
    without_id = body.format("<c:KeyValue><c:Value>2013</c:Value></c:KeyValue>")
    with pytest.raises(MalformedFile, match="isoc_x has a KeyValue without its dimension"):
        content_constraint(guard(without_id), "isoc_x")


def test_a_required_code_the_dataset_lacks_is_named_before_any_data_request(standin, tmp_path, monkeypatch):
    from helpers.acquire import eurostat_api

    spec = CATALOGUE.dataset("isoc_ciegi_ac")
    lacking = type(spec)(spec.code, spec.title, {**spec.filters, "indic_is": ("I_IUGOV12", "I_IUGOV99")})
    with pytest.raises(FetchError, match=r"does not carry indic_is I_IUGOV99, which the catalogue requires"):
        eurostat_api.fetch_live(lacking, settings_for(standin))
    assert standin.count("data") == 0


def test_auto_never_takes_a_maintenance_page_for_eurostat(standin, synthetic_mirror):
    standin.faults["dataflow"] = ["sorry*"]
    assert resolve_source("auto", synthetic_mirror, settings_for(standin)) == ("mirror", synthetic_mirror)


def test_second_dataset_failing_keeps_the_first_one_old(standin, good_raw):
    """All or nothing: one failing dataset means no dataset is replaced."""
    before = snapshot(good_raw)
    standin.faults["datastructure"] = ["ok", "413*"]  # the first dataset arrives, then every one fails
    with pytest.raises(FetchError):
        fetch_all(good_raw, source="live", refresh=True, settings=settings_for(standin))
    assert snapshot(good_raw) == before


def test_connection_refused(good_raw):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    before = snapshot(good_raw)
    settings = FetchSettings(api_base=f"http://127.0.0.1:{port}/api/", timeout=1, attempts=2, backoff=0.01)
    with pytest.raises(FetchError, match="cannot connect to Eurostat") as caught:
        fetch_all(good_raw, source="live", refresh=True, settings=settings)
    assert "\n" not in str(caught.value)
    assert snapshot(good_raw) == before


def test_auto_without_eurostat_or_mirror_says_how_to_fix():
    settings = FetchSettings(api_base="http://127.0.0.1:9/api/", timeout=1)
    with pytest.raises(FetchError, match="EUROSTAT_MIRROR.*make demo"):
        resolve_source("auto", None, settings)


def test_auto_falls_back_to_the_mirror(synthetic_mirror):
    settings = FetchSettings(api_base="http://127.0.0.1:9/api/", timeout=1)
    assert resolve_source("auto", synthetic_mirror, settings) == ("mirror", synthetic_mirror)


def test_auto_prefers_live(standin, synthetic_mirror):
    assert resolve_source("auto", synthetic_mirror, settings_for(standin))[0] == "live"


def test_malformed_mirror_file_keeps_previous_data(tmp_path, good_raw, synthetic_mirror):
    broken = tmp_path / "broken-mirror"
    shutil.copytree(synthetic_mirror, broken)
    (broken / "isoc_ciegi_ac.tsv.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    before = snapshot(good_raw)
    with pytest.raises(MalformedFile, match="isoc_ciegi_ac.tsv.gz: the gzip data is truncated or corrupt"):
        fetch_all(good_raw, source="mirror", mirror=broken, refresh=True)
    assert snapshot(good_raw) == before


@pytest.mark.integration
def test_mirror_missing_a_series_names_dataset_and_filter(tmp_path, synthetic_mirror):
    thin = tmp_path / "thin-mirror"
    thin.mkdir()
    for name in ("isoc_ci_ac_i.tsv.gz", "isoc_ci_ifp_iu.tsv.gz", "isoc_ci_in_h.tsv.gz"):
        shutil.copy(synthetic_mirror / name, thin / name)
    table = read_eurostat_tsv(synthetic_mirror / "isoc_ciegi_ac.tsv.gz")
    kept = table[table.ind_type != "Y65_74"]
    header = "freq,unit,ind_type,indic_is,geo\\TIME_PERIOD\t" + "\t".join(f"{y} " for y in sorted(kept.year.unique()))
    lines = [header]
    for key, group in kept.groupby(["freq", "unit", "ind_type", "indic_is", "geo"], sort=True):
        cells = [
            ":" if pd.isna(v) else f"{v:g} {f}".strip()
            for v, f in zip(group.sort_values("year").value, group.sort_values("year").flag)
        ]
        lines.append(",".join(key) + "\t" + "\t".join(cells))
    (thin / "isoc_ciegi_ac.tsv").write_text("\n".join(lines) + "\n")
    with pytest.raises(FetchError, match=r"series missing from isoc_ciegi_ac: ind_type=Y65_74"):
        fetch_all(tmp_path / "raw", source="mirror", mirror=thin)


def test_mirror_that_does_not_exist(tmp_path):
    with pytest.raises(FetchError, match="does not exist"):
        fetch_all(tmp_path / "raw", source="mirror", mirror=tmp_path / "nowhere")


def test_unknown_source(tmp_path):
    with pytest.raises(FetchError, match="source must be one of auto, live, mirror"):
        fetch_all(tmp_path / "raw", source="web")


def test_no_refresh_reuses_what_is_there(good_raw, synthetic_mirror):
    before = snapshot(good_raw)
    fetch_all(good_raw, source="mirror", mirror=synthetic_mirror / "not-used")
    assert snapshot(good_raw) == before


@pytest.mark.e2e  # runs make
def test_make_data_source_live_against_the_stand_in_in_2025_forms(synthetic_mirror, tmp_path):
    """`make data SOURCE=live`, the way a user with internet runs it, against Eurostat's 2025 forms."""
    from eurostat_standin import CONFIDENTIAL_GEOS
    from pipeline import clean_clone, run_make

    from helpers.store.tidy import load_store

    clone = clean_clone(tmp_path / "clone")
    with StandIn(synthetic_mirror, forms_2025=True) as api:
        run_make(clone, "data", "SOURCE=live", EUROSTAT_API_BASE=api.base_url, EUROSTAT_BACKOFF="0.01")
    live = load_store(clone / "data" / "processed")
    fetch_all(tmp_path / "mirror", source="mirror", mirror=synthetic_mirror)
    mirror = build_store(tmp_path / "mirror")[0]
    pd.testing.assert_frame_equal(live.drop(columns="confidentiality"), mirror.drop(columns="confidentiality"))
    assert set(live.geo[live.confidentiality == "C"]) == set(CONFIDENTIAL_GEOS)
    record = json.loads((clone / "data" / "raw" / "isoc_ci_ac_i.provenance.json").read_text())
    assert record["source"] == "live" and record["requests"] == 6
