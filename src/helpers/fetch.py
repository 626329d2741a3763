"""Fetch the catalogue's Eurostat datasets into ``data/raw``, from the live API or a local mirror.

Everything received is kept as received (Eurostat's gzip TSV), beside a provenance record.
A fetch is staged in a scratch folder and moved into place only when every dataset arrived
whole and parsed, so a failed or partial fetch leaves the previous ``data/raw`` untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import shlex
import shutil
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

import pandas as pd

from helpers.catalogue import Catalogue, DatasetSpec, load_catalogue
from helpers.errors import FetchError, MalformedFile, ReportError, TransientError
from helpers.eurostat_tsv import GZIP_MAGIC, parse_eurostat_tsv

EUROSTAT_API = "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/"
SOURCES = ("auto", "live", "mirror")


@dataclass
class FetchSettings:
    """How to reach Eurostat; tests point `api_base` at a stand-in on 127.0.0.1."""

    api_base: str = EUROSTAT_API
    timeout: float = 60.0
    attempts: int = 4
    backoff: float = 2.0  # seconds before the 2nd try; doubled for each further try
    max_requests: int = 25  # per dataset and attempt: structure, constraint, data and queue polls
    max_seconds: float = 900.0  # per dataset and attempt, queue included
    queue_wait: float = 600.0  # the longest wait for a queued (asynchronous) extraction

    @property
    def async_base(self) -> str:
        """Eurostat's asynchronous endpoint, beside the SDMX one (…/dissemination/1.0/async/)."""
        return self.api_base.split("sdmx/2.1/")[0] + "1.0/async/"

    @classmethod
    def from_environment(cls) -> "FetchSettings":
        env = os.environ
        return cls(
            api_base=env.get("EUROSTAT_API_BASE", EUROSTAT_API),
            timeout=float(env.get("EUROSTAT_TIMEOUT", 60)),
            attempts=int(env.get("EUROSTAT_ATTEMPTS", 4)),
            backoff=float(env.get("EUROSTAT_BACKOFF", 2.0)),
            max_requests=int(env.get("EUROSTAT_MAX_REQUESTS", 25)),
            max_seconds=float(env.get("EUROSTAT_MAX_SECONDS", 900)),
            queue_wait=float(env.get("EUROSTAT_QUEUE_WAIT", 600)),
        )


@dataclass
class Fetched:
    """One dataset as received, with its provenance record."""

    code: str
    payload: bytes
    provenance: dict

    @property
    def filename(self) -> str:
        return f"{self.code}.tsv.gz" if self.payload[:2] == GZIP_MAGIC else f"{self.code}.tsv"


def _utc(timestamp: float | None = None) -> str:
    moment = dt.datetime.fromtimestamp(timestamp, dt.timezone.utc) if timestamp else dt.datetime.now(dt.timezone.utc)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _package_version() -> str:
    try:
        return metadata.version("eurostat")
    except metadata.PackageNotFoundError:
        return "not installed"


def check_series_present(table: pd.DataFrame, spec: DatasetSpec, *, source: str) -> None:
    """Raise when a required code of the catalogue's filters is absent from a dataset."""
    for dimension in spec.filters:
        if dimension not in table.columns:
            raise MalformedFile(f"{source}: {spec.code} has no dimension {dimension!r} (it has {', '.join(table.columns)})")
        present = set(table[dimension].unique())
        missing = [c for c in spec.required(dimension) if c not in present]
        if missing:
            raise FetchError(
                f"{source}: series missing from {spec.code}: {dimension}={'+'.join(missing)} "
                f"(the catalogue's filter asks for them; the dataset has {', '.join(sorted(present))})"
            )


# ----------------------------------------------------------------------------- mirror


def read_mirror_manifest(mirror: Path) -> dict:
    """The mirror's ``MIRROR.json`` (``{}`` when it has none)."""
    manifest = mirror / "MIRROR.json"
    if not manifest.exists():
        return {}
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise MalformedFile(f"{manifest}: not valid JSON ({exc})") from None


def mirror_file(mirror: Path, code: str) -> Path:
    for name in (f"{code}.tsv.gz", f"{code}.tsv"):
        if (mirror / name).exists():
            return mirror / name
    raise FetchError(f"mirror {mirror} has no file for dataset {code} (looked for {code}.tsv.gz and {code}.tsv)")


