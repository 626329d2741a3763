"""Fetch the catalogue's datasets into ``data/raw``, from the live API or a mirror.

A fetch is staged in a scratch folder and moved into place only when every dataset arrived
whole, parsed, and made a valid store, so a failed or partial fetch leaves the previous
``data/raw`` untouched. Each source is all or nothing on its own: the OECD's failure keeps the
OECD's previous data (or records its part as unavailable) and Eurostat's data goes on.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shlex
import shutil
import tempfile
import time
from pathlib import Path

from helpers.acquire.eurostat_api import eurostat_is_reachable, fetch_live
from helpers.acquire.mirror import fetch_from_mirror
from helpers.acquire.oecd_api import DownloadLedger, OecdSettings, data_url, fetch_oecd_live, ledger_path, unavailable
from helpers.acquire.received import Fetched, provenance_path, raw_is_complete
from helpers.acquire.retries import with_retries
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
    are staged first and moved into place only when they make a valid store. The source decided (live
    or a mirror) serves both publishers: live, Eurostat's API and the OECD's; a mirror, both files.

    Each source is all or nothing on its own. Eurostat's failure stops the fetch, and nothing is
    replaced. The OECD's live failure (down, 429 beyond the bound, a refused connection, a malformed
    or invalid answer, the hourly limit) does not: the OECD's previous data is kept, or, where there is
    none, the part is recorded as unavailable with the reason and the time (`oecd_api.unavailable`),
    and Eurostat's data is committed. What happened is said in one line (`FETCH_NOTES`, for make).
    """
    raw_dir = Path(raw_dir)
    settings = settings or FetchSettings.from_environment()
    catalogue = catalogue or load_catalogue()
    if not refresh and raw_is_complete(raw_dir, catalogue):
        return [json.loads(provenance_path(raw_dir, s.code).read_text()) for s in catalogue.datasets]
    kind, mirror_dir = resolve_source(source, mirror, settings)
    raw_dir.mkdir(parents=True, exist_ok=True)
    fetched: list[Fetched] = []
    failed: dict[str, str] = {}  # an OECD dataflow whose live fetch failed -> why
    oecd = oecd_settings or (OecdSettings.from_environment() if kind == "live" else OecdSettings())
    for spec in catalogue.datasets:
        try:
            if mirror_dir is not None:  # resolve_source gives a folder only with kind "mirror"
                fetched.append(fetch_from_mirror(spec, mirror_dir))
            elif spec.source == "oecd":
                ledger = DownloadLedger(ledger_path(raw_dir), oecd.downloads_per_hour)
                try:
                    fetched.append(fetch_oecd_live(spec, oecd, ledger, sleep=sleep))
                except ReportError as exc:  # the second source: its failure is said, the build goes on
                    failed[spec.code] = str(exc)
            else:
                fetched.append(
                    with_retries(
                        lambda tries: fetch_live(spec, settings, sleep=sleep),  # called within this iteration
                        attempts=settings.attempts,
                        backoff=settings.backoff,
                        sleep=sleep,
                    )
                )
        except ReportError as exc:  # the same kind of error, saying that nothing was replaced
            raise type(exc)(f"fetching {spec.code} failed, the previous data was kept: {exc}") from None
    fetched = [item for item in fetched if not _invalid_oecd_answer(item, catalogue, failed)]
    notes = [_stand_in_for(raw_dir, catalogue.dataset(code), why, oecd, fetched) for code, why in failed.items()]
    _commit(raw_dir, fetched, catalogue)
    _write_notes(raw_dir, notes)
    return [json.loads(provenance_path(raw_dir, s.code).read_text(encoding="utf-8")) for s in catalogue.datasets]


FETCH_NOTES = ".fetch-notes.txt"  # what the last fetch has to say on the terminal (make prints it, then removes it)


def _invalid_oecd_answer(item: Fetched, catalogue: Catalogue, failed: dict[str, str]) -> bool:
    """Whether a live OECD answer, whole and parsed, would not make a valid part of the store (an unknown
    code, a duplicated row, ...): then it is a failed fetch like any other (recorded in `failed`)."""
    from helpers.store.tidy import build_store  # the store reads what this module writes

    spec = catalogue.dataset(item.code)
    if spec.source != "oecd" or item.payload is None or item.provenance.get("source") != "live":
        return False
    alone = dataclasses.replace(catalogue, datasets=(spec,))
    with tempfile.TemporaryDirectory(prefix=".staging-oecd-") as scratch:
        _stage(Path(scratch), [item])
        try:
            build_store(scratch, alone)
        except ReportError as exc:
            failed[spec.code] = f"the OECD's answer would not make a valid store: {exc}"
            return True
    return False


