r"""Read Eurostat's TSV layout (API and bulk download) into one tidy table.

The layout: a header whose first cell names the dimensions (``freq,indic_is,...,geo\TIME_PERIOD``,
or the older ``...,geo\time``), one tab-separated column per period, and cells such as
``53.1``, ``53.1 u``, ``:`` or ``: c``. Files come gzip-compressed or plain, with CRLF or LF
line ends; the dimension order differs between datasets and is read from the header.
"""

from __future__ import annotations

import gzip
import re
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from helpers.base.errors import MalformedFile

GZIP_MAGIC = b"\x1f\x8b"


# pandas keeps text as Arrow large strings: reading the file as such spares a conversion of every
# column on the way to pandas
TEXT = pa.large_string()


_NOT_BLANK = re.compile(rb"\S")


# Eurostat's flags (https://ec.europa.eu/eurostat/web/main/data/database, "Flags"). Since
# 27 January 2025 a cell is `value + " " + observation flags + ("@" + confidentiality)?`, as in
# '7.0 p@C' or ': @C' (confidential, no value); before, confidentiality was the flag 'c'.
OBSERVATION_FLAGS = "bdefimnpu" + "crsz"  # 2025 list, then the retired c, s, z and r (revised)


CONFIDENTIALITY_CODES = "CNP"


# A number (or ':' for "not available"), flag letters, an optional confidentiality status.
# The separator space may be absent ('0n', older data) and cells may carry trailing spaces.
_CELL = re.compile(
    r"^\s*(?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|:)\s*"
    rf"(?P<flag>[{OBSERVATION_FLAGS}]*)(?:@(?P<conf>[{CONFIDENTIALITY_CODES}]))?\s*$"
)


CELL_GRAMMAR = (
    f"a number or ':', then optional flag letters ({', '.join(OBSERVATION_FLAGS)}), then optional "
    f"'@' and a confidentiality code ({', '.join(CONFIDENTIALITY_CODES)}), e.g. '53.1 u', ': @C', '7.0 p@C'"
)


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
    # each dimension becomes a column beside the parser's own (found by tests/test_properties.py: a header
    # '\t2013' gave a column without a name)
    if not all(re.fullmatch(r"[a-z][a-z0-9_]*", d) for d in dimensions) or len(set(dimensions)) != len(dimensions):
        raise MalformedFile(
            f"{source}: the header's dimensions {dims_part!r} are not distinct codes such as 'freq,unit,geo'"
        )
    reserved = sorted(set(dimensions) & {"dataset", "year", "value", "flag", "confidentiality"})
    if reserved:
        raise MalformedFile(f"{source}: the header names a dimension {reserved[0]!r}, which no Eurostat dataset has")
    years = []
    for cell in cells[1:]:
        if not re.fullmatch(r"\d{4}", cell):
            raise MalformedFile(f"{source}: period {cell!r} in the header is not a year; only annual data is read")
        if int(cell) in years:
            raise MalformedFile(f"{source}: period {cell} appears twice in the header")
        years.append(int(cell))
    if not years:
        raise MalformedFile(f"{source}: the header names no periods")
    return dimensions, years


