"""What a change of data does (helpers.analysis.changes): the verdicts that flip and the ranks that move,
as the change report lists them, worked out by hand on small stores."""

import pandas as pd

from helpers.analysis.changes import ranking_flips, verdict_flips
from tables import education_rows, tidy

NAN = float("nan")


def youth(year, values, indic="I_IUPOL2"):
    return [(indic, "PC_IND", "Y16_24", geo, year, value) for geo, value in values.items()]


def internet(year, values):
    return [("I_IU3", "PC_IND", "IND_TOTAL", geo, year, value) for geo, value in values.items()]


def test_the_verdicts_that_flip_are_listed_by_claim_and_year_with_both_verdicts():
    # Y-1: the paper's year unchanged (NL 32 leads, AT 8 trails: reproduced); in 2020 Austria drops
    # below 10 and the Netherlands, back to 31, lead again: partly before, reproduced after.
    # E-1: the EU's high-education share goes from 53 (the paper's) to 60, in the only year: both flip.
    before = (
        youth(2013, {"NL": 32, "AT": 8, "DE": 20})
        + youth(2020, {"NL": 25, "AT": 12, "DE": 30})
        + education_rows(2013, {"EU28": (53, 31), "DE": (50, 40)})
    )
    after = (
        youth(2013, {"NL": 32, "AT": 8, "DE": 20})
        + youth(2020, {"NL": 31, "AT": 9, "DE": 20})
        + education_rows(2013, {"EU28": (60, 31), "DE": (50, 40)})
    )
    flips = verdict_flips(tidy(before), tidy(after))
    assert flips.to_dict("records") == [
        {"claim": "Y-1", "when": "latest year", "before": "partly", "after": "reproduced"},
        {"claim": "E-1", "when": "paper year", "before": "reproduced", "after": "partly"},
        {"claim": "E-1", "when": "latest year", "before": "reproduced", "after": "partly"},
    ]
    # the other way round, the same flips reversed
    back = verdict_flips(tidy(after), tidy(before))
    assert list(zip(back.claim, back.when, back.before, back.after)) == list(
        zip(flips.claim, flips.when, flips.after, flips.before)
    )


def test_a_change_in_a_country_the_paper_did_not_compare_flips_no_verdict():
    """Verdicts rank among the paper's countries, as the report does by default: Latvia (not an OECD
    member in 2014) overtaking the Netherlands changes nothing."""
    behind = tidy(youth(2013, {"NL": 32, "AT": 8, "DE": 20, "LV": 10}))
    ahead = tidy(youth(2013, {"NL": 32, "AT": 8, "DE": 20, "LV": 40}))
    for before, after in ((behind, ahead), (ahead, behind)):
        flips = verdict_flips(before, after)
        assert flips.empty and list(flips.columns) == ["claim", "when", "before", "after"]


OLD = tidy(
    youth(2013, {"NL": 31, "AT": 8, "DE": 15, "FR": NAN, "IT": 5})
    + youth(2020, {"NL": 20, "AT": 12, "DE": 30})
    + internet(2011, {"NL": 90, "AT": 80})
    + internet(2013, {"NL": 92, "AT": 81})
)
NEW = tidy(
    youth(2013, {"NL": 31, "AT": 16, "DE": 15, "FR": NAN, "IT": NAN})  # AT overtakes DE; IT loses its value
    + youth(2020, {"NL": 20, "AT": 32, "DE": 30})  # AT first
    + youth(2021, {"NL": 1, "AT": 2})  # a year the old data do not have: nothing to compare
    + internet(2011, {"NL": 70, "AT": 80})  # only in 2011, neither the paper's year nor the latest
    + internet(2013, {"NL": 92, "AT": 81})
)


def test_the_ranks_that_move_are_listed_by_comparison_year_and_country():
    flips = ranking_flips(OLD, NEW)
    assert list(flips.columns) == ["comparison", "year", "geo", "rank before", "rank after"]
    rows = [tuple(row) for row in flips.itertuples(index=False)]
    assert rows[:2] == [("Youth civic use", 2013, "DE", 2, 3), ("Youth civic use", 2013, "AT", 3, 2)]
    italy = rows[2]  # a country that lost its value: ranked before, not after
    assert italy[:4] == ("Youth civic use", 2013, "IT", 4) and pd.isna(italy[4])
    assert rows[3:] == [
        ("Youth civic use", 2020, "DE", 1, 2),
        ("Youth civic use", 2020, "NL", 2, 3),
        ("Youth civic use", 2020, "AT", 3, 1),
    ]  # in the old ranking's order; France, without a value in both, did not move


def test_the_ranks_are_compared_in_the_paper_year_asked_for_and_the_latest_years():
    flips = ranking_flips(OLD, NEW, paper_year=2011)
    assert [tuple(row) for row in flips.itertuples(index=False)] == [
        ("Youth civic use", 2020, "DE", 1, 2),
        ("Youth civic use", 2020, "NL", 2, 3),
        ("Youth civic use", 2020, "AT", 3, 1),
        ("Internet use", 2011, "NL", 1, 2),
        ("Internet use", 2011, "AT", 2, 1),
    ]
    same = ranking_flips(OLD, OLD)
    assert same.empty and list(same.columns) == ["comparison", "year", "geo", "rank before", "rank after"]