def _stand_in_for(raw_dir: Path, spec, why: str, settings: OecdSettings, fetched: list[Fetched]) -> str:
    """What takes the place of an OECD fetch that failed: the previous data, kept as it is (nothing of it
    is staged, so nothing of it is replaced), or, where there is none, a record saying the part is
    unavailable, why and since when. Returns the line the terminal shows."""
    previous = provenance_path(raw_dir, spec.code)
    record = json.loads(previous.read_text(encoding="utf-8")) if previous.exists() else {}
    # only the OECD's own earlier answer stands in for it: not invented data (a synthetic mirror's, which
    # would mark a report on Eurostat's real data synthetic), nor a mirror's "no OECD file here"
    if record.get("unavailable") or (
        record and not record.get("synthetic") and (record.get("source") == "live" or record.get("rows", 0) > 0)
    ):
        if record.get("unavailable"):
            # the date only; a record without its time (found by a mutant) said "since an earlier"
            since = str(record.get("attempted_at") or "")[:10] or "an earlier fetch"
            held = f"it is still recorded as unavailable (since {since})"
        else:
            held = f"its previous data (retrieved {str(record.get('retrieved_at', ''))[:10] or 'earlier'}) was kept"
        return f"note: the OECD's data could not be fetched: {why}; {held}. Eurostat's data was fetched; `make refresh` tries the OECD again"
    fetched.append(unavailable(spec, location=data_url(spec, settings), why=why))
    return (
        f"note: the OECD's data could not be fetched: {why}; the report is built without it (the claims' OECD "
        "parts are not checked, and every page that shows them says so). `make refresh` tries the OECD again"
    )


def _write_notes(raw_dir: Path, notes: list[str]) -> None:
    path = raw_dir / FETCH_NOTES
    if notes:
        path.write_text("".join(f"{line}\n" for line in notes), encoding="utf-8")
    elif path.exists():
        path.unlink()


def say_fetch_notes(raw_dir: str | Path) -> str:
    """The last fetch's notes, once: read and removed."""
    path = Path(raw_dir) / FETCH_NOTES
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8").strip()
    path.unlink()
    return text


def _stage(staging: Path, fetched: list[Fetched]) -> None:
    for item in fetched:
        if item.payload is not None:
            (staging / item.filename).write_bytes(item.payload)
        record = json.dumps({**item.provenance, "file": item.filename}, indent=2, sort_keys=True) + "\n"
        provenance_path(staging, item.code).write_text(record, encoding="utf-8")


def _commit(raw_dir: Path, fetched: list[Fetched], catalogue: Catalogue) -> None:
    """Write every dataset fetched to a staging folder, beside the previous data of any dataset not
    fetched (an OECD part kept), build and validate the store from it, then move each fetched file into
    place (atomic per file). Data that would not make a valid store (a duplicated row, an unknown flag)
    never replaces the data in use."""
    from helpers.store.tidy import (
        build_store,  # the store reads what this module writes
    )

    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=raw_dir))
    try:
        _stage(staging, fetched)
        new = {item.code for item in fetched}
        for spec in catalogue.datasets:
            if spec.code not in new:  # kept as it is: staged (copied) for the validation only
                record = provenance_path(raw_dir, spec.code)
                name = json.loads(record.read_text(encoding="utf-8")).get("file")
                if name:
                    shutil.copy2(raw_dir / name, staging / name)
                shutil.copy2(record, provenance_path(staging, spec.code))
        try:
            build_store(staging, catalogue)
        except ReportError as exc:
            raise FetchError(
                f"the new data would not make a valid store, so the previous data was kept: {exc}"
            ) from None
        for item in fetched:
            for stale in (f"{item.code}.{item.extension}.gz", f"{item.code}.{item.extension}"):
                # a record without data (the OECD unavailable) leaves no earlier file behind it
                if (stale != item.filename or item.payload is None) and (raw_dir / stale).exists():
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
    records = [
        json.loads(provenance_path(raw_dir, s.code).read_text(encoding="utf-8"))
        for s in catalogue.datasets
        if provenance_path(raw_dir, s.code).exists()
    ]
    origins = sorted(
        {
            (
                r.get("location") and str(Path(r["location"]).parent)
                if r.get("source") == "mirror"
                # each publisher's API by its name: the OECD's records say "publisher", Eurostat's do not
                else f"{r.get('publisher', 'Eurostat')}'s API ({r.get('location', 'live')})"
            )
            for r in records
        }
    )
    when = max((r.get("retrieved_at", "") for r in records), default="")
    same = [o for o in origins if o == str(Path(mirror).resolve())]
    source = "that mirror" if same and len(origins) == 1 else ", ".join(origins)
    return (
        f"note: {raw_dir} already holds the data (from {source}, retrieved {when}); EUROSTAT_MIRROR was not "
        f"read. To fetch again from it: make refresh EUROSTAT_MIRROR={shlex.quote(mirror)}"
    )


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Helpers of the fetch step for make.")
    sub = parser.add_subparsers(dest="command", required=True)
    note = sub.add_parser("note-unread-mirror", help="say that data/raw is there and EUROSTAT_MIRROR was not read")
    note.add_argument("--raw-dir", type=Path, required=True)
    said = sub.add_parser("say-fetch-notes", help="say what the last fetch has to say (the OECD's data not fetched)")
    said.add_argument("--raw-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "note-unread-mirror":
        print(unread_mirror_note(args.raw_dir, os.environ.get("EUROSTAT_MIRROR", "")))
    elif args.command == "say-fetch-notes":
        notes = say_fetch_notes(args.raw_dir)
        if notes:
            print(notes)
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
