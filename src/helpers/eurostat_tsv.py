"""Read Eurostat's TSV layout (API and bulk download) into one tidy table.

The layout: a header whose first cell names the dimensions (``freq,indic_is,...,geo\\TIME_PERIOD``,
or the older ``...,geo\\time``), one tab-separated column per period, and cells such as
``53.1``, ``53.1 u``, ``:`` or ``: c``. Files come gzip-compressed or plain, with CRLF or LF
line ends; the dimension order differs between datasets and is read from the header.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.errors import MalformedFile

GZIP_MAGIC = b"\x1f\x8b"

# A number (or ':' for "not available") followed by flag letters. Flags keep every letter,
# upper and lower case: Eurostat's 2025 code lists added upper-case ones (C, N, P).
_CELL = re.compile(r"^\s*(?:(?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|(?P<na>:))?\s*(?P<flag>[A-Za-z]*)\s*$")


def decode_payload(payload: bytes, *, source: str) -> str:
    """Return the text of a gzip-compressed or plain TSV payload, or say why it cannot be read."""
    if payload[:2] == GZIP_MAGIC:
        try:
            payload = gzip.decompress(payload)
        except (EOFError, OSError, zlib.error) as exc:
            raise MalformedFile(f"{source}: the gzip data is truncated or corrupt ({exc})") from None
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedFile(f"{source}: not UTF-8 text ({exc})") from None


def parse_header(first_line: str, *, source: str) -> tuple[list[str], list[int]]:
    """Split the header into dimension names (lower case, time label dropped) and the years."""
    cells = [c.strip() for c in first_line.split("\t")]
    if "\\" not in cells[0]:
        snippet = first_line[:80].strip()
        raise MalformedFile(
            f"{source}: the first line is not a Eurostat TSV header "
            f"(expected 'dim1,dim2,...,geo\\TIME_PERIOD', got {snippet!r})"
        )
    dims_part, _time_label = cells[0].rsplit("\\", 1)
    dimensions = [d.strip().lower() for d in dims_part.split(",")]
    years = []
    for cell in cells[1:]:
        if not re.fullmatch(r"\d{4}", cell):
            raise MalformedFile(f"{source}: period {cell!r} in the header is not a year; only annual data is read")
        years.append(int(cell))
    if not years:
        raise MalformedFile(f"{source}: the header names no periods")
    return dimensions, years


def parse_eurostat_tsv(payload: bytes | str, *, dataset: str, source: str | None = None) -> pd.DataFrame:
    """Parse one dataset in Eurostat's TSV layout into a long table.

    Returns one row per series and year with the header's dimensions (lower case, ``freq``
    included when present), ``year`` (int), ``value`` (float, NaN where Eurostat has ``:``)
    and ``flag`` (all flag letters, empty string when none), plus ``dataset``.
    """
    source = source or dataset
    text = payload if isinstance(payload, str) else decode_payload(payload, source=source)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise MalformedFile(f"{source}: the file is empty")
    dimensions, years = parse_header(lines[0], source=source)

    width = len(years) + 1
    body = lines[1:]
    rows = [line.split("\t") for line in body]
    for number, cells in enumerate(rows, start=2):
        if len(cells) != width:
            raise MalformedFile(
                f"{source}: line {number} has {len(cells)} tab-separated cells, the header has {width}"
            )
    keys = [cells[0].split(",") for cells in rows]
    for number, key in enumerate(keys, start=2):
        if len(key) != len(dimensions):
            raise MalformedFile(
                f"{source}: line {number} has {len(key)} dimension codes, the header names {len(dimensions)}"
            )

    n_series = len(rows)
    cells_flat = pd.Series([c for cells in rows for c in cells[1:]], dtype=object)
    parts = cells_flat.str.extract(_CELL)
    bad = parts["number"].isna() & parts["na"].isna() & parts["flag"].isna()
    # a cell that is neither a number, nor ':', nor flags alone is malformed
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        line_no, col = divmod(first, len(years))
        raise MalformedFile(
            f"{source}: cannot read cell {cells_flat.iloc[first]!r} on line {line_no + 2}, year {years[col]}"
        )
    values = pd.to_numeric(parts["number"], errors="coerce").astype("float64")
    flags = parts["flag"].fillna("").astype(object)

    table = pd.DataFrame(
        {dim: np.repeat(np.array([k[i].strip() for k in keys], dtype=object), len(years)) for i, dim in enumerate(dimensions)}
    )
    table.insert(0, "dataset", dataset)
    table["year"] = np.tile(np.array(years, dtype="int64"), n_series)
    table["value"] = values.to_numpy()
    table["flag"] = flags.to_numpy()
    return table


def read_eurostat_tsv(path: str | Path, *, dataset: str | None = None) -> pd.DataFrame:
    """Read a Eurostat TSV file (``.tsv`` or ``.tsv.gz``); the dataset code defaults to the file name."""
    path = Path(path)
    dataset = dataset or path.name.split(".")[0]
    try:
        payload = path.read_bytes()
    except FileNotFoundError:
        raise MalformedFile(f"{path}: no such file") from None
    return parse_eurostat_tsv(payload, dataset=dataset, source=str(path))


def header_dimensions(payload: bytes, *, source: str) -> list[str]:
    """The dimension order a TSV payload declares in its header."""
    text = decode_payload(payload, source=source)
    first = io.StringIO(text).readline()
    return parse_header(first, source=source)[0]
