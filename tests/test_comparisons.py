import math

import pytest

from helpers.analysis.comparisons import (
    gap_note,
    Series,
    trend,
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


# The countries Eurostat does not survey, on the OECD's data (unit PT_POP, the OECD's codes)


def oecd(measure, band, rows):
    return [(measure, "PT_POP", band, geo, year, *value) for geo, year, value in rows]


OECD = tidy(
    oecd(
        "D1B_I",
        "Y55T74",
        [("KOR", 2023, (70, "B")), ("KOR", 2013, (30, "E")), ("KOR", 2021, (60,)), ("JPN", 2012, (20,))]
        + [("JPN", 2013, (float("nan"),))],
    )
    + oecd("D1B_I", "Y16T24", [("KOR", 2013, (90,)), ("KOR", 2022, (95,)), ("JPN", 2022, (97,))])
    + oecd("C5B_I", "Y55T74", [("KOR", 2013, (50,))])
    + [("I_IUPOL2", "PC_IND", "Y16_24", "NL", 2013, 30)]
)
SOCIAL, ONLINE = "Using the internet for social networking", "Internet users (used it in the last 3 months)"


def records(table):
    """A table's rows as dicts, a missing value (NaN, NA) as None: NaN is never equal to itself."""
    import pandas as pd

    return [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in table.to_dict("records")]


def test_the_oecd_countries_then_and_now_with_the_flags_in_words_and_a_row_for_each_measure_without_data():
    from helpers.analysis.comparisons import oecd_then_and_now

    def row(country, code, measure, then, flag_then, latest_year, latest, flag_latest, change):
        return {
            "country": country,
            "code": code,
            "measure": measure,
            "group": "55-74 year olds",
            "2013": then,
            "flag 2013": flag_then,
            "latest year": latest_year,
            "latest": latest,
            "flag latest": flag_latest,
            "change (points)": change,
        }

    assert records(oecd_then_and_now(OECD, 2013)) == [
        row("Korea", "KOR", SOCIAL, 30, "estimated value (OECD)", 2023, 70, "break in time series (OECD)", 40),
        row("Korea", "KOR", ONLINE, 50, "", 2013, 50, "", 0),
        row("Japan", "JPN", SOCIAL, None, "", 2012, 20, "", None),  # the latest with a value, before the paper's
        row("Japan", "JPN", ONLINE, None, "", "no data", None, "", None),
        row("United States", "USA", SOCIAL, None, "", "no data", None, "", None),
        row("United States", "USA", ONLINE, None, "", "no data", None, "", None),
    ]


def test_the_oecd_table_for_some_countries_bands_and_measures_up_to_a_latest_year():
    from helpers.analysis.comparisons import oecd_then_and_now

    table = oecd_then_and_now(OECD, 2013, 2022, ("Y55T74", "Y16T24"), ("D1B_I",), ["KOR"])
    assert list(table.columns) == [
        "country", "code", "measure", "group", "2013", "flag 2013", "latest year", "latest", "flag latest",
        "change (points)",
    ]  # fmt: skip
    assert [
        tuple(row) for row in table[["code", "group", "2013", "latest year", "latest", "change (points)"]].values
    ] == [
        ("KOR", "55-74 year olds", 30, 2021, 60, 30),  # 2023 is after the latest year asked for
        ("KOR", "16-24 year olds", 90, 2022, 95, 5),
    ]
    assert list(oecd_then_and_now(OECD, 2021, measures=("D1B_I",), countries=["KOR"])["2021"]) == [60]


def test_an_oecd_country_page_sets_a_measure_without_any_value_apart():
    from helpers.analysis.comparisons import oecd_then_and_now, split_by_data

    held, without = split_by_data(oecd_then_and_now(OECD, 2013, countries=["JPN"]))
    assert list(held.measure) == [SOCIAL] and list(held.index) == [0] and without == [ONLINE]
    held, without = split_by_data(oecd_then_and_now(OECD, 2013, countries=["KOR"]))
    assert list(held.measure) == [SOCIAL, ONLINE] and without == []


def test_an_oecd_trend_is_one_line_per_country_and_empty_when_the_series_is_absent():
    from helpers.analysis.comparisons import oecd_trend

    lines = oecd_trend(OECD)
    assert records(lines) == [
        {"geo": "JPN", "year": 2012, "value": 20, "flag": "", "country": "Japan"},
        {"geo": "JPN", "year": 2013, "value": None, "flag": "", "country": "Japan"},
        {"geo": "KOR", "year": 2013, "value": 30, "flag": "E", "country": "Korea"},
        {"geo": "KOR", "year": 2021, "value": 60, "flag": "", "country": "Korea"},
        {"geo": "KOR", "year": 2023, "value": 70, "flag": "B", "country": "Korea"},
    ]
    assert list(oecd_trend(OECD, "D1B_I", "Y16T24").geo) == ["JPN", "KOR", "KOR"]
    absent = oecd_trend(OECD, "C5B_I", "Y16T24")
    assert absent.empty and list(absent.columns) == ["geo", "year", "value", "flag", "country"]


def test_an_oecd_age_trend_is_a_line_per_age_band_named_in_words():
    from helpers.analysis.comparisons import oecd_age_trend

    # Y16T74 and Y_GE75 are absent: left out; the other bands by name, then year
    assert records(oecd_age_trend(OECD, "KOR")) == [
        {"geo": "KOR", "year": 2013, "value": 90, "flag": "", "country": "16-24 year olds"},
        {"geo": "KOR", "year": 2022, "value": 95, "flag": "", "country": "16-24 year olds"},
        {"geo": "KOR", "year": 2013, "value": 30, "flag": "E", "country": "55-74 year olds"},
        {"geo": "KOR", "year": 2021, "value": 60, "flag": "", "country": "55-74 year olds"},
        {"geo": "KOR", "year": 2023, "value": 70, "flag": "B", "country": "55-74 year olds"},
    ]
    japan = oecd_age_trend(OECD, "JPN", ind_types=("Y55T74",))  # its 2013 has no value: not a point
    assert list(zip(japan.year, japan.value)) == [(2012, 20)]
    for absent in (oecd_age_trend(OECD, "KOR", "C5B_I", ("Y16T24",)), oecd_age_trend(OECD, "KOR", "X", ())):
        assert absent.empty and list(absent.columns) == ["geo", "year", "value", "flag", "country"]


def test_an_oecd_country_is_checked_and_another_code_names_the_oecd_countries():
    from helpers.analysis.comparisons import check_oecd_country

    assert check_oecd_country(" kor") == "KOR"
    with pytest.raises(UnknownCode) as refused:
        check_oecd_country("nl")
    assert str(refused.value) == "'NL' is not one of the countries taken from the OECD's data: KOR, JPN, USA"


# What readers see of the comparisons, whole: each table's rows, each message's words


def test_a_gap_names_the_nearest_years_with_data_on_either_side_or_says_there_are_none():
    years = [2011, 2012, 2014, 2015]
    assert gap_note("x", 2013, years) == "No data for x in 2013; the nearest years with data are 2012 and 2014."
    assert gap_note("x", 2010, years) == "No data for x in 2010; the nearest year with data is 2011."
    assert gap_note("x", 2016, years) == "No data for x in 2016; the nearest year with data is 2015."
    assert gap_note("x", 2013, []) == "No data for x in 2013; the series has no data in any year."


def test_a_missing_series_names_where_it_was_looked_for_and_a_series_without_values_says_so():
    from helpers.analysis.comparisons import series_index, series_rows, years_with_data

    absent = Series("I_NOPE", "PC_IND", "Y16_24")
    said = (
        "no series indic_is=I_NOPE, unit=PC_IND, ind_type=Y16_24 in any dataset of the store; "
        "check the catalogue's filters and run `make data`"
    )
    for index in (None, series_index(YOUTH)):
        with pytest.raises(MissingData) as refused:
            series_rows(YOUTH, absent, index)
        assert str(refused.value) == said
    series = Series("I_IUPOL2", "PC_IND", "Y16_24")
    assert list(series_rows(YOUTH, series, series_index(YOUTH)).geo) == list(series_rows(YOUTH, series).geo)
    only_eu = tidy(
        [("I_IUPOL2", "PC_IND", "Y16_24", "EU28", 2012, 14), ("I_IUPOL2", "PC_IND", "Y16_24", "NL", 2014, float("nan"))]
    )
    assert years_with_data(only_eu, series) == []  # the EU is not a country; NL has no value
    assert years_with_data(only_eu, series, countries_only=False) == [2012]
    with pytest.raises(MissingData) as refused:
        latest_year_with_data(only_eu, series)
    assert str(refused.value) == "the series indic_is=I_IUPOL2, unit=PC_IND, ind_type=Y16_24 has no values at all"


def test_country_codes_are_checked_each_refusal_in_its_own_words():
    with pytest.raises(UnknownCode) as refused:
        check_countries(["AT", "gb"])
    assert str(refused.value) == "the United Kingdom is 'UK' in Eurostat, not 'GB'"
    with pytest.raises(UnknownCode) as refused:
        check_countries(["EL", " gr "])
    assert str(refused.value) == "Greece is 'EL' in Eurostat, not 'GR'"
    with pytest.raises(UnknownCode) as refused:
        check_countries(["xx"])
    assert str(refused.value).startswith("unknown country code 'XX'; valid codes: EU27_2020, EU28, EU27_2007, AT, BE, ")
    assert check_countries(("uk", "el")) == ["UK", "EL"]


def test_the_eu_aggregate_of_a_year_with_its_name_and_flag_and_no_value_when_the_store_has_none():
    series = Series("I_IUPOL2", "PC_IND", "Y16_24")
    flagged = tidy([("I_IUPOL2", "PC_IND", "Y16_24", "EU28", 2013, 14, "e")])
    assert aggregate_value(flagged, series, 2013) == {
        "geo": "EU28",
        "label": "European Union (28 countries, 2013-2020)",
        "year": 2013,
        "value": 14,
        "flag": "e",
    }
    missing = aggregate_value(YOUTH, series, 2020)
    assert math.isnan(missing.pop("value"))
    assert missing == {
        "geo": "EU27_2020",
        "label": "European Union (27 countries, from 2020)",
        "year": 2020,
        "flag": "",
    }


def test_a_cross_section_of_a_comparison_set_lists_each_country_of_the_set_with_or_without_a_value():
    table = cross_section(YOUTH, Series("I_IUPOL2", "PC_IND", "Y16_24"), 2023, ["AT", "IT", "NL"])
    assert list(table.columns) == ["geo", "country", "value", "flag", "rank", "year"]
    assert records(table) == [
        {"geo": "NL", "country": "Netherlands", "value": 20, "flag": "", "rank": 1, "year": 2023},
        {"geo": "AT", "country": "Austria", "value": 12, "flag": "", "rank": 2, "year": 2023},
        {"geo": "IT", "country": "Italy", "value": None, "flag": "", "rank": None, "year": 2023},  # no value, listed
    ]
    assert table.attrs == {"years_with_data": [2013, 2023]}


def test_then_and_now_joins_both_years_by_country_with_flags_ranks_and_change_sorted_by_now():
    change = then_and_now(youth_civic_use(YOUTH, 2013), youth_civic_use(YOUTH, 2023))
    assert list(change.columns) == [
        "geo", "country", "then", "flag_then", "rank_then", "now", "flag_now", "rank_now", "change", "break between",
    ]  # fmt: skip
    assert [tuple(row.values()) for row in records(change)] == [
        ("NL", "Netherlands", 31, "", 1, 20, "", 1, -11, ""),
        ("AT", "Austria", 8, "u", 3, 12, "", 2, 4, ""),
        ("DE", "Germany", 15, "", 2, None, None, None, None, ""),  # no value now: after those with one
        ("FR", "France", None, "c", None, None, None, None, None, ""),
    ]


def test_an_education_gap_for_a_comparison_set_with_both_flags_and_the_years_both_shares_have():
    store = tidy(
        education_rows(2013, {"TR": (70, 12), "DE": (50, 48), "EU28": (53, 31)})
        + [("I_IUSNET", "PC_IND", "I5_8", "ES", 2013, 65, "u"), ("I_IUSNET", "PC_IND", "I0_2", "ES", 2013, 30, "b")]
        + education_rows(2015, {"DE": (60, 40)})
        + [("I_IUSNET", "PC_IND", "I5_8", "DE", 2017, 70)]
    )
    table = education_gap(store, 2013, countries=["ES", "DE", "IT"])
    assert list(table.columns) == ["geo", "country", "high", "flag_high", "low", "flag_low", "gap", "rank", "year"]
    assert [tuple(row) for row in table[["geo", "country", "flag_high", "flag_low", "year"]].values] == [
        ("ES", "Spain", "u", "b", 2013),
        ("DE", "Germany", "", "", 2013),
        ("IT", "Italy", "", "", 2013),  # in the set, without values: listed, not ranked
    ]
    assert list(table.gap.fillna(-1)) == [35, 2, -1] and list(table["rank"].astype("float").fillna(-1)) == [1, 2, -1]
    assert table.attrs["years_with_data"] == [2013, 2015]  # 2017 has the high share only
    assert education_gap_aggregate(store, 2013) == {
        "geo": "EU28",
        "label": "European Union (28 countries, 2013-2020)",
        "year": 2013,
        "high": 53,
        "low": 31,
        "gap": 22,
        "flag_high": "",
        "flag_low": "",
    }


def test_senior_uptake_is_the_whole_table_sorted_by_social_networks_with_the_years_of_each_series():
    store = tidy(
        [
            ("I_IUSNET", "PC_IND", "Y65_74", "IT", 2013, 5, "u"),
            ("I_IUSNET", "PC_IND", "Y65_74", "IS", 2013, 25),
            ("I_IUSNET", "PC_IND", "Y65_74", "IS", 2011, 20),
            ("I_IUSNET", "PC_IND", "Y16_24", "IS", 2013, 95),
            ("I_IUSNET", "PC_IND", "Y16_24", "IT", 2013, 80),
            ("I_IU3", "PC_IND", "Y65_74", "IS", 2013, 70, "e"),
            ("I_IU3", "PC_IND", "Y65_74", "IT", 2013, 20),
            ("I_IU3", "PC_IND", "Y65_74", "IT", 2012, 18),
            ("I_IUSNET", "PC_IND_IU3", "Y65_74", "IS", 2013, 35),  # another unit: not this table's
        ]
    )
    table = senior_uptake(store, 2013, countries=["IT", "IS"])
    assert list(table.columns) == [
        "geo", "country", "social_networks", "flag_social_networks", "rank", "internet", "flag_internet",
        "social_networks_16_24", "distance_to_16_24", "year",
    ]  # fmt: skip
    assert [tuple(row) for row in table.astype({"rank": int}).values] == [
        ("IS", "Iceland", 25, "", 1, 70, "e", 95, 70, 2013),
        ("IT", "Italy", 5, "u", 2, 20, "", 80, 75, 2013),
    ]
    assert table.attrs == {"years_with_data": [2011, 2013], "years_online": [2012, 2013]}


def test_a_trend_is_one_series_for_the_countries_and_aggregates_asked_for_by_code_then_year():
    lines = trend(YOUTH, Series("I_IUPOL2", "PC_IND", "Y16_24"), ["NL", "EU28", "AT"])
    assert [tuple(row) for row in lines.values] == [
        ("AT", 2013, 8, "u", "Austria"),
        ("AT", 2023, 12, "", "Austria"),
        ("EU28", 2013, 14, "", "European Union (28 countries, 2013-2020)"),
        ("NL", 2013, 31, "", "Netherlands"),
        ("NL", 2023, 20, "", "Netherlands"),
    ]


def test_a_country_profile_ranks_within_the_set_the_country_belongs_to_else_among_all():
    youth = [("Youth civic use", Series("I_IUPOL2", "PC_IND", "Y16_24"))]
    words = "Expressing opinions on civic or political issues on websites or social media"
    within = country_profile(YOUTH, "at", youth, 2013, ["AT", "NL", "IT"])
    assert within.to_dict("records") == [
        {
            "year": 2013,
            "comparison": "Youth civic use",
            "indicator": words,
            "group": "16-24 year olds",
            "value": 8,
            "flag": "u",
            "rank": "2 of 2",  # of the set's countries with a value (Italy has none)
            "EU": 14,
            "EU code": "EU28",
        }
    ]
    assert country_profile(YOUTH, "DE", youth, 2013, ["AT", "NL"])["rank"].item() == "2 of 3"  # DE not in the set
    latest = country_profile(YOUTH, "de", youth, None).iloc[0]  # its own latest year: 2023, without Germany
    assert (latest.year, latest.flag, latest["rank"], latest.EU, latest["EU code"]) == (
        2023,
        "",
        "no data",
        16,
        "EU27_2020",
    )
    assert math.isnan(latest.value)


def test_the_nearest_years_are_the_last_before_and_the_first_after_never_the_year_itself():
    from helpers.analysis.comparisons import nearest_years

    assert nearest_years([2010, 2012, 2013, 2014, 2016], 2013) == (2012, 2014)
    assert nearest_years([2013], 2013) == (None, None)


def test_a_break_in_the_last_year_or_in_any_of_the_series_marks_the_change():
    from helpers.analysis.comparisons import breaks_between

    store = tidy(
        [
            ("I_IUPOL2", "PC_IND", "Y16_24", "NL", 2023, 20, "b"),  # the latest value is after a break
            ("I_IUPOL2", "PC_IND", "Y16_24", "AT", 2024, 12, "b"),  # after the last year: not between
            ("I_IUPOL2", "PC_IND", "Y16_24", "DE", 2015, 12, "bu"),  # with another flag
            ("I_IUPOL2", "PC_IND", "Y16_24", "FR", 2015, 12, "u"),
            ("I_IUSNET", "PC_IND", "Y16_24", "SE", 2020, 90, "b"),
            ("I_IUSNET", "PC_IND", "Y16_24", "NL", 2019, 90),
        ]
    )
    series = [Series("I_IUPOL2", "PC_IND", "Y16_24"), Series("I_IUSNET", "PC_IND", "Y16_24")]
    assert breaks_between(store, series, 2013, 2023) == {"NL", "DE", "SE"}
    assert breaks_between(store, series[::-1], 2013, 2023) == {"NL", "DE", "SE"}


def test_youth_civic_use_ranks_the_comparison_set_only():
    table = youth_civic_use(YOUTH, 2013, countries=["AT", "DE", "SE"])
    assert list(table.geo) == ["DE", "AT", "SE"]  # NL, outside the set, is not ranked; SE has no value
    assert [str(rank) for rank in table["rank"]] == ["1", "2", "<NA>"]


def test_an_education_gap_keeps_every_country_with_either_share_ties_sharing_a_rank_listed_by_code():
    store = tidy(
        education_rows(2013, {"TR": (70, 12), "ES": (65, 55), "DE": (50, 40), "AT": (60, 50), "PT": (60, float("nan"))})
        + [("I_IUSNET", "PC_IND", "I5_8", "IT", 2013, 55)]  # no row for the low share at all
        + [("I_IUSNET", "PC_IND", "I0_2", "BE", 2013, 20)]  # nor for the high share
    )
    table = education_gap(store, 2013)
    assert list(table.geo) == ["TR", "AT", "DE", "ES", "BE", "IT", "PT"]
    assert [str(rank) for rank in table["rank"]] == ["1", "2", "2", "2", "<NA>", "<NA>", "<NA>"]  # as shown
    assert list(table.gap.fillna(-1)) == [58, 10, 10, 10, -1, -1, -1]


def test_senior_uptake_keeps_a_country_with_either_use_and_ties_share_a_rank_listed_by_code():
    store = tidy(
        [
            ("I_IUSNET", "PC_IND", "Y65_74", "NO", 2013, 40),
            ("I_IUSNET", "PC_IND", "Y65_74", "IS", 2013, 25),
            ("I_IUSNET", "PC_IND", "Y65_74", "FI", 2013, 25),  # no internet use, no 16-24s
            ("I_IUSNET", "PC_IND", "Y65_74", "DK", 2013, 10),
            ("I_IUSNET", "PC_IND", "Y16_24", "IS", 2013, 95),
            ("I_IUSNET", "PC_IND", "Y16_24", "NO", 2013, 90),
            ("I_IU3", "PC_IND", "Y65_74", "IS", 2013, 70),
            ("I_IU3", "PC_IND", "Y65_74", "NO", 2013, 80),
            ("I_IU3", "PC_IND", "Y65_74", "SE", 2013, 75),  # internet use only
        ]
    )
    table = senior_uptake(store, 2013)
    assert list(table.geo) == ["NO", "FI", "IS", "DK", "SE"]
    assert [str(rank) for rank in table["rank"]] == ["1", "2", "2", "4", "<NA>"]
    assert list(table.internet.fillna(-1)) == [80, -1, 70, -1, 75]
    assert list(table.distance_to_16_24.fillna(-1)) == [50, -1, 70, -1, -1]
    within = senior_uptake(store, 2013, countries=["IS", "FI", "SE", "EL"])  # Norway and Denmark left out
    assert list(within.geo) == ["FI", "IS", "EL", "SE"]
    assert [str(rank) for rank in within["rank"]] == ["1", "1", "<NA>", "<NA>"]
    assert list(within.internet.fillna(-1)) == [-1, 70, -1, 75]


def test_the_eu_trend_is_the_eu27_2020_line_alone_in_year_order():
    store = tidy(
        [
            ("I_IUPOL2", "PC_IND", "Y16_24", "EU27_2020", 2023, 16, "e"),
            ("I_IUPOL2", "PC_IND", "Y16_24", "EU28", 2013, 14),
            ("I_IUPOL2", "PC_IND", "Y16_24", "NL", 2013, 31),
            ("I_IUPOL2", "PC_IND", "Y16_24", "EU27_2020", 2013, 13),
        ]
    )
    line = eu_trend(store, Series("I_IUPOL2", "PC_IND", "Y16_24"))
    assert list(line.columns) == ["geo", "year", "value", "flag"]
    assert [tuple(row) for row in line.values] == [("EU27_2020", 2013, 13, ""), ("EU27_2020", 2023, 16, "e")]


def test_a_measure_without_data_set_apart_leaves_the_others_as_they_were():
    from helpers.analysis.comparisons import oecd_then_and_now, split_by_data

    profile = oecd_then_and_now(OECD, 2013, measures=("C5B_I", "D1B_I"), countries=["JPN"])
    held, without = split_by_data(profile)
    assert without == [ONLINE] and list(held.columns) == list(profile.columns)
    assert records(held) == records(profile.iloc[[1]])


def test_the_latest_year_with_data_is_the_last_of_several_with_or_without_the_series_index():
    from helpers.analysis.comparisons import series_index

    store = tidy(
        [("I_IUPOL2", "PC_IND", "Y16_24", "NL", year, 30) for year in (2021, 2013, 2017)]
        + [
            ("I_IUPOL2", "PC_IND", "Y16_24", "NL", 2023, float("nan")),
            ("I_IUPOL2", "PC_IND", "Y16_24", "EU27_2020", 2024, 16),
        ]
    )
    series = Series("I_IUPOL2", "PC_IND", "Y16_24")
    assert latest_year_with_data(store, series) == latest_year_with_data(store, series, series_index(store)) == 2021
    # a gap note's years: the countries' years with a value, not the EU's alone
    assert cross_section(store, series, 2015).attrs == {"years_with_data": [2013, 2017, 2021]}
