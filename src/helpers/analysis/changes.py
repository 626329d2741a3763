"""What a change of data does to the analysis: the claim verdicts that flip, the rankings that move."""

from __future__ import annotations

import pandas as pd

from helpers.analysis.claims import evaluate_all
from helpers.analysis.comparisons import cross_section, latest_year_with_data
from helpers.analysis.profiles import profile_series
from helpers.base.errors import MissingData
from helpers.catalogue import load_catalogue


def verdict_flips(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    rows = []
    compared = load_catalogue().comparison("paper")  # as the report ranks by default
    for before, after in zip(evaluate_all(old, compared=compared), evaluate_all(new, compared=compared)):
        for when, a, b in (
            ("paper year", before.verdict, after.verdict),
            ("latest year", before.latest_verdict, after.latest_verdict),
        ):
            if a != b:
                rows.append({"claim": before.claim["id"], "when": when, "before": a, "after": b})
    return pd.DataFrame(rows, columns=["claim", "when", "before", "after"])


def ranking_flips(old: pd.DataFrame, new: pd.DataFrame, paper_year: int = 2013) -> pd.DataFrame:
    """Countries whose rank changed in each comparison of the report (paper year and latest)."""
    rows = []
    for title, series in profile_series():
        try:
            years = sorted({paper_year, latest_year_with_data(old, series), latest_year_with_data(new, series)})
        except MissingData:
            continue
        for year in years:  # both stores hold the series (latest_year_with_data found it): a year without data is a gap
            a, b = cross_section(old, series, year), cross_section(new, series, year)
            joined = a[["geo", "rank"]].merge(b[["geo", "rank"]], on="geo", suffixes=("_before", "_after"))
            before, after = joined["rank_before"].astype("float"), joined["rank_after"].astype("float")
            moved = joined[(before != after) & ~(before.isna() & after.isna())]
            for _, row in moved.iterrows():
                rows.append(
                    {
                        "comparison": title,
                        "year": year,
                        "geo": row.geo,
                        "rank before": row.rank_before,
                        "rank after": row.rank_after,
                    }
                )
    return pd.DataFrame(rows, columns=["comparison", "year", "geo", "rank before", "rank after"])
