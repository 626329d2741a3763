import math

import pytest

from helpers.analysis.comparisons import (
    gap_note,
    Series,
    aggregate_value,
    check_countries,
    country_profile,
    cross_section,
    education_gap,
    education_gap_aggregate,
    eu_aggregate,
    eu_trend,
    latest_year_with_data,
    senior_uptake,
    then_and_now,
    youth_civic_use,
)
from helpers.base.errors import MissingData, UnknownCode
from tables import education_rows, tidy

YOUTH = tidy(
    [
        ("I_IUPOL2", "PC_IND", "Y16_24", "NL", 2013, 31),
        ("I_IUPOL2", "PC_IND", "Y16_24", "AT", 2013, 8, "u"),
        ("I_IUPOL2", "PC_IND", "Y16_24", "DE", 2013, 15),
        ("I_IUPOL2", "PC_IND", "Y16_24", "FR", 2013, float("nan"), "c"),
        ("I_IUPOL2", "PC_IND", "Y16_24", "EU28", 2013, 14),
        ("I_IUPOL2", "PC_IND", "Y16_24", "NL", 2023, 20),
        ("I_IUPOL2", "PC_IND", "Y16_24", "AT", 2023, 12),
        ("I_IUPOL2", "PC_IND", "Y16_24", "EU27_2020", 2023, 16),
    ]
)


def test_youth_civic_use_ranks_countries_and_leaves_aggregates_out():
    table = youth_civic_use(YOUTH, 2013)
    assert list(table.geo) == ["NL", "DE", "AT", "FR"]
    assert list(table["rank"].astype("float").fillna(-1)) == [1, 2, 3, -1]
    assert table.loc[table.geo == "AT", "flag"].item() == "u"
    assert math.isnan(table.loc[table.geo == "FR", "value"].item())  # missing stays missing, never zero


def test_then_and_now_gives_the_change():
    change = then_and_now(youth_civic_use(YOUTH, 2013), youth_civic_use(YOUTH, 2023))
    nl = change[change.geo == "NL"].iloc[0]
    assert (nl.then, nl.now, nl.change) == (31, 20, -11)
    assert math.isnan(change[change.geo == "DE"].change.item())


def test_eu_aggregate_switches_after_2019():
    assert eu_aggregate(2013) == "EU28" and eu_aggregate(2019) == "EU28" and eu_aggregate(2020) == "EU27_2020"
    series = Series("I_IUPOL2", "PC_IND", "Y16_24")
    assert aggregate_value(YOUTH, series, 2013)["value"] == 14
    assert aggregate_value(YOUTH, series, 2023)["geo"] == "EU27_2020"
    assert list(eu_trend(YOUTH, series).geo) == ["EU27_2020"]  # one aggregate per line, never spliced


def test_latest_year_and_missing_year_errors():
    series = Series("I_IUPOL2", "PC_IND", "Y16_24")
    assert latest_year_with_data(YOUTH, series) == 2023
    gap = youth_civic_use(YOUTH, 2015)  # a year without data is a gap in the series, not an error
    assert gap.value.isna().all() and gap.attrs["years_with_data"] == [2013, 2023]
    assert (
        gap_note("young people's civic use", 2015, gap.attrs["years_with_data"])
        == "No data for young people's civic use in 2015; the nearest years with data are 2013 and 2023."
    )
    assert gap_note("x", 2030, [2013, 2023]).endswith("the nearest year with data is 2023.")


def test_missing_series_names_dataset_and_filter():
    with pytest.raises(MissingData, match="no series indic_is=I_IUVOTE, unit=PC_IND, ind_type=Y16_24"):
        youth_civic_use(YOUTH, 2013, indic_is="I_IUVOTE")
    with pytest.raises(MissingData, match="in dataset isoc_ci_ac_i"):
        youth_civic_use(YOUTH, 2013, unit="PC_IND_IU3")


def test_unknown_country_lists_the_valid_ones():
    with pytest.raises(
        UnknownCode, match=r"unknown country code 'XX'; valid codes: EU27_2020, EU28, EU27_2007, AT, BE"
    ):
        check_countries(["XX"])
    with pytest.raises(UnknownCode, match="Greece is 'EL'"):
        check_countries(["gr"])
    assert check_countries(["nl", " at"]) == ["NL", "AT"]


EDUCATION = tidy(
    education_rows(2013, {"TR": (70, 12), "DE": (50, 48), "ES": (65, 30), "EU28": (53, 31), "PT": (60, float("nan"))})
)


def test_education_gap_is_high_minus_low_ranked_by_gap():
    table = education_gap(EDUCATION, 2013)
    assert list(table.geo) == ["TR", "ES", "DE", "PT"]
    assert list(table.gap[:3]) == [58, 35, 2]
    assert math.isnan(table.gap.iloc[3])
    aggregate = education_gap_aggregate(EDUCATION, 2013)
    assert (aggregate["geo"], aggregate["high"], aggregate["low"], aggregate["gap"]) == ("EU28", 53, 31, 22)


