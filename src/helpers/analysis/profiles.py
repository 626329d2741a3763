"""What a country profile shows: the report's comparisons for one country, and the claims naming it."""

from __future__ import annotations

import pandas as pd

from helpers.analysis.comparisons import Series


def profile_series(unit: str = "PC_IND") -> list[tuple[str, Series]]:
    """The comparisons of the report, one series each, in the report's order."""
    return [
        ("Youth civic use", Series("I_IUPOL2", unit, "Y16_24")),
        ("Social networks, high education", Series("I_IUSNET", unit, "I5_8")),
        ("Social networks, low education", Series("I_IUSNET", unit, "I0_2")),
        ("Seniors on social networks", Series("I_IUSNET", unit, "Y65_74")),
        ("Seniors online", Series("I_IU3", "PC_IND", "Y65_74")),
        ("Health information", Series("I_IHIF", unit, "IND_TOTAL")),
        ("Job search (unemployed)", Series("I_IUJOB", unit, "UNE")),
        ("E-government", Series("I_IUGOV12", unit, "IND_TOTAL")),
        ("Internet use", Series("I_IU3", "PC_IND", "IND_TOTAL")),
    ]


def side_by_side(then: pd.DataFrame, now: pd.DataFrame, then_year: int, now_year: int | str = "latest") -> pd.DataFrame:
    """A country's profile for the paper's year and the latest year side by side, with the change
    and the EU beside each (the EU aggregate of its year, named in words). With `now` taken per
    series (each in its latest year), the latest year is a column of its own."""
    eu_name = {"EU28": "EU-28", "EU27_2020": "EU-27", "EU27_2007": "EU-27 (2007)"}

    def value(row):
        shown = (
            "no data" if pd.isna(row["value"]) else f"{row['value']:.1f}" + (f" {row['flag']}" if row["flag"] else "")
        )
        eu = "no data" if pd.isna(row["EU"]) else f"{row['EU']:.1f}"
        return shown, f"{eu} ({eu_name.get(row['EU code'], row['EU code'])})", row["rank"]

    rows = []
    for (_, a), (_, b) in zip(then.iterrows(), now.iterrows()):
        then_value, then_eu, then_rank = value(a)
        now_value, now_eu, now_rank = value(b)
        change = b["value"] - a["value"]
        rows.append(
            {
                "comparison": a["comparison"],
                "group": a["group"],
                f"{then_year}": then_value,
                f"EU {then_year}": then_eu,
                f"rank {then_year}": then_rank,
                "latest year": int(b["year"]) if "year" in b else now_year,
                "latest": now_value,
                "EU latest": now_eu,
                "rank latest": now_rank,
                "change (points)": "no data" if pd.isna(change) else f"{change:+.1f}",
            }
        )
    return pd.DataFrame(rows)