def fetch_from_mirror(spec: DatasetSpec, mirror: Path) -> Fetched:
    """Take one dataset from a folder of files in Eurostat's TSV layout."""
    if not mirror.is_dir():
        raise FetchError(f"the mirror folder {mirror} does not exist; set EUROSTAT_MIRROR to a folder of Eurostat TSV files")
    path = mirror_file(mirror, spec.code)
    payload = path.read_bytes()
    table = parse_eurostat_tsv(payload, dataset=spec.code, source=str(path))
    check_series_present(table, spec, source=str(path))
    carried = {d: set(table[d].unique()) for d in spec.filters if d in table.columns}
    _, absent = choose_filters(spec, carried)
    manifest = read_mirror_manifest(mirror)
    entry = manifest.get("datasets", {}).get(spec.code, {})
    provenance = {
        "dataset": spec.code,
        "title": entry.get("title", spec.title),
        "source": "mirror",
        "location": str(mirror.resolve() / path.name),
        "synthetic": bool(manifest.get("synthetic", False)),
        "mirror_label": manifest.get("label", ""),
        # a mirror file is what was retrieved from Eurostat when the mirror was made
        "retrieved_at": _utc(path.stat().st_mtime),
        "last_update": entry.get("last_update"),
        "eurostat_package_version": _package_version(),
        "filters": {k: list(v) for k, v in spec.filters.items()},
        "absent_codes": absent,
        "requests": 0,
    }
    return Fetched(spec.code, payload, _finish_provenance(provenance, payload, table))


def _finish_provenance(provenance: dict, payload: bytes, table: pd.DataFrame) -> dict:
    dims = [c for c in table.columns if c not in ("dataset", "year", "value", "flag", "confidentiality")]
    provenance["sha256"] = hashlib.sha256(payload).hexdigest()
    provenance["bytes"] = len(payload)
    provenance["series"] = int(table[dims].drop_duplicates().shape[0]) if len(table) else 0
    provenance["rows"] = int(len(table))
    return provenance


# ----------------------------------------------------------------------------- live


class _Stopped(Exception):
    """Raised inside the eurostat package to stop it; the reason is kept in `Guard.stop`."""


FAULT_ADVICE = {
    "100": "the dataset does not exist or is not disseminated: check its code in src/helpers/catalogue/series.toml",
    "140": "the request names a different number of dimensions than the dataset has: its structure changed; "
           "compare the catalogue's filters with it",
    "150": "a code the catalogue asks for is not allowed in one of the dataset's dimensions",
    "413": "the extraction is too big: narrow the filters of the dataset in src/helpers/catalogue/series.toml",
}


def soap_fault(body: bytes) -> tuple[str, str] | None:
    """(faultcode, faultstring) of a SOAP fault body such as Eurostat's ``<S:Fault>``, else None."""
    if b"Fault" not in body[:4096]:
        return None
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    fault = root if root.tag.endswith("}Fault") or root.tag == "Fault" else next(
        (e for e in root.iter() if e.tag.endswith("}Fault")), None)
    if fault is None:
        return None
    return (fault.findtext("faultcode") or "").strip(), " ".join((fault.findtext("faultstring") or "").split())


def is_maintenance_page(response) -> bool:
    """Eurostat's site, when down, redirects to an HTML 'sorry' page (sorry.ec.europa.eu)."""
    host = urlparse(response.url).hostname or ""
    content_type = response.headers.get("Content-Type", "")
    return host.startswith("sorry.") or content_type.startswith("text/html") or response.content[:15].lower().startswith(
        (b"<!doctype html", b"<html"))


