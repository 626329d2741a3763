"""The live path: a dataset fetched through the `eurostat` package from Eurostat's API, under the guard."""

from __future__ import annotations

import contextlib
import io
import time

import pandas as pd

from helpers.acquire.eurostat_tsv import GZIP_MAGIC, parse_eurostat_tsv
from helpers.acquire.faults import Guard, _Stopped, is_maintenance_page
from helpers.acquire.received import (
    Fetched,
    _finish_provenance,
    _package_version,
    _utc,
    check_series_present,
)
from helpers.acquire.settings import FetchSettings
from helpers.base.errors import FetchError, MalformedFile, ReportError, TransientError
from helpers.catalogue import DatasetSpec


@contextlib.contextmanager
def eurostat_client(guard: Guard):
    """Point the `eurostat` package at `guard.settings.api_base` and route its requests through `guard`.

    The package keeps its base URLs in class attributes and calls the module `requests`; all
    are restored on exit.
    """
    import eurostat
    import eurostat.eurostat as package
    from eurostat.eurostat import __Uri__ as uri

    saved = dict(uri.BASE_URL), dict(uri.BASE_ASYNC_URL), package.requests
    uri.BASE_URL["EUROSTAT"] = guard.settings.api_base
    uri.BASE_ASYNC_URL["EUROSTAT"] = guard.settings.async_base
    package.requests = guard
    try:
        yield eurostat
    finally:
        uri.BASE_URL.clear()
        uri.BASE_URL.update(saved[0])
        uri.BASE_ASYNC_URL.clear()
        uri.BASE_ASYNC_URL.update(saved[1])
        package.requests = saved[2]


def content_constraint(guard: Guard, code: str) -> dict[str, set[str]]:
    """The codes each dimension of `code` carries (Eurostat's 'Actual' content constraint)."""
    import xml.etree.ElementTree as ET

    response = guard.get(f"{guard.settings.api_base}contentconstraint/ESTAT/{code}")
    try:
        root = ET.fromstring(response.content)
    except ET.ParseError:
        raise MalformedFile(f"Eurostat's content constraint for {code} is not XML") from None
    common = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common}"
    carried: dict[str, set[str]] = {}
    for kv in root.iter(f"{common}KeyValue"):
        dimension = kv.get("id")
        if dimension is None:
            raise MalformedFile(f"Eurostat's content constraint for {code} has a KeyValue without its dimension (id)")
        if dimension != "TIME_PERIOD":
            carried[dimension.lower()] = {v.text or "" for v in kv.findall(f"{common}Value")}
    return carried


