"""The OECD's live path: the ICT Access and Usage by Individuals dataflow from the OECD's SDMX API
(the .Stat Suite API that replaced OECD.Stat in 2024), in one data request per build.

What the API does, as public sources give it (``../shared/oecd-api-samples/PROVENANCE.md``): data at
``{base}data/{agency},{dataflow},{version}/{key}``, the key's dimensions in the dataflow's order, codes
joined with ``+``; ``format=csvfilewithlabels`` gives SDMX-CSV with labels; a bare ``Accept:
text/csv`` has been answered with HTTP 500, ``Accept: */*`` with 200; at most 60 data downloads an
hour, beyond which it answers 429 with ``Retry-After``; an empty selection answers 404 ("No results
found"), which is read here as "no data", not as a failure.

The limit is kept by a ledger of the data requests made from this clone in the last hour
(``<raw_dir>/.oecd-downloads.json``): a build that would exceed it stops before asking, in one line.

The OECD is the second source of two claims' parts, Eurostat the report's: a failed OECD fetch (down,
429 beyond the bound, a refused connection, a malformed answer, the hourly limit) never stops a build.
``helpers.store.refresh`` keeps the OECD's previous data, or, where there is none, records the part as
unavailable (`unavailable`: the reason and the time, in the provenance record, so it travels with the data).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from pathlib import Path

from helpers.acquire.eurostat_api import choose_filters
from helpers.acquire.oecd_csv import parse_oecd_csv
from helpers.acquire.received import Fetched, _finish_provenance, _utc, check_series_present
from helpers.acquire.retries import RetryAfter, retry_after_seconds, with_retries
from helpers.acquire.settings import settings_from_environment
from helpers.base.atomic_files import atomic_write
from helpers.base.errors import FetchError, TransientError
from helpers.catalogue import DatasetSpec

OECD_API = "https://sdmx.oecd.org/public/rest/"


ONE_HOUR = 3600.0


@dataclass
class OecdSettings:
    """How to reach the OECD; tests point `api_base` at a stand-in on 127.0.0.1."""

    api_base: str = OECD_API
    timeout: float = 60.0
    attempts: int = 3  # tries of one request: a 429 or a 5xx answer, a timeout, a refused connection
    backoff: float = 2.0  # seconds before the 2nd try after a 5xx or a timeout; doubled for each further try
    downloads_per_hour: int = 60  # the OECD's published limit of data downloads
    max_retry_after: float = 300.0  # the longest Retry-After waited for; a longer one ends the fetch

    @classmethod
    def from_environment(cls) -> "OecdSettings":
        return settings_from_environment(cls, "OECD")


def data_key(spec: DatasetSpec) -> str:
    """The SDMX key of the catalogue's selection: each dimension's codes joined with '+', in key order."""
    return ".".join("+".join(spec.filters.get(dimension, ())) for dimension in spec.key_order)


def data_url(spec: DatasetSpec, settings: OecdSettings) -> str:
    version = f",{spec.version}" if spec.version else ""
    start = f"startPeriod={spec.start_period}&" if spec.start_period else ""
    return (
        f"{settings.api_base}data/{spec.agency},{spec.code}{version}/{data_key(spec)}"
        f"?{start}dimensionAtObservation=AllDimensions&format=csvfilewithlabels"
    )


class DownloadLedger:
    """The OECD data requests made from this clone in the last hour, kept across builds."""

    def __init__(self, path: Path, limit: int, *, clock=time.time):
        self.path, self.limit, self.clock = Path(path), limit, clock

    def recent(self) -> list[float]:
        try:
            times = json.loads(self.path.read_text(encoding="utf-8")).get("data_requests", [])
        except (OSError, ValueError, AttributeError):
            times = []
        now = self.clock()
        return sorted(t for t in times if isinstance(t, (int, float)) and now - ONE_HOUR < t <= now)

    def take(self) -> None:
        """Count one data request, or refuse it (FetchError) when the hour's allowance is spent."""
        recent = self.recent()
        if len(recent) >= self.limit:
            free = dt.datetime.fromtimestamp(recent[0] + ONE_HOUR, dt.timezone.utc).strftime("%H:%M UTC")
            raise FetchError(
                f"the OECD allows {self.limit} data downloads an hour and {len(recent)} were made from this "
                f"clone in the last hour ({self.path.name}); nothing was asked: try again after {free}"
            )
        text = (
            json.dumps(
                {
                    "comment": "OECD data requests of the last hour (helpers.acquire.oecd_api)",
                    "data_requests": [*recent, self.clock()],
                }
            )
            + "\n"
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, lambda p: Path(p).write_text(text, encoding="utf-8"))


def ledger_path(raw_dir: Path) -> Path:
    return Path(raw_dir) / ".oecd-downloads.json"


