"""A country's profile (helpers.analysis.profiles): the report's comparisons, and the table that puts
a country's paper year beside its latest year, as the country page shows it."""

import pandas as pd

from helpers.analysis.comparisons import Series, country_profile
from helpers.analysis.profiles import profile_series, side_by_side
from tables import tidy

NAN = float("nan")


def test_the_profile_lists_the_reports_comparisons_in_its_order_in_the_unit_asked_for():
    assert profile_series() == [
        ("Youth civic use", Series("I_IUPOL2", "PC_IND", "Y16_24")),
        ("Social networks, high education", Series("I_IUSNET", "PC_IND", "I5_8")),
        ("Social networks, low education", Series("I_IUSNET", "PC_IND", "I0_2")),
        ("Seniors on social networks", Series("I_IUSNET", "PC_IND", "Y65_74")),
        ("Seniors online", Series("I_IU3", "PC_IND", "Y65_74")),
        ("Health information", Series("I_IHIF", "PC_IND", "IND_TOTAL")),
        ("Job search (unemployed)", Series("I_IUJOB", "PC_IND", "UNE")),
        ("E-government", Series("I_IUGOV12", "PC_IND", "IND_TOTAL")),
        ("Internet use", Series("I_IU3", "PC_IND", "IND_TOTAL")),
    ]
    # in another unit, every series but internet use itself (always a share of all individuals)
    units = {title: series.unit for title, series in profile_series("PC_IND_IU3")}
    assert units == {
        "Youth civic use": "PC_IND_IU3",
        "Social networks, high education": "PC_IND_IU3",
        "Social networks, low education": "PC_IND_IU3",
        "Seniors on social networks": "PC_IND_IU3",
        "Seniors online": "PC_IND",
        "Health information": "PC_IND_IU3",
        "Job search (unemployed)": "PC_IND_IU3",
        "E-government": "PC_IND_IU3",
        "Internet use": "PC_IND",
    }


def youth(year, values):
    return [("I_IUPOL2", "PC_IND", "Y16_24", geo, year, *v) for geo, v in values.items()]


STORE = tidy(
    youth(2013, {"NL": (31,), "AT": (8, "u"), "DE": (15,), "EU28": (14,)})
    + youth(2023, {"NL": (20,), "AT": (12.4, "b"), "EU27_2020": (16, "e")})
    + [
        ("I_IU3", "PC_IND", "IND_TOTAL", geo, year, value)
        for geo, year, value in [("AT", 2013, 81), ("NL", 2013, 94), ("AT", 2022, 79.5), ("NL", 2022, 97)]
    ]
    + [
        ("I_IHIF", "PC_IND", "IND_TOTAL", geo, year, value)
        for geo, year, value in [("NL", 2013, 50), ("NL", 2021, 60), ("AT", 2021, NAN), ("EU27_2020", 2021, 52)]
    ]
)
SERIES = [item for item in profile_series() if item[0] in ("Youth civic use", "Health information", "Internet use")]


def test_side_by_side_shows_each_comparison_then_and_now_with_the_eu_and_the_change_in_points():
    then = country_profile(STORE, "at", SERIES, 2013)
    now = country_profile(STORE, "at", SERIES, None)  # each series in its own latest year
    table = side_by_side(then, now, 2013)
    assert list(table.columns) == [
        "comparison",
        "group",
        "2013",
        "EU 2013",
        "rank 2013",
        "latest year",
        "latest",
        "EU latest",
        "rank latest",
        "change (points)",
    ]
    assert table.to_dict("records") == [
        {
            "comparison": "Youth civic use",
            "group": "16-24 year olds",
            "2013": "8.0 u",  # the flag after the value
            "EU 2013": "14.0 (EU-28)",
            "rank 2013": "3 of 3",
            "latest year": 2023,
            "latest": "12.4 b",
            "EU latest": "16.0 (EU-27)",
            "rank latest": "2 of 2",
            "change (points)": "+4.4",
        },
        {
            "comparison": "Health information",
            "group": "All individuals (16-74)",
            "2013": "no data",
            "EU 2013": "no data (EU-28)",
            "rank 2013": "no data",
            "latest year": 2021,
            "latest": "no data",
            "EU latest": "52.0 (EU-27)",
            "rank latest": "no data",
            "change (points)": "no data",
        },
        {
            "comparison": "Internet use",
            "group": "All individuals (16-74)",
            "2013": "81.0",  # no flag: nothing after the value
            "EU 2013": "no data (EU-28)",
            "rank 2013": "2 of 2",
            "latest year": 2022,
            "latest": "79.5",
            "EU latest": "no data (EU-27)",
            "rank latest": "2 of 2",
            "change (points)": "-1.5",
        },
    ]


def test_side_by_side_with_one_latest_year_names_it_and_an_aggregate_without_a_name_by_its_code():
    """`now` for one year (no year column): that year in every row; an EU code the page has no
    words for is shown as its code."""
    columns = ["comparison", "group", "value", "flag", "rank", "EU", "EU code"]
    then = pd.DataFrame(
        [["Youth civic use", "16-24 year olds", 30.0, "", "1 of 2", 20.0, "EU27_2007"]], columns=columns
    )
    now = pd.DataFrame([["Youth civic use", "16-24 year olds", 30.0, "p", "2 of 2", 25.5, "EA19"]], columns=columns)
    assert side_by_side(then, now, 2012, 2024).to_dict("records") == [
        {
            "comparison": "Youth civic use",
            "group": "16-24 year olds",
            "2012": "30.0",
            "EU 2012": "20.0 (EU-27 (2007))",
            "rank 2012": "1 of 2",
            "latest year": 2024,
            "latest": "30.0 p",
            "EU latest": "25.5 (EA19)",
            "rank latest": "2 of 2",
            "change (points)": "+0.0",
        }
    ]
    assert side_by_side(then, now, 2012).loc[0, "latest year"] == "latest"  # the default
