"""The processed store: one tidy, validated table built from ``data/raw``, with its provenance.

One row per (dataset, indic_is, unit, ind_type, geo, year), with ``value`` (float, NaN where
Eurostat has no value), ``flag`` (every observation flag letter, empty when none) and
``confidentiality`` (Eurostat's confidentiality status since 2025, ``C`` for confidential,
empty when none; a confidential cell never has a value). Eurostat codes are
kept; labels come from the catalogue.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from helpers.acquire.eurostat_tsv import (
    CONFIDENTIALITY_CODES,
    OBSERVATION_FLAGS,
    read_eurostat_tsv,
)
from helpers.acquire.received import provenance_path
from helpers.base.atomic_files import atomic_write
from helpers.base.errors import MissingData, ValidationError
from helpers.acquire.oecd_csv import OECD_OBSERVATION_STATUS, parse_oecd_csv
from helpers.catalogue import TIDY_DIMENSIONS, Catalogue, DatasetSpec, load_catalogue

KEY = ["dataset", *TIDY_DIMENSIONS, "year"]


PERCENT_UNITS = ("PC_", "PT_")  # Eurostat's percentages (PC_IND), the OECD's (PT_POP)


COLUMNS = [*KEY, "value", "flag", "confidentiality"]


TABLE_NAME = "ict_usage"


PROVENANCE_NAME = "provenance.json"


COUNTRIES_NAME = "countries.txt"  # read by the Makefile: one page per country with data


OECD_COUNTRIES_NAME = "oecd_countries.txt"  # the same, for the countries with the OECD's data only


def read_dataset(path: Path, spec: DatasetSpec) -> pd.DataFrame:
    """A raw file as its publisher wrote it, parsed into the long table (Eurostat's TSV, the OECD's CSV)."""
    if spec.source == "oecd":
        return parse_oecd_csv(path.read_bytes(), dataset=spec.code, dimensions=spec.key_order, source=str(path))
    return read_eurostat_tsv(path, dataset=spec.code)


def tidy_dataset(table: pd.DataFrame, catalogue: Catalogue) -> tuple[pd.DataFrame, list[str]]:
    """Keep the catalogue's series of one parsed dataset; return them and the geos left out."""
    spec = catalogue.dataset(table["dataset"].iloc[0])
    keep = pd.Series(True, index=table.index)
    for dimension, codes in spec.filters.items():
        keep &= table[dimension].isin(codes)
    table = table.loc[keep].rename(columns=spec.rename)
    known_geos = catalogue.known_codes("geo")
    unlabelled = sorted(set(table["geo"]) - known_geos)
    return table.loc[table["geo"].isin(known_geos), COLUMNS].reset_index(drop=True), unlabelled


def validate(table: pd.DataFrame, catalogue: Catalogue) -> None:
    """Raise `ValidationError` naming the offending rows when the table breaks a rule."""
    problems: list[str] = []

    def offending(mask: pd.Series, rule: str) -> None:
        if mask.any():
            rows = table.loc[mask, COLUMNS].head(5).to_dict("records")
            problems.append(f"{rule}: {int(mask.sum())} row(s), e.g. {rows}")

    missing_columns = [c for c in COLUMNS if c not in table.columns]
    if missing_columns:
        raise ValidationError(f"the tidy table lacks columns {missing_columns}")
    for dimension in TIDY_DIMENSIONS:
        offending(~table[dimension].isin(catalogue.known_codes(dimension)), f"unknown {dimension} code")
    offending(~table["dataset"].isin([s.code for s in catalogue.datasets]), "unknown dataset")
    offending(table.duplicated(KEY, keep=False), "duplicate key")
    if not pd.api.types.is_integer_dtype(table["year"]):
        problems.append(f"years are not integers (dtype {table['year'].dtype})")
    percent = table["unit"].str.startswith(PERCENT_UNITS)
    offending(percent & ~(table["value"].between(0, 100) | table["value"].isna()), "percentage outside 0-100")
    offending(
        ~table["flag"].astype(str).str.fullmatch(f"[{OBSERVATION_FLAGS}{OECD_OBSERVATION_STATUS}]*"),
        "unknown observation flag",
    )
    offending(
        ~table["confidentiality"].astype(str).str.fullmatch(f"[{CONFIDENTIALITY_CODES}]?"),
        "unknown confidentiality status",
    )
    if problems:
        raise ValidationError("the tidy table is not valid, nothing was written:\n- " + "\n- ".join(problems))


def build_store(raw_dir: str | Path, catalogue: Catalogue | None = None) -> tuple[pd.DataFrame, dict]:
    """Parse every raw dataset, keep the catalogue's series, validate; return table and provenance."""
    raw_dir = Path(raw_dir)
    catalogue = catalogue or load_catalogue()
    tables, records = [], []
    for spec in catalogue.datasets:
        record_path = provenance_path(raw_dir, spec.code)
        if not record_path.exists():
            raise MissingData(f"{raw_dir} has no {spec.code}: run `make data` (or the 00_fetch notebook) first")
        record = json.loads(record_path.read_text(encoding="utf-8"))
        if not record.get("file"):  # a source with no data for the report (the OECD's 404): recorded, nothing to read
            record["tidy_rows"], record["geos_not_in_catalogue"] = 0, []
            records.append(record)
            continue
        parsed = read_dataset(raw_dir / record["file"], spec)
        tidy, unlabelled = tidy_dataset(parsed, catalogue)
        record["tidy_rows"] = int(len(tidy))
        record["geos_not_in_catalogue"] = unlabelled
        tables.append(tidy)
        records.append(record)
    table = pd.concat(tables, ignore_index=True)
    table = table.sort_values(KEY, kind="stable").reset_index(drop=True)
    for column in ("dataset", *TIDY_DIMENSIONS, "flag", "confidentiality"):
        table[column] = table[column].astype(str)
    table["year"] = table["year"].astype("int64")
    table["value"] = table["value"].astype("float64")
    table, implausible = set_aside_implausible(table)
    validate(table, catalogue)
    provenance = {
        "synthetic": any(r.get("synthetic") for r in records),
        "datasets": records,
        "rows": int(len(table)),
        "implausible_values": implausible.to_dict("records"),
    }
    mark_unavailable(table, provenance)
    return table, provenance


