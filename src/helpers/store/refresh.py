"""Fetch the catalogue's datasets into ``data/raw``, from the live API or a mirror.

A fetch is staged in a scratch folder and moved into place only when every dataset arrived
whole, parsed, and made a valid store, so a failed or partial fetch leaves the previous
``data/raw`` untouched.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import tempfile
import time
from pathlib import Path

from helpers.acquire.eurostat_api import eurostat_is_reachable, fetch_live, with_retries
from helpers.acquire.mirror import fetch_from_mirror
from helpers.acquire.oecd_api import DownloadLedger, OecdSettings, fetch_oecd_live, ledger_path
from helpers.acquire.received import Fetched, provenance_path, raw_is_complete
from helpers.acquire.settings import FetchSettings
from helpers.base.errors import FetchError, ReportError
from helpers.catalogue import Catalogue, load_catalogue

SOURCES = ("auto", "live", "mirror")


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


def fetch_all(
    raw_dir: str | Path,
    *,
    source: str = "auto",
    mirror: str | Path | None = None,
    refresh: bool = False,
    settings: FetchSettings | None = None,
    catalogue: Catalogue | None = None,
    sleep=time.sleep,
    oecd_settings: OecdSettings | None = None,
) -> list[dict]:
    """Fetch every catalogue dataset into `raw_dir`; return their provenance records.

    With `refresh` false and a complete `raw_dir`, nothing is fetched. Otherwise all datasets
    are staged first and moved into place only when every one succeeded. The source decided (live
    or a mirror) serves both publishers: live, Eurostat's API and the OECD's; a mirror, both files.
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
            elif spec.source == "oecd":
                oecd = oecd_settings or OecdSettings.from_environment()
                ledger = DownloadLedger(ledger_path(raw_dir), oecd.downloads_per_hour)
                fetched.append(fetch_oecd_live(spec, oecd, ledger, sleep=sleep))
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
    from helpers.store.tidy import (
        build_store,  # the store reads what this module writes
    )

    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=raw_dir))
    try:
        for item in fetched:
            if item.payload is not None:
                (staging / item.filename).write_bytes(item.payload)
            record = json.dumps({**item.provenance, "file": item.filename}, indent=2, sort_keys=True) + "\n"
            provenance_path(staging, item.code).write_text(record, encoding="utf-8")
        try:
            build_store(staging, catalogue)
        except ReportError as exc:
            raise FetchError(f"the new data would not make a valid store, so the previous data was kept: {exc}") from None
        for item in fetched:
            for stale in (f"{item.code}.{item.extension}.gz", f"{item.code}.{item.extension}"):
                if stale != item.filename and (raw_dir / stale).exists():
                    (raw_dir / stale).unlink()
            if item.payload is not None:
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
