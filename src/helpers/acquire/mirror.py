"""A mirror: a folder of files in Eurostat's API TSV layout (``<dataset>.tsv.gz`` or ``.tsv``), and the
OECD's answer beside them in its SDMX-CSV with labels (``DSD_ICT_HH_IND@DF_IND.csv`` or ``.csv.gz``),
read as if the APIs had sent them.

A mirror may also keep, beside a file, the provenance record written when that file was first received
(``<dataset>.provenance.json``): a release's ``data/`` folder does (helpers.pipeline.release), and so
does a copy of ``data/raw``. The record, when it describes that very file (the same sha256), is kept: the
data's source, address, retrieval time and the publisher's last update stay those of the original
retrieval, and ``rebuilt_from`` says which release (or folder) this build read them from.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from helpers.acquire.eurostat_api import choose_filters
from helpers.acquire.eurostat_tsv import parse_eurostat_tsv
from helpers.acquire.oecd_api import no_data, received
from helpers.acquire.oecd_csv import parse_oecd_csv
from helpers.acquire.received import (
    Fetched,
    _finish_provenance,
    _package_version,
    _utc,
    check_series_present,
    provenance_path,
)
from helpers.base.errors import FetchError, MalformedFile
from helpers.catalogue import DatasetSpec


def read_mirror_manifest(mirror: Path) -> dict:
    """The mirror's ``MIRROR.json`` (``{}`` when it has none)."""
    manifest = mirror / "MIRROR.json"
    if not manifest.exists():
        return {}
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise MalformedFile(f"{manifest}: not valid JSON ({exc})") from None


def mirror_file(mirror: Path, code: str, extension: str = "tsv") -> Path:
    for name in (f"{code}.{extension}.gz", f"{code}.{extension}"):
        if (mirror / name).exists():
            return mirror / name
    raise FetchError(
        f"mirror {mirror} has no file for dataset {code} (looked for {code}.{extension}.gz and " f"{code}.{extension})"
    )


def kept_record(mirror: Path, code: str, payload: bytes | None, file: Path | None) -> dict | None:
    """The provenance record the mirror keeps for `code`, when it describes the file read (None when the
    mirror keeps none), with ``rebuilt_from`` naming the release (from ``MIRROR.json``) and the folder.

    A record whose checksum is not the file's no longer describes it: refused, naming both, rather than
    keeping a retrieval that did not give these bytes."""
    record_path = provenance_path(mirror, code)
    if not record_path.exists():
        return None
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise MalformedFile(f"{record_path}: not valid JSON ({exc})") from None
    if not isinstance(record, dict) or record.get("dataset") != code:
        raise MalformedFile(f"{record_path}: not the provenance record of {code}")
    held = hashlib.sha256(payload).hexdigest() if payload is not None else ""
    if record.get("sha256", "") != held:
        what = file.name if file else "no file"
        raise MalformedFile(
            f"mirror {mirror}: {what} does not match its provenance record {record_path.name} "
            f"(sha256 {held[:12] or 'none'}, the record says {record.get('sha256', '')[:12] or 'none'}): "
            "the data changed after they were received; remove the record to read the file as a plain mirror file"
        )
    release = read_mirror_manifest(mirror).get("release") or {}
    record.pop("file", None)  # the fetch names the file it writes
    record["rebuilt_from"] = {
        "release": release.get("version", ""),
        "commit": release.get("commit", ""),
        "folder": str(mirror.resolve()),
    }
    return record


def fetch_from_mirror(spec: DatasetSpec, mirror: Path) -> Fetched:
    """Take one dataset from a folder of files in Eurostat's TSV layout."""
    if not mirror.is_dir():
        raise FetchError(
            f"the mirror folder {mirror} does not exist; set EUROSTAT_MIRROR to a folder of Eurostat TSV files"
        )
    if spec.source == "oecd":
        return _oecd_from_mirror(spec, mirror)
    path = mirror_file(mirror, spec.code)
    payload = path.read_bytes()
    table = parse_eurostat_tsv(payload, dataset=spec.code, source=str(path))
    check_series_present(table, spec, source=str(path))
    original = kept_record(mirror, spec.code, payload, path)
    if original is not None:
        return Fetched(spec.code, payload, _finish_provenance(original, payload, table))
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


def _oecd_from_mirror(spec: DatasetSpec, mirror: Path) -> Fetched:
    """The OECD's answer kept in a mirror. A mirror without it (one made before the OECD source, or
    of Eurostat's files only) gives "no data" for the OECD's countries, said on the pages, not an error."""
    manifest = read_mirror_manifest(mirror)
    synthetic = bool(manifest.get("synthetic", False))
    try:
        path = mirror_file(mirror, spec.code, "csv")
    except FetchError:
        original = kept_record(mirror, spec.code, None, None)
        if original is not None:  # the OECD had nothing for the report when the data were received
            return Fetched(spec.code, None, original, extension="csv")
        # the mirror's own time, as a mirror file's: the same provenance on every fetch from it
        return no_data(
            spec,
            source="mirror",
            location=str(mirror.resolve()),
            synthetic=synthetic,
            why=f"the mirror holds no OECD file ({spec.code}.csv)",
            retrieved_at=_utc(mirror.stat().st_mtime),
        )
    payload = path.read_bytes()
    table = parse_oecd_csv(payload, dataset=spec.code, dimensions=spec.key_order, source=str(path))
    original = kept_record(mirror, spec.code, payload, path)
    if original is not None:
        check_series_present(table, spec, source=str(path))
        return Fetched(spec.code, payload, _finish_provenance(original, payload, table), extension="csv")
    entry = manifest.get("datasets", {}).get(spec.code, {})
    return received(
        spec,
        payload,
        table,
        source="mirror",
        location=str(mirror.resolve() / path.name),
        requests_made=0,
        synthetic=synthetic,
        mirror_label=manifest.get("label", ""),
        retrieved_at=_utc(path.stat().st_mtime),
        last_update=entry.get("last_update"),
    )
