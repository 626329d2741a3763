"""The words around each chart, computed from its table: titles that state the finding,
alt text that says what the chart shows, captions that say what was measured.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from helpers.catalogue import load_catalogue


def _pct(value: float) -> str:
    return "no data" if pd.isna(value) else f"{value:.0f}%"


def _name(geo: str) -> str:
    return load_catalogue().labels["geo"].get(geo, geo)


def ranked_title(table: pd.DataFrame, year: int, what: str, value: str = "value") -> str:
    """'2013: Iceland highest (31%), Bulgaria lowest (8%) of 31 countries - <what>'."""
    known = table.dropna(subset=[value]).sort_values([value, "geo"], ascending=[False, True])
    if known.empty:
        return f"{year}: no country has data - {what}"
    top, bottom = known.iloc[0], known.iloc[-1]
    return (
        f"{year}: {_name(top.geo)} highest ({_pct(top[value])}), {_name(bottom.geo)} lowest "
        f"({_pct(bottom[value])}) of {len(known)} countries - {what}"
    )


def highlight_sentence(table: pd.DataFrame, highlight: Sequence[str], value: str = "value") -> str:
    parts = []
    for geo in highlight:
        row = table[table.geo == geo]
        if row.empty or pd.isna(row[value].iloc[0]):
            parts.append(f"{_name(geo)}: no data")
        else:
            parts.append(f"{_name(geo)} {_pct(row[value].iloc[0])} (rank {row['rank'].iloc[0]})")
    return "; ".join(parts)


def ranked_alt(table: pd.DataFrame, year: int, what: str, highlight: Sequence[str], value: str = "value") -> str:
    known = table.dropna(subset=[value])
    missing = len(table) - len(known)
    text = f"Bar chart ranking {len(known)} countries by {what} in {year}, highest first. "
    if not known.empty:
        top = known.sort_values(value, ascending=False).iloc[0]
        bottom = known.sort_values(value).iloc[0]
        text += f"Highest: {_name(top.geo)} {_pct(top[value])}; lowest: {_name(bottom.geo)} {_pct(bottom[value])}. "
    if highlight:
        text += highlight_sentence(table, highlight, value) + ". "
    if missing:
        text += f"{missing} countries have no data."
    return text.strip()


def gap_title(table: pd.DataFrame, year: int, what: str) -> str:
    known = table.dropna(subset=["gap"])
    if known.empty:
        return f"{year}: no country has data on both education groups - {what}"
    widest = known.sort_values(["gap", "geo"], ascending=[False, True]).iloc[0]
    narrowest = known.loc[known.gap.abs().sort_values().index[0]]
    return (
        f"{year}: the education gap in {what} is widest in {_name(widest.geo)} ({widest.gap:.0f} points) "
        f"and narrowest in {_name(narrowest.geo)} ({narrowest.gap:+.0f})"
    )


def gap_alt(table: pd.DataFrame, year: int, what: str, aggregate: dict) -> str:
    known = table.dropna(subset=["gap"])
    text = (
        f"Dumbbell chart of {what} in {year} for {len(known)} countries: for each country a dot for people with "
        f"high formal education and one for people with no or low formal education, ordered by the gap. "
    )
    if not known.empty:
        widest = known.sort_values("gap", ascending=False).iloc[0]
        text += f"Widest gap: {_name(widest.geo)}, {_pct(widest.high)} against {_pct(widest.low)}. "
    if not pd.isna(aggregate.get("gap")):
        text += (
            f"{aggregate['label']}: {_pct(aggregate['high'])} against {_pct(aggregate['low'])}, "
            f"a gap of {aggregate['gap']:.0f} points."
        )
    return text.strip()


def trend_alt(table: pd.DataFrame, what: str) -> str:
    parts = []
    for name, group in table.dropna(subset=["value"]).groupby("country", sort=True):
        first, last = group.sort_values("year").iloc[0], group.sort_values("year").iloc[-1]
        parts.append(f"{name} from {_pct(first.value)} in {first.year} to {_pct(last.value)} in {last.year}")
    return f"Line chart of {what} over the years: " + ("; ".join(parts) if parts else "no data") + "."


def chosen_note(named: list[str], others: list[str]) -> str:
    """Why a chart shows these countries: those the paper names, and those added for comparison."""

    def listed(codes):
        names = [_name(g) for g in codes]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    extra = [g for g in others if g not in named]
    text = f"{listed(named)}: the countries the paper names." if named else ""
    if extra:
        text += f" {listed(extra)}: shown for comparison."
    return text.strip()