SENIORS = tidy(
    [
        ("I_IUSNET", "PC_IND", "Y65_74", "IS", 2013, 25),
        ("I_IUSNET", "PC_IND", "Y65_74", "IT", 2013, 5),
        ("I_IUSNET", "PC_IND", "Y16_24", "IS", 2013, 95),
        ("I_IUSNET", "PC_IND", "Y16_24", "IT", 2013, 80),
        ("I_IU3", "PC_IND", "Y65_74", "IS", 2013, 70),
        ("I_IU3", "PC_IND", "Y65_74", "IT", 2013, 20),
    ]
)


def test_senior_uptake_with_distance_to_the_young():
    table = senior_uptake(SENIORS, 2013)
    assert list(table.geo) == ["IS", "IT"]
    assert list(table.distance_to_16_24) == [70, 75]
    assert list(table.internet) == [70, 20]


def test_country_profile_gives_value_rank_and_eu():
    profile = country_profile(YOUTH, "at", [("Youth civic use", Series("I_IUPOL2", "PC_IND", "Y16_24"))], 2013)
    row = profile.iloc[0]
    assert (row.value, row["rank"], row.EU, row["EU code"], row.flag) == (8, "3 of 3", 14, "EU28", "u")


def test_cross_section_of_unknown_series():
    with pytest.raises(MissingData):
        cross_section(YOUTH, Series("I_NOPE", "PC_IND", "Y16_24"), 2013)


def test_a_change_across_a_break_in_series_is_marked():
    from helpers.analysis.comparisons import breaks_between

    rows = [
        ("I_IUPOL2", "PC_IND", "Y16_24", "NL", 2013, 30),
        ("I_IUPOL2", "PC_IND", "Y16_24", "NL", 2019, 25, "b"),
        ("I_IUPOL2", "PC_IND", "Y16_24", "NL", 2023, 20),
        ("I_IUPOL2", "PC_IND", "Y16_24", "AT", 2013, 8, "b"),
        ("I_IUPOL2", "PC_IND", "Y16_24", "AT", 2023, 12),
    ]
    store = tidy(rows)
    series = Series("I_IUPOL2", "PC_IND", "Y16_24")
    breaks = breaks_between(store, [series], 2013, 2023)
    assert breaks == {"NL"}  # AT's break is in the paper's year itself, not between the two years
    change = then_and_now(youth_civic_use(store, 2013), youth_civic_use(store, 2023), breaks=breaks)
    assert change.set_index("geo")["break between"].to_dict() == {
        "NL": "yes: the change crosses a break in series",
        "AT": "",
    }


def test_a_cross_section_reads_the_store_as_it_is_now_and_is_never_shared():
    """Nothing is remembered between calls: a store changed in place (a JupyterLab kernel) is ranked
    afresh, with or without the series index; a caller that changes its table changes nothing for the next."""
    from helpers.analysis.comparisons import series_index

    store = YOUTH.copy()
    series = Series("I_IUPOL2", "PC_IND", "Y16_24")
    first = cross_section(store, series, 2013, ["NL", "AT", "DE", "FR", "IT"])
    first.loc[0, "value"] = -1.0
    first.attrs["years_with_data"].append(1999)
    again = cross_section(store, series, 2013, ["NL", "AT", "DE", "FR", "IT"])
    assert again.value.iloc[0] == 31 and again.attrs == {"years_with_data": [2013, 2023]}
    assert list(cross_section(store, series, 2013).geo[:2]) == ["NL", "DE"]
    store.loc[store.geo == "AT", "value"] = 40.0  # in place: the same object, other content
    assert list(cross_section(store, series, 2013).geo[:2]) == ["AT", "NL"]
    assert list(cross_section(store, series, 2013, index=series_index(store)).geo[:2]) == ["AT", "NL"]


def test_ties_share_the_higher_rank_and_are_listed_alphabetically():
    store = tidy(
        [
            ("I_IUPOL2", "PC_IND", "Y16_24", geo, 2013, v)
            for geo, v in {"SE": 20, "AT": 20, "NL": 31, "DE": 15, "FR": float("nan")}.items()
        ]
    )
    table = cross_section(store, Series("I_IUPOL2", "PC_IND", "Y16_24"), 2013)
    assert list(table.geo) == ["NL", "AT", "SE", "DE", "FR"]  # highest first, ties by code, no value last
    assert list(table["rank"].astype("float").fillna(-1)) == [1, 2, 2, 4, -1]  # 1, 2, 2, 4: not 1, 2, 2, 3