def parse_eurostat_tsv(payload: bytes | str, *, dataset: str, source: str | None = None) -> pd.DataFrame:
    """Parse one dataset in Eurostat's TSV layout into a long table.

    Returns one row per series and year with the header's dimensions (lower case, ``freq``
    included when present), ``year`` (int), ``value`` (float, NaN where Eurostat has ``:``)
    ``flag`` (the observation flag letters, empty string when none), ``confidentiality`` (the
    2025 confidentiality status such as ``C``, empty when none), plus ``dataset``. Rows come
    year by year (all series for the first year, then the next).
    """
    source = source or dataset
    data = payload.encode("utf-8") if isinstance(payload, str) else _decompress(payload, source=source)
    data = data.rstrip(b"\r\n")
    if not data.strip():
        raise MalformedFile(f"{source}: the file is empty")
    newline = data.find(b"\n")
    first_line = data if newline < 0 else data[:newline]
    # the rows, without copying the text (about 10 MB for the largest dataset)
    body = memoryview(data)[len(data) :] if newline < 0 else memoryview(data)[newline + 1 :]
    try:
        first_line_text = first_line.decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError as exc:
        raise MalformedFile(f"{source}: not UTF-8 text ({exc})") from None
    dimensions, years = parse_header(first_line_text, source=source)
    names = ["key", *map(str, years)]
    if not _NOT_BLANK.search(data, len(data) - len(body)):
        return _long_table(dataset, dimensions, years, 0, pa.array([], TEXT), pa.array([], TEXT), source=source)
    try:
        # Arrow reads the bytes as they are: CRLF or LF, and checks they are UTF-8
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(body)),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False, double_quote=False),
            convert_options=pacsv.ConvertOptions(column_types={c: TEXT for c in names}, strings_can_be_null=False),
        )
    except pa.ArrowInvalid:
        text = decode_payload(bytes(body), source=source).replace("\r\n", "\n").replace("\r", "\n")
        _explain_shape(text, dimensions, years, source)
        raise MalformedFile(f"{source}: the rows do not match the header") from None
    keys = table.column("key").combine_chunks()
    _refuse_duplicated_keys(keys, source)
    parts = pc.split_pattern(keys, ",")
    lengths = pc.list_value_length(parts).to_numpy(zero_copy_only=False)
    if (lengths != len(dimensions)).any():
        _explain_shape(bytes(body).decode("utf-8").replace("\r\n", "\n"), dimensions, years, source)
    codes = pc.utf8_trim_whitespace(pc.list_flatten(parts))
    cells = pa.concat_arrays([table.column(str(y)).combine_chunks() for y in years])
    return _long_table(dataset, dimensions, years, len(keys), codes, cells, source=source)


def _refuse_duplicated_keys(keys: pa.Array, source: str) -> None:
    """The raw file is the record of what was received: a series key twice anywhere in it (even a
    series the catalogue does not select) means the file is not what Eurostat publishes."""
    trimmed = pc.replace_substring_regex(keys, r"\s+", "")
    if pc.count_distinct(trimmed).as_py() == len(trimmed):
        return
    counts = pc.value_counts(trimmed)
    repeated = [(v["values"], v["counts"]) for v in counts.to_pylist() if v["counts"] > 1]
    key, times = repeated[0]
    more = f" (and {len(repeated) - 1} more key(s))" if len(repeated) > 1 else ""
    raise MalformedFile(
        f"{source}: duplicate key {key!r}: the series appears {times} times in the file{more}; "
        "a file with a duplicated key is not read"
    )


def _decompress(payload: bytes, *, source: str) -> bytes:
    if payload[:2] == GZIP_MAGIC:
        try:
            return gzip.decompress(payload)
        except (EOFError, OSError, zlib.error) as exc:
            raise MalformedFile(f"{source}: the gzip data is truncated or corrupt ({exc})") from None
    return payload


def _long_table(dataset, dimensions, years, n_series, codes, cells, source=""):
    """Assemble the long table from the series codes (flat, n_series x dims) and the cells, year-major.

    Built as Arrow arrays and handed to pandas whole: converting Python strings one by one
    would cost more than all the parsing.
    """
    n_years = len(years)
    try:
        # a dataset repeats its cells (':' alone is often a fifth of them): each distinct cell is
        # read once, then every cell takes its reading (5x faster on the largest dataset)
        distinct = pc.dictionary_encode(cells)
        values, flags, confidentiality = (
            pc.take(part, distinct.indices) for part in _split_cells_fast(distinct.dictionary)
        )
    except (pa.ArrowInvalid, ValueError):
        values, flags, confidentiality = _split_cells_strictly(cells, n_series, years, codes, dataset, source)
    arrays, names = [pa.repeat(pa.scalar(dataset, TEXT), n_series * n_years)], ["dataset"]
    # the code of dimension i of series k sits at k * len(dimensions) + i in the flat array; the
    # rows come year by year, so each column is its series' codes once per year (concatenated
    # buffers, faster than taking every row's code)
    first = np.arange(n_series, dtype="int64") * len(dimensions)
    for i, dim in enumerate(dimensions):
        arrays.append(pa.concat_arrays([pc.take(codes, pa.array(first + i))] * n_years))
        names.append(dim)
    arrays.append(pa.array(np.repeat(np.asarray(years, dtype="int64"), n_series)))
    names.append("year")
    arrays.append(values)
    names.append("value")
    arrays.append(flags)
    names.append("flag")
    arrays.append(confidentiality)
    names.append("confidentiality")
    table = pa.Table.from_arrays(arrays, names=names).to_pandas()
    table["value"] = table["value"].astype("float64")  # NaN for missing, not pandas' NA
    return table