def choose_filters(
    spec: DatasetSpec, carried: dict[str, set[str]]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The catalogue's filters less the codes the dataset does not carry; and those absent codes.

    An absent optional code (a series that ended, e.g. I_IUPOL1 "until 2019") is left out and
    listed; an absent required code is an error naming it, before any data request.
    """
    filters, absent, missing = {}, {}, {}
    for dimension, codes in spec.filters.items():
        have = carried.get(dimension)
        gone = [c for c in codes if have is not None and c not in have]
        filters[dimension] = [c for c in codes if c not in gone]
        if gone:
            absent[dimension] = gone
            required = [c for c in gone if c in spec.required(dimension)]
            if required:
                missing[dimension] = required
    if missing:
        named = "; ".join(f"{d} {', '.join(c)}" for d, c in missing.items())
        raise FetchError(
            f"Eurostat's {spec.code} does not carry {named}, which the catalogue requires "
            "(src/helpers/catalogue/series.toml): mark them optional or choose other codes"
        )
    return filters, absent


def eurostat_is_reachable(settings: FetchSettings, timeout: float = 5.0) -> bool:
    """True when Eurostat's API answers with SDMX (never on an HTML maintenance page)."""
    import requests

    try:
        response = requests.get(f"{settings.api_base}dataflow/ESTAT/isoc_ci_ac_i/latest", timeout=timeout)
    except requests.RequestException:
        return False
    return response.ok and not is_maintenance_page(response) and b"Dataflow" in response.content


def tidy_from_package_rows(rows: list[tuple], code: str) -> pd.DataFrame:
    """Turn `eurostat.get_data(code, flags=True)` output into the parser's long table."""
    header, body = rows[0], rows[1:]
    n_dims = next(i for i, h in enumerate(header) if h.endswith("_value"))
    dims = [h.split("\\")[0].lower() for h in header[:n_dims]]
    years = [int(h[: -len("_value")]) for h in header[n_dims::2]]
    records = []
    for row in body:
        key = [k.strip() for k in row[:n_dims]]
        cells = row[n_dims:]
        for i, year in enumerate(years):
            value, flag = cells[2 * i], cells[2 * i + 1] or ""
            # the package leaves ': @C' as flag ': @C' and '0n' as flag '0n' with no value:
            # normalised to the project's reading (no value, confidentiality C; value 0, flag n)
            flag, _, confidentiality = flag.replace(":", "").strip().partition("@")
            if value is None and flag.startswith("0n"):
                value, flag = 0.0, flag[1:]
            records.append((*key, year, float("nan") if value is None else float(value), flag.strip(), confidentiality))
    table = pd.DataFrame.from_records(records, columns=[*dims, "year", "value", "flag", "confidentiality"])
    table.insert(0, "dataset", code)
    return table


def fetch_live(spec: DatasetSpec, settings: FetchSettings, *, sleep=time.sleep) -> Fetched:
    """Fetch one dataset through the `eurostat` package, in one data request (or one queued extraction)."""
    guard = Guard(settings, spec.code, sleep=sleep)
    absent: dict[str, list[str]] = {}
    with eurostat_client(guard) as eurostat, contextlib.redirect_stdout(io.StringIO()):
        try:
            guard.get(f"{settings.api_base}dataflow/ESTAT/{spec.code}/latest")  # names an unreachable API plainly
            last_update = None
            with contextlib.suppress(_Stopped, Exception):
                toc = eurostat.get_toc(agency="EUROSTAT", dataset=spec.code)
                last_update = toc[1][3] if len(toc) > 1 else None
            if guard.stop is not None and not isinstance(guard.stop, TransientError):
                guard.stop = None  # the table of contents is a nicety; its failure is not the dataset's
            filters, absent = choose_filters(spec, content_constraint(guard, spec.code))
            # one request: the codes of each dimension joined with '+' (SDMX "or")
            rows = eurostat.get_data(spec.code, flags=True, filter_pars={k: "+".join(v) for k, v in filters.items()})
        except ReportError:
            raise
        except Exception as exc:  # the package fails in many shapes; the guard knows why
            if guard.stop is not None:
                raise guard.stop from None
            responses = guard.data_responses() or guard.responses
            kind = responses[-1].headers.get("Content-Type", "unknown") if responses else "nothing"
            raise MalformedFile(
                f"Eurostat's answer for {spec.code} is not a gzip TSV (content type {kind}; {type(exc).__name__})"
            ) from None
    if guard.stop is not None:
        raise guard.stop
    data = [r for r in guard.data_responses() if r.content[:2] == GZIP_MAGIC]
    if not data:
        responses = guard.data_responses()
        if not responses:
            raise FetchError(f"the eurostat package made no data request for {spec.code}")
        kind = responses[-1].headers.get("Content-Type", "unknown")
        raise MalformedFile(f"Eurostat's answer for {spec.code} is not gzip-compressed TSV (content type {kind})")
    if len(data) != 1:
        raise FetchError(f"expected one data answer for {spec.code}, the eurostat package received {len(data)}")
    response = data[0]
    payload = response.content
    table = parse_eurostat_tsv(payload, dataset=spec.code, source=f"Eurostat API ({spec.code})")
    if rows is None:
        raise FetchError(f"Eurostat returned no data for {spec.code} with the catalogue's filters")
    _check_package_agrees(table, tidy_from_package_rows(rows, spec.code), spec.code)
    check_series_present(table, spec, source=f"Eurostat API ({spec.code})")
    provenance = {
        "dataset": spec.code,
        "title": spec.title,
        "source": "live",
        "location": response.url,
        "synthetic": False,
        "mirror_label": "",
        "retrieved_at": _utc(),
        "last_update": last_update,
        "eurostat_package_version": _package_version(),
        "filters": filters,
        "absent_codes": absent,
        "requests": len(guard.responses),
        "queued_seconds": guard.queued_seconds,
    }
    return Fetched(spec.code, payload, _finish_provenance(provenance, payload, table))


def _check_package_agrees(ours: pd.DataFrame, theirs: pd.DataFrame, code: str) -> None:
    """Both parsers must read the same cells: a disagreement means the format drifted."""
    dims = [c for c in ours.columns if c not in ("value", "flag", "confidentiality")]
    if "freq" in dims and "freq" not in theirs.columns:
        dims.remove("freq")
    keyed_ours = ours.set_index(dims).sort_index()
    keyed_theirs = theirs.set_index(dims).sort_index()
    same = (
        len(keyed_ours) == len(keyed_theirs)
        and keyed_ours.index.equals(keyed_theirs.index)
        and keyed_ours["value"].equals(keyed_theirs["value"])
        and (keyed_ours["flag"] == keyed_theirs["flag"]).all()
        and (keyed_ours["confidentiality"] == keyed_theirs["confidentiality"]).all()
    )
    if not same:
        raise MalformedFile(f"{code}: the eurostat package and the project's parser read the answer differently")