def unavailable_sources(provenance: dict) -> dict[str, dict]:
    """The datasets that could not be fetched (the OECD's, when its API failed and no previous data was
    there): code -> publisher, reason and time of the attempt. Not "no data": nothing was received."""
    return {
        r["dataset"]: {
            "publisher": r.get("publisher", "Eurostat"),
            "reason": r["unavailable"],
            "attempted_at": r.get("attempted_at", ""),
        }
        for r in provenance.get("datasets", [])
        if r.get("unavailable")
    }


def mark_unavailable(table: pd.DataFrame, provenance: dict) -> pd.DataFrame:
    """Let the store carry what could not be fetched (``attrs["unavailable"]``), so that the analysis
    says "not checked" rather than "no data" wherever it reads the store (set only when something is)."""
    unavailable = unavailable_sources(provenance)
    if unavailable:
        table.attrs["unavailable"] = unavailable
    else:
        table.attrs.pop("unavailable", None)
    return table


def set_aside_implausible(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Blank percentages outside 0-100 (Eurostat never publishes them) and return them apart.

    They are not dropped silently: the provenance lists each one, the tidy notebook and the
    Data and methods page show them. Structural faults still stop the build (see `validate`).
    """
    mask = table["unit"].str.startswith(PERCENT_UNITS) & table["value"].notna() & ~table["value"].between(0, 100)
    implausible = table.loc[mask, COLUMNS].reset_index(drop=True)
    table = table.copy()
    table.loc[mask, "value"] = float("nan")
    return table, implausible


def write_store(table: pd.DataFrame, provenance: dict, processed_dir: str | Path) -> None:
    """Write Parquet (for the notebooks), CSV (for readers) and the provenance, each atomically."""
    processed_dir = Path(processed_dir)
    processed_dir.mkdir(parents=True, exist_ok=True)
    atomic_write(processed_dir / f"{TABLE_NAME}.csv", lambda p: table.to_csv(p, index=False, lineterminator="\n"))
    atomic_write(
        processed_dir / PROVENANCE_NAME,
        lambda p: Path(p).write_text(json.dumps(provenance, indent=2, sort_keys=True) + "\n"),
    )
    countries = " ".join(countries_with_data(table)) + "\n"
    atomic_write(processed_dir / COUNTRIES_NAME, lambda p: Path(p).write_text(countries))
    # the OECD's part not fetched: its countries' pages are built all the same, saying so
    oecd_countries = (
        load_catalogue().oecd_countries
        if any(u["publisher"] == "OECD" for u in unavailable_sources(provenance).values())
        else oecd_countries_with_data(table)
    )
    oecd = " ".join(oecd_countries) + "\n"
    atomic_write(processed_dir / OECD_COUNTRIES_NAME, lambda p: Path(p).write_text(oecd))
    # the Parquet file goes last: notebooks depend on it, so it marks the store complete
    atomic_write(processed_dir / f"{TABLE_NAME}.parquet", lambda p: table.to_parquet(p, index=False))


def load_store(processed_dir: str | Path) -> pd.DataFrame:
    """The tidy table, as the notebooks read it."""
    path = Path(processed_dir) / f"{TABLE_NAME}.parquet"
    if not path.exists():
        raise MissingData(f"no processed store at {path}: run `make data` first")
    table = pd.read_parquet(path)
    provenance = Path(processed_dir) / PROVENANCE_NAME
    # what could not be fetched travels with the store (read from its provenance, written beside it)
    return mark_unavailable(table, json.loads(provenance.read_text(encoding="utf-8")) if provenance.exists() else {})


def load_provenance(processed_dir: str | Path) -> dict:
    path = Path(processed_dir) / PROVENANCE_NAME
    if not path.exists():
        raise MissingData(f"no provenance at {path}: run `make data` first")
    return json.loads(path.read_text(encoding="utf-8"))


def countries_with_data(store: pd.DataFrame) -> list[str]:
    """Countries (not aggregates) with at least one value, in the catalogue's order."""
    catalogue = load_catalogue()
    present = set(store.loc[store.value.notna(), "geo"])
    return [geo for geo in catalogue.countries if geo in present]


def oecd_countries_with_data(store: pd.DataFrame) -> list[str]:
    """The countries Eurostat does not survey with at least one value of the OECD's, in the catalogue's order."""
    catalogue = load_catalogue()
    present = set(store.loc[store.value.notna(), "geo"])
    return [geo for geo in catalogue.oecd_countries if geo in present]
