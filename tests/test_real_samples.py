"""Real Eurostat answers (../shared/eurostat-api-samples/, read at run time): every form is read.

Each annual TSV is parsed and compared, cell by cell, with an independent reading written from
FORMS.md (value, observation flags, confidentiality), and its cell forms are counted against the
table in FORMS.md. Monthly and Comext files are refused in one line. The SOAP faults, the queue
envelope and the content constraint are read as the live path reads them.
"""

from __future__ import annotations

import gzip
import math
import re
from collections import Counter
from types import SimpleNamespace

import pytest

from conftest import SHARED
from helpers.base.errors import MalformedFile
from helpers.acquire.eurostat_tsv import read_eurostat_tsv
from helpers.acquire.eurostat_api import content_constraint
from helpers.acquire.faults import is_maintenance_page, soap_fault

SAMPLES = SHARED / "eurostat-api-samples"
TSV_FILES = sorted((SAMPLES / "tsv").glob("*")) if SAMPLES.exists() else []
ABSENT = f"../shared is absent ({SAMPLES} not found): the real Eurostat samples cannot be read"
# without ../shared, one skipped case saying so (an empty parameter list would skip without a reason)
TSV_CASES = [pytest.param(p, id=p.name) for p in TSV_FILES] or [
    pytest.param(None, id="absent", marks=pytest.mark.skip(reason=ABSENT))
]


@pytest.fixture(autouse=True)
def samples_present():
    if not SAMPLES.exists():
        pytest.skip(ABSENT)


def text_of(path):
    raw = path.read_bytes()
    return (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8")


def form_of(cell: str) -> str:
    """FORMS.md's pattern of a cell: the number replaced by <num> (its script, verbatim)."""
    m = re.match(r"-?\d+(?:\.\d+)?", cell)
    if cell == "":
        return "<empty>"
    if m:
        return "<num>" + cell[m.end() :]
    if cell.startswith(":"):
        return cell
    return "<text>" + cell


def independent_reading(cell: str) -> tuple[float | None, str, str]:
    """Value, observation flags and confidentiality, read the plain way: split at the first space and '@'."""
    value, _, marks = cell.partition(" ")
    if value == ":" or value.startswith(":"):
        number = None
        marks = value[1:] + marks
    else:
        number = float(value)
    flags, _, confidentiality = marks.strip().partition("@")
    return number, flags, confidentiality


def forms_md_counts() -> dict[str, Counter]:
    """file -> Counter(form -> cells), from the table in FORMS.md."""
    counts: dict[str, Counter] = {}
    for line in (SAMPLES / "FORMS.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| `'(.*)'` \| (\d+) \| (.*) \|$", line)
        if not match:
            continue
        form = match.group(1)
        for name, cells in re.findall(r"([\w.-]+) \((\d+)\)", match.group(3)):
            counts.setdefault(name, Counter())[form] = int(cells)
    return counts


def is_annual(path) -> bool:
    header = text_of(path).split("\n", 1)[0].rstrip("\r").split("\t")
    return all(re.fullmatch(r"\d{4}", p.strip()) for p in header[1:])


@pytest.mark.parametrize("path", TSV_CASES)
def test_every_real_tsv_is_read_cell_by_cell_as_forms_md_describes(path):
    if not is_annual(path):
        with pytest.raises(MalformedFile, match="is not a year; only annual data is read") as caught:
            read_eurostat_tsv(path)
        assert "\n" not in str(caught.value)
        return
    table = read_eurostat_tsv(path)
    lines = [line.rstrip("\r") for line in text_of(path).split("\n") if line.rstrip("\r")]
    header = lines[0].split("\t")
    years = [int(p) for p in header[1:]]
    dims = [d.lower() for d in header[0].split("\\")[0].split(",")]
    parsed = {(tuple(row[d] for d in dims), row["year"]): row for row in table.to_dict("records")}
    forms = Counter()
    for line in lines[1:]:
        key, *cells = line.split("\t")
        codes = tuple(c.strip() for c in key.split(","))
        for year, cell in zip(years, cells):
            forms[form_of(cell)] += 1
            value, flags, confidentiality = independent_reading(cell)
            row = parsed[(codes, year)]
            assert (None if math.isnan(row["value"]) else row["value"]) == value, (codes, year, cell)
            assert (row["flag"], row["confidentiality"]) == (flags, confidentiality), (codes, year, cell)
    assert len(table) == (len(lines) - 1) * len(years)
    assert forms == forms_md_counts()[path.name]


def test_the_2025_confidential_form_is_among_the_samples():
    table = read_eurostat_tsv(SAMPLES / "tsv" / "tour_occ_arn2__excerpt-A.tsv")
    confidential = table[table.confidentiality == "C"]
    assert len(confidential) == forms_md_counts()["tour_occ_arn2__excerpt-A.tsv"][": @C"] == 124
    assert confidential.value.isna().all()  # a confidential cell never becomes a value


@pytest.mark.parametrize(
    "name, code, text",
    [
        (
            "fault-100_ERR_NOT_FOUND_2__test-embedded.xml",
            "100",
            "ERR_NOT_FOUND_2: DATA_SET:NO_SUCH is not available for dissemination.",
        ),
        (
            "fault-140_INVALID_QUERY_NB_FILTERS__test-embedded.xml",
            "140",
            "INVALID_QUERY_NB_FILTERS: Incorrect number of filters",
        ),
        (
            "comext_fault-413_EXTRACTION_TOO_BIG.xml",
            "413",
            "EXTRACTION_TOO_BIG: The requested extraction is too big, estimated "
            "17348292 rows, max authorised is 5000000, please change your filters to reduce the extraction size",
        ),
    ],
)
def test_real_soap_faults_are_read(name, code, text):
    assert soap_fault((SAMPLES / "errors" / name).read_bytes()) == (code, text)


def test_the_queue_envelope_is_not_a_fault():
    assert soap_fault((SAMPLES / "errors" / "async-queue-envelope_SUBMITTED__test-embedded.xml").read_bytes()) is None


def test_a_real_content_constraint_is_read_without_its_time_periods():
    body = (SAMPLES / "structure" / "comext_DS-045409__contentconstraint.xml").read_bytes()
    guard = SimpleNamespace(
        settings=SimpleNamespace(api_base="http://x/"), get=lambda url: SimpleNamespace(content=body)
    )
    carried = content_constraint(guard, "DS-045409")
    assert carried["reporter"] == {"DE", "EU27_2020", "FR"}
    assert "time_period" not in carried and "TIME_PERIOD" not in carried


def test_structure_answers_are_not_taken_for_maintenance_pages():
    for path in (SAMPLES / "structure").glob("*.xml"):
        response = SimpleNamespace(
            url="https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/x",
            headers={"Content-Type": "application/xml"},
            content=path.read_bytes(),
        )
        assert not is_maintenance_page(response), path.name
    sorry = SimpleNamespace(url="https://sorry.ec.europa.eu/", headers={"Content-Type": "text/html"}, content=b"<html>")
    assert is_maintenance_page(sorry)
