"""A mirror: a folder of files in Eurostat's API TSV layout (``<dataset>.tsv.gz`` or ``.tsv``), and the
OECD's answer beside them in its SDMX-CSV with labels (``DSD_ICT_HH_IND@DF_IND.csv`` or ``.csv.gz``),
read as if the APIs had sent them.
"""

from __future__ import annotations

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
    raise FetchError(f"mirror {mirror} has no file for dataset {code} (looked for {code}.{extension}.gz and "
                     f"{code}.{extension})")


def fetch_from_mirror(spec: DatasetSpec, mirror: Path) -> Fetched:
    """Take one dataset from a folder of files in Eurostat's TSV layout."""
    if not mirror.is_dir():
        raise FetchError(f"the mirror folder {mirror} does not exist; set EUROSTAT_MIRROR to a folder of Eurostat TSV files")
    if spec.source == "oecd":
        return _oecd_from_mirror(spec, mirror)
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


def _oecd_from_mirror(spec: DatasetSpec, mirror: Path) -> Fetched:
    """The OECD's answer kept in a mirror. A mirror without it (one made before the OECD source, or
    of Eurostat's files only) gives "no data" for the OECD's countries, said on the pages, not an error."""
    manifest = read_mirror_manifest(mirror)
    synthetic = bool(manifest.get("synthetic", False))
    try:
        path = mirror_file(mirror, spec.code, "csv")
    except FetchError:
        # the mirror's own time, as a mirror file's: the same provenance on every fetch from it
        return no_data(spec, source="mirror", location=str(mirror.resolve()), synthetic=synthetic,
                       why=f"the mirror holds no OECD file ({spec.code}.csv)", retrieved_at=_utc(mirror.stat().st_mtime))
    payload = path.read_bytes()
    table = parse_oecd_csv(payload, dataset=spec.code, dimensions=spec.key_order, source=str(path))
    entry = manifest.get("datasets", {}).get(spec.code, {})
    return received(spec, payload, table, source="mirror", location=str(mirror.resolve() / path.name), requests_made=0,
                    synthetic=synthetic, mirror_label=manifest.get("label", ""), retrieved_at=_utc(path.stat().st_mtime),
                    last_update=entry.get("last_update"))
