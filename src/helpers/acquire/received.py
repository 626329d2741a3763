"""A dataset as received, its provenance record and where both are written in ``data/raw``.

Everything received is kept as received (Eurostat's gzip TSV, the OECD's SDMX-CSV), beside a
provenance record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd

from helpers.acquire.eurostat_tsv import GZIP_MAGIC
from helpers.base.errors import FetchError, MalformedFile
from helpers.catalogue import Catalogue, DatasetSpec


@dataclass
class Fetched:
    """One dataset as received, with its provenance record (no payload: the source has no data for it)."""

    code: str
    payload: bytes | None
    provenance: dict
    extension: str = "tsv"  # Eurostat's TSV; the OECD's SDMX-CSV is "csv"

    @property
    def filename(self) -> str:
        if self.payload is None:
            return ""
        return f"{self.code}.{self.extension}" + (".gz" if self.payload[:2] == GZIP_MAGIC else "")


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
            raise MalformedFile(
                f"{source}: {spec.code} has no dimension {dimension!r} (it has {', '.join(table.columns)})"
            )
        present = set(table[dimension].unique())
        missing = [c for c in spec.required(dimension) if c not in present]
        if missing:
            raise FetchError(
                f"{source}: series missing from {spec.code}: {dimension}={'+'.join(missing)} "
                f"(the catalogue's filter asks for them; the dataset has {', '.join(sorted(present))})"
            )


def _finish_provenance(provenance: dict, payload: bytes, table: pd.DataFrame) -> dict:
    dims = [c for c in table.columns if c not in ("dataset", "year", "value", "flag", "confidentiality")]
    provenance["sha256"] = hashlib.sha256(payload).hexdigest()
    provenance["bytes"] = len(payload)
    provenance["series"] = int(table[dims].drop_duplicates().shape[0]) if len(table) else 0
    provenance["rows"] = int(len(table))
    return provenance


def provenance_path(raw_dir: Path, code: str) -> Path:
    return raw_dir / f"{code}.provenance.json"


def raw_is_complete(raw_dir: Path, catalogue: Catalogue) -> bool:
    return all(provenance_path(raw_dir, spec.code).exists() for spec in catalogue.datasets)
