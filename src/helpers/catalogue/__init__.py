"""The series catalogue: which datasets (Eurostat's, and the OECD's for the countries Eurostat does not
survey) and filters feed the report, and their labels.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from helpers.base.errors import UnknownCode

# The dimensions of the tidy table, after `dataset`; `freq` is dropped (annual only).
TIDY_DIMENSIONS = ("indic_is", "unit", "ind_type", "geo")


@dataclass(frozen=True)
class DatasetSpec:
    """One Eurostat dataset and the filters that select the report's series from it."""

    code: str
    title: str
    filters: dict[str, tuple[str, ...]]
    optional: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rename: dict[str, str] = field(default_factory=dict)  # a dataset dimension -> the store column it fills
    source: str = "eurostat"  # or "oecd": who publishes it, and so which client fetches it
    agency: str = "ESTAT"
    version: str = ""  # the OECD dataflow's version ("" = the latest)
    start_period: int | None = None
    key_order: tuple[str, ...] = ()  # the dimensions in the order of an SDMX data key (the OECD's)

    @property
    def publisher(self) -> str:
        """Who publishes it, in words."""
        return {"eurostat": "Eurostat", "oecd": "the OECD"}[self.source]

    def required(self, dimension: str) -> tuple[str, ...]:
        """The codes of a dimension that must be present in the data."""
        optional = set(self.optional.get(dimension, ()))
        return tuple(c for c in self.filters.get(dimension, ()) if c not in optional)


@dataclass(frozen=True)
class Catalogue:
    datasets: tuple[DatasetSpec, ...]
    labels: dict[str, dict[str, str]]
    aggregates: tuple[str, ...]
    comparison_sets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    comparison_names: dict[str, str] = field(default_factory=dict)
    oecd_countries: tuple[str, ...] = ()

    def comparison(self, name: str) -> list[str]:
        """The countries a comparison ranks: `paper`, `eu27` or `all`; another name lists these."""
        if name == "all":
            return list(self.countries)
        if name not in self.comparison_sets:
            raise UnknownCode(f"unknown comparison {name!r}; choose one of {', '.join([*self.comparison_sets, 'all'])}")
        return list(self.comparison_sets[name])

    def dataset(self, code: str) -> DatasetSpec:
        for spec in self.datasets:
            if spec.code == code:
                return spec
        known = ", ".join(s.code for s in self.datasets)
        raise UnknownCode(f"dataset {code!r} is not in the catalogue; it has {known}")

    def _tables(self, dimension: str) -> list[dict[str, str]]:
        """The label tables of a store column: its own and those of dataset dimensions renamed to it."""
        renamed = {source for spec in self.datasets for source, target in spec.rename.items() if target == dimension}
        return [self.labels.get(dimension, {}), *(self.labels.get(source, {}) for source in sorted(renamed))]

    def label(self, dimension: str, code: str) -> str:
        """The English label of a code; flags with several letters are explained letter by letter."""
        if dimension == "flag":
            return flag_meaning(code, self.labels["flag"])
        for table in self._tables(dimension):
            if code in table:
                return table[code]
        return code

    def known_codes(self, dimension: str) -> set[str]:
        return set().union(*self._tables(dimension))

    @property
    def countries(self) -> list[str]:
        """The countries of Eurostat's survey the catalogue labels (aggregates excluded), in label order."""
        return [g for g in self.labels["geo"] if g not in self.aggregates and g not in self.oecd_countries]

    def datasets_from(self, source: str) -> tuple[DatasetSpec, ...]:
        return tuple(spec for spec in self.datasets if spec.source == source)


def flag_meaning(flag: str, flag_labels: dict[str, str]) -> str:
    """Explain a flag such as ``ub`` as 'low reliability; break in time series'."""
    if not flag:
        return ""
    return "; ".join(flag_labels.get(letter, f"unknown flag {letter!r}") for letter in flag)


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """Read ``catalogue/series.toml`` from the package."""
    text = (Path(__file__).parent / "series.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    datasets = tuple(
        DatasetSpec(
            code=d["code"],
            title=d["title"],
            filters={k: tuple(v) for k, v in d["filters"].items()},
            optional={k: tuple(v) for k, v in d.get("optional", {}).items()},
            rename=dict(d.get("rename", {})),
            source=d.get("source", "eurostat"),
            agency=d.get("agency", "ESTAT"),
            version=d.get("version", ""),
            start_period=d.get("start_period"),
            key_order=tuple(d.get("key_order", ())),
        )
        for d in raw["dataset"]
    )
    return Catalogue(
        datasets=datasets,
        labels=raw["labels"],
        aggregates=tuple(raw["aggregates"]["codes"]),
        comparison_sets={k: tuple(v) for k, v in raw.get("comparison_sets", {}).items()},
        comparison_names=dict(raw.get("comparison_names", {})),
        oecd_countries=tuple(raw.get("oecd_countries", {}).get("codes", ())),
    )
