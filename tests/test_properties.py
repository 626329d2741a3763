"""Properties (Hypothesis) of what reads outside bytes and of the store's validation.

- the Eurostat TSV parser and the OECD SDMX-CSV parser: any bytes give rows or `MalformedFile` (the
  project's one-line error), never another exception; a valid file generated from known cells parses
  back to exactly those cells;
- the store's validation (`helpers.store.tidy.validate`, which refresh runs on the staged data before it
  replaces anything): a generated valid table passes, and the same table broken in one generated way is
  refused with `ValidationError` naming the rule.

Each property says how many examples it tries (`max_examples`); the profile in tests/conftest.py makes
them derandomized and database-less, so every run tries the same examples (docs/tests.md). Under mutmut
(`MUTANT_UNDER_TEST` set) each tries a quarter of them: every surviving mutant of a parser or of the
validation runs every property that reaches it, and a mutant is nearly always caught in the first examples
or not at all; fewer examples can only make the score lower, never higher.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import os

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.acquire.eurostat_tsv import CONFIDENTIALITY_CODES, OBSERVATION_FLAGS, parse_eurostat_tsv
from helpers.acquire.oecd_csv import OECD_OBSERVATION_STATUS, parse_oecd_csv
from helpers.base.errors import MalformedFile, ValidationError
from helpers.catalogue import TIDY_DIMENSIONS, load_catalogue
from helpers.store.tidy import COLUMNS, KEY, validate

CATALOGUE = load_catalogue()


def examples(n: int) -> int:
    """`n`, or a quarter of it under mutmut (see above)."""
    return max(n // 4, 10) if "MUTANT_UNDER_TEST" in os.environ else n


# ----------------------------------------------------------------------------- Eurostat's TSV

DIMENSION_NAMES = ["freq", "indic_is", "unit", "ind_type", "sex", "age", "c_resid", "nace_r2", "deg_urb"]
CODE = st.text(alphabet="ABCKORJPNUSTYZ_0123456789", min_size=1, max_size=6)


@st.composite
def eurostat_cells(draw):
    """A cell as Eurostat writes it and what it means: (text, value or None, flags, confidentiality)."""
    missing = draw(st.booleans())
    if missing:
        number, value = ":", None
    else:
        digits = draw(st.integers(min_value=-(10**7), max_value=10**7))
        decimals = draw(st.integers(min_value=0, max_value=3))
        number = f"{digits / 10**decimals:.{decimals}f}"
        value = float(number)
    flags = draw(st.text(alphabet=OBSERVATION_FLAGS, max_size=3))  # 'c' and 'z' included: older cells
    confidentiality = draw(st.sampled_from(["", *CONFIDENTIALITY_CODES]))  # the 2025 '@C' form
    # the separator space is there whenever something follows, and usually after a bare value too
    space = " " if flags or confidentiality or draw(st.booleans()) else ""
    text = number + space + flags + (f"@{confidentiality}" if confidentiality else "")
    return text, value, flags, confidentiality


@st.composite
def eurostat_files(draw):
    """A file in Eurostat's TSV layout from known cells: (payload bytes, the rows it holds, dimensions)."""
    dimensions = [*draw(st.lists(st.sampled_from(DIMENSION_NAMES), min_size=0, max_size=4, unique=True)), "geo"]
    years = sorted(draw(st.lists(st.integers(min_value=2002, max_value=2030), min_size=1, max_size=4, unique=True)))
    keys = draw(st.lists(st.tuples(*[CODE] * len(dimensions)), max_size=6, unique=True))
    cells = {(key, year): draw(eurostat_cells()) for key in keys for year in years}
    time_label = draw(st.sampled_from(["TIME_PERIOD", "time"]))
    period_space = draw(st.sampled_from(["", " "]))  # the API writes '2013 '
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [",".join(dimensions) + "\\" + time_label + "".join(f"\t{year}{period_space}" for year in years)]
    lines += [",".join(key) + "".join("\t" + cells[key, year][0] for year in years) for key in keys]
    text = newline.join(lines) + (newline if draw(st.booleans()) else "")
    payload = text.encode("utf-8")
    if draw(st.booleans()):
        payload = gzip.compress(payload, mtime=0)
    rows = [  # year by year, as the parser returns them
        (*key, year, cells[key, year][1], cells[key, year][2], cells[key, year][3]) for year in years for key in keys
    ]
    return payload, rows, dimensions


def _rows(table: pd.DataFrame, dimensions: list[str]) -> list[tuple]:
    return [
        (*(row[d] for d in dimensions), row["year"], None if math.isnan(row["value"]) else row["value"])
        + (row["flag"], row["confidentiality"])
        for row in table.to_dict("records")
    ]