class Guard:
    """Every request the live path makes for one dataset goes through here (the package's too).

    It keeps the package from doing what a polite client must not: no detour to other agencies
    (COMEXT, COMP, EMPL, GROW) when the ESTAT request fails, no retry without pause inside the
    project's own attempts, no queue polling without pause; and it bounds the requests and the
    time spent on one dataset. The first failure is kept in `stop`, then every further request
    is refused without reaching the network, so the package gives up at once.
    """

    def __init__(self, settings: FetchSettings, code: str, *, sleep=time.sleep, clock=time.monotonic):
        self.settings, self.code, self.sleep, self.clock = settings, code, sleep, clock
        self.started = clock()
        self.responses: list = []
        self.stop: ReportError | None = None
        self.refused_detours = 0
        self.polls = 0
        self.queued_seconds = 0.0
        self.absent_required: dict[str, list[str]] = {}

    def __getattr__(self, name):  # the package uses `requests.get` and `requests.utils`
        import requests

        return getattr(requests, name)

    def _halt(self, error: ReportError):
        self.stop = self.stop or error
        raise _Stopped(str(error))

    def get(self, url: str, **kwargs):
        import requests

        settings = self.settings
        if self.stop is not None:
            raise _Stopped(str(self.stop))
        if not url.startswith((settings.api_base, settings.async_base)):
            self.refused_detours += 1
            raise _Stopped(f"not asked: {url}")
        if len(self.responses) >= settings.max_requests:
            self._halt(FetchError(f"{self.code} needed more than {settings.max_requests} requests "
                                  "(EUROSTAT_MAX_REQUESTS); stopped"))
        if self.clock() - self.started > settings.max_seconds:
            self._halt(TransientError(f"{self.code} took longer than {settings.max_seconds:g} s (EUROSTAT_MAX_SECONDS)"))
        if "/status/" in url:  # the package polls a queued extraction without pausing: pause here
            self.polls += 1
            delay = min(settings.backoff * 2 ** (self.polls - 1), 60.0)
            if self.queued_seconds + delay > settings.queue_wait:
                self._halt(TransientError(f"Eurostat queued the extraction of {self.code} and it was not ready after "
                                          f"{self.queued_seconds:g} s (EUROSTAT_QUEUE_WAIT)"))
            self.sleep(delay)
            self.queued_seconds += delay
        kwargs["timeout"] = settings.timeout
        try:
            response = requests.get(url, **kwargs)
        except requests.Timeout:
            self._halt(TransientError(f"Eurostat did not answer within {settings.timeout:g} s ({url})"))
        except requests.ConnectionError as exc:
            reason = str(exc.args[0]) if exc.args else "connection failed"
            self._halt(TransientError(f"cannot connect to Eurostat at {settings.api_base} ({reason[:120]})"))
        self.responses.append(response)
        if is_maintenance_page(response):
            self._halt(TransientError(f"Eurostat answered {self.code} with an HTML page ({response.url}), not SDMX: "
                                      "the site is probably down for maintenance"))
        fault = soap_fault(response.content)
        if fault or not response.ok:
            self._halt(self.classify(response, fault))
        return response

    def classify(self, response, fault: tuple[str, str] | None) -> ReportError:
        status = response.status_code
        if fault:
            code, text = fault
            advice = FAULT_ADVICE.get(code, "see Eurostat's API documentation")
            if code == "150" and self.absent_required:
                advice += ": " + "; ".join(f"{d} {', '.join(c)}" for d, c in self.absent_required.items())
            message = f"Eurostat refused {self.code} with fault {code} ({text}) - {advice}"
            return TransientError(message) if status >= 500 and code not in FAULT_ADVICE else FetchError(message)
        where = f"Eurostat answered HTTP {status} for {self.code}"
        if status == 413:
            return FetchError(f"{where}: {FAULT_ADVICE['413']}")
        if status == 404:
            return FetchError(f"{where}: no such dataset or no data for the catalogue's filters")
        if status >= 500 or status == 429:
            return TransientError(f"{where} (server busy or down)")
        return FetchError(f"{where} ({response.reason})")

    def data_responses(self) -> list:
        return [r for r in self.responses if "/data/" in r.url]


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
    return {kv.get("id").lower(): {v.text for v in kv.findall(f"{common}Value")}
            for kv in root.iter(f"{common}KeyValue") if kv.get("id") != "TIME_PERIOD"}


