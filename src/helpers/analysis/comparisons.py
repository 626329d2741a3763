"""The paper's comparisons, recomputed from the tidy store.

Every function takes the tidy table (``helpers.store.tidy.load_store``) and returns a small table
with Eurostat codes, English labels, values and flags. Countries are ranked; aggregates (EU)
are returned apart. Bad input (unknown country, year without data, missing series) raises an
error that says what is valid.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from helpers.base.errors import MissingData, UnknownCode
from helpers.catalogue import Catalogue, load_catalogue

PAPER_YEAR = 2013


LAST_EU28_YEAR = 2019


@dataclass(frozen=True)
class Series:
    """One Eurostat series: indicator, unit and group (dataset found from the indicator)."""

    indic_is: str
    unit: str
    ind_type: str

    def describe(self) -> str:
        return f"indic_is={self.indic_is}, unit={self.unit}, ind_type={self.ind_type}"


def eu_aggregate(year: int) -> str:
    """EU28 up to 2019, EU27_2020 after (the United Kingdom left the EU in 2020)."""
    return "EU28" if year <= LAST_EU28_YEAR else "EU27_2020"


def check_countries(codes, catalogue: Catalogue | None = None) -> list[str]:
    """Upper-case and check country codes; an unknown one fails naming the valid ones."""
    catalogue = catalogue or load_catalogue()
    checked = []
    for code in codes:
        code = str(code).strip().upper()
        if code == "GR":
            raise UnknownCode("Greece is 'EL' in Eurostat, not 'GR'")
        if code == "GB":
            raise UnknownCode("the United Kingdom is 'UK' in Eurostat, not 'GB'")
        if code not in catalogue.labels["geo"]:
            valid = ", ".join(catalogue.labels["geo"])
            raise UnknownCode(f"unknown country code {code!r}; valid codes: {valid}")
        checked.append(code)
    return checked


SeriesIndex = dict[tuple[str, str, str], pd.DataFrame]


def series_index(store: pd.DataFrame) -> SeriesIndex:
    """The store split by series (about 0.1 s): a function that looks up many series builds it once
    and passes it along (`index=`); nothing keeps it, so a store changed afterwards is read afresh."""
    groups = store.groupby(["indic_is", "unit", "ind_type"], sort=False)
    return {cast(tuple[str, str, str], key): frame for key, frame in groups}


def series_rows(store: pd.DataFrame, series: Series, index: SeriesIndex | None = None) -> pd.DataFrame:
    """All rows of one series (from `index` when given, else from the store, about 10 ms); a series
    absent from the store names its dataset and filter."""
    if index is not None:
        rows = index.get((series.indic_is, series.unit, series.ind_type), store.iloc[0:0])
    else:
        rows = store[
            (store.indic_is == series.indic_is) & (store.unit == series.unit) & (store.ind_type == series.ind_type)
        ]
    if rows.empty:
        datasets = sorted(store.loc[store.indic_is == series.indic_is, "dataset"].unique())
        where = f"dataset {datasets[0]}" if datasets else "any dataset of the store"
        raise MissingData(
            f"no series {series.describe()} in {where}; check the catalogue's filters and run `make data`"
        )
    return rows


def years_with_data(
    store: pd.DataFrame, series: Series, *, countries_only: bool = True, index: SeriesIndex | None = None
) -> list[int]:
    return _years_of(series_rows(store, series, index), countries_only)


def _years_of(rows: pd.DataFrame, countries_only: bool = True) -> list[int]:
    keep = rows.value.notna().to_numpy()  # masks as numpy arrays: a page asks this some twenty times
    if countries_only:
        keep = keep & ~rows.geo.isin(load_catalogue().aggregates).to_numpy()
    return [int(y) for y in np.unique(rows.year.to_numpy()[keep])]  # sorted


def nearest_years(years: list[int], year: int) -> tuple[int | None, int | None]:
    """The years with data nearest to `year`: the last before it and the first after it (None when none)."""
    before = [y for y in years if y < year]
    after = [y for y in years if y > year]
    return (before[-1] if before else None), (after[0] if after else None)


def gap_note(series_words: str, year: int, years: list[int]) -> str:
    """'No data for <series> in 2012; the nearest years with data are 2011 and 2013.' (for readers)"""
    before, after = nearest_years(years, year)
    near = " and ".join(str(y) for y in (before, after) if y is not None)
    return f"No data for {series_words} in {year}; " + (
        f"the nearest years with data are {near}."
        if before and after
        else f"the nearest year with data is {near}." if near else "the series has no data in any year."
    )


def latest_year_with_data(store: pd.DataFrame, series: Series, index: SeriesIndex | None = None) -> int:
    years = years_with_data(store, series, index=index)
    if not years:
        raise MissingData(f"the series {series.describe()} has no values at all")
    return years[-1]


def cross_section(
    store: pd.DataFrame,
    series: Series,
    year: int,
    countries: list[str] | None = None,
    *,
    index: SeriesIndex | None = None,
) -> pd.DataFrame:
    """Countries (ranked, highest first) for one series and year; aggregates excluded.

    With `countries` (a comparison set), exactly those countries, the ones without a value listed
    as such, so that two years rank the same set. A year in which the series has no value gives a
    table without values (a gap, not an error): its ``attrs["years_with_data"]`` lists the years
    that have some, for the page to say which are nearest."""
    catalogue = load_catalogue()
    year = int(year)
    rows = series_rows(store, series, index)
    years = _years_of(rows)
    rows = rows[(rows.year.to_numpy() == year) & ~rows.geo.isin(catalogue.aggregates).to_numpy()]
    table = rows[["geo", "value", "flag"]].copy()
    if countries is not None:
        table = table[table.geo.isin(countries).to_numpy()]
        present = set(table.geo.tolist())
        absent = [g for g in countries if g not in present]
        table = pd.concat([table, pd.DataFrame({"geo": absent, "value": np.nan, "flag": ""})], ignore_index=True)
    table.insert(1, "country", table.geo.map(catalogue.labels["geo"]))
    table = table.sort_values(["value", "geo"], ascending=[False, True], na_position="last").reset_index(drop=True)
    table["rank"] = table.value.rank(ascending=False, method="min").astype("Int64")
    table["year"] = int(year)
    table.attrs = {"years_with_data": years}  # only this: not the store's own attrs
    return table


def aggregate_value(store: pd.DataFrame, series: Series, year: int, *, index: SeriesIndex | None = None) -> dict:
    """The EU aggregate of the year (EU28 to 2019, EU27_2020 after), with its code."""
    code = eu_aggregate(year)
    rows = series_rows(store, series, index)
    row = rows[(rows.geo == code) & (rows.year == year)]
    value = float(row.value.iloc[0]) if len(row) else float("nan")
    flag = row.flag.iloc[0] if len(row) else ""
    return {"geo": code, "label": load_catalogue().labels["geo"][code], "year": int(year), "value": value, "flag": flag}


def breaks_between(store: pd.DataFrame, series: list[Series], first: int, last: int) -> set[str]:
    """Countries whose series (any of `series`) has a break in time series (flag b) after `first`
    and up to `last`: a change between the two years then compares across a break."""
    found: set[str] = set()
    for item in series:
        rows = series_rows(store, item)
        rows = rows[(rows.year > first) & (rows.year <= last) & rows.flag.str.contains("b", regex=False)]
        found |= set(rows.geo)
    return found


def then_and_now(
    then: pd.DataFrame, now: pd.DataFrame, value: str = "value", *, breaks: Set[str] = frozenset()
) -> pd.DataFrame:
    """Join two cross-sections by country and add the change in percentage points; `breaks` (from
    `breaks_between`) marks the countries whose change crosses a break in series."""
    left = then[["geo", "country", value, "flag", "rank"]].rename(
        columns={value: "then", "flag": "flag_then", "rank": "rank_then"}
    )
    right = now[["geo", value, "flag", "rank"]].rename(columns={value: "now", "flag": "flag_now", "rank": "rank_now"})
    joined = left.merge(right, on="geo", how="outer")
    joined["country"] = joined.geo.map(load_catalogue().labels["geo"])
    joined["change"] = joined["now"] - joined["then"]
    joined["break between"] = joined.geo.map(
        lambda g: "yes: the change crosses a break in series" if g in breaks else ""
    )
    return joined.sort_values(["now", "geo"], ascending=[False, True], na_position="last").reset_index(drop=True)


YOUTH_CIVIC_INDICATORS = ("I_IUPOL2", "I_IUPOL1", "I_IUVOTE", "I_IUCPP")


def youth_civic_use(
    store: pd.DataFrame,
    year: int,
    indic_is: str = "I_IUPOL2",
    unit: str = "PC_IND",
    group: str = "Y16_24",
    countries: list[str] | None = None,
) -> pd.DataFrame:
    """Share of 16-24 year olds using the internet for civic or political issues, by country."""
    return cross_section(store, Series(indic_is, unit, group), year, countries)


def education_gap(
    store: pd.DataFrame,
    year: int,
    indic_is: str = "I_IUSNET",
    unit: str = "PC_IND",
    high: str = "I5_8",
    low: str = "I0_2",
    countries: list[str] | None = None,
) -> pd.DataFrame:
    """High vs no-or-low formal education, by country: both shares and the gap in points.

    Ranked by gap, largest first. Countries missing either value have a missing gap.
    """
    highs = cross_section(store, Series(indic_is, unit, high), year, countries)
    lows = cross_section(store, Series(indic_is, unit, low), year, countries)
    table = (
        highs[["geo", "country", "value", "flag"]]
        .rename(columns={"value": "high", "flag": "flag_high"})
        .merge(
            lows[["geo", "value", "flag"]].rename(columns={"value": "low", "flag": "flag_low"}), on="geo", how="outer"
        )
    )
    table["country"] = table.geo.map(load_catalogue().labels["geo"])
    table["gap"] = table["high"] - table["low"]
    table = table.sort_values(["gap", "geo"], ascending=[False, True], na_position="last").reset_index(drop=True)
    table["rank"] = table.gap.rank(ascending=False, method="min").astype("Int64")
    table["year"] = int(year)
    table.attrs["years_with_data"] = sorted(set(highs.attrs["years_with_data"]) & set(lows.attrs["years_with_data"]))
    return table


def education_gap_aggregate(
    store: pd.DataFrame,
    year: int,
    indic_is: str = "I_IUSNET",
    unit: str = "PC_IND",
    high: str = "I5_8",
    low: str = "I0_2",
) -> dict:
    hi = aggregate_value(store, Series(indic_is, unit, high), year)
    lo = aggregate_value(store, Series(indic_is, unit, low), year)
    return {
        "geo": hi["geo"],
        "label": hi["label"],
        "year": int(year),
        "high": hi["value"],
        "low": lo["value"],
        "gap": hi["value"] - lo["value"],
        "flag_high": hi["flag"],
        "flag_low": lo["flag"],
    }


def senior_uptake(
    store: pd.DataFrame, year: int, unit: str = "PC_IND", countries: list[str] | None = None
) -> pd.DataFrame:
    """65-74 year olds on social networks and online, by country, with the distance to 16-24s.

    Social networks (I_IUSNET) in `unit`; internet use (I_IU3) always as % of all individuals.
    Ranked by social-network use.
    """
    snet = cross_section(store, Series("I_IUSNET", unit, "Y65_74"), year, countries)
    online = cross_section(store, Series("I_IU3", "PC_IND", "Y65_74"), year, countries)
    young = cross_section(store, Series("I_IUSNET", unit, "Y16_24"), year, countries)
    table = (
        snet[["geo", "country", "value", "flag", "rank"]]
        .rename(columns={"value": "social_networks", "flag": "flag_social_networks"})
        .merge(
            online[["geo", "value", "flag"]].rename(columns={"value": "internet", "flag": "flag_internet"}),
            on="geo",
            how="outer",
        )
        .merge(young[["geo", "value"]].rename(columns={"value": "social_networks_16_24"}), on="geo", how="left")
    )
    table["country"] = table.geo.map(load_catalogue().labels["geo"])
    table["distance_to_16_24"] = table["social_networks_16_24"] - table["social_networks"]
    table["year"] = int(year)
    table.attrs["years_with_data"] = snet.attrs["years_with_data"]
    table.attrs["years_online"] = online.attrs["years_with_data"]
    return table.sort_values(["social_networks", "geo"], ascending=[False, True], na_position="last").reset_index(
        drop=True
    )


def trend(store: pd.DataFrame, series: Series, geos: list[str]) -> pd.DataFrame:
    """One series over all years for some countries or aggregates (long table)."""
    rows = series_rows(store, series)
    rows = rows[rows.geo.isin(geos)][["geo", "year", "value", "flag"]].copy()
    rows["country"] = rows.geo.map(load_catalogue().labels["geo"])
    return rows.sort_values(["geo", "year"]).reset_index(drop=True)


TREND_AGGREGATE = "EU27_2020"


def eu_trend(store: pd.DataFrame, series: Series) -> pd.DataFrame:
    """The EU over the years as ONE series: EU27_2020 throughout (Eurostat computes it back to the
    early survey years). Never EU28 spliced onto EU27_2020: the two differ by the United Kingdom,
    and a spliced line would show the membership change as a trend. EU28 is used only for
    paper-year checks (`eu_aggregate`)."""
    rows = series_rows(store, series)
    rows = rows[rows.geo == TREND_AGGREGATE][["geo", "year", "value", "flag"]]
    return rows.sort_values("year").reset_index(drop=True)


def country_profile(
    store: pd.DataFrame,
    country: str,
    series: list[tuple[str, Series]],
    year: int | None,
    countries: list[str] | None = None,
) -> pd.DataFrame:
    """A country's value, rank and flag for several series in one year, beside the EU aggregate.

    `year` None: each series in its own latest year with data (series are not all collected every
    year). Ranked within the comparison set `countries` when the country belongs to it, else among all."""
    (country,) = check_countries([country])
    compared = countries if countries is not None and country in countries else None
    index = series_index(store)
    rows = []
    for title, item in series:
        year_of = year if year is not None else latest_year_with_data(store, item, index)
        section = cross_section(store, item, year_of, compared, index=index)
        mine = section[section.geo == country]
        eu = aggregate_value(store, item, year_of, index=index)
        value = float(mine.value.iloc[0]) if len(mine) else np.nan
        rows.append(
            {
                "year": int(year_of),
                "comparison": title,
                "indicator": load_catalogue().label("indic_is", item.indic_is),
                "group": load_catalogue().label("ind_type", item.ind_type),
                "value": value,
                "flag": mine.flag.iloc[0] if len(mine) else "",
                "rank": (
                    f"{mine['rank'].iloc[0]} of {int(section.value.notna().sum())}"
                    if len(mine) and pd.notna(value)
                    else "no data"
                ),
                "EU": eu["value"],
                "EU code": eu["geo"],
            }
        )
    return pd.DataFrame(rows)


OECD_SENIOR_MEASURES = ("D1B_I", "C5B_I")  # social networking; internet users (the OECD's codes)


OECD_AGE_BANDS = ("Y16T74", "Y16T24", "Y55T74", "Y_GE75")


def oecd_then_and_now(
    store: pd.DataFrame,
    paper_year: int,
    latest_year: int = 0,
    ind_types: tuple[str, ...] = ("Y55T74",),
    measures: tuple[str, ...] = OECD_SENIOR_MEASURES,
    countries: list[str] | None = None,
) -> pd.DataFrame:
    """The countries Eurostat does not survey, on the OECD's data: each measure and age band in the
    paper's year and the latest year with data (not after `latest_year` when given), with the OECD's
    flags in words. A measure the data do not hold is a row saying "no data", never left out."""
    catalogue = load_catalogue()
    rows = []
    for geo, indic_is, ind_type in (
        (g, m, a) for g in (countries or catalogue.oecd_countries) for m in measures for a in ind_types
    ):
        try:
            values = series_rows(store, Series(indic_is, "PT_POP", ind_type))
        except MissingData:
            values = pd.DataFrame(columns=["geo", "year", "value", "flag"])
        values = values[(values.geo == geo) & values.value.notna()]
        if latest_year:
            values = values[values.year <= latest_year]
        values = values.sort_values("year")
        then = values[values.year == paper_year]
        last = values.iloc[-1] if len(values) else None
        then_value = float(then.value.iloc[0]) if len(then) else np.nan
        rows.append(
            {
                "country": catalogue.label("geo", geo),
                "code": geo,
                "measure": catalogue.label("indic_is", indic_is),
                "group": catalogue.label("ind_type", ind_type),
                f"{paper_year}": then_value,
                f"flag {paper_year}": catalogue.label("flag", then.flag.iloc[0]) if len(then) else "",
                "latest year": int(last.year) if last is not None else "no data",
                "latest": float(last.value) if last is not None else np.nan,
                "flag latest": catalogue.label("flag", last.flag) if last is not None else "",
                "change (points)": (float(last.value) - then_value) if last is not None else np.nan,
            }
        )
    return pd.DataFrame(rows)


def oecd_trend(store: pd.DataFrame, indic_is: str = "D1B_I", ind_type: str = "Y55T74") -> pd.DataFrame:
    """One OECD series over the years for the countries Eurostat does not survey (empty when absent)."""
    try:
        return trend(store, Series(indic_is, "PT_POP", ind_type), list(load_catalogue().oecd_countries))
    except MissingData:
        return pd.DataFrame(columns=["geo", "year", "value", "flag", "country"])


def oecd_age_trend(
    store: pd.DataFrame, country: str, indic_is: str = "D1B_I", ind_types: tuple[str, ...] = OECD_AGE_BANDS
) -> pd.DataFrame:
    """One OECD measure over the years for one country, a line per age band (``country`` names the band)."""
    catalogue = load_catalogue()
    lines = []
    for ind_type in ind_types:
        try:
            rows = series_rows(store, Series(indic_is, "PT_POP", ind_type))
        except MissingData:
            continue
        rows = rows[(rows.geo == country) & rows.value.notna()][["geo", "year", "value", "flag"]].copy()
        lines.append(rows.assign(country=catalogue.label("ind_type", ind_type)))
    if not lines:
        return pd.DataFrame(columns=["geo", "year", "value", "flag", "country"])
    return pd.concat(lines).sort_values(["country", "year"]).reset_index(drop=True)


def check_oecd_country(code: str) -> str:
    """A country Eurostat does not survey, whose page is built from the OECD's data; else one line naming them."""
    catalogue = load_catalogue()
    code = str(code).strip().upper()
    if code not in catalogue.oecd_countries:
        raise UnknownCode(
            f"{code!r} is not one of the countries taken from the OECD's data: "
            f"{', '.join(catalogue.oecd_countries)}"
        )
    return code


def split_by_data(profile: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """An `oecd_then_and_now` table's rows with a value in some year, and the measures with none at all
    (said once in words rather than as rows of "no data")."""
    has_value = profile["latest year"] != "no data"
    empty = [m for m in profile.measure.unique() if not has_value[profile.measure == m].any()]
    return profile[~profile.measure.isin(empty)].reset_index(drop=True), empty