@settings(max_examples=examples(100))
@given(eurostat_files())
def test_a_valid_eurostat_file_parses_back_to_exactly_its_cells(file):
    payload, rows, dimensions = file
    table = parse_eurostat_tsv(payload, dataset="isoc_ci_ac_i")
    assert list(table.columns) == ["dataset", *dimensions, "year", "value", "flag", "confidentiality"]
    assert set(table["dataset"]) <= {"isoc_ci_ac_i"}
    assert _rows(table, dimensions) == rows


@st.composite
def damaged(draw, files):
    """A valid file with one byte replaced, inserted or removed (before any gzip, or in the gzip itself)."""
    payload, _rows, _dimensions = draw(files)
    where = draw(st.integers(min_value=0, max_value=max(len(payload) - 1, 0)))
    byte = bytes([draw(st.integers(min_value=0, max_value=255))])
    how = draw(st.sampled_from(["replace", "insert", "remove"]))
    if how == "replace":
        return payload[:where] + byte + payload[where + 1 :]
    if how == "insert":
        return payload[:where] + byte + payload[where:]
    return payload[:where] + payload[where + 1 :]


TSV_BYTES = st.one_of(
    st.binary(max_size=300),
    damaged(eurostat_files()),
    st.lists(st.sampled_from(["a,geo\\TIME_PERIOD", "\t", "\r\n", "\n", "2013 ", "X,Y", ": @C", "7.0 p@C", "1e", "@"]))
    .map("".join)
    .map(str.encode),
)


@settings(max_examples=examples(200))
@given(TSV_BYTES)
def test_any_bytes_give_eurostat_rows_or_a_malformed_file_error(payload):
    try:
        table = parse_eurostat_tsv(payload, dataset="isoc_ci_ac_i")
    except MalformedFile as refused:
        assert str(refused).startswith("isoc_ci_ac_i: ")  # names the source
    else:  # the header's dimensions, each a column of its own, beside the parser's columns
        assert table.columns.is_unique and list(table.columns[-4:]) == ["year", "value", "flag", "confidentiality"]


# ----------------------------------------------------------------------------- the OECD's SDMX-CSV

OECD = CATALOGUE.dataset("DSD_ICT_HH_IND@DF_IND")
# the columns of a real answer (../shared/oecd-api-samples/ict-individuals_D1B_I_KOR-JPN-USA__excerpt.csv):
# each id followed by its label's column
OECD_HEADER = (
    "STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,ACTION,REF_AREA,Reference area,FREQ,Frequency of observation,MEASURE,"
    "Measure,UNIT_MEASURE,Unit of measure,GEO_AREA,Geographical area,AGE,Age,SEX,Sex,EDUCATION_LEVEL,Education "
    "level,INCOME_GROUP,Income group,EMP_STATUS,Employment status,TIME_PERIOD,Time period,OBS_VALUE,Observation "
    "value,OBS_STATUS,Observation status,OBS_STATUS_2,Observation status 2,OBS_STATUS_3,Observation status 3,"
    "UNIT_MULT,Unit multiplier,TIME_HORIZON_USE,Time horizon,DECIMALS,Decimals,BREAKDOWN_V7_HH,V7 Breakdowns "
    "households"
).split(",")
LABELS = ["Korea", "From 16 to 74 years", 'a "quoted", label', "Türkiye, Côte d'Ivoire", ""]  # quoted when needed


@st.composite
def oecd_answers(draw):
    """An answer with the columns real answers have, from known observations: (payload, the rows it holds)."""
    observations = draw(
        st.lists(
            st.tuples(
                st.tuples(*[CODE] * len(OECD.key_order)),
                st.integers(min_value=1990, max_value=2030),
                st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)),
                st.sampled_from(["", *OECD_OBSERVATION_STATUS]),
            ),
            max_size=8,
        )
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(OECD_HEADER)
    rows = []
    for codes, year, value, status in observations:
        fields = {"STRUCTURE": "DATAFLOW", "STRUCTURE_ID": "OECD.STI.DEP:DSD_ICT_HH_IND@DF_IND(1.1)", "ACTION": "I"}
        fields.update({d.upper(): code for d, code in zip(OECD.key_order, codes)})
        fields.update({"TIME_PERIOD": str(year), "OBS_VALUE": "" if value is None else repr(value)})
        fields.update({"OBS_STATUS": status, "UNIT_MULT": "0", "DECIMALS": "2"})
        label = draw(st.sampled_from(LABELS))
        writer.writerow([fields.get(column, label) for column in OECD_HEADER])
        rows.append((OECD.code, *codes, year, value, "" if status == "A" else status, ""))
    return buffer.getvalue().encode("utf-8"), rows


def parse_oecd(payload: bytes) -> pd.DataFrame:
    return parse_oecd_csv(payload, dataset=OECD.code, dimensions=OECD.key_order, source="answer")


