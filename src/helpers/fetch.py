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

    @classmethod
    def from_environment(cls) -> "FetchSettings":
        env = os.environ
        return cls(
            api_base=env.get("EUROSTAT_API_BASE", EUROSTAT_API),
            timeout=float(env.get("EUROSTAT_TIMEOUT", 60)),
            attempts=int(env.get("EUROSTAT_ATTEMPTS", 4)),
            backoff=float(env.get("EUROSTAT_BACKOFF", 2.0)),
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


class _ResponseLog:
    """A requests hook that keeps every response the eurostat package receives."""

    def __init__(self) -> None:
        self.responses: list = []

    def __call__(self, response, *args, **kwargs):
        self.responses.append(response)
        return response

    def data_responses(self) -> list:
        return [r for r in self.responses if "/data/" in r.url]


@contextlib.contextmanager
def eurostat_client(settings: FetchSettings):
    """Point the `eurostat` package at `settings.api_base`, with our timeout and a response log.

    The package keeps its base URL in a class attribute and its requests arguments in a module
    dict (returned by `get_requests_args`); both are restored on exit.
    """
    import eurostat
    from eurostat.eurostat import __Uri__ as uri

    saved_base = dict(uri.BASE_URL)
    args = eurostat.get_requests_args()
    saved_args = dict(args)
    log = _ResponseLog()
    uri.BASE_URL["EUROSTAT"] = settings.api_base
    args["timeout"] = settings.timeout
    args["hooks"] = {"response": [log]}
    try:
        yield eurostat, log
    finally:
        uri.BASE_URL.clear()
        uri.BASE_URL.update(saved_base)
        args.clear()
        args.update(saved_args)


def _classify_response(response, code: str) -> FetchError:
    status = response.status_code
    where = f"Eurostat answered HTTP {status} for {code}"
    if status == 413:
        return FetchError(f"{where}: the extraction is too large; narrow the filters of {code} in the catalogue")
    if status == 404:
        return FetchError(f"{where}: no such dataset or no data for the catalogue's filters")
    if status >= 500 or status == 429:
        return TransientError(f"{where} (server busy or down)")
    return FetchError(f"{where} ({response.reason})")


def _preflight(code: str, settings: FetchSettings) -> None:
    """Ask for the dataflow once, so that an unreachable or failing API is named plainly."""
    import requests

    url = f"{settings.api_base}dataflow/ESTAT/{code}/latest"
    try:
        response = requests.get(url, timeout=settings.timeout)
    except requests.Timeout:
        raise TransientError(f"Eurostat did not answer within {settings.timeout:g} s ({url})") from None
    except requests.ConnectionError as exc:
        reason = str(exc.args[0]) if exc.args else "connection failed"
        raise TransientError(f"cannot connect to Eurostat at {settings.api_base} ({reason[:120]})") from None
    if not response.ok:
        raise _classify_response(response, code)


def eurostat_is_reachable(settings: FetchSettings, timeout: float = 5.0) -> bool:
    import requests

    try:
        response = requests.get(f"{settings.api_base}dataflow/ESTAT/isoc_ci_ac_i/latest", timeout=timeout)
    except requests.RequestException:
        return False
    return response.ok


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


def fetch_live(spec: DatasetSpec, settings: FetchSettings) -> Fetched:
    """Fetch one dataset through the `eurostat` package, in one data request."""
    import requests

    _preflight(spec.code, settings)
    with eurostat_client(settings) as (eurostat, log), contextlib.redirect_stdout(io.StringIO()):
        try:
            last_update = None
            with contextlib.suppress(Exception):
                toc = eurostat.get_toc(agency="EUROSTAT", dataset=spec.code)
                last_update = toc[1][3] if len(toc) > 1 else None
            filters = {k: list(v) for k, v in spec.filters.items()}
            for dimension, optional in spec.optional.items():
                available = set(eurostat.get_par_values(spec.code, dimension))
                filters[dimension] = [c for c in filters[dimension] if c in available or c not in optional]
            # one request: the codes of each dimension joined with '+' (SDMX "or")
            rows = eurostat.get_data(spec.code, flags=True, filter_pars={k: "+".join(v) for k, v in filters.items()})
        except requests.Timeout:
            raise TransientError(f"Eurostat did not answer within {settings.timeout:g} s for {spec.code}") from None
        except requests.ConnectionError:
            raise TransientError(f"the connection to Eurostat broke while fetching {spec.code}") from None
        except Exception as exc:  # the package fails in many shapes; the last response tells why
            responses = log.data_responses() or log.responses
            if responses and not responses[-1].ok:
                raise _classify_response(responses[-1], spec.code) from None
            kind = responses[-1].headers.get("Content-Type", "unknown") if responses else "nothing"
            raise MalformedFile(
                f"Eurostat's answer for {spec.code} is not a gzip TSV (content type {kind}; {type(exc).__name__})"
            ) from None
    data = log.data_responses()
    if not data:
        raise FetchError(f"the eurostat package made no data request for {spec.code}")
    if len(data) != 1:
        raise FetchError(f"expected one data request for {spec.code}, the eurostat package made {len(data)}")
    response = data[0]
    if not response.ok:
        raise _classify_response(response, spec.code)
    payload = response.content
    if payload[:2] != GZIP_MAGIC:
        kind = response.headers.get("Content-Type", "unknown")
        raise MalformedFile(f"Eurostat's answer for {spec.code} is not gzip-compressed TSV (content type {kind})")
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
        "requests": len(log.responses) + 1,  # + the preflight
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
                fetched.append(with_retries(lambda spec=spec: fetch_live(spec, settings), settings, sleep=sleep))
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