def fetch_oecd_live(spec: DatasetSpec, settings: OecdSettings, ledger: DownloadLedger, *, sleep=time.sleep) -> Fetched:
    """One data request for the catalogue's selection of an OECD dataflow; 404 is "no data"."""
    import requests

    url = data_url(spec, settings)

    def one_try(tries: int):
        ledger.take()
        try:
            response = requests.get(url, headers={"Accept": "*/*"}, timeout=settings.timeout)
            response.content  # noqa: B018 - read the whole body here, where a cut connection is caught
        except requests.Timeout:
            raise TransientError(f"the OECD did not answer within {settings.timeout:g} s ({url})") from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            reason = str(exc.args[0]) if exc.args else "connection failed"
            raise TransientError(
                f"the OECD's answer for {spec.code} was cut off or the connection failed "
                f"({settings.api_base}: {reason[:120]})"
            ) from None
        if response.status_code == 429:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            raise RetryAfter(
                f"the OECD answered 429 (too many requests) for {spec.code} and asks to wait "
                f"{wait:g} s (OECD_MAX_RETRY_AFTER is {settings.max_retry_after:g}): try later",
                wait,
            )
        if response.status_code >= 500:
            raise TransientError(f"the OECD answered HTTP {response.status_code} for {spec.code} (server busy or down)")
        return response, tries

    response, tries = with_retries(
        one_try,
        attempts=settings.attempts,
        backoff=settings.backoff,
        max_retry_after=settings.max_retry_after,
        sleep=sleep,
    )
    if response.status_code == 404:
        return no_data(
            spec,
            source="live",
            location=url,
            why="the OECD answered 404: no data for the catalogue's " "selection",
            requests_made=tries,
        )
    if not response.ok:
        raise FetchError(f"the OECD answered HTTP {response.status_code} for {spec.code} ({response.reason}): {url}")
    payload = response.content
    table = parse_oecd_csv(
        payload, dataset=spec.code, dimensions=spec.key_order, source=f"the OECD's API ({spec.code})"
    )
    return received(spec, payload, table, source="live", location=url, requests_made=tries)


def received(
    spec: DatasetSpec,
    payload: bytes,
    table,
    *,
    source: str,
    location: str,
    requests_made: int,
    synthetic: bool = False,
    mirror_label: str = "",
    retrieved_at: str | None = None,
    last_update: str | None = None,
) -> Fetched:
    """An OECD answer as received, checked, with its provenance record."""
    check_series_present(table, spec, source=location)
    carried = {d: set(table[d].unique()) for d in spec.filters if d in table.columns}
    _, absent = choose_filters(spec, carried)
    provenance = {
        "dataset": spec.code,
        "title": spec.title,
        "publisher": "OECD",
        "source": source,
        "location": location,
        "synthetic": synthetic,
        "mirror_label": mirror_label,
        "retrieved_at": retrieved_at or _utc(),
        "last_update": last_update,
        "filters": {k: list(v) for k, v in spec.filters.items()},
        "absent_codes": absent,
        "requests": requests_made,
        "no_data": "",
    }
    return Fetched(spec.code, payload, _finish_provenance(provenance, payload, table), extension="csv")


def no_data(
    spec: DatasetSpec,
    *,
    source: str,
    location: str,
    why: str,
    requests_made: int = 0,
    synthetic: bool = False,
    retrieved_at: str | None = None,
) -> Fetched:
    """An OECD dataflow with nothing for the report: recorded, with the reason, and no data file."""
    provenance = {
        "dataset": spec.code,
        "title": spec.title,
        "publisher": "OECD",
        "source": source,
        "location": location,
        "synthetic": synthetic,
        "mirror_label": "",
        "retrieved_at": retrieved_at or _utc(),
        "last_update": None,
        "filters": {k: list(v) for k, v in spec.filters.items()},
        "absent_codes": {},
        "requests": requests_made,
        "no_data": why,
        "sha256": "",
        "bytes": 0,
        "series": 0,
        "rows": 0,
    }
    return Fetched(spec.code, None, provenance, extension="csv")


def unavailable(spec: DatasetSpec, *, location: str, why: str, attempted_at: str | None = None) -> Fetched:
    """An OECD fetch that failed with no previous data to keep: recorded with the reason and the time
    (`unavailable`, `attempted_at`), no data file, nothing retrieved. Unlike `no_data` (the OECD answered,
    without the series), nothing was checked: the pages say so, never a verdict."""
    provenance = {
        "dataset": spec.code,
        "title": spec.title,
        "publisher": "OECD",
        "source": "live",
        "location": location,
        "synthetic": False,
        "mirror_label": "",
        "retrieved_at": "",
        "attempted_at": attempted_at or _utc(),
        "last_update": None,
        "filters": {k: list(v) for k, v in spec.filters.items()},
        "absent_codes": {},
        "no_data": "",
        "unavailable": why,
        "sha256": "",
        "bytes": 0,
        "series": 0,
        "rows": 0,
    }
    return Fetched(spec.code, None, provenance, extension="csv")