@settings(max_examples=examples(100))
@given(oecd_answers())
def test_a_valid_oecd_answer_parses_back_to_exactly_its_observations(answer):
    payload, rows = answer
    table = parse_oecd(payload)
    assert list(table.columns) == ["dataset", *OECD.key_order, "year", "value", "flag", "confidentiality"]
    parsed = [
        tuple(None if column == "value" and math.isnan(v) else v for column, v in record.items())
        for record in table.to_dict("records")
    ]
    assert parsed == rows


@st.composite
def damaged_answers(draw):
    payload, _rows = draw(oecd_answers())
    where = draw(st.integers(min_value=0, max_value=max(len(payload) - 1, 0)))
    return (
        payload[:where] + draw(st.sampled_from([b"\r", b'"', b",", b"\n", b"\xff", b"x", b""])) + payload[where + 1 :]
    )


@settings(max_examples=examples(200))
@given(st.one_of(st.binary(max_size=300), damaged_answers()))
def test_any_bytes_give_oecd_rows_or_a_malformed_file_error(payload):
    try:
        table = parse_oecd(payload)
    except MalformedFile as refused:
        assert str(refused).startswith("answer: ")
    else:
        assert list(table.columns) == ["dataset", *OECD.key_order, "year", "value", "flag", "confidentiality"]


# ----------------------------------------------------------------------------- the store's validation

DATASETS = sorted(s.code for s in CATALOGUE.datasets)
KNOWN = {dimension: sorted(CATALOGUE.known_codes(dimension)) for dimension in TIDY_DIMENSIONS}
PERCENT = st.one_of(st.none(), st.floats(min_value=0, max_value=100))
FLAGS = st.text(alphabet=OBSERVATION_FLAGS + OECD_OBSERVATION_STATUS, max_size=3)


def store_row():
    return st.tuples(
        st.sampled_from(DATASETS),
        *[st.sampled_from(KNOWN[d]) for d in TIDY_DIMENSIONS],
        st.integers(min_value=2002, max_value=2030),
        PERCENT,
        FLAGS,
        st.sampled_from(["", *CONFIDENTIALITY_CODES]),
    )


def store_table(rows) -> pd.DataFrame:
    frame = pd.DataFrame([[math.nan if v is None else v for v in row] for row in rows], columns=COLUMNS)
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = frame["value"].astype("float64")
    for column in ("dataset", *TIDY_DIMENSIONS, "flag", "confidentiality"):
        frame[column] = frame[column].astype(str)
    return frame


VALID_TABLES = st.lists(store_row(), min_size=1, max_size=12, unique_by=lambda row: row[: len(KEY)]).map(store_table)


@settings(max_examples=examples(50))
@given(VALID_TABLES)
def test_a_valid_store_table_passes_the_validation(table):
    validate(table, CATALOGUE)


BREAKS = [
    "percentage outside 0-100",
    "duplicate key",
    "missing column",
    "unknown code",
    "unknown dataset",
    "unknown observation flag",
    "unknown confidentiality status",
    "years are not integers",
]


@st.composite
def broken_tables(draw):
    """A valid table broken in one generated way: (the table, the words the refusal must hold)."""
    table = draw(VALID_TABLES).copy()
    how = draw(st.sampled_from(BREAKS))
    at = draw(st.integers(min_value=0, max_value=len(table) - 1))
    if how == "percentage outside 0-100":
        table.loc[at, "value"] = draw(
            st.one_of(st.floats(min_value=100, exclude_min=True), st.floats(max_value=0, exclude_max=True))
        )
    elif how == "duplicate key":
        table = pd.concat([table, table.iloc[[at]]], ignore_index=True)
    elif how == "missing column":
        column = draw(st.sampled_from(COLUMNS))
        return table.drop(columns=[column]), f"lacks columns ['{column}']"
    elif how == "unknown code":
        dimension = draw(st.sampled_from(TIDY_DIMENSIONS))
        table.loc[at, dimension] = draw(CODE.filter(lambda code: code not in KNOWN[dimension]))
        return table, f"unknown {dimension} code"
    elif how == "unknown dataset":
        table.loc[at, "dataset"] = draw(st.text(min_size=1, max_size=8).filter(lambda code: code not in DATASETS))
    elif how == "unknown observation flag":
        table.loc[at, "flag"] = draw(FLAGS) + draw(
            st.characters(exclude_characters=OBSERVATION_FLAGS + OECD_OBSERVATION_STATUS)
        )
    elif how == "unknown confidentiality status":
        table.loc[at, "confidentiality"] = draw(st.text(min_size=1, max_size=3).filter(lambda s: s not in "CNP"))
    elif how == "years are not integers":
        table["year"] = table["year"].astype("float64")
    return table, how


@settings(max_examples=examples(80))
@given(broken_tables())
def test_a_table_broken_in_one_way_is_refused_naming_the_rule(broken):
    table, says = broken
    with pytest.raises(ValidationError) as refused:
        validate(table, CATALOGUE)
    assert says in str(refused.value)