def _split_cells_fast(cells: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Values, flags and confidentiality for the common cells ('53.1 ', '53.1 u', ':', ': @C').

    After trimming the right, only cells with a flag or a confidentiality status still hold a
    space: the regex runs on those alone. Raises on anything else ('0n', 'abc'); the strict
    reader then reads it or names the cell.
    """
    trimmed = pc.utf8_rtrim_whitespace(cells)
    flagged = pc.match_substring(trimmed, " ")
    empty = pa.repeat(pa.scalar("", cells.type), len(cells))
    number, flags, confidentiality = trimmed, empty, empty
    if pc.any(flagged).as_py():
        parts = pc.extract_regex(pc.filter(trimmed, flagged), _CELL.pattern)
        if parts.null_count:
            raise ValueError("a flagged cell that does not read")
        number = pc.replace_with_mask(trimmed, flagged, pc.struct_field(parts, "number"))
        flags = pc.replace_with_mask(empty, flagged, pc.struct_field(parts, "flag"))
        confidentiality = pc.replace_with_mask(empty, flagged, pc.struct_field(parts, "conf"))
    values = pc.cast(pc.if_else(pc.equal(number, ":"), pa.scalar(None, number.type), number), pa.float64())
    return values, flags, confidentiality


def _split_cells_strictly(
    cells: pa.Array, n_series: int, years: list[int], codes: pa.Array, dataset: str, source: str
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """The same split with the full cell grammar (also '0n', ':@C'); names the first cell it cannot read."""
    parts = pc.extract_regex(cells, _CELL.pattern)
    unmatched = pc.is_null(parts).to_numpy(zero_copy_only=False)
    if unmatched.any():
        first = int(np.flatnonzero(unmatched)[0])
        year_index, line_index = divmod(first, n_series)
        width = len(codes) // max(n_series, 1)
        series = ",".join(codes[line_index * width : (line_index + 1) * width].to_pylist())
        raise MalformedFile(
            f"{source}: dataset {dataset}, series {series} (line {line_index + 2}), year {years[year_index]}: "
            f"cannot read cell {cells[first].as_py()!r}; a cell is {CELL_GRAMMAR}"
        )
    number = pc.struct_field(parts, "number")
    number = pc.if_else(pc.equal(number, ":"), pa.scalar(None, number.type), number)
    return pc.cast(number, pa.float64()), pc.struct_field(parts, "flag"), pc.struct_field(parts, "conf")


def _explain_shape(body: str, dimensions: list[str], years: list[int], source: str) -> None:
    """Name the first line whose cell or code count disagrees with the header."""
    width = len(years) + 1
    for number, line in enumerate(body.split("\n"), start=2):
        cells = line.split("\t")
        if len(cells) != width:
            raise MalformedFile(f"{source}: line {number} has {len(cells)} tab-separated cells, the header has {width}")
        key = cells[0].split(",")
        if len(key) != len(dimensions):
            raise MalformedFile(
                f"{source}: line {number} has {len(key)} dimension codes, the header names {len(dimensions)}"
            )


def read_eurostat_tsv(path: str | Path, *, dataset: str | None = None) -> pd.DataFrame:
    """Read a Eurostat TSV file (``.tsv`` or ``.tsv.gz``); the dataset code defaults to the file name."""
    path = Path(path)
    dataset = dataset or path.name.split(".")[0]
    try:
        payload = path.read_bytes()
    except FileNotFoundError:
        raise MalformedFile(f"{path}: no such file") from None
    return parse_eurostat_tsv(payload, dataset=dataset, source=str(path))
