"""Read the OECD's SDMX-CSV with labels (``format=csvfilewithlabels``) into the same long table as
Eurostat's TSV: one row per observation, the dimensions (the API's ids, lower-cased), ``year``,
``value``, ``flag`` and ``confidentiality``.

The layout, as the OECD's .Stat Suite API writes it (``../shared/oecd-api-samples``): a header of
``STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,ACTION``, then each dimension's id followed by a column of
its label (``REF_AREA,Reference area,...``), then ``TIME_PERIOD``, ``OBS_VALUE``, the attributes
(``OBS_STATUS``, ``UNIT_MULT``, ``DECIMALS``, ...), each with its label column; one line per
observation, LF line ends. The observation status is kept as the flag: ``A`` (normal value) and an
empty status are no flag, any other status (``D``, definition differs) is kept as the OECD writes it.
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd

from helpers.acquire.eurostat_tsv import decode_payload
from helpers.base.errors import MalformedFile

# SDMX's observation status code list (CL_OBS_STATUS): the letters an OECD answer may carry.
# A ("normal value") is stored as no flag; the others are kept.
OECD_OBSERVATION_STATUS = "ABDEFGIKLMNOPQSUVW"


NORMAL = "A"


FIXED_COLUMNS = ("STRUCTURE", "STRUCTURE_ID", "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS")


_YEAR = re.compile(r"\d{4}")


def parse_oecd_csv(payload: bytes, *, dataset: str, dimensions: tuple[str, ...], source: str) -> pd.DataFrame:
    """Parse one SDMX-CSV answer of dataflow `dataset` with the key `dimensions` (lower case).

    Refuses (MalformedFile, naming the source) what is not that layout: an HTML page, a header
    without the dataflow's columns, another dataflow, a row with too few or too many fields (a
    truncated answer), a value or a year that is not a number, an unknown status.
    """
    text = decode_payload(payload, source=source)
    if text.lstrip()[:15].lower().startswith(("<!doctype html", "<html")):
        raise MalformedFile(f"{source}: an HTML page, not the OECD's SDMX-CSV")
    if text and not text.endswith("\n"):
        raise MalformedFile(f"{source}: the answer ends in the middle of a line (truncated)")
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:  # a lone carriage return in a field, say (found by tests/test_properties.py)
        raise MalformedFile(f"{source}: not CSV as the OECD writes it ({exc})") from None
    if not rows:
        raise MalformedFile(f"{source}: empty, not the OECD's SDMX-CSV (no header)")
    header = rows[0]
    wanted = [*FIXED_COLUMNS, *(d.upper() for d in dimensions)]
    missing = [c for c in wanted if c not in header]
    if missing:
        raise MalformedFile(
            f"{source}: not the OECD's SDMX-CSV for {dataset}: the header lacks {', '.join(missing)} "
            f"(it starts {','.join(header[:6])!r})"
        )
    at = {name: header.index(name) for name in wanted}
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise MalformedFile(
                f"{source}: line {number} has {len(row)} fields where the header has {len(header)} "
                "(a truncated or damaged answer)"
            )
        structure = row[at["STRUCTURE_ID"]]
        if dataset not in structure:
            raise MalformedFile(f"{source}: line {number} is of {structure!r}, not of {dataset}")
        year = row[at["TIME_PERIOD"]]
        if not _YEAR.fullmatch(year):
            raise MalformedFile(
                f"{source}: line {number}: the time period {year!r} is not a year (annual data expected)"
            )
        status = row[at["OBS_STATUS"]].strip()
        if status and (len(status) != 1 or status not in OECD_OBSERVATION_STATUS):
            raise MalformedFile(
                f"{source}: line {number}: unknown observation status {status!r} "
                f"(SDMX's are {', '.join(OECD_OBSERVATION_STATUS)})"
            )
        cell = row[at["OBS_VALUE"]].strip()
        try:
            value = float(cell) if cell else np.nan
        except ValueError:
            raise MalformedFile(f"{source}: line {number}: the value {cell!r} is not a number") from None
        records.append(
            (*(row[at[d.upper()]] for d in dimensions), int(year), value, "" if status == NORMAL else status, "")
        )
    table = pd.DataFrame.from_records(records, columns=[*dimensions, "year", "value", "flag", "confidentiality"])
    table["year"] = table["year"].astype("int64")
    table["value"] = table["value"].astype("float64")
    table.insert(0, "dataset", dataset)
    return table