def choose_filters(spec: DatasetSpec, carried: dict[str, set[str]]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
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
        raise FetchError(f"Eurostat's {spec.code} does not carry {named}, which the catalogue requires "
                         "(src/helpers/catalogue/series.toml): mark them optional or choose other codes")
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


# ----------------------------------------------------------------------------- orchestration


def with_retries(action: Callable[[], Fetched], settings: FetchSettings, *, sleep=time.sleep) -> Fetched:
    """Run `action`, retrying transient failures with exponential back-off."""
    for attempt in range(1, settings.attempts + 1):
        try:
            return action()
        except TransientError as exc:
            if attempt == settings.attempts:
                raise TransientError(f"{exc} - gave up after {attempt} tries") from None
            sleep(settings.backoff * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def resolve_source(source: str, mirror: str | Path | None, settings: FetchSettings) -> tuple[str, Path | None]:
    """Decide between the live API and a mirror; `auto` takes live when Eurostat answers."""
    if source not in SOURCES:
        raise FetchError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
    mirror = Path(mirror) if mirror else None
    if source == "mirror":
        if mirror is None:
            raise FetchError("source 'mirror' needs a mirror folder: set EUROSTAT_MIRROR=/path/to/mirror")
        return "mirror", mirror
    if source == "live":
        return "live", None
    if eurostat_is_reachable(settings):
        return "live", None
    if mirror is not None:
        return "mirror", mirror
    raise FetchError(
        f"Eurostat cannot be reached ({settings.api_base}) and no mirror is set. Either set "
        "EUROSTAT_MIRROR to a folder of Eurostat TSV files (make report EUROSTAT_MIRROR=/path), "
        "or run `make demo` to try the project on invented data"
    )


def provenance_path(raw_dir: Path, code: str) -> Path:
    return raw_dir / f"{code}.provenance.json"


def raw_is_complete(raw_dir: Path, catalogue: Catalogue) -> bool:
    return all(provenance_path(raw_dir, spec.code).exists() for spec in catalogue.datasets)


def fetch_all(
    raw_dir: str | Path,
    *,
    source: str = "auto",
    mirror: str | Path | None = None,
    refresh: bool = False,
    settings: FetchSettings | None = None,
    catalogue: Catalogue | None = None,
    sleep=time.sleep,
) -> list[dict]:
    """Fetch every catalogue dataset into `raw_dir`; return their provenance records.

    With `refresh` false and a complete `raw_dir`, nothing is fetched. Otherwise all datasets
    are staged first and moved into place only when every one succeeded.
    """
    raw_dir = Path(raw_dir)
    settings = settings or FetchSettings.from_environment()
    catalogue = catalogue or load_catalogue()
    if not refresh and raw_is_complete(raw_dir, catalogue):
        return [json.loads(provenance_path(raw_dir, s.code).read_text()) for s in catalogue.datasets]
    kind, mirror_dir = resolve_source(source, mirror, settings)
    raw_dir.mkdir(parents=True, exist_ok=True)
    fetched: list[Fetched] = []
    for spec in catalogue.datasets:
        try:
            if kind == "mirror":
                fetched.append(fetch_from_mirror(spec, mirror_dir))
            else:
                fetched.append(with_retries(lambda spec=spec: fetch_live(spec, settings, sleep=sleep), settings, sleep=sleep))
        except ReportError as exc:  # the same kind of error, saying that nothing was replaced
            raise type(exc)(f"fetching {spec.code} failed, the previous data was kept: {exc}") from None
    _commit(raw_dir, fetched, catalogue)
    return [f.provenance for f in fetched]


def _commit(raw_dir: Path, fetched: list[Fetched], catalogue: Catalogue) -> None:
    """Write every dataset to a staging folder, build and validate the store from it, then move
    each file into place (atomic per file). Data that would not make a valid store (a duplicated
    row, an unknown flag) never replaces the data in use."""
    from helpers.store import build_store  # the store reads what this module writes

    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=raw_dir))
    try:
        for item in fetched:
            (staging / item.filename).write_bytes(item.payload)
            record = json.dumps({**item.provenance, "file": item.filename}, indent=2, sort_keys=True) + "\n"
            provenance_path(staging, item.code).write_text(record, encoding="utf-8")
        try:
            build_store(staging, catalogue)
        except ReportError as exc:
            raise FetchError(f"the new data would not make a valid store, so the previous data was kept: {exc}") from None
        for item in fetched:
            for stale in (f"{item.code}.tsv.gz", f"{item.code}.tsv"):
                if stale != item.filename and (raw_dir / stale).exists():
                    (raw_dir / stale).unlink()
            os.replace(staging / item.filename, raw_dir / item.filename)
            # the provenance record goes last: its presence marks the dataset complete
            os.replace(provenance_path(staging, item.code), provenance_path(raw_dir, item.code))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def unread_mirror_note(raw_dir: str | Path, mirror: str, catalogue: Catalogue | None = None) -> str:
    """What `make data EUROSTAT_MIRROR=...` says when data/raw is complete and the mirror is not read."""
    raw_dir = Path(raw_dir)
    catalogue = catalogue or load_catalogue()
    records = [json.loads(provenance_path(raw_dir, s.code).read_text(encoding="utf-8")) for s in catalogue.datasets
               if provenance_path(raw_dir, s.code).exists()]
    origins = sorted({r.get("location") and str(Path(r["location"]).parent) if r.get("source") == "mirror"
                      else f"Eurostat's API ({r.get('location', 'live')})" for r in records})
    when = max((r.get("retrieved_at", "") for r in records), default="")
    same = [o for o in origins if o == str(Path(mirror).resolve())]
    source = "that mirror" if same and len(origins) == 1 else ", ".join(origins)
    return (f"note: {raw_dir} already holds the data (from {source}, retrieved {when}); EUROSTAT_MIRROR was not "
            f"read. To fetch again from it: make refresh EUROSTAT_MIRROR={shlex.quote(mirror)}")


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Helpers of the fetch step for make.")
    sub = parser.add_subparsers(dest="command", required=True)
    note = sub.add_parser("note-unread-mirror", help="say that data/raw is there and EUROSTAT_MIRROR was not read")
    note.add_argument("--raw-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "note-unread-mirror":
        print(unread_mirror_note(args.raw_dir, os.environ.get("EUROSTAT_MIRROR", "")))
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
