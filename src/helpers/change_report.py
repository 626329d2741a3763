"""What changed between the data the report was built from and a fresh fetch (or another mirror).

    python -m helpers.change_report [--mirror /path] [--output report/data-diff.md]

Fetches into a scratch folder (``data/raw`` is never touched), builds both tidy tables and
writes a readable summary: which series changed, the largest revisions, cells that appeared or
vanished, changed flags, and which claim verdicts and country rankings flip.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.catalogue import load_catalogue
from helpers.claims import evaluate_all
from helpers.comparisons import cross_section, latest_year_with_data
from helpers.errors import MissingData, ReportError
from helpers.fetch import fetch_all
from helpers.profiles import profile_series
from helpers.store import KEY, build_store

ROOT = Path(__file__).resolve().parents[2]
SERIES = ["dataset", "indic_is", "unit", "ind_type"]


def cell_changes(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Every cell whose value or flag differs, with the kind of change."""
    both = old.merge(new, on=KEY, how="outer", suffixes=("_old", "_new"), indicator=True)
    had, has = both["value_old"].notna(), both["value_new"].notna()
    revised = had & has & ~np.isclose(both["value_old"].fillna(0), both["value_new"].fillna(0), rtol=0, atol=1e-9)
    both["change"] = np.select(
        [revised, ~had & has, had & ~has, both["flag_old"].fillna("") != both["flag_new"].fillna("")],
        ["revised", "appeared", "vanished", "flag changed"], default="",
    )
    changes = both[both["change"] != ""].copy()
    changes["difference"] = changes["value_new"] - changes["value_old"]
    return changes[[*KEY, "value_old", "value_new", "difference", "flag_old", "flag_new", "change"]].reset_index(drop=True)


def verdict_flips(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    rows = []
    compared = load_catalogue().comparison("paper")  # as the report ranks by default
    for before, after in zip(evaluate_all(old, compared=compared), evaluate_all(new, compared=compared)):
        for when, a, b in (("paper year", before.verdict, after.verdict),
                           ("latest year", before.latest_verdict, after.latest_verdict)):
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
        for year in years:
            try:
                a, b = cross_section(old, series, year), cross_section(new, series, year)
            except MissingData:
                continue
            joined = a[["geo", "rank"]].merge(b[["geo", "rank"]], on="geo", suffixes=("_before", "_after"))
            before, after = joined["rank_before"].astype("float"), joined["rank_after"].astype("float")
            moved = joined[(before != after) & ~(before.isna() & after.isna())]
            for _, row in moved.iterrows():
                rows.append({"comparison": title, "year": year, "geo": row.geo,
                             "rank before": row.rank_before, "rank after": row.rank_after})
    return pd.DataFrame(rows, columns=["comparison", "year", "geo", "rank before", "rank after"])


def _markdown(table: pd.DataFrame) -> str:
    if table.empty:
        return "_none_\n"
    header = "| " + " | ".join(map(str, table.columns)) + " |\n|" + "---|" * len(table.columns) + "\n"
    body = "".join("| " + " | ".join("" if pd.isna(v) else (f"{v:.2f}" if isinstance(v, float) else str(v))
                                     for v in row) + " |\n" for row in table.itertuples(index=False))
    return header + body


def summarise(old: pd.DataFrame, new: pd.DataFrame, *, old_label: str, new_label: str) -> str:
    changes = cell_changes(old, new)
    by_series = (changes.groupby(SERIES).change.value_counts().unstack(fill_value=0).reset_index()
                 if not changes.empty else pd.DataFrame(columns=SERIES))
    largest = changes[changes.change == "revised"].reindex(
        changes[changes.change == "revised"].difference.abs().sort_values(ascending=False).index).head(10)
    flips, ranks = verdict_flips(old, new), ranking_flips(old, new)
    lines = [
        "# Data change report",
        "",
        f"Before: {old_label}  ",
        f"After: {new_label}",
        "",
        f"**{len(changes)} cell(s) changed in {len(by_series)} series; {len(flips)} verdict(s) flip; "
        f"{ranks.geo.nunique() if not ranks.empty else 0} country ranking(s) move.**",
        "",
        "## Series that changed",
        _markdown(by_series),
        "## Largest revisions",
        _markdown(largest[[*KEY, "value_old", "value_new", "difference"]]),
        "## Claim verdicts that flip",
        _markdown(flips),
        "## Rankings that move",
        _markdown(ranks),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compare a fresh fetch (or another mirror) with the locked data.")
    parser.add_argument("--raw-dir", type=Path, default=ROOT / "data" / "raw", help="the data the report uses")
    parser.add_argument("--mirror", help="compare with this mirror instead of a live fetch")
    parser.add_argument("--output", type=Path, default=ROOT / "report" / "data-diff.md")
    args = parser.parse_args(argv)
    try:
        old, _ = build_store(args.raw_dir)
        with tempfile.TemporaryDirectory(prefix="data-diff-") as scratch:
            fetch_all(scratch, source="mirror" if args.mirror else "live", mirror=args.mirror, refresh=True)
            new, _ = build_store(scratch)
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    text = summarise(old, new, old_label=f"{args.raw_dir} (the data the report uses)",
                     new_label=f"mirror {args.mirror}" if args.mirror else "a fresh fetch from Eurostat")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text + "\n", encoding="utf-8")
    print(text)
    print(f"\n(written to {args.output})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
